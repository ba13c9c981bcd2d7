/**
 * The volume sources of a PersistentVolume. Sources a pod can also use directly (hostPath, nfs, fc, ...)
 * are defined with the pod's volume types and reused here; this file defines the persistent-only ones,
 * which name secrets by namespace and name (SecretReference) since a volume belongs to no namespace.
 */
import type { FieldError } from "../../errors.js";
import type { Field } from "../../schema.js";
import { boolean, defineType, f, int32, list, string, stringMap } from "../../schema.js";
import {
  check,
  checkDNS1123Subdomain,
  forbidden,
  invalid,
  required,
  type Path,
} from "../../validation.js";
import { NodeSelector } from "./affinity-types.js";
import { ObjectReference } from "./reference-types.js";
import {
  AWSElasticBlockStoreVolumeSource,
  AzureDiskVolumeSource,
  FCVolumeSource,
  FlockerVolumeSource,
  GCEPersistentDiskVolumeSource,
  NFSVolumeSource,
  PhotonPersistentDiskVolumeSource,
  PortworxVolumeSource,
  QuobyteVolumeSource,
  VsphereVirtualDiskVolumeSource,
} from "./volume-plugin-types.js";
import { HostPathVolumeSource } from "./volume-types.js";

const CORE = "io.k8s.api.core.v1";

export const SecretReference = defineType({
  name: `${CORE}.SecretReference`,
  description: "Names a secret in any namespace.",
  mapType: "atomic",
  fields: {
    name: f(string(), 1, "Name of the secret."),
    namespace: f(string(), 2, "Namespace of the secret."),
  },
});

export const LocalVolumeSource = defineType({
  name: `${CORE}.LocalVolumeSource`,
  description: "A disk, partition or directory of one node.",
  fields: {
    path: f(string(), 1, "Absolute path of the directory or block device on the node.", {
      required: true,
    }),
    fsType: f(
      string(),
      2,
      "Filesystem to format a block device with, when the volume is a filesystem.",
      { pointer: true },
    ),
  },
});

export const CSIPersistentVolumeSource = defineType({
  name: `${CORE}.CSIPersistentVolumeSource`,
  description: "A volume managed by an external CSI driver.",
  fields: {
    driver: f(string(), 1, "Name of the CSI driver.", { required: true }),
    volumeHandle: f(string(), 2, "The driver's ID of the volume.", { required: true }),
    readOnly: f(boolean(), 3, "Whether the volume is published read-only."),
    fsType: f(string(), 4, "Filesystem to mount, such as ext4."),
    volumeAttributes: f(stringMap(), 5, "Driver-specific attributes of the volume."),
    controllerPublishSecretRef: f(
      SecretReference,
      6,
      "Secret for the driver's ControllerPublish call.",
    ),
    nodeStageSecretRef: f(SecretReference, 7, "Secret for the driver's NodeStage call."),
    nodePublishSecretRef: f(SecretReference, 8, "Secret for the driver's NodePublish call."),
    controllerExpandSecretRef: f(
      SecretReference,
      9,
      "Secret for the driver's ControllerExpand call.",
    ),
    nodeExpandSecretRef: f(SecretReference, 10, "Secret for the driver's NodeExpand call."),
  },
});

const ISCSIPersistentVolumeSource = defineType({
  name: `${CORE}.ISCSIPersistentVolumeSource`,
  description: "An iSCSI disk.",
  fields: {
    targetPortal: f(string(), 1, "Target portal, as IP or IP:port.", { required: true }),
    iqn: f(string(), 2, "iSCSI qualified name of the target.", { required: true }),
    lun: f(int32(), 3, "Logical unit number of the target.", { required: true }),
    iscsiInterface: f(string(), 4, "iSCSI interface to use; default when unset."),
    fsType: f(string(), 5, "Filesystem to mount, such as ext4."),
    readOnly: f(boolean(), 6, "Whether the disk is mounted read-only."),
    portals: f(list(string()), 7, "Further target portals."),
    chapAuthDiscovery: f(boolean(), 8, "Whether discovery uses CHAP authentication."),
    chapAuthSession: f(boolean(), 11, "Whether the session uses CHAP authentication."),
    secretRef: f(SecretReference, 10, "Secret holding the CHAP credentials."),
    initiatorName: f(string(), 12, "Custom initiator name.", { pointer: true }),
  },
});

