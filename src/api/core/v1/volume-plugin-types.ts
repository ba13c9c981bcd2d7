/**
 * Schemas of the volume sources backed by network or cloud storage (NFS, iSCSI, CSI drivers'
 * predecessors and the in-tree cloud disks). Most are deprecated upstream but still part of the
 * API, so objects that use them round-trip. The PersistentVolume kind reuses the ones it shares
 * with pods from here.
 */
import { boolean, defineType, f, int32, list, stringMap, string } from "../../schema.js";
import { LocalObjectReference } from "./reference-types.js";

const CORE = "io.k8s.api.core.v1";
const fsType = (proto: number): ReturnType<typeof f> =>
  f(string(), proto, "Filesystem type to mount, such as ext4; the node's default when empty.");
const readOnly = (proto: number): ReturnType<typeof f> =>
  f(boolean(), proto, "Whether the volume is mounted read-only; false by default.");

export const GCEPersistentDiskVolumeSource = defineType({
  name: `${CORE}.GCEPersistentDiskVolumeSource`,
  description: "A Google Compute Engine persistent disk (deprecated in favour of its CSI driver).",
  fields: {
    pdName: f(string(), 1, "Name of the persistent disk in GCE.", { required: true }),
    fsType: fsType(2),
    partition: f(int32(), 3, "Partition of the disk to mount; the whole disk when 0."),
    readOnly: readOnly(4),
  },
});

export const AWSElasticBlockStoreVolumeSource = defineType({
  name: `${CORE}.AWSElasticBlockStoreVolumeSource`,
  description: "An AWS EBS disk (deprecated in favour of its CSI driver).",
  fields: {
    volumeID: f(string(), 1, "ID of the EBS volume.", { required: true }),
    fsType: fsType(2),
    partition: f(int32(), 3, "Partition of the disk to mount; the whole disk when 0."),
    readOnly: readOnly(4),
  },
});

export const GitRepoVolumeSource = defineType({
  name: `${CORE}.GitRepoVolumeSource`,
  description: "A directory populated with a clone of a git repository (deprecated).",
  fields: {
    repository: f(string(), 1, "URL of the repository.", { required: true }),
    revision: f(string(), 2, "Commit to check out."),
    directory: f(string(), 3, "Directory to clone into, relative to the volume; `.` for the root."),
  },
});

export const NFSVolumeSource = defineType({
  name: `${CORE}.NFSVolumeSource`,
  description: "An NFS export.",
  fields: {
    server: f(string(), 1, "Host name or IP address of the NFS server.", { required: true }),
    path: f(string(), 2, "Path exported by the server.", { required: true }),
    readOnly: readOnly(3),
  },
});

export const ISCSIVolumeSource = defineType({
  name: `${CORE}.ISCSIVolumeSource`,
  description: "An iSCSI disk.",
  fields: {
    targetPortal: f(string(), 1, "Target portal as ip or ip:port (port 3260 by default).", {
      required: true,
    }),
    iqn: f(string(), 2, "iSCSI qualified name of the target.", { required: true }),
    lun: f(int32(), 3, "Logical unit number of the target.", { required: true }),
    iscsiInterface: f(string(), 4, "iSCSI interface to use; `default` (tcp) when empty."),
    fsType: fsType(5),
    readOnly: readOnly(6),
    portals: f(list(string()), 7, "Further target portals, for multipath."),
    chapAuthDiscovery: f(boolean(), 8, "Whether iSCSI discovery uses CHAP authentication."),
    chapAuthSession: f(boolean(), 11, "Whether iSCSI sessions use CHAP authentication."),
    secretRef: f(LocalObjectReference, 10, "Secret holding the CHAP credentials."),
    initiatorName: f(
      string(),
      12,
      "Custom initiator name, which makes a new interface for the connection.",
      { pointer: true },
    ),
  },
});

export const GlusterfsVolumeSource = defineType({
  name: `${CORE}.GlusterfsVolumeSource`,
  description: "A Glusterfs volume (no longer supported by the kubelet).",
  fields: {
    endpoints: f(string(), 1, "Endpoints object listing the Glusterfs servers.", {
      required: true,
    }),
    path: f(string(), 2, "Name of the Glusterfs volume.", { required: true }),
    readOnly: readOnly(3),
  },
});

