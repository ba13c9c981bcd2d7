/**
 * Schemas of a pod's volumes: the Volume type with every volume source, and the sources a node
 * serves itself (emptyDir, hostPath, config maps, secrets, the downward API, projected volumes,
 * claims, CSI and images). Network and cloud storage sources live in volume-plugin-types.ts.
 */
import { LabelSelector } from "../../meta/v1.js";
import {
  boolean,
  defineType,
  f,
  int32,
  int64,
  list,
  quantity,
  string,
  stringMap,
} from "../../schema.js";
import { embed } from "./embedded.js";
import {
  LocalObjectReference,
  ObjectFieldSelector,
  ResourceFieldSelector,
  embeddedName,
} from "./reference-types.js";
import { PersistentVolumeClaimTemplate } from "./volume-claim-types.js";
import {
  AWSElasticBlockStoreVolumeSource,
  AzureDiskVolumeSource,
  AzureFileVolumeSource,
  CephFSVolumeSource,
  CinderVolumeSource,
  FCVolumeSource,
  FlexVolumeSource,
  FlockerVolumeSource,
  GCEPersistentDiskVolumeSource,
  GitRepoVolumeSource,
  GlusterfsVolumeSource,
  ISCSIVolumeSource,
  NFSVolumeSource,
  PhotonPersistentDiskVolumeSource,
  PortworxVolumeSource,
  QuobyteVolumeSource,
  RBDVolumeSource,
  ScaleIOVolumeSource,
  StorageOSVolumeSource,
  VsphereVirtualDiskVolumeSource,
} from "./volume-plugin-types.js";

const CORE = "io.k8s.api.core.v1";

/** The types a hostPath volume may require of its path; "" checks nothing. */
export const HOST_PATH_TYPES = [
  "",
  "BlockDevice",
  "CharDevice",
  "Directory",
  "DirectoryOrCreate",
  "File",
  "FileOrCreate",
  "Socket",
] as const;

export const KeyToPath = defineType({
  name: `${CORE}.KeyToPath`,
  description: "Maps one key of a config map or secret to a file in the volume.",
  fields: {
    key: f(string(), 1, "The key to project.", { required: true }),
    path: f(string(), 2, "Relative path of the file the key is written to.", { required: true }),
    mode: f(
      int32(),
      3,
      "Permission bits of the file (0 to 0777); the volume's defaultMode when unset.",
      { pointer: true },
    ),
  },
});

export const HostPathVolumeSource = defineType({
  name: `${CORE}.HostPathVolumeSource`,
  description: "A file or directory of the node's filesystem.",
  fields: {
    path: f(string(), 1, "Path on the node; a symlink is followed.", { required: true }),
    type: f(
      string({ enum: HOST_PATH_TYPES }),
      2,
      "What must exist at the path before mounting; nothing is checked when empty.",
      { pointer: true },
    ),
  },
});

export const EmptyDirVolumeSource = defineType({
  name: `${CORE}.EmptyDirVolumeSource`,
  description: "A directory that starts empty and lives as long as the pod.",
  fields: {
    medium: f(string(), 1, "Storage backing the directory: empty for the node's disk, or Memory."),
    sizeLimit: f(quantity(), 2, "Most storage the directory may use before the pod is evicted.", {
      pointer: true,
    }),
  },
});

export const SecretVolumeSource = defineType({
  name: `${CORE}.SecretVolumeSource`,
  description: "The keys of a secret, written as files.",
  fields: {
    secretName: f(string(), 1, "Name of the secret in the pod's namespace."),
    items: f(
      list(KeyToPath),
      2,
      "Keys to write and where; every key to a file of its name when empty.",
    ),
    defaultMode: f(int32(), 3, "Permission bits of the files (0 to 0777); 0644 by default.", {
      pointer: true,
    }),
    optional: f(boolean(), 4, "Whether the secret or its keys may be missing.", { pointer: true }),
  },
});

