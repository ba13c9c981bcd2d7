/**
 * The PersistentVolume binder's decisions, as pure functions of cached objects: what to do with a
 * claim (bind it, leave it Pending with the reason, ask a provisioner, mark it Lost) and with a volume
 * (its phase, unbinding, reclaiming), and the objects a bind writes. The controller carries them out.
 */
import type { PersistentVolume } from "../../api/core/v1/persistent-volume.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  claimClass,
  findBestVolume,
  isClaimBindCompleted,
  isVolumeBoundToClaim,
  volumeMismatch,
  volumeModeOf,
} from "../../api/core/v1/volume-binding.js";
import {
  BETA_STORAGE_CLASS_ANNOTATION,
  type PersistentVolumeSpec,
} from "../../api/core/v1/persistent-volume.js";
import type { StorageClass } from "../../api/storage/v1/storage-class.js";
import { copyJson } from "../../util/json-copy.js";

/** An event to record: on the claim or on the volume being synced. */
export interface BinderEvent {
  on: "claim" | "volume";
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** What to do with a claim. */
export type ClaimDecision =
  /** Give the claim the default class it was created without (retroactive assignment). */
  | { action: "assignClass"; className: string }
  /** Bind claim and volume (each step is skipped when already done). */
  | { action: "bind"; volume: PersistentVolume }
  /** Leave the claim Pending; ask `provisioner` for a volume when set. */
  | { action: "pending"; events: BinderEvent[]; provisioner?: string }
  /** The claim was bound but its volume is gone or taken. */
  | { action: "lost"; events: BinderEvent[] };

/** What the claim sync knows. */
export interface ClaimSyncInput {
  claim: PersistentVolumeClaim;
  /** The volume `spec.volumeName` names, if it exists. */
  volume: PersistentVolume | undefined;
  volumes: Iterable<PersistentVolume>;
  /** The claim's class, if it names one that exists. */
  storageClass: StorageClass | undefined;
  /** The name of the default class, if the cluster has one. */
  defaultClass: string | undefined;
  /**
   * Whether a volume is reachable from the node the scheduler selected; undefined when no node is
   * selected. (A selected node that does not exist fits nothing.)
   */
  fitsSelectedNode: ((pv: PersistentVolume) => boolean) | undefined;
}

const WAITING_FOR_CONSUMER = "waiting for first consumer to be created before binding";
const NO_VOLUMES_NO_CLASS =
  "no persistent volumes available for this claim and no storage class is set";

/** Decides what a claim needs, as upstream's syncClaim does. */
export function decideClaim(input: ClaimSyncInput): ClaimDecision {
  const { claim } = input;
  if (isClaimBindCompleted(claim)) return decideBoundClaim(input);
  return decideUnboundClaim(input);
}

function decideUnboundClaim(input: ClaimSyncInput): ClaimDecision {
  const { claim, volume } = input;
  const volumeName = claim.spec?.volumeName ?? "";

  if (volumeName === "") {
    const className = claimClass(claim);
    const waitsForConsumer = input.storageClass?.volumeBindingMode === "WaitForFirstConsumer";
    const nodeSelected = claim.metadata.annotations?.[ANN_SELECTED_NODE] !== undefined;
    const delayBinding = waitsForConsumer && !nodeSelected;
    const best = findBestVolume(claim, input.volumes, {
      delayBinding,
      ...(input.fitsSelectedNode ? { fitsNode: input.fitsSelectedNode } : {}),
    });
    if (best) return { action: "bind", volume: best };
    // A claim created while no class was the default takes the default once there is one (after
    // trying the volumes without a class, as upstream).
    const hasClass =
      claim.spec?.storageClassName !== undefined ||
      claim.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] !== undefined;
    if (!hasClass && input.defaultClass) {
      return { action: "assignClass", className: input.defaultClass };
    }
    if (delayBinding) {
      return {
        action: "pending",
        events: [normal("claim", "WaitForFirstConsumer", WAITING_FOR_CONSUMER)],
      };
    }
    if (className === "") {
      return { action: "pending", events: [normal("claim", "FailedBinding", NO_VOLUMES_NO_CLASS)] };
    }
    return provisionDecision(className, input.storageClass);
  }

  if (!volume) {
    // The claim asks for a volume that does not exist (yet): wait for it.
    return { action: "pending", events: [] };
  }
  if (!volume.spec?.claimRef) {
    const mismatch = volumeMismatch(volume, claim);
    if (mismatch) {
      return {
        action: "pending",
        events: [
          warning(
            "claim",
            "VolumeMismatch",
            `Cannot bind to requested volume "${volumeName}": ${mismatch}`,
          ),
        ],
      };
    }
    return { action: "bind", volume };
  }
  if (isVolumeBoundToClaim(volume, claim)) return { action: "bind", volume };
  return {
    action: "pending",
    events: [
      warning(
        "claim",
        "FailedBinding",
        `volume "${volumeName}" already bound to a different claim.`,
      ),
    ],
  };
}