export const RBDVolumeSource = defineType({
  name: `${CORE}.RBDVolumeSource`,
  description: "A Rados block device (no longer supported by the kubelet).",
  fields: {
    monitors: f(list(string()), 1, "Ceph monitor addresses.", { required: true }),
    image: f(string(), 2, "Name of the RBD image.", { required: true }),
    fsType: fsType(3),
    pool: f(string(), 4, "Rados pool; `rbd` by default."),
    user: f(string(), 5, "Rados user; `admin` by default."),
    keyring: f(string(), 6, "Path of the keyring; `/etc/ceph/keyring` by default."),
    secretRef: f(
      LocalObjectReference,
      7,
      "Secret holding the Rados user's key, overriding the keyring.",
    ),
    readOnly: readOnly(8),
  },
});

export const FlexVolumeSource = defineType({
  name: `${CORE}.FlexVolumeSource`,
  description: "A volume mounted by an exec-based FlexVolume driver (deprecated).",
  fields: {
    driver: f(string(), 1, "Name of the driver.", { required: true }),
    fsType: fsType(2),
    secretRef: f(LocalObjectReference, 3, "Secret passed to the driver's scripts."),
    readOnly: readOnly(4),
    options: f(stringMap(), 5, "Extra options passed to the driver."),
  },
});

export const CinderVolumeSource = defineType({
  name: `${CORE}.CinderVolumeSource`,
  description: "An OpenStack Cinder volume (deprecated in favour of its CSI driver).",
  fields: {
    volumeID: f(string(), 1, "ID of the Cinder volume.", { required: true }),
    fsType: fsType(2),
    readOnly: readOnly(3),
    secretRef: f(LocalObjectReference, 4, "Secret with parameters for connecting to OpenStack."),
  },
});

export const CephFSVolumeSource = defineType({
  name: `${CORE}.CephFSVolumeSource`,
  description: "A CephFS mount (no longer supported by the kubelet).",
  fields: {
    monitors: f(list(string()), 1, "Ceph monitor addresses.", { required: true }),
    path: f(string(), 2, "Path inside the filesystem to mount; `/` by default."),
    user: f(string(), 3, "Rados user; `admin` by default."),
    secretFile: f(
      string(),
      4,
      "Path of the key ring for the user; `/etc/ceph/user.secret` by default.",
    ),
    secretRef: f(
      LocalObjectReference,
      5,
      "Secret holding the user's key, overriding the secret file.",
    ),
    readOnly: readOnly(6),
  },
});

export const FlockerVolumeSource = defineType({
  name: `${CORE}.FlockerVolumeSource`,
  description: "A Flocker dataset (no longer supported by the kubelet).",
  fields: {
    datasetName: f(string(), 1, "Name of the dataset, stored as metadata; deprecated."),
    datasetUUID: f(string(), 2, "UUID of the dataset."),
  },
});

export const FCVolumeSource = defineType({
  name: `${CORE}.FCVolumeSource`,
  description: "A Fibre Channel disk.",
  fields: {
    targetWWNs: f(list(string()), 1, "World wide names of the targets."),
    lun: f(int32(), 2, "Logical unit number of the target.", { pointer: true }),
    fsType: fsType(3),
    readOnly: readOnly(4),
    wwids: f(
      list(string()),
      5,
      "World wide identifiers of the volume; exclusive with targetWWNs and lun.",
    ),
  },
});

export const AzureFileVolumeSource = defineType({
  name: `${CORE}.AzureFileVolumeSource`,
  description: "An Azure File share (deprecated in favour of its CSI driver).",
  fields: {
    secretName: f(string(), 1, "Secret holding the storage account name and key.", {
      required: true,
    }),
    shareName: f(string(), 2, "Name of the share.", { required: true }),
    readOnly: readOnly(3),
  },
});

export const VsphereVirtualDiskVolumeSource = defineType({
  name: `${CORE}.VsphereVirtualDiskVolumeSource`,
  description: "A vSphere virtual disk (deprecated in favour of its CSI driver).",
  fields: {
    volumePath: f(string(), 1, "Path identifying the disk.", { required: true }),
    fsType: fsType(2),
    storagePolicyName: f(string(), 3, "Storage policy based management profile name."),
    storagePolicyID: f(string(), 4, "Storage policy based management profile ID."),
  },
});

