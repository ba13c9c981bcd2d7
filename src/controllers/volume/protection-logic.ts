/**
 * Storage object in-use protection, as upstream's pvc-protection and pv-protection controllers: a
 * claim keeps the `kubernetes.io/pvc-protection` finalizer while a pod uses it, and a volume keeps
 * `kubernetes.io/pv-protection` while it is Bound, so deleting either waits (Terminating) until it is
 * no longer in use. Pure decisions; the controllers write the finalizers.
 */
import type { PersistentVolume } from "../../api/core/v1/persistent-volume.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { podClaimNames } from "../../api/core/v1/volume-binding.js";

/** Holds a claim's deletion while pods use it. */
export const PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection";
/** Holds a volume's deletion while it is bound. */
export const PV_PROTECTION_FINALIZER = "kubernetes.io/pv-protection";

/** What to do with an object's protection finalizer. */
export type FinalizerAction = "add" | "remove" | "none";

/** Whether a pod that has not finished uses the claim (a claim volume, or its ephemeral volume's). */
export function podUsesClaim(pod: Pod, claimName: string): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  return podClaimNames(pod).some((c) => c.name === claimName);
}

/**
 * A live claim gets the finalizer; a claim being deleted loses it once no pod uses it (a claim being
 * deleted never gets it again).
 */
export function claimFinalizerAction(
  claim: PersistentVolumeClaim,
  inUse: boolean,
): FinalizerAction {
  return finalizerAction(claim, PVC_PROTECTION_FINALIZER, inUse);
}

/** A live volume gets the finalizer; a volume being deleted loses it once it is not Bound. */
export function volumeFinalizerAction(pv: PersistentVolume): FinalizerAction {
  return finalizerAction(pv, PV_PROTECTION_FINALIZER, pv.status?.phase === "Bound");
}

function finalizerAction(
  obj: { metadata: { finalizers?: string[]; deletionTimestamp?: string } },
  finalizer: string,
  inUse: boolean,
): FinalizerAction {
  const has = (obj.metadata.finalizers ?? []).includes(finalizer);
  if (!obj.metadata.deletionTimestamp) return has ? "none" : "add";
  return has && !inUse ? "remove" : "none";
}

/**
 * The merge patch that adds or removes the finalizer, with the resourceVersion it was decided on so
 * that a concurrent change makes it fail with a Conflict instead of losing another finalizer.
 */
export function finalizerPatch(
  obj: { metadata: { finalizers?: string[]; resourceVersion?: string } },
  finalizer: string,
  action: "add" | "remove",
): object {
  const current = obj.metadata.finalizers ?? [];
  const finalizers =
    action === "add" ? [...current, finalizer] : current.filter((f) => f !== finalizer);
  return {
    metadata: {
      finalizers: finalizers.length ? finalizers : null,
      ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
    },
  };
}
