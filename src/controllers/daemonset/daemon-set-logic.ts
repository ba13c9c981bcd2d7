/**
 * The decisions of one DaemonSet sync, as pure functions of the informers' cache: which nodes get
 * a daemon pod and which daemon pods go (`planManage`), and the status counts
 * (`daemonSetStatusCounts`). The rolling update's steps are in `rolling-update.ts`.
 */
import type { DaemonSet, DaemonSetStatus } from "../../api/apps/v1/daemon-set.js";
import type { Node } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { scaledValue } from "../../api/int-or-string.js";
import { POD_REVISION_HASH_LABEL } from "../history/revisions.js";
import { isPodAvailable, isPodReady } from "../replicaset/pod-state.js";
import { compareDaemonPods, isPodUpdated, templateGeneration } from "./daemon-pod.js";
import { DaemonPlacement, targetNodeName } from "./placement.js";

/** The most pods one sync creates or deletes (upstream's BurstReplicas). */
export const BURST_REPLICAS = 250;

/** A user-visible event about the DaemonSet. */
export interface DaemonSetEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** What one sync reads. */
export interface DaemonSetSyncInput {
  ds: DaemonSet;
  /** Every node of the cluster. */
  nodes: readonly Node[];
  /** The pods the DaemonSet controls, adoptions included. */
  pods: readonly Pod[];
  /** The hash of the current revision. */
  hash: string;
  /** Milliseconds since the epoch. */
  now: number;
  /**
   * How long failed pods on `nodeName` must still be left alone (the back-off after the last
   * deletion of a failed pod there); 0 when they may be deleted now. Defaults to 0.
   */
  failedPodBackoffMs?: (nodeName: string) => number;
}

/** The writes a step decides. */
export interface NodeActions {
  /** Nodes to start a daemon pod for, in node order. */
  createOn: string[];
  /** Pods to delete. */
  delete: Pod[];
  /** One entry per failed pod deleted now: the node whose back-off takes a step. */
  backoffSteps: string[];
  events: DaemonSetEvent[];
  /** When to sync again for a failed pod still in back-off. */
  requeueAfterMs?: number;
}

function emptyActions(): NodeActions {
  return { createOn: [], delete: [], backoffSteps: [], events: [] };
}

/**
 * The DaemonSet's pods by the node they are for (bound, or pinned by node affinity). Pods that
 * finished and are being deleted are left out (nothing is left to do with them), as are pods
 * that name no node.
 */
export function podsByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp && (phase === "Succeeded" || phase === "Failed")) continue;
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    const list = out.get(node);
    if (list) list.push(pod);
    else out.set(node, [pod]);
  }
  return out;
}

/** The maxSurge of a rolling update over `desired` nodes (percentages rounded up); else 0. */
export function surgeCount(ds: DaemonSet, desired: number): number {
  const strategy = ds.spec?.updateStrategy;
  const value = strategy?.rollingUpdate?.maxSurge;
  if (strategy?.type !== "RollingUpdate" || value === undefined) return 0;
  return scaledValue(value, desired, true);
}

/** The maxUnavailable of a rolling update over `desired` nodes (percentages rounded up); else 0. */
export function unavailableCount(ds: DaemonSet, desired: number): number {
  const strategy = ds.spec?.updateStrategy;
  const value = strategy?.rollingUpdate?.maxUnavailable;
  if (strategy?.type !== "RollingUpdate" || value === undefined) return 0;
  return scaledValue(value, desired, true);
}

/** Whether the DaemonSet may run a new pod beside an old one on a node during an update. */
export function allowsSurge(ds: DaemonSet): boolean {
  return surgeCount(ds, 1) > 0;
}

/**
 * What a node needs: a pod created when it should run one and has none; failed and succeeded pods
 * deleted (failed ones under back-off); extra pods deleted (all but the oldest, or, with surge,
 * all but the oldest old and oldest new pod until the new one is available); every pod deleted
 * when the node no longer accepts it.
 */