export const QuobyteVolumeSource = defineType({
  name: `${CORE}.QuobyteVolumeSource`,
  description: "A Quobyte volume (no longer supported by the kubelet).",
  fields: {
    registry: f(string(), 1, "Registries as comma-separated host:port pairs.", { required: true }),
    volume: f(string(), 2, "Name of an existing Quobyte volume.", { required: true }),
    readOnly: readOnly(3),
    user: f(string(), 4, "User the volume is accessed as; the service account user by default."),
    group: f(string(), 5, "Group the volume is accessed as; none by default."),
    tenant: f(string(), 6, "Tenant owning the volume in the backend."),
  },
});

export const AzureDiskVolumeSource = defineType({
  name: `${CORE}.AzureDiskVolumeSource`,
  description: "An Azure data disk (deprecated in favour of its CSI driver).",
  fields: {
    diskName: f(string(), 1, "Name of the data disk in blob storage.", { required: true }),
    diskURI: f(string(), 2, "URI of the data disk in blob storage.", { required: true }),
    cachingMode: f(
      string({ enum: ["None", "ReadOnly", "ReadWrite"] }),
      3,
      "Host caching mode; ReadWrite by default.",
      { pointer: true },
    ),
    fsType: f(string(), 4, "Filesystem type to mount; ext4 by default.", { pointer: true }),
    readOnly: f(boolean(), 5, "Whether the disk is mounted read-only; false by default.", {
      pointer: true,
    }),
    kind: f(
      string({ enum: ["Dedicated", "Managed", "Shared"] }),
      6,
      "Kind of disk: Shared (one blob per account), Dedicated or Managed; Shared by default.",
      { pointer: true },
    ),
  },
});

export const PhotonPersistentDiskVolumeSource = defineType({
  name: `${CORE}.PhotonPersistentDiskVolumeSource`,
  description: "A Photon Controller persistent disk (no longer supported by the kubelet).",
  fields: {
    pdID: f(string(), 1, "ID of the persistent disk.", { required: true }),
    fsType: fsType(2),
  },
});

export const PortworxVolumeSource = defineType({
  name: `${CORE}.PortworxVolumeSource`,
  description: "A Portworx volume (served by its CSI driver).",
  fields: {
    volumeID: f(string(), 1, "ID of the Portworx volume.", { required: true }),
    fsType: fsType(2),
    readOnly: readOnly(3),
  },
});

export const ScaleIOVolumeSource = defineType({
  name: `${CORE}.ScaleIOVolumeSource`,
  description: "A ScaleIO volume (no longer supported by the kubelet).",
  fields: {
    gateway: f(string(), 1, "Address of the ScaleIO API gateway.", { required: true }),
    system: f(string(), 2, "Name of the storage system.", { required: true }),
    secretRef: f(LocalObjectReference, 3, "Secret holding the ScaleIO user's credentials.", {
      required: true,
    }),
    sslEnabled: f(boolean(), 4, "Whether the gateway is reached over SSL; false by default."),
    protectionDomain: f(string(), 5, "Protection domain of the storage."),
    storagePool: f(string(), 6, "Storage pool of the protection domain."),
    storageMode: f(string(), 7, "ThickProvisioned or ThinProvisioned; ThinProvisioned by default."),
    volumeName: f(string(), 8, "Name of a volume already created in the system."),
    fsType: f(string(), 9, "Filesystem type to mount; xfs by default."),
    readOnly: readOnly(10),
  },
});

export const StorageOSVolumeSource = defineType({
  name: `${CORE}.StorageOSVolumeSource`,
  description: "A StorageOS volume (no longer supported by the kubelet).",
  fields: {
    volumeName: f(string(), 1, "Name of the StorageOS volume, unique within its namespace."),
    volumeNamespace: f(
      string(),
      2,
      "StorageOS namespace of the volume; the pod's namespace when empty.",
    ),
    fsType: fsType(3),
    readOnly: readOnly(4),
    secretRef: f(LocalObjectReference, 5, "Secret holding the StorageOS API credentials."),
  },
});
