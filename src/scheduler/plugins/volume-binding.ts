/**
 * VolumeBinding: a pod goes only where its claims' volumes can be used. Every claim must exist and
 * not be going away; a claim of an Immediate class must already be bound; a bound claim's volume
 * must be reachable from the node (its node affinity); a claim that waits for its first consumer
 * needs, on the node, either an Available volume that fits it or a class that can provision there.
 * The listers are the scheduler's informer caches; the plugin reads them and changes nothing.
 */
import type { Node } from "../../api/core/v1/node.js";
import type { PersistentVolume } from "../../api/core/v1/persistent-volume.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import {
  NO_PROVISIONER,
  claimClass,
  findBestVolume,
  podClaimNames,
} from "../../api/core/v1/volume-binding.js";
import type { StorageClass } from "../../api/storage/v1/storage-class.js";
import type { FilterPlugin } from "../plugin.js";
import { SKIP } from "../plugin.js";
import { isEmptyTerm, NodeSelectorTermMatcher } from "../selectors.js";
import { failure, PluginName, type Status } from "../status.js";

/** Upstream's reason when a bound volume cannot be reached from the node. */
export const ERR_REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict";
/** Upstream's reason when a waiting claim has neither a volume nor provisioning on the node. */
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
/** Upstream's reason when a claim is bound to a volume that does not exist. */
export const ERR_REASON_PV_NOT_EXIST =
  "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
/** Upstream's pre-filter reason for claims of Immediate classes that are not bound yet. */
export const ERR_REASON_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";

/** The cached objects the plugin reads. */
export interface VolumeListers {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  volumes(): Iterable<PersistentVolume>;
  storageClass(name: string): StorageClass | undefined;
}

/** A pod's claims, sorted by what the filter must check for each. */
export interface PodVolumes {
  /** Claims with a volume, and that volume when it exists. */
  bound: { claim: PersistentVolumeClaim; volume: PersistentVolume | undefined }[];
  /** Unbound claims of WaitForFirstConsumer classes. */
  delayed: { claim: PersistentVolumeClaim; storageClass: StorageClass }[];
}

const unresolvable = (reason: string): Status =>
  failure(PluginName.VolumeBinding, "UnschedulableAndUnresolvable", reason);

/**
 * Sorts the pod's claims into bound and waiting ones, or says why the pod cannot be scheduled
 * anywhere (a claim missing, being deleted, not the pod's own ephemeral claim, or unbound with an
 * Immediate class). Undefined when the pod uses no claims.
 */
export function podVolumes(
  pod: { metadata: { name?: string; namespace?: string; uid?: string }; spec?: object },
  listers: VolumeListers,
): PodVolumes | Status | undefined {
  const names = podClaimNames(pod as Parameters<typeof podClaimNames>[0]);
  if (names.length === 0) return undefined;
  const namespace = pod.metadata.namespace ?? "default";
  const out: PodVolumes = { bound: [], delayed: [] };
  let unboundImmediate = false;
  for (const { name, ephemeral } of names) {
    const claim = listers.claim(namespace, name);
    if (!claim) {
      return unresolvable(
        ephemeral
          ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"`
          : `persistentvolumeclaim "${name}" not found`,
      );
    }
    if (claim.metadata.deletionTimestamp) {
      return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
    }
    if (ephemeral && !ownedBy(claim, pod.metadata.uid)) {
      return unresolvable(
        `PVC ${namespace}/${name} was not created for pod ${namespace}/${pod.metadata.name ?? ""} (pod is not owner)`,
      );
    }
    const volumeName = claim.spec?.volumeName;
    if (volumeName) {
      out.bound.push({ claim, volume: listers.volume(volumeName) });
      continue;
    }
    const className = claimClass(claim);
    const storageClass = className ? listers.storageClass(className) : undefined;
    if (storageClass?.volumeBindingMode === "WaitForFirstConsumer") {
      out.delayed.push({ claim, storageClass });
    } else unboundImmediate = true;
  }
  if (unboundImmediate) return unresolvable(ERR_REASON_UNBOUND_IMMEDIATE);
  return out;
}

function ownedBy(claim: PersistentVolumeClaim, uid: string | undefined): boolean {
  return (claim.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === uid);
}

/** Whether a volume can be reached from the node: no required node affinity, or one term matches. */
export function volumeFitsNode(pv: PersistentVolume, node: Node): boolean {
  const required = pv.spec?.nodeAffinity?.required;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some(
    (term) => !isEmptyTerm(term) && new NodeSelectorTermMatcher(term).matches(node),
  );
}

/** Whether the class may provision on the node: its allowedTopologies (terms ORed) admit it. */
export function classAllowsNode(sc: StorageClass, node: Node): boolean {
  if (sc.provisioner === NO_PROVISIONER) return false;
  const terms = sc.allowedTopologies ?? [];
  if (terms.length === 0) return true;
  const labels = node.metadata.labels ?? {};
  return terms.some((term) =>
    (term.matchLabelExpressions ?? []).every((req) => {
      const value = labels[req.key ?? ""];
      return value !== undefined && (req.values ?? []).includes(value);
    }),
  );
}

/**
 * The reasons the node cannot serve the pod's claims; empty when it can. Waiting claims each take a
 * different volume, the way the binder would bind them.
 */
export function volumeReasons(
  state: PodVolumes,
  node: Node,
  volumes: () => Iterable<PersistentVolume>,
): string[] {
  const reasons: string[] = [];
  let missing = false;
  let conflict = false;
  for (const { volume } of state.bound) {
    if (!volume) missing = true;
    else if (!volumeFitsNode(volume, node)) conflict = true;
  }
  if (conflict) reasons.push(ERR_REASON_NODE_CONFLICT);
  let unsatisfied = false;
  const chosen = new Set<string>();
  for (const { claim, storageClass } of state.delayed) {
    const pv = findBestVolume(claim, volumes(), {
      delayBinding: false,
      fitsNode: (v) => volumeFitsNode(v, node),
      exclude: chosen,
    });
    if (pv) chosen.add(pv.metadata.name ?? "");
    else if (!classAllowsNode(storageClass, node)) unsatisfied = true;
  }
  if (unsatisfied) reasons.push(ERR_REASON_BIND_CONFLICT);
  if (missing) reasons.push(ERR_REASON_PV_NOT_EXIST);
  return reasons;
}

/** The VolumeBinding filter over the given caches. */
export function volumeBindingFilter(listers: VolumeListers): FilterPlugin<PodVolumes> {
  return {
    name: PluginName.VolumeBinding,
    preFilter(pod) {
      const result = podVolumes(pod.pod, listers);
      if (result === undefined) return SKIP;
      if ("code" in result) return result;
      if (result.bound.length === 0 && result.delayed.length === 0) return SKIP;
      return { state: result };
    },
    filter(state, _pod, node) {
      if (!node.node) return unresolvable(ERR_REASON_NODE_CONFLICT);
      const reasons = volumeReasons(state, node.node, () => listers.volumes());
      return reasons.length === 0
        ? null
        : failure(PluginName.VolumeBinding, "UnschedulableAndUnresolvable", ...reasons);
    },
  };
}

/** The filters with VolumeBinding after NodeResourcesFit, where upstream runs it. */
export function withVolumeBinding(
  filters: readonly FilterPlugin[],
  plugin: FilterPlugin,
): FilterPlugin[] {
  const out = [...filters];
  const at = out.findIndex((f) => f.name === PluginName.NodeResourcesFit);
  out.splice(at < 0 ? out.length : at + 1, 0, plugin);
  return out;
}