const RBDPersistentVolumeSource = defineType({
  name: `${CORE}.RBDPersistentVolumeSource`,
  description: "A Ceph RADOS block device.",
  fields: {
    monitors: f(list(string()), 1, "Ceph monitors.", { required: true }),
    image: f(string(), 2, "Name of the image.", { required: true }),
    fsType: f(string(), 3, "Filesystem to mount, such as ext4."),
    pool: f(string(), 4, "RADOS pool; rbd when unset."),
    user: f(string(), 5, "RADOS user; admin when unset."),
    keyring: f(string(), 6, "Path of the keyring; /etc/ceph/keyring when unset."),
    secretRef: f(SecretReference, 7, "Secret holding the user's key; overrides keyring."),
    readOnly: f(boolean(), 8, "Whether the device is mounted read-only."),
  },
});

const CephFSPersistentVolumeSource = defineType({
  name: `${CORE}.CephFSPersistentVolumeSource`,
  description: "A Ceph filesystem.",
  fields: {
    monitors: f(list(string()), 1, "Ceph monitors.", { required: true }),
    path: f(string(), 2, "Root of the mount in the filesystem; / when unset."),
    user: f(string(), 3, "RADOS user; admin when unset."),
    secretFile: f(string(), 4, "Path of the user's key file."),
    secretRef: f(SecretReference, 5, "Secret holding the user's key; overrides secretFile."),
    readOnly: f(boolean(), 6, "Whether the filesystem is mounted read-only."),
  },
});

const CinderPersistentVolumeSource = defineType({
  name: `${CORE}.CinderPersistentVolumeSource`,
  description: "An OpenStack Cinder volume.",
  fields: {
    volumeID: f(string(), 1, "ID of the Cinder volume.", { required: true }),
    fsType: f(string(), 2, "Filesystem to mount, such as ext4."),
    readOnly: f(boolean(), 3, "Whether the volume is mounted read-only."),
    secretRef: f(SecretReference, 4, "Secret holding the OpenStack credentials."),
  },
});

const FlexPersistentVolumeSource = defineType({
  name: `${CORE}.FlexPersistentVolumeSource`,
  description: "A volume served by an exec-based FlexVolume driver.",
  fields: {
    driver: f(string(), 1, "Name of the driver.", { required: true }),
    fsType: f(string(), 2, "Filesystem to mount; the driver's default when unset."),
    secretRef: f(SecretReference, 3, "Secret passed to the driver."),
    readOnly: f(boolean(), 4, "Whether the volume is mounted read-only."),
    options: f(stringMap(), 5, "Extra options for the driver."),
  },
});

const AzureFilePersistentVolumeSource = defineType({
  name: `${CORE}.AzureFilePersistentVolumeSource`,
  description: "An Azure File share.",
  fields: {
    secretName: f(string(), 1, "Secret holding the storage account name and key.", {
      required: true,
    }),
    shareName: f(string(), 2, "Name of the share.", { required: true }),
    readOnly: f(boolean(), 3, "Whether the share is mounted read-only."),
    secretNamespace: f(string(), 4, "Namespace of the secret; the pod's when unset.", {
      pointer: true,
    }),
  },
});

const GlusterfsPersistentVolumeSource = defineType({
  name: `${CORE}.GlusterfsPersistentVolumeSource`,
  description: "A GlusterFS volume.",
  fields: {
    endpoints: f(string(), 1, "Endpoints object naming the Gluster servers.", { required: true }),
    path: f(string(), 2, "Name of the Gluster volume.", { required: true }),
    readOnly: f(boolean(), 3, "Whether the volume is mounted read-only."),
    endpointsNamespace: f(string(), 4, "Namespace of the endpoints; the claim's when unset.", {
      pointer: true,
    }),
  },
});

const ScaleIOPersistentVolumeSource = defineType({
  name: `${CORE}.ScaleIOPersistentVolumeSource`,
  description: "A ScaleIO volume.",
  fields: {
    gateway: f(string(), 1, "Address of the ScaleIO API gateway.", { required: true }),
    system: f(string(), 2, "Name of the storage system.", { required: true }),
    secretRef: f(SecretReference, 3, "Secret holding the ScaleIO credentials.", { required: true }),
    sslEnabled: f(boolean(), 4, "Whether the gateway is reached over SSL."),
    protectionDomain: f(string(), 5, "Protection domain of the storage."),
    storagePool: f(string(), 6, "Storage pool of the protection domain."),
    storageMode: f(string(), 7, "ThickProvisioned or ThinProvisioned; ThinProvisioned when unset."),
    volumeName: f(string(), 8, "Name of an existing ScaleIO volume."),
    fsType: f(string(), 9, "Filesystem to mount; xfs when unset."),
    readOnly: f(boolean(), 10, "Whether the volume is mounted read-only."),
  },
});