export const ConfigMapVolumeSource = defineType({
  name: `${CORE}.ConfigMapVolumeSource`,
  description: "The keys of a config map, written as files.",
  fields: {
    ...embeddedName("config map"),
    items: f(
      list(KeyToPath),
      2,
      "Keys to write and where; every key to a file of its name when empty.",
    ),
    defaultMode: f(int32(), 3, "Permission bits of the files (0 to 0777); 0644 by default.", {
      pointer: true,
    }),
    optional: f(boolean(), 4, "Whether the config map or its keys may be missing.", {
      pointer: true,
    }),
  },
});

export const DownwardAPIVolumeFile = defineType({
  name: `${CORE}.DownwardAPIVolumeFile`,
  description: "One file holding a field or resource value of the pod.",
  fields: {
    path: f(string(), 1, "Relative path of the file.", { required: true }),
    fieldRef: f(
      ObjectFieldSelector,
      2,
      "Pod field to write: name, namespace, uid, labels or annotations.",
    ),
    resourceFieldRef: f(ResourceFieldSelector, 3, "Container resource limit or request to write."),
    mode: f(
      int32(),
      4,
      "Permission bits of the file (0 to 0777); the volume's defaultMode when unset.",
      { pointer: true },
    ),
  },
});

export const DownwardAPIVolumeSource = defineType({
  name: `${CORE}.DownwardAPIVolumeSource`,
  description: "Files holding information about the pod itself.",
  fields: {
    items: f(list(DownwardAPIVolumeFile), 1, "The files to write."),
    defaultMode: f(int32(), 2, "Permission bits of the files (0 to 0777); 0644 by default.", {
      pointer: true,
    }),
  },
});

export const SecretProjection = defineType({
  name: `${CORE}.SecretProjection`,
  description: "The keys of a secret, projected into a projected volume.",
  fields: {
    ...embeddedName("secret"),
    items: f(
      list(KeyToPath),
      2,
      "Keys to write and where; every key to a file of its name when empty.",
    ),
    optional: f(boolean(), 4, "Whether the secret or its keys may be missing.", { pointer: true }),
  },
});

export const ConfigMapProjection = defineType({
  name: `${CORE}.ConfigMapProjection`,
  description: "The keys of a config map, projected into a projected volume.",
  fields: {
    ...embeddedName("config map"),
    items: f(
      list(KeyToPath),
      2,
      "Keys to write and where; every key to a file of its name when empty.",
    ),
    optional: f(boolean(), 4, "Whether the config map or its keys may be missing.", {
      pointer: true,
    }),
  },
});

export const DownwardAPIProjection = defineType({
  name: `${CORE}.DownwardAPIProjection`,
  description: "Downward API files, projected into a projected volume.",
  fields: {
    items: f(list(DownwardAPIVolumeFile), 1, "The files to write."),
  },
});

export const ServiceAccountTokenProjection = defineType({
  name: `${CORE}.ServiceAccountTokenProjection`,
  description: "A token of the pod's service account, refreshed by the node before it expires.",
  fields: {
    audience: f(string(), 1, "Audience the token is for; the API server when empty."),
    expirationSeconds: f(
      int64(),
      2,
      "Requested lifetime of the token in seconds; an hour by default.",
      { pointer: true },
    ),
    path: f(string(), 3, "Relative path of the token file.", { required: true }),
  },
});

export const ClusterTrustBundleProjection = defineType({
  name: `${CORE}.ClusterTrustBundleProjection`,
  description: "Certificates from ClusterTrustBundle objects, written as one PEM file.",
  fields: {
    name: f(string(), 1, "Name of one bundle to use; exclusive with signerName.", {
      pointer: true,
    }),
    signerName: f(string(), 2, "Use every bundle of this signer that matches the label selector.", {
      pointer: true,
    }),
    labelSelector: f(LabelSelector, 3, "Labels selecting the bundles of the signer."),
    optional: f(boolean(), 5, "Whether a missing bundle lets the pod start anyway.", {
      pointer: true,
    }),
    path: f(string(), 4, "Relative path of the file.", { required: true }),
  },
});

