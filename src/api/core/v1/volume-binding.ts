/**
 * The facts of binding claims to volumes that the PersistentVolume binder, the local-path provisioner
 * and the scheduler's VolumeBinding plugin share: upstream's annotations, and which volume satisfies a
 * claim. Pure functions of the objects; node fit is a predicate the caller supplies, because matching
 * node selectors belongs to whoever holds the nodes.
 */
import { compareQuantities, toQuantity, type Quantity } from "../../quantity.js";
import { labelSelectorFromObject } from "../../selectors/label-selector.js";
import type { PersistentVolume } from "./persistent-volume.js";
import { storageClassOf } from "./persistent-volume.js";
import type { PersistentVolumeClaim } from "./persistent-volume-claim.js";
import { isDefaultStorageClass, type StorageClass } from "../../storage/v1/storage-class.js";

/** Set on a claim once the binder has finished binding it (both sides written). */
export const ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
/** Set on whichever side the binder (not the user) pointed at the other. */
export const ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
/** The node the scheduler chose for a pod using a WaitForFirstConsumer claim. */
export const ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node";
/** The provisioner asked to create a volume for a claim. */
export const ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
/** The beta spelling of ANN_STORAGE_PROVISIONER, still written for older provisioners. */
export const ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
/** The provisioner that created a volume. */
export const ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
/** The provisioner name of classes whose volumes are only ever created by hand. */
export const NO_PROVISIONER = "kubernetes.io/no-provisioner";

/** The storage class of a claim: `""` for none (and for an unset field). */
export function claimClass(claim: PersistentVolumeClaim): string {
  return storageClassOf(claim, claim.spec?.storageClassName);
}

/** The storage class of a volume: `""` for none. */
export function volumeClass(pv: PersistentVolume): string {
  return storageClassOf(pv, pv.spec?.storageClassName);
}

/** The storage a claim requests, or undefined when unset or unreadable. */
export function claimRequest(claim: PersistentVolumeClaim): Quantity | undefined {
  return quantityOf(claim.spec?.resources?.requests?.["storage"]);
}

/** The capacity of a volume, or undefined when unset or unreadable. */
export function volumeCapacity(pv: PersistentVolume): Quantity | undefined {
  return quantityOf(pv.spec?.capacity?.["storage"]);
}

function quantityOf(value: string | number | undefined): Quantity | undefined {
  if (value === undefined) return undefined;
  try {
    return toQuantity(value);
  } catch {
    // Validation keeps unreadable sizes out; one that slips through matches nothing.
    return undefined;
  }
}

/** The volume mode of a spec, Filesystem when unset as upstream defaults it. */
export function volumeModeOf(spec: { volumeMode?: string } | undefined): string {
  return spec?.volumeMode || "Filesystem";
}

/** Whether every access mode the claim asks for is one the volume offers. */
export function accessModesSatisfied(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const offered = new Set(pv.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m) => offered.has(m));
}

/**
 * Whether the volume's claimRef names this claim: same namespace and name, and either no uid yet (the
 * volume is reserved for the claim by name) or the claim's uid.
 */
export function isVolumeBoundToClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** Whether the binder has finished binding the claim. */
export function isClaimBindCompleted(claim: PersistentVolumeClaim): boolean {
  return claim.metadata.annotations?.[ANN_BIND_COMPLETED] !== undefined;
}

/**
 * Why a volume a claim names in `spec.volumeName` cannot satisfy it, in upstream's words; undefined
 * when it can. Checked in upstream's order: size, class, volume mode, access modes.
 */
export function volumeMismatch(
  pv: PersistentVolume,
  claim: PersistentVolumeClaim,
): string | undefined {
  const requested = claimRequest(claim);
  const capacity = volumeCapacity(pv);
  if (!requested || !capacity || compareQuantities(capacity, requested) < 0) {
    return "requested PV is too small";
  }
  if (volumeClass(pv) !== claimClass(claim)) return "storageClassName does not match";
  if (volumeModeOf(pv.spec) !== volumeModeOf(claim.spec)) return "incompatible volumeMode";
  if (!accessModesSatisfied(pv, claim)) return "incompatible accessMode";
  return undefined;
}