const StorageOSPersistentVolumeSource = defineType({
  name: `${CORE}.StorageOSPersistentVolumeSource`,
  description: "A StorageOS volume.",
  fields: {
    volumeName: f(string(), 1, "Name of the StorageOS volume."),
    volumeNamespace: f(string(), 2, "StorageOS namespace of the volume."),
    fsType: f(string(), 3, "Filesystem to mount, such as ext4."),
    readOnly: f(boolean(), 4, "Whether the volume is mounted read-only."),
    secretRef: f(ObjectReference, 5, "Secret holding the StorageOS credentials."),
  },
});

export const VolumeNodeAffinity = defineType({
  name: `${CORE}.VolumeNodeAffinity`,
  description: "The nodes from which a volume can be reached.",
  fields: {
    required: f(
      NodeSelector,
      1,
      "Nodes the volume is reachable from; pods using it are scheduled there.",
    ),
  },
});

/**
 * The source fields of a PersistentVolumeSpec, in upstream's field order. JSON puts them directly in the
 * spec; protobuf nests them in one message (field 2 of the spec).
 */
export const persistentVolumeSourceFields: Record<string, Field> = {
  gcePersistentDisk: f(GCEPersistentDiskVolumeSource, 1, "A GCE persistent disk."),
  awsElasticBlockStore: f(
    AWSElasticBlockStoreVolumeSource,
    2,
    "An AWS Elastic Block Store volume.",
  ),
  hostPath: f(
    HostPathVolumeSource,
    3,
    "A directory of the node, for single-node development and testing.",
  ),
  glusterfs: f(GlusterfsPersistentVolumeSource, 4, "A GlusterFS volume."),
  nfs: f(NFSVolumeSource, 5, "An NFS export."),
  rbd: f(RBDPersistentVolumeSource, 6, "A Ceph RADOS block device."),
  iscsi: f(ISCSIPersistentVolumeSource, 7, "An iSCSI disk."),
  cinder: f(CinderPersistentVolumeSource, 8, "An OpenStack Cinder volume."),
  cephfs: f(CephFSPersistentVolumeSource, 9, "A Ceph filesystem."),
  fc: f(FCVolumeSource, 10, "A Fibre Channel disk."),
  flocker: f(FlockerVolumeSource, 11, "A Flocker dataset."),
  flexVolume: f(FlexPersistentVolumeSource, 12, "A volume served by a FlexVolume driver."),
  azureFile: f(AzureFilePersistentVolumeSource, 13, "An Azure File share."),
  vsphereVolume: f(VsphereVirtualDiskVolumeSource, 14, "A vSphere virtual disk."),
  quobyte: f(QuobyteVolumeSource, 15, "A Quobyte volume."),
  azureDisk: f(AzureDiskVolumeSource, 16, "An Azure data disk."),
  photonPersistentDisk: f(
    PhotonPersistentDiskVolumeSource,
    17,
    "A Photon Controller persistent disk.",
  ),
  portworxVolume: f(PortworxVolumeSource, 18, "A Portworx volume."),
  scaleIO: f(ScaleIOPersistentVolumeSource, 19, "A ScaleIO volume."),
  local: f(
    LocalVolumeSource,
    20,
    "A disk, partition or directory of one node; requires nodeAffinity.",
  ),
  storageos: f(StorageOSPersistentVolumeSource, 21, "A StorageOS volume."),
  csi: f(CSIPersistentVolumeSource, 22, "A volume managed by an external CSI driver."),
};

/** The names of the volume source fields. */
export const PERSISTENT_VOLUME_SOURCES = Object.keys(persistentVolumeSourceFields);

type Source = Record<string, unknown>;

/** Fields each source must not leave empty, as upstream's per-source validation requires them. */
const REQUIRED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  gcePersistentDisk: ["pdName"],
  awsElasticBlockStore: ["volumeID"],
  hostPath: ["path"],
  glusterfs: ["endpoints", "path"],
  nfs: ["server", "path"],
  rbd: ["monitors", "image"],
  iscsi: ["targetPortal", "iqn"],
  cinder: ["volumeID"],
  cephfs: ["monitors"],
  flexVolume: ["driver"],
  azureFile: ["secretName", "shareName"],
  vsphereVolume: ["volumePath"],
  quobyte: ["registry", "volume"],
  azureDisk: ["diskName", "diskURI"],
  photonPersistentDisk: ["pdID"],
  portworxVolume: ["volumeID"],
  scaleIO: ["gateway", "system", "secretRef"],
  local: ["path"],
  csi: ["driver", "volumeHandle"],
};

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

