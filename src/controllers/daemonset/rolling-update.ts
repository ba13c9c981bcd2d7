/**
 * One step of a DaemonSet's rolling update, as a pure function of the cache (upstream's
 * rollingUpdate). It runs only when the create-and-delete step had nothing to do, and relies on
 * that step to create the pods of nodes left empty and to remove extra pods.
 *
 * Without surge it deletes old pods, unavailable ones first, while the unavailable nodes stay
 * within maxUnavailable; the next sync creates their replacements. With surge it starts new pods
 * beside old ones, within maxSurge (at once where the old pod is unavailable), and deletes an old
 * pod once the new one beside it is available.
 */
import type { DaemonSet } from "../../api/apps/v1/daemon-set.js";
import type { Node } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { isPodAvailable } from "../replicaset/pod-state.js";
import { isPodUpdated, templateGeneration } from "./daemon-pod.js";
import {
  podsByNode,
  surgeCount,
  unavailableCount,
  type DaemonSetSyncInput,
  type NodeActions,
} from "./daemon-set-logic.js";
import { DaemonPlacement } from "./placement.js";

/** A node's live pods split into the current template's and an old one's; undefined if more. */
function splitPodsOnNode(
  ds: DaemonSet,
  pods: readonly Pod[],
  hash: string,
): { newPod?: Pod; oldPod?: Pod } | undefined {
  const generation = templateGeneration(ds);
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { ...(newPod ? { newPod } : {}), ...(oldPod ? { oldPod } : {}) };
}

/** The limits of one step over the nodes that should run the pod. */
export interface RollingLimits {
  maxSurge: number;
  maxUnavailable: number;
  desired: number;
}

/**
 * maxSurge and maxUnavailable scaled to the nodes that should run the pod; with both 0 (which
 * validation refuses), one node may be unavailable, so an update can still progress.
 */
export function rollingLimits(ds: DaemonSet, nodes: readonly Node[]): RollingLimits {
  const placement = new DaemonPlacement(ds);
  let desired = 0;
  for (const node of nodes) if (placement.forNode(node).shouldRun) desired++;
  const maxSurge = surgeCount(ds, desired);
  let maxUnavailable = unavailableCount(ds, desired);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desired };
}

/** The pods by node, with an empty entry for every node that should run one and has none. */
function nodesInPlay(input: DaemonSetSyncInput, placement: DaemonPlacement): [string, Pod[]][] {
  const byNode = podsByNode(input.pods);
  for (const node of input.nodes) {
    const name = node.metadata.name ?? "";
    if (!byNode.has(name) && placement.forNode(node).shouldRun) byNode.set(name, []);
  }
  // Sorted, so that the nodes a step picks are the same from one sync to the next.
  return [...byNode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The rolling update step: old pods to delete and, with surge, nodes to start new pods on. */
export function planRollingUpdate(input: DaemonSetSyncInput): NodeActions {
  const { ds, now, hash } = input;
  const limits = rollingLimits(ds, input.nodes);
  const placement = new DaemonPlacement(ds);
  const entries = nodesInPlay(input, placement);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (pod: Pod): boolean => isPodAvailable(pod, minReady, now);
  const out: NodeActions = { createOn: [], delete: [], backoffSteps: [], events: [] };

  if (limits.maxSurge === 0) {
    let unavailable = 0;
    const replacements: Pod[] = [];
    const candidates: Pod[] = [];
    for (const [, pods] of entries) {
      const split = splitPodsOnNode(ds, pods, hash);
      // Extra pods: the create-and-delete step prunes them; the node counts as unavailable.
      if (!split) {
        unavailable++;
        continue;
      }
      const { newPod, oldPod } = split;
      if (!!newPod === !!oldPod) {
        unavailable++;
      } else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (oldPod && !available(oldPod)) {
        replacements.push(oldPod);
        unavailable++;
      } else if (oldPod && unavailable < limits.maxUnavailable) {
        candidates.push(oldPod);
      }
    }
    const room = Math.min(Math.max(0, limits.maxUnavailable - unavailable), candidates.length);
    out.delete.push(...replacements, ...candidates.slice(0, room));
    return out;
  }

  const nodesByName = new Map(input.nodes.map((n) => [n.metadata.name ?? "", n]));
  const shouldRun = (name: string): boolean => {
    const node = nodesByName.get(name);
    return node !== undefined && placement.forNode(node).shouldRun;
  };
  let surging = 0;
  let availableNodes = 0;
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  const sunsetting: Pod[] = [];
  for (const [nodeName, pods] of entries) {
    const split = splitPodsOnNode(ds, pods, hash);
    if (!split) {
      surging++;
      continue;
    }
    const { newPod, oldPod } = split;
    const current = oldPod ?? newPod;
    if (current && available(current)) availableNodes++;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        // An unavailable old pod is replaced at once, or just removed where it may not run.
        if (shouldRun(nodeName)) allowedNew.push(nodeName);
        else out.delete.push(oldPod);
      } else if (!shouldRun(nodeName)) {
        sunsetting.push(oldPod);
      } else if (surging < limits.maxSurge) {
        candidateNew.push(nodeName);
      }
      continue;
    }
    if (!available(newPod)) surging++;
    else out.delete.push(oldPod);
  }
  // Old pods on nodes that no longer qualify go only while enough pods stay available elsewhere:
  // with surge the owner expects no loss of availability.
  const deletable = Math.min(Math.max(0, availableNodes - limits.desired), sunsetting.length);
  out.delete.push(...sunsetting.slice(0, deletable));
  const room = Math.min(Math.max(0, limits.maxSurge - surging), candidateNew.length);
  out.createOn.push(...allowedNew, ...candidateNew.slice(0, room));
  return out;
}
