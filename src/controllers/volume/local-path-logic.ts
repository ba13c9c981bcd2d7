/**
 * The local-path provisioner's decisions: whether a claim is one to provision now, the volume to
 * create for it (a hostPath folder on the selected node), and whether a released volume is to be
 * deleted. Pure functions of cached objects.
 */
import { posix } from "node:path";
import type { Node } from "../../api/core/v1/node.js";
import type { PersistentVolume } from "../../api/core/v1/persistent-volume.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  isClaimBindCompleted,
  volumeModeOf,
} from "../../api/core/v1/volume-binding.js";
import type { StorageClass } from "../../api/storage/v1/storage-class.js";

/** The provisioner name classes use to get local-path volumes. */
export const LOCAL_PATH_PROVISIONER = "kates.dev/local-path";
/** Where volume folders go on a node unless the class's `basePath` parameter says otherwise. */
export const DEFAULT_LOCAL_PATH_BASE = "/var/lib/kates/local-path";
/** The class parameter that sets the base folder. */
export const BASE_PATH_PARAMETER = "basePath";
/** The node label the volume's node affinity names. */
export const HOSTNAME_LABEL = "kubernetes.io/hostname";

const SUPPORTED_ACCESS_MODES = new Set(["ReadWriteOnce", "ReadWriteOncePod"]);

/** What to do with a claim. */
export type ProvisionDecision =
  /** Not this provisioner's claim, already provisioned, or waiting for a node. */
  | { action: "skip" }
  /** Cannot provision: the message of a ProvisioningFailed event. */
  | { action: "fail"; message: string }
  | { action: "create"; volume: PersistentVolume };

/** What a claim's provisioning depends on. */
export interface ProvisionInput {
  claim: PersistentVolumeClaim;
  /** The claim's class, if it exists. */
  storageClass: StorageClass | undefined;
  /** The node the claim's selected-node annotation names, if it exists. */
  node: Node | undefined;
  /** Whether the volume for this claim exists already. */
  volumeExists: boolean;
  /** The base folder when the class sets none. */
  basePath: string;
}

/** The name of the volume provisioned for a claim: `pvc-<claim uid>`, as upstream's provisioners. */
export function provisionedVolumeName(claim: PersistentVolumeClaim): string {
  return `pvc-${claim.metadata.uid ?? ""}`;
}

/** Whether the binder asked this provisioner for the claim's volume. */
export function asksLocalPath(claim: PersistentVolumeClaim): boolean {
  const annotations = claim.metadata.annotations ?? {};
  return (
    (annotations[ANN_STORAGE_PROVISIONER] ?? annotations[ANN_BETA_STORAGE_PROVISIONER]) ===
    LOCAL_PATH_PROVISIONER
  );
}

/** Decides whether to create a volume for the claim now, and which. */
export function planLocalPathVolume(input: ProvisionInput): ProvisionDecision {
  const { claim, storageClass: sc } = input;
  if (!asksLocalPath(claim) || claim.metadata.deletionTimestamp) return { action: "skip" };
  if (claim.spec?.volumeName || isClaimBindCompleted(claim) || input.volumeExists) {
    return { action: "skip" };
  }
  if (!sc || sc.provisioner !== LOCAL_PATH_PROVISIONER) return { action: "skip" };

  const nodeName = claim.metadata.annotations?.[ANN_SELECTED_NODE];
  if (nodeName === undefined) {
    if (sc.volumeBindingMode === "WaitForFirstConsumer") return { action: "skip" };
    return fail(
      sc,
      "no node was selected: local-path volumes need volumeBindingMode WaitForFirstConsumer",
    );
  }
  if (!input.node) return fail(sc, `node "${nodeName}" not found`);
  if (claim.spec?.selector) return fail(sc, "claim Selector is not supported");
  if (claim.spec?.dataSource || claim.spec?.dataSourceRef) {
    return fail(sc, "data sources are not supported");
  }
  if (volumeModeOf(claim.spec) !== "Filesystem") {
    return fail(sc, "only Filesystem volumes are supported");
  }
  const modes = claim.spec?.accessModes ?? [];
  if (!modes.every((m) => SUPPORTED_ACCESS_MODES.has(m))) {
    return fail(sc, "only the ReadWriteOnce and ReadWriteOncePod access modes are supported");
  }
  const storage = claim.spec?.resources?.requests?.["storage"];
  if (storage === undefined) return fail(sc, "the claim requests no storage");
  const base = sc.parameters?.[BASE_PATH_PARAMETER] ?? input.basePath;
  if (!posix.isAbsolute(base)) {
    return fail(sc, `parameter ${BASE_PATH_PARAMETER} must be an absolute path, got "${base}"`);
  }

  const name = provisionedVolumeName(claim);
  const hostname = input.node.metadata.labels?.[HOSTNAME_LABEL] ?? nodeName;
  const { namespace, uid, resourceVersion } = claim.metadata;
  const volume: PersistentVolume = {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
    spec: {
      capacity: { storage },
      accessModes: [...modes],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
      storageClassName: sc.metadata.name ?? "",
      volumeMode: "Filesystem",
      ...(sc.mountOptions?.length ? { mountOptions: [...sc.mountOptions] } : {}),
      hostPath: { path: posix.join(base, name), type: "DirectoryOrCreate" },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: HOSTNAME_LABEL, operator: "In", values: [hostname] }] },
          ],
        },
      },
      claimRef: {
        kind: "PersistentVolumeClaim",
        apiVersion: "v1",
        name: claim.metadata.name ?? "",
        ...(namespace !== undefined ? { namespace } : {}),
        ...(uid !== undefined ? { uid } : {}),
        ...(resourceVersion !== undefined ? { resourceVersion } : {}),
      },
    },
  };
  return { action: "create", volume };
}

function fail(sc: StorageClass, why: string): ProvisionDecision {
  return {
    action: "fail",
    message: `failed to provision volume with StorageClass "${sc.metadata.name ?? ""}": ${why}`,
  };
}

/** Whether a volume is this provisioner's, released, and to be deleted by its policy. */
export function shouldDeleteVolume(pv: PersistentVolume): boolean {
  return (
    pv.metadata.annotations?.[ANN_PROVISIONED_BY] === LOCAL_PATH_PROVISIONER &&
    pv.spec?.persistentVolumeReclaimPolicy === "Delete" &&
    pv.status?.phase === "Released" &&
    !pv.metadata.deletionTimestamp
  );
}