/** Pending on a class with a provisioner: ask it, or say why no one can. */
function provisionDecision(
  className: string,
  storageClass: StorageClass | undefined,
): ClaimDecision {
  if (!storageClass) {
    return {
      action: "pending",
      events: [
        warning(
          "claim",
          "ProvisioningFailed",
          `storageclass.storage.k8s.io "${className}" not found`,
        ),
      ],
    };
  }
  const provisioner = storageClass.provisioner ?? "";
  // Names under kubernetes.io/ are in-tree plugins, of which Kates has none (no-provisioner included).
  if (provisioner.startsWith("kubernetes.io/")) {
    return {
      action: "pending",
      events: [
        warning("claim", "ProvisioningFailed", `no volume plugin matched name: ${provisioner}`),
      ],
    };
  }
  return {
    action: "pending",
    provisioner,
    events: [
      normal(
        "claim",
        "ExternalProvisioning",
        `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
      ),
    ],
  };
}

function decideBoundClaim(input: ClaimSyncInput): ClaimDecision {
  const { claim, volume } = input;
  if (!claim.spec?.volumeName) {
    return lost("Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
  }
  if (!volume)
    return lost("Bound claim has lost its PersistentVolume. Data on the volume is lost!");
  const ref = volume.spec?.claimRef;
  if (!ref || isVolumeBoundToClaim(volume, claim)) return { action: "bind", volume };
  return {
    action: "lost",
    events: [
      warning(
        "claim",
        "ClaimMisbound",
        "Two claims are bound to the same volume, this one is bound incorrectly",
      ),
    ],
  };
}

function lost(message: string): ClaimDecision {
  return { action: "lost", events: [warning("claim", "ClaimLost", message)] };
}

/** What to do with a volume. */
export interface VolumeDecision {
  /** The phase to write (with its message and reason) when the volume is not in it. */
  phase?: { phase: string; message?: string; reason?: string };
  /** Clear the claimRef (`all`), or only its uid so the volume stays reserved by name (`uid`). */
  unbind?: "all" | "uid";
  /** Sync this claim (`namespace/name`) next: it may be half bound. */
  syncClaim?: string;
  events: BinderEvent[];
}

/** What the volume sync knows. */
export interface VolumeSyncInput {
  volume: PersistentVolume;
  /** The claim the volume's claimRef names, if it exists (with any uid). */
  claim: PersistentVolumeClaim | undefined;
}

/** Decides what a volume needs, as upstream's syncVolume does. */
export function decideVolume(input: VolumeSyncInput): VolumeDecision {
  const { volume, claim } = input;
  const ref = volume.spec?.claimRef;
  if (!ref) return { phase: { phase: "Available" }, events: [] };
  // Reserved for a claim by name, not bound yet: the claim's sync will bind it.
  if (!ref.uid) {
    return {
      phase: { phase: "Available" },
      ...(claim ? { syncClaim: claimKeyOf(claim) } : {}),
      events: [],
    };
  }
  if (!claim || claim.metadata.uid !== ref.uid) return reclaim(input);

  const volumeName = volume.metadata.name ?? "";
  const claimVolume = claim.spec?.volumeName ?? "";
  if (claimVolume === "") {
    if (volumeModeOf(volume.spec) !== volumeModeOf(claim.spec)) {
      return {
        events: [
          warning(
            "volume",
            "VolumeMismatch",
            `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata.name ?? ""}" due to incompatible volumeMode.`,
          ),
          warning(
            "claim",
            "VolumeMismatch",
            `Cannot bind PersistentVolume "${volumeName}" to requested PersistentVolumeClaim due to incompatible volumeMode.`,
          ),
        ],
      };
    }
    // Half bound (the binder wrote the volume, or a provisioner made it for the claim): finish in the
    // claim's sync.
    return { syncClaim: claimKeyOf(claim), events: [] };
  }
  if (claimVolume === volumeName) return { phase: { phase: "Bound" }, events: [] };

  // The claim went to another volume.
  const provisioned = volume.metadata.annotations?.[ANN_PROVISIONED_BY] !== undefined;
  if (provisioned && volume.spec?.persistentVolumeReclaimPolicy === "Delete") return reclaim(input);
  const boundByController = volume.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] !== undefined;
  return {
    unbind: boundByController ? "all" : "uid",
    phase: { phase: "Available" },
    events: [],
  };
}

/** The claim is gone: the volume is Released, then reclaimed by its policy. */
function reclaim(input: VolumeSyncInput): VolumeDecision {
  const { volume } = input;
  const phase = volume.status?.phase;
  if (phase === "Failed") return { events: [] };
  const name = volume.metadata.name ?? "";
  const policy = volume.spec?.persistentVolumeReclaimPolicy ?? "Retain";
  if (policy === "Retain") return { phase: { phase: "Released" }, events: [] };
  if (policy === "Recycle") {
    const message = "No recycler plugin found for the volume!";
    return failed(message, "VolumeFailedRecycle");
  }
  // Delete: a provisioner's volume is deleted by that provisioner; Kates has no in-tree deleters.
  if (volume.metadata.annotations?.[ANN_PROVISIONED_BY] !== undefined) {
    return { phase: { phase: "Released" }, events: [] };
  }
  return failed(
    `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`,
    "VolumeFailedDelete",
  );
}