/** How a search for a claim's volume is done. */
export interface MatchOptions {
  /**
   * The claim waits for its first consumer and no node is chosen yet: only volumes reserved for the
   * claim may be taken (the scheduler picks the others, through the node it chooses).
   */
  delayBinding: boolean;
  /** Whether a volume can be reached from the chosen node; every volume can when absent. */
  fitsNode?: (pv: PersistentVolume) => boolean;
  /** Volumes not to take (already chosen for another claim of the same pod). */
  exclude?: ReadonlySet<string>;
}

/**
 * The volume the claim should bind to, as upstream's binder chooses it: a volume reserved for the
 * claim by its claimRef if one fits its access and volume modes (and the node; when it does not, no
 * volume at all); otherwise, among Available volumes with no claimRef, of the claim's class, matching
 * its selector, offering its access modes and its volume mode, reachable from the node and at least as
 * large as the request: those with the fewest access modes first, then the smallest.
 */
export function findBestVolume(
  claim: PersistentVolumeClaim,
  volumes: Iterable<PersistentVolume>,
  opts: MatchOptions,
): PersistentVolume | undefined {
  const requested = claimRequest(claim);
  if (!requested) return undefined;
  const wantedClass = claimClass(claim);
  const selector = claim.spec?.selector ? labelSelectorFromObject(claim.spec.selector) : undefined;
  const mode = volumeModeOf(claim.spec);

  let best: { pv: PersistentVolume; modes: number; size: Quantity } | undefined;
  for (const pv of volumes) {
    const name = pv.metadata.name ?? "";
    if (opts.exclude?.has(name)) continue;
    if (volumeModeOf(pv.spec) !== mode || !accessModesSatisfied(pv, claim)) continue;
    if (pv.metadata.deletionTimestamp) continue;
    const fits = opts.fitsNode ? opts.fitsNode(pv) : true;
    if (isVolumeBoundToClaim(pv, claim)) return fits ? pv : undefined;
    if (opts.delayBinding) continue;
    if (pv.status?.phase !== "Available" || pv.spec?.claimRef) continue;
    if (selector && !selector.matches(pv.metadata.labels)) continue;
    if (volumeClass(pv) !== wantedClass || !fits) continue;
    const size = volumeCapacity(pv);
    if (!size || compareQuantities(size, requested) < 0) continue;
    const modes = new Set(pv.spec?.accessModes ?? []).size;
    if (
      !best ||
      modes < best.modes ||
      (modes === best.modes && compareQuantities(size, best.size) < 0)
    ) {
      best = { pv, modes, size };
    }
  }
  return best?.pv;
}

/** The claims a pod uses, by name: its persistentVolumeClaim volumes and its generic ephemeral ones. */
export function podClaimNames(pod: {
  metadata: { name?: string };
  spec?: {
    volumes?: {
      name?: string;
      persistentVolumeClaim?: { claimName?: string };
      ephemeral?: unknown;
    }[];
  };
}): { name: string; ephemeral: boolean }[] {
  const out: { name: string; ephemeral: boolean }[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const claimName = v.persistentVolumeClaim?.claimName;
    if (claimName) out.push({ name: claimName, ephemeral: false });
    else if (v.ephemeral)
      out.push({ name: `${pod.metadata.name ?? ""}-${v.name ?? ""}`, ephemeral: true });
  }
  return out;
}

/**
 * The class claims without one get: of the classes marked default, the newest (ties by name), as
 * upstream picks when several are marked.
 */
export function defaultStorageClassName(classes: Iterable<StorageClass>): string | undefined {
  let best: StorageClass | undefined;
  for (const sc of classes) {
    if (!isDefaultStorageClass(sc)) continue;
    if (!best) {
      best = sc;
      continue;
    }
    const a = Date.parse(sc.metadata.creationTimestamp ?? "") || 0;
    const b = Date.parse(best.metadata.creationTimestamp ?? "") || 0;
    if (a > b || (a === b && (sc.metadata.name ?? "") < (best.metadata.name ?? ""))) best = sc;
  }
  return best?.metadata.name;
}