export const PodCertificateProjection = defineType({
  name: `${CORE}.PodCertificateProjection`,
  description: "A private key and a certificate issued for the pod, kept fresh by the node.",
  fields: {
    signerName: f(string(), 1, "Signer the certificate is requested from.", { required: true }),
    keyType: f(string(), 2, "Type of key to generate, such as RSA3072 or ED25519.", {
      required: true,
    }),
    maxExpirationSeconds: f(int32(), 3, "Longest lifetime to ask for, in seconds.", {
      pointer: true,
    }),
    credentialBundlePath: f(
      string(),
      4,
      "File holding the key and the certificate chain together.",
    ),
    keyPath: f(string(), 5, "File holding the private key alone."),
    certificateChainPath: f(string(), 6, "File holding the certificate chain alone."),
    userAnnotations: f(stringMap(), 7, "Annotations passed to the signer with the request."),
  },
});

export const VolumeProjection = defineType({
  name: `${CORE}.VolumeProjection`,
  description: "One source of a projected volume; exactly one field is set.",
  fields: {
    secret: f(SecretProjection, 1, "Keys of a secret."),
    downwardAPI: f(DownwardAPIProjection, 2, "Fields of the pod."),
    configMap: f(ConfigMapProjection, 3, "Keys of a config map."),
    serviceAccountToken: f(ServiceAccountTokenProjection, 4, "A service account token."),
    clusterTrustBundle: f(ClusterTrustBundleProjection, 5, "Certificates of ClusterTrustBundles."),
    podCertificate: f(PodCertificateProjection, 6, "A certificate issued for the pod."),
  },
});

export const ProjectedVolumeSource = defineType({
  name: `${CORE}.ProjectedVolumeSource`,
  description: "Several sources projected into one directory.",
  fields: {
    sources: f(list(VolumeProjection), 1, "The sources to project."),
    defaultMode: f(int32(), 2, "Permission bits of the files (0 to 0777); 0644 by default.", {
      pointer: true,
    }),
  },
});

export const PersistentVolumeClaimVolumeSource = defineType({
  name: `${CORE}.PersistentVolumeClaimVolumeSource`,
  description: "The volume bound to a persistent volume claim in the pod's namespace.",
  fields: {
    claimName: f(string(), 1, "Name of the claim.", { required: true }),
    readOnly: f(boolean(), 2, "Whether the volume is mounted read-only; false by default."),
  },
});

export const EphemeralVolumeSource = defineType({
  name: `${CORE}.EphemeralVolumeSource`,
  description: "A volume from a claim created for the pod and deleted with it.",
  fields: {
    volumeClaimTemplate: f(
      PersistentVolumeClaimTemplate,
      1,
      "The claim to create, named `<pod name>-<volume name>`.",
    ),
  },
});

export const CSIVolumeSource = defineType({
  name: `${CORE}.CSIVolumeSource`,
  description: "An ephemeral volume provided by a CSI driver.",
  fields: {
    driver: f(string(), 1, "Name of the CSI driver.", { required: true }),
    readOnly: f(boolean(), 2, "Whether the volume is mounted read-only; false by default.", {
      pointer: true,
    }),
    fsType: f(string(), 3, "Filesystem type to mount; chosen by the driver when empty.", {
      pointer: true,
    }),
    volumeAttributes: f(stringMap(), 4, "Driver-specific properties of the volume."),
    nodePublishSecretRef: f(LocalObjectReference, 5, "Secret passed to the driver when mounting."),
  },
});

export const ImageVolumeSource = defineType({
  name: `${CORE}.ImageVolumeSource`,
  description: "The contents of an OCI image or artifact, mounted read-only.",
  fields: {
    reference: f(string(), 1, "Image or artifact reference, as a container image is named."),
    pullPolicy: f(
      string({ enum: ["Always", "IfNotPresent", "Never"] }),
      2,
      "When to pull the image; Always for `latest` and IfNotPresent otherwise.",
    ),
  },
});