function failed(message: string, reason: string): VolumeDecision {
  return {
    phase: { phase: "Failed", message },
    events: [warning("volume", reason, message)],
  };
}

/** The key of a claim in the binder's queue and caches. */
export function claimKeyOf(claim: PersistentVolumeClaim): string {
  return `${claim.metadata.namespace ?? ""}/${claim.metadata.name ?? ""}`;
}

/**
 * The volume with its claimRef pointing at the claim (and marked bound by the controller when no
 * user had reserved it), or undefined when it already does.
 */
export function volumeBoundTo(
  pv: PersistentVolume,
  claim: PersistentVolumeClaim,
): PersistentVolume | undefined {
  const ref = pv.spec?.claimRef;
  const { namespace, name, uid, resourceVersion } = claim.metadata;
  if (ref && ref.namespace === namespace && ref.name === name && ref.uid === uid) return undefined;
  const next = copyJson(pv);
  const spec: PersistentVolumeSpec = (next.spec ??= {});
  spec.claimRef = {
    kind: "PersistentVolumeClaim",
    apiVersion: "v1",
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(uid !== undefined ? { uid } : {}),
    ...(resourceVersion !== undefined ? { resourceVersion } : {}),
  };
  if (!ref) setAnnotation(next, ANN_BOUND_BY_CONTROLLER, "yes");
  return next;
}

/** The volume with its claimRef cleared (`all`) or only its uid, per the decision. */
export function volumeUnbound(pv: PersistentVolume, how: "all" | "uid"): PersistentVolume {
  const next = copyJson(pv);
  const spec = (next.spec ??= {});
  if (how === "all" || !spec.claimRef) {
    delete spec.claimRef;
    delete next.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER];
  } else {
    delete spec.claimRef.uid;
    delete spec.claimRef.resourceVersion;
  }
  return next;
}

/**
 * The claim pointing at the volume with the bind marked complete, or undefined when it already is.
 * A claim whose volumeName the binder fills is marked bound by the controller.
 */
export function claimBoundTo(
  claim: PersistentVolumeClaim,
  pv: PersistentVolume,
): PersistentVolumeClaim | undefined {
  const volumeName = pv.metadata.name ?? "";
  const annotations = claim.metadata.annotations ?? {};
  const current = claim.spec?.volumeName ?? "";
  if (current === volumeName && annotations[ANN_BIND_COMPLETED] !== undefined) return undefined;
  const next = copyJson(claim);
  const spec = (next.spec ??= {});
  if (current !== volumeName) {
    spec.volumeName = volumeName;
    setAnnotation(next, ANN_BOUND_BY_CONTROLLER, "yes");
  }
  setAnnotation(next, ANN_BIND_COMPLETED, "yes");
  return next;
}

/** The claim's status once bound to the volume, or undefined when it is already that. */
export function boundClaimStatus(
  claim: PersistentVolumeClaim,
  pv: PersistentVolume,
): PersistentVolumeClaim["status"] | undefined {
  const status = claim.status ?? {};
  const accessModes = pv.spec?.accessModes ?? [];
  const capacity = pv.spec?.capacity ?? {};
  if (
    status.phase === "Bound" &&
    JSON.stringify(status.accessModes ?? []) === JSON.stringify(accessModes) &&
    JSON.stringify(status.capacity ?? {}) === JSON.stringify(capacity)
  ) {
    return undefined;
  }
  return { ...status, phase: "Bound", accessModes: [...accessModes], capacity: { ...capacity } };
}

/** The claim with the annotations that ask `provisioner` for a volume, or undefined when it has them. */
export function claimAskingProvisioner(
  claim: PersistentVolumeClaim,
  provisioner: string,
): PersistentVolumeClaim | undefined {
  const annotations = claim.metadata.annotations ?? {};
  if (
    annotations[ANN_STORAGE_PROVISIONER] === provisioner &&
    annotations[ANN_BETA_STORAGE_PROVISIONER] === provisioner
  ) {
    return undefined;
  }
  const next = copyJson(claim);
  setAnnotation(next, ANN_STORAGE_PROVISIONER, provisioner);
  setAnnotation(next, ANN_BETA_STORAGE_PROVISIONER, provisioner);
  return next;
}

function setAnnotation(
  obj: { metadata: { annotations?: Record<string, string> } },
  key: string,
  value: string,
): void {
  (obj.metadata.annotations ??= {})[key] = value;
}

function normal(on: BinderEvent["on"], reason: string, message: string): BinderEvent {
  return { on, type: "Normal", reason, message };
}

function warning(on: BinderEvent["on"], reason: string, message: string): BinderEvent {
  return { on, type: "Warning", reason, message };
}