/** Source-specific checks beyond required fields. */
function validateSourceDetails(name: string, src: Source, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const text = (key: string) => (typeof src[key] === "string" ? (src[key] as string) : "");
  switch (name) {
    case "nfs":
    case "local":
      if (text("path") && !text("path").startsWith("/")) {
        errors.push(invalid(path.child("path"), text("path"), "must be an absolute path"));
      }
      break;
    case "iscsi": {
      const lun = src["lun"];
      if (
        lun !== undefined &&
        (!Number.isInteger(lun) || (lun as number) < 0 || (lun as number) > 255)
      ) {
        errors.push(invalid(path.child("lun"), lun, "must be in the range 0 to 255"));
      }
      break;
    }
    case "csi":
      if (text("driver")) {
        errors.push(...validateCSIDriverName(text("driver"), path.child("driver")));
      }
      break;
    case "fc": {
      const wwns = (src["targetWWNs"] as unknown[] | undefined) ?? [];
      const wwids = (src["wwids"] as unknown[] | undefined) ?? [];
      if (wwns.length === 0 && wwids.length === 0) {
        errors.push(
          required(
            path.child("targetWWNs"),
            "must specify either targetWWNs or wwids, but not both",
          ),
        );
      }
      if (wwns.length > 0 && wwids.length > 0) {
        errors.push(
          invalid(
            path.child("targetWWNs"),
            wwns,
            "targetWWNs and wwids can not be specified simultaneously",
          ),
        );
      }
      if (wwns.length > 0 && src["lun"] === undefined) {
        errors.push(required(path.child("lun"), "lun is required if targetWWNs is specified"));
      }
      break;
    }
    case "flocker": {
      const byName = !isEmpty(src["datasetName"]);
      const byUUID = !isEmpty(src["datasetUUID"]);
      if (byName === byUUID) {
        errors.push(
          required(path, "one and only one of datasetName and datasetUUID should be set"),
        );
      }
      break;
    }
  }
  return errors;
}

/** Problems with a CSI driver name: a DNS subdomain of at most 63 characters. */
function validateCSIDriverName(driver: string, path: Path): FieldError[] {
  const errors = check(path, driver.toLowerCase(), checkDNS1123Subdomain);
  if (driver.length > 63) errors.push(invalid(path, driver, "must be no more than 63 characters"));
  return errors;
}

/** Upstream checks sources in this order, so "more than 1 volume type" names the later ones. */
const VALIDATION_ORDER = [
  "hostPath",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "glusterfs",
  "flocker",
  "nfs",
  "rbd",
  "quobyte",
  "cephfs",
  "iscsi",
  "cinder",
  "fc",
  "flexVolume",
  "azureFile",
  "vsphereVolume",
  "photonPersistentDisk",
  "portworxVolume",
  "azureDisk",
  "scaleIO",
  "local",
  "storageos",
  "csi",
];

/**
 * Checks that exactly one source is set and that it has what it needs. Returns the name of the source
 * found first (or undefined) with the errors.
 */
export function validateVolumeSource(
  spec: Record<string, unknown>,
  path: Path,
): { source?: string; errors: FieldError[] } {
  const errors: FieldError[] = [];
  let source: string | undefined;
  for (const name of VALIDATION_ORDER) {
    const src = spec[name];
    if (src === undefined || src === null) continue;
    if (source !== undefined) {
      errors.push(forbidden(path.child(name), "may not specify more than 1 volume type"));
      continue;
    }
    source = name;
    if (typeof src !== "object" || Array.isArray(src)) {
      errors.push(invalid(path.child(name), src, "must be an object"));
      continue;
    }
    for (const key of REQUIRED_FIELDS[name] ?? []) {
      if (isEmpty((src as Source)[key])) errors.push(required(path.child(name).child(key)));
    }
    errors.push(...validateSourceDetails(name, src as Source, path.child(name)));
  }
  if (source === undefined) errors.push(required(path, "must specify a volume type"));
  return source === undefined ? { errors } : { source, errors };
}