/** The fields of a VolumeSource; Volume flattens them into itself (embedded at field 2). */
const volumeSourceFields = {
  hostPath: f(HostPathVolumeSource, 1, "A path on the node; for system workloads only."),
  emptyDir: f(
    EmptyDirVolumeSource,
    2,
    "A directory that starts empty and lives as long as the pod.",
  ),
  gcePersistentDisk: f(GCEPersistentDiskVolumeSource, 3, "A GCE persistent disk (deprecated)."),
  awsElasticBlockStore: f(AWSElasticBlockStoreVolumeSource, 4, "An AWS EBS disk (deprecated)."),
  gitRepo: f(GitRepoVolumeSource, 5, "A clone of a git repository (deprecated)."),
  secret: f(SecretVolumeSource, 6, "The keys of a secret."),
  nfs: f(NFSVolumeSource, 7, "An NFS export."),
  iscsi: f(ISCSIVolumeSource, 8, "An iSCSI disk."),
  glusterfs: f(GlusterfsVolumeSource, 9, "A Glusterfs volume (unsupported)."),
  persistentVolumeClaim: f(
    PersistentVolumeClaimVolumeSource,
    10,
    "The volume of a persistent volume claim.",
  ),
  rbd: f(RBDVolumeSource, 11, "A Rados block device (unsupported)."),
  flexVolume: f(FlexVolumeSource, 12, "A FlexVolume driver's volume (deprecated)."),
  cinder: f(CinderVolumeSource, 13, "An OpenStack Cinder volume (deprecated)."),
  cephfs: f(CephFSVolumeSource, 14, "A CephFS mount (unsupported)."),
  flocker: f(FlockerVolumeSource, 15, "A Flocker dataset (unsupported)."),
  downwardAPI: f(DownwardAPIVolumeSource, 16, "Information about the pod itself."),
  fc: f(FCVolumeSource, 17, "A Fibre Channel disk."),
  azureFile: f(AzureFileVolumeSource, 18, "An Azure File share (deprecated)."),
  configMap: f(ConfigMapVolumeSource, 19, "The keys of a config map."),
  vsphereVolume: f(VsphereVirtualDiskVolumeSource, 20, "A vSphere virtual disk (deprecated)."),
  quobyte: f(QuobyteVolumeSource, 21, "A Quobyte volume (unsupported)."),
  azureDisk: f(AzureDiskVolumeSource, 22, "An Azure data disk (deprecated)."),
  photonPersistentDisk: f(
    PhotonPersistentDiskVolumeSource,
    23,
    "A Photon Controller disk (unsupported).",
  ),
  projected: f(ProjectedVolumeSource, 26, "Several sources projected into one directory."),
  portworxVolume: f(PortworxVolumeSource, 24, "A Portworx volume (deprecated)."),
  scaleIO: f(ScaleIOVolumeSource, 25, "A ScaleIO volume (unsupported)."),
  storageos: f(StorageOSVolumeSource, 27, "A StorageOS volume (unsupported)."),
  csi: f(CSIVolumeSource, 28, "An ephemeral volume of a CSI driver."),
  ephemeral: f(
    EphemeralVolumeSource,
    29,
    "A volume from a claim created and deleted with the pod.",
  ),
  image: f(ImageVolumeSource, 30, "The contents of an OCI image, read-only."),
};

/** The JSON names of every volume source, in upstream's order. */
export const VOLUME_SOURCE_NAMES = Object.keys(volumeSourceFields) as readonly string[];

export const Volume = defineType({
  name: `${CORE}.Volume`,
  description: "A named volume that the pod's containers can mount; exactly one source is set.",
  fields: {
    name: f(string(), 1, "Name of the volume, a DNS label unique in the pod.", { required: true }),
    ...embed(2, volumeSourceFields),
  },
});