function manageNode(
  input: DaemonSetSyncInput,
  node: Node,
  placement: DaemonPlacement,
  podsOnNode: readonly Pod[] | undefined,
  out: NodeActions,
): void {
  const nodeName = node.metadata.name ?? "";
  const { shouldRun, shouldContinueRunning } = placement.forNode(node);
  if (shouldRun && !podsOnNode) {
    out.createOn.push(nodeName);
    return;
  }
  if (!podsOnNode) return;
  if (!shouldContinueRunning) {
    for (const pod of podsOnNode) if (!pod.metadata.deletionTimestamp) out.delete.push(pod);
    return;
  }

  const running: Pod[] = [];
  for (const pod of podsOnNode) {
    if (pod.metadata.deletionTimestamp) continue;
    const podKey = `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;
    const phase = pod.status?.phase;
    if (phase === "Failed") {
      const wait = input.failedPodBackoffMs?.(nodeName) ?? 0;
      if (wait > 0) {
        out.requeueAfterMs = Math.min(out.requeueAfterMs ?? wait, wait);
        continue;
      }
      out.backoffSteps.push(nodeName);
      out.events.push({
        type: "Warning",
        reason: "FailedDaemonPod",
        message: `Found failed daemon pod ${podKey} on node ${nodeName}, will try to kill it`,
      });
      out.delete.push(pod);
    } else if (phase === "Succeeded") {
      out.events.push({
        type: "Normal",
        reason: "SucceededDaemonPod",
        message: `Found succeeded daemon pod ${podKey} on node ${nodeName}, will try to delete it`,
      });
      out.delete.push(pod);
    } else {
      running.push(pod);
    }
  }

  running.sort(compareDaemonPods);
  if (!allowsSurge(input.ds)) {
    out.delete.push(...running.slice(1));
    return;
  }
  if (running.length <= 1) {
    // While surging, a node whose pods all failed or finished needs a new one at once.
    if (running.length === 0 && shouldRun) out.createOn.push(nodeName);
    return;
  }
  // Keep the oldest new pod and, while that one is not available yet, the oldest old one if it
  // is still ready; every other pod goes.
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    const isNew = pod.metadata.labels?.[POD_REVISION_HASH_LABEL] === input.hash;
    if (isNew && !oldestNew) oldestNew = pod;
    else if (!isNew && !oldestOld) oldestOld = pod;
    else out.delete.push(pod);
  }
  if (!oldestNew || !oldestOld) return;
  const minReady = input.ds.spec?.minReadySeconds ?? 0;
  if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, input.now)) {
    out.delete.push(oldestOld);
  }
}

/**
 * The create-and-delete step of a sync (upstream's manage): for every node, what it needs; plus
 * the unbound pods meant for nodes that no longer exist, which no one else would delete (bound
 * pods of a deleted node are the pod garbage collector's).
 */
export function planManage(input: DaemonSetSyncInput): NodeActions {
  const out = emptyActions();
  const placement = new DaemonPlacement(input.ds);
  const byNode = podsByNode(input.pods);
  const known = new Set<string>();
  for (const node of input.nodes) {
    known.add(node.metadata.name ?? "");
    manageNode(input, node, placement, byNode.get(node.metadata.name ?? ""), out);
  }
  for (const [nodeName, pods] of byNode) {
    if (known.has(nodeName)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName) out.delete.push(pod);
  }
  return out;
}

/** The counts of a DaemonSet's status. */
export type DaemonSetCounts = Required<
  Pick<
    DaemonSetStatus,
    | "desiredNumberScheduled"
    | "currentNumberScheduled"
    | "numberMisscheduled"
    | "numberReady"
    | "updatedNumberScheduled"
    | "numberAvailable"
    | "numberUnavailable"
  >
>;

/**
 * The status counts: over the nodes that should run the pod, those with one (judged by the oldest
 * pod there), ready, available, of the current template; and the nodes that run one but should
 * not.
 */
export function daemonSetStatusCounts(
  input: Pick<DaemonSetSyncInput, "ds" | "nodes" | "pods" | "hash" | "now">,
): DaemonSetCounts {
  const placement = new DaemonPlacement(input.ds);
  const byNode = podsByNode(input.pods);
  const generation = templateGeneration(input.ds);
  const minReady = input.ds.spec?.minReadySeconds ?? 0;
  const c: DaemonSetCounts = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
  for (const node of input.nodes) {
    const pods = byNode.get(node.metadata.name ?? "") ?? [];
    if (!placement.forNode(node).shouldRun) {
      if (pods.length) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    const pod = [...pods].sort(compareDaemonPods)[0];
    if (!pod) continue;
    c.currentNumberScheduled++;
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, minReady, input.now)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, input.hash, generation)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

/**
 * The status to write, or undefined when the counts are unchanged and the generation already
 * observed. `observe` is false when the sync did not act on this generation (expectations
 * pending), which then keeps the old observedGeneration.
 */
export function nextDaemonSetStatus(
  ds: DaemonSet,
  counts: DaemonSetCounts,
  observe: boolean,
): DaemonSetStatus | undefined {
  const status = ds.status ?? {};
  const generation = ds.metadata.generation ?? 0;
  const same = (Object.keys(counts) as (keyof DaemonSetCounts)[]).every(
    (k) => (status[k] ?? 0) === counts[k],
  );
  if (same && (status.observedGeneration ?? 0) >= generation) return undefined;
  const next: DaemonSetStatus = { ...status, ...counts };
  if (observe) next.observedGeneration = generation;
  return next;
}
