/** Validation of a pod's volumes and of each volume source. */
import type { FieldError } from "../../errors.js";
import type { ObjectMeta } from "../../meta/types.js";
import { tryQuantity } from "../../quantity.js";
import {
  check,
  checkDNS1123Label,
  checkDNS1123Subdomain,
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
  validateAnnotations,
  validateLabels,
  type Path,
} from "../../validation.js";
import { validateObjectFieldSelector, validateResourceFieldSelector } from "./env-validation.js";
import {
  fileMode,
  isSet,
  items,
  localNonReservedPath,
  noBacksteps,
  relativeDescendingPath,
  requiredString,
} from "./pod-checks.js";
import type { DownwardAPIVolumeFile, KeyToPath, Volume, VolumeProjection } from "./pod-shapes.js";
import { HOST_PATH_TYPES } from "./volume-types.js";

/** The names of volume downward API files may read: identity, labels and annotations. */
const VOLUME_FIELD_PATHS = [
  "metadata.annotations",
  "metadata.labels",
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
];

/**
 * The order in which upstream looks at a volume's sources, which decides the one reported as extra.
 */
const SOURCE_ORDER = [
  "emptyDir",
  "hostPath",
  "gitRepo",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "secret",
  "nfs",
  "iscsi",
  "glusterfs",
  "flocker",
  "persistentVolumeClaim",
  "rbd",
  "cinder",
  "cephfs",
  "quobyte",
  "downwardAPI",
  "fc",
  "flexVolume",
  "configMap",
  "azureFile",
  "vsphereVolume",
  "photonPersistentDisk",
  "portworxVolume",
  "azureDisk",
  "storageos",
  "projected",
  "scaleIO",
  "csi",
  "ephemeral",
  "image",
];

/** Fields each network or cloud source requires, checked by name. */
const REQUIRED_PLUGIN_FIELDS: Readonly<Record<string, readonly string[]>> = {
  gcePersistentDisk: ["pdName"],
  awsElasticBlockStore: ["volumeID"],
  iscsi: ["targetPortal", "iqn"],
  glusterfs: ["endpoints", "path"],
  rbd: ["monitors", "image"],
  flexVolume: ["driver"],
  cinder: ["volumeID"],
  cephfs: ["monitors"],
  azureFile: ["secretName", "shareName"],
  vsphereVolume: ["volumePath"],
  quobyte: ["registry", "volume"],
  azureDisk: ["diskName", "diskURI"],
  photonPersistentDisk: ["pdID"],
  portworxVolume: ["volumeID"],
  scaleIO: ["gateway", "system", "volumeName"],
  storageos: ["volumeName"],
};

/**
 * Validates the volumes of a pod spec and returns, besides the errors, the valid volumes by name
 * (for mounts to refer to). `podMeta` is given for pods (not templates) to check the names of the
 * claims that ephemeral volumes create.
 */
export function validateVolumes(
  volumes: readonly Volume[] | undefined,
  podMeta: ObjectMeta | undefined,
  path: Path,
): { volumes: Map<string, Volume>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const valid = new Map<string, Volume>();
  const createdClaims = new Set<string>();
  if (podMeta?.name) {
    for (const v of items(volumes))
      if (v?.ephemeral && v.name) createdClaims.add(`${podMeta.name}-${v.name}`);
  }

  items(volumes).forEach((volume, i) => {
    const p = path.index(i);
    if (typeof volume !== "object" || volume === null) {
      errors.push(invalid(p, volume, "must be an object"));
      return;
    }
    const own = validateVolumeSource(volume, p, podMeta);
    const name = volume.name;
    if (!name) own.push(required(p.child("name")));
    else own.push(...check(p.child("name"), name, checkDNS1123Label));
    if (name && valid.has(name)) own.push(duplicate(p.child("name"), name));
    if (own.length === 0 && name) valid.set(name, volume);
    errors.push(...own);

    const claimName = volume.persistentVolumeClaim?.claimName;
    if (claimName && createdClaims.has(claimName)) {
      errors.push(
        invalid(
          p.child("persistentVolumeClaim").child("claimName"),
          claimName,
          "must not reference a claim that an ephemeral volume of this pod creates",
        ),
      );
    }
  });
  return { volumes: valid, errors };
}

function validateVolumeSource(
  volume: Volume,
  path: Path,
  podMeta: ObjectMeta | undefined,
): FieldError[] {
  const errors: FieldError[] = [];
  let sources = 0;
  for (const source of SOURCE_ORDER) {
    const value = volume[source];
    if (!isSet(value)) continue;
    if (sources > 0) {
      errors.push(forbidden(path.child(source), "may not specify more than one volume source"));
      continue;
    }
    sources++;
    const p = path.child(source);
    if (typeof value !== "object" || Array.isArray(value)) {
      errors.push(invalid(p, value, "must be an object"));
      continue;
    }
    errors.push(...validateOneSource(source, volume, p, podMeta));
  }
  if (sources === 0) errors.push(required(path, "must specify a volume source"));
  return errors;
}

function validateOneSource(
  source: string,
  volume: Volume,
  path: Path,
  podMeta: ObjectMeta | undefined,
): FieldError[] {
  switch (source) {
    case "emptyDir": {
      const limit = volume.emptyDir?.sizeLimit;
      if (!isSet(limit)) return [];
      const q = tryQuantity(limit);
      if (!q || q.nanos < 0n)
        return [forbidden(path.child("sizeLimit"), "must be a valid, non-negative quantity")];
      return [];
    }
    case "hostPath":
      return validateHostPath(volume.hostPath ?? {}, path);
    case "secret": {
      const s = volume.secret ?? {};
      return [
        ...requiredString(s.secretName, path.child("secretName")),
        ...fileMode(s.defaultMode, path.child("defaultMode")),
        ...validateKeyToPaths(s.items, path.child("items")),
      ];
    }
    case "configMap": {
      const s = volume.configMap ?? {};
      return [
        ...requiredString(s.name, path.child("name")),
        ...fileMode(s.defaultMode, path.child("defaultMode")),
        ...validateKeyToPaths(s.items, path.child("items")),
      ];
    }
    case "downwardAPI": {
      const s = volume.downwardAPI ?? {};
      const errors = fileMode(s.defaultMode, path.child("defaultMode"));
      for (const file of items(s.items)) errors.push(...validateDownwardAPIFile(file, path));
      return errors;
    }
    case "projected":
      return validateProjected(volume.projected ?? {}, path);
    case "persistentVolumeClaim":
      return requiredString(volume.persistentVolumeClaim?.claimName, path.child("claimName"));
    case "nfs":
      return validateNFS(volume.nfs ?? {}, path);
    case "csi":
      return validateCSI(volume.csi ?? {}, path);
    case "ephemeral":
      return validateEphemeral(volume, path, podMeta);
    case "image":
      return validateImageSource(volume.image ?? {}, path);
    case "gitRepo": {
      const s = volume[source] as { repository?: unknown; directory?: unknown };
      const errors = requiredString(s.repository, path.child("repository"));
      if (typeof s.directory === "string")
        errors.push(...relativeDescendingPath(s.directory, path.child("directory")));
      return errors;
    }
    default:
      return validatePluginSource(source, volume[source] as Record<string, unknown>, path);
  }
}

function validateHostPath(hostPath: { path?: string; type?: string }, path: Path): FieldError[] {
  if (!hostPath.path) return [required(path.child("path"))];
  const errors = noBacksteps(hostPath.path, path.child("path"));
  if (isSet(hostPath.type) && !(HOST_PATH_TYPES as readonly unknown[]).includes(hostPath.type)) {
    errors.push(notSupported(path.child("type"), hostPath.type, HOST_PATH_TYPES));
  }
  return errors;
}

function validateKeyToPaths(list: readonly KeyToPath[] | undefined, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  items(list).forEach((kp, i) => {
    const p = path.index(i);
    if (!kp?.key) errors.push(required(p.child("key")));
    if (!kp?.path) errors.push(required(p.child("path")));
    errors.push(...localNonReservedPath(kp?.path ?? "", p.child("path")));
    errors.push(...fileMode(kp?.mode, p.child("mode")));
  });
  return errors;
}

function validateDownwardAPIFile(file: DownwardAPIVolumeFile, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  if (!file?.path) errors.push(required(path.child("path")));
  errors.push(...localNonReservedPath(file?.path ?? "", path.child("path")));
  if (isSet(file?.fieldRef)) {
    errors.push(
      ...validateObjectFieldSelector(
        file.fieldRef ?? {},
        VOLUME_FIELD_PATHS,
        path.child("fieldRef"),
      ),
    );
    if (isSet(file.resourceFieldRef)) {
      errors.push(invalid(path, "resource", "fieldRef and resourceFieldRef may not both be set"));
    }
  } else if (isSet(file?.resourceFieldRef)) {
    errors.push(
      ...validateResourceFieldSelector(
        file.resourceFieldRef ?? {},
        path.child("resourceFieldRef"),
        true,
      ),
    );
  } else {
    errors.push(required(path, "one of fieldRef and resourceFieldRef is required"));
  }
  errors.push(...fileMode(file?.mode, path.child("mode")));
  return errors;
}

function validateProjected(
  projected: { sources?: VolumeProjection[]; defaultMode?: number },
  path: Path,
): FieldError[] {
  const errors = fileMode(projected.defaultMode, path.child("defaultMode"));
  const paths = new Set<string>();
  const claimPath = (file: string, shown: unknown): void => {
    if (!file) return;
    if (paths.has(file)) errors.push(invalid(path, shown, "conflicting duplicate paths"));
    paths.add(file);
  };

  items(projected.sources).forEach((source, i) => {
    const p = path.child("sources").index(i);
    let kinds = 0;
    if (isSet(source?.secret) || isSet(source?.configMap)) {
      for (const kind of ["secret", "configMap"] as const) {
        const s = source[kind];
        if (!isSet(s)) continue;
        kinds++;
        if (!s?.name) errors.push(required(p.child(kind).child("name")));
        errors.push(...validateKeyToPaths(s?.items, p.child(kind).child("items")));
        for (const kp of items(s?.items)) claimPath(kp?.path ?? "", s?.name ?? "");
      }
    }
    if (isSet(source?.downwardAPI)) {
      kinds++;
      for (const file of items(source.downwardAPI?.items)) {
        errors.push(...validateDownwardAPIFile(file, p.child("downwardAPI")));
        claimPath(file?.path ?? "", file?.path ?? "");
      }
    }
    if (isSet(source?.serviceAccountToken)) {
      kinds++;
      const token = source.serviceAccountToken ?? {};
      const tp = p.child("serviceAccountToken");
      const seconds = token.expirationSeconds ?? 0;
      if (seconds < 600)
        errors.push(
          invalid(tp.child("expirationSeconds"), seconds, "may not be shorter than 10 minutes"),
        );
      if (seconds > 2 ** 32)
        errors.push(
          invalid(tp.child("expirationSeconds"), seconds, "may not be longer than 2^32 seconds"),
        );
      if (!token.path) errors.push(required(path.child("path")));
      else errors.push(...localNonReservedPath(token.path, path.child("path")));
    }
    if (isSet(source?.clusterTrustBundle)) {
      kinds++;
      errors.push(
        ...validateTrustBundle(source.clusterTrustBundle ?? {}, p.child("clusterTrustBundle")),
      );
      claimPath(source.clusterTrustBundle?.path ?? "", source.clusterTrustBundle?.path ?? "");
    }
    if (isSet(source?.podCertificate)) kinds++;
    if (kinds > 1) errors.push(forbidden(p, "may not specify more than one source per projection"));
  });
  return errors;
}

function validateTrustBundle(
  bundle: NonNullable<VolumeProjection["clusterTrustBundle"]>,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  const byName = isSet(bundle.name);
  const bySigner = isSet(bundle.signerName);
  if (byName && bySigner)
    errors.push(invalid(path, bundle, "only one of name and signerName may be set"));
  else if (byName && !bundle.name)
    errors.push(required(path.child("name"), "must be a valid object name"));
  else if (byName && isSet(bundle.labelSelector)) {
    errors.push(
      invalid(path.child("labelSelector"), bundle.labelSelector, "must be unset when name is set"),
    );
  } else if (bySigner && !bundle.signerName)
    errors.push(required(path.child("signerName"), "must be a valid signer name"));
  else if (!byName && !bySigner)
    errors.push(required(path, "either name or signerName must be set"));
  if (!bundle.path) errors.push(required(path.child("path")));
  errors.push(...localNonReservedPath(bundle.path ?? "", path.child("path")));
  return errors;
}

function validateNFS(nfs: { server?: string; path?: string }, path: Path): FieldError[] {
  const errors = requiredString(nfs.server, path.child("server"));
  errors.push(...requiredString(nfs.path, path.child("path")));
  if (!(nfs.path ?? "").startsWith("/"))
    errors.push(invalid(path.child("path"), nfs.path ?? "", "must be an absolute path"));
  return errors;
}

function validateCSI(csi: NonNullable<Volume["csi"]>, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const driver = csi.driver ?? "";
  if (!driver) errors.push(required(path.child("driver")));
  else {
    if (driver.length > 63) {
      errors.push({
        type: "FieldValueTooLong",
        field: String(path.child("driver")),
        detail: "may not be more than 63 bytes",
      });
    }
    errors.push(
      ...checkDNS1123Subdomain(driver.toLowerCase()).map((p) =>
        invalid(path.child("driver"), driver, p),
      ),
    );
  }
  const secret = csi.nodePublishSecretRef;
  if (isSet(secret)) {
    if (!secret?.name) errors.push(required(path.child("nodePublishSecretRef").child("name")));
    else
      errors.push(
        ...check(
          path.child("nodePublishSecretRef").child("name"),
          secret.name,
          checkDNS1123Subdomain,
        ),
      );
  }
  return errors;
}

function validateEphemeral(
  volume: Volume,
  path: Path,
  podMeta: ObjectMeta | undefined,
): FieldError[] {
  const template = volume.ephemeral?.volumeClaimTemplate;
  const tp = path.child("volumeClaimTemplate");
  if (!isSet(template)) return [required(tp)];
  const errors: FieldError[] = [];
  const meta = template?.metadata ?? {};
  errors.push(...validateLabels(meta.labels, tp.child("metadata").child("labels")));
  errors.push(...validateAnnotations(meta.annotations, tp.child("metadata").child("annotations")));
  for (const field of Object.keys(meta)) {
    if (field !== "labels" && field !== "annotations" && isSet(meta[field as keyof typeof meta])) {
      errors.push(forbidden(tp.child("metadata").child(field), "cannot be set"));
    }
  }
  if (!isSet(template?.spec)) errors.push(required(tp.child("spec")));
  else {
    const modes = template?.spec?.["accessModes"];
    if (!Array.isArray(modes) || modes.length === 0)
      errors.push(required(tp.child("spec").child("accessModes")));
  }

  if (podMeta?.name && volume.name) {
    const claimName = `${podMeta.name}-${volume.name}`;
    for (const problem of checkDNS1123Subdomain(claimName)) {
      errors.push(
        invalid(
          path.child("name"),
          volume.name,
          `the claim name ${JSON.stringify(claimName)} ${problem}`,
        ),
      );
    }
  }
  return errors;
}

function validateImageSource(
  image: { reference?: string; pullPolicy?: string },
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!image.reference) errors.push(required(path.child("reference")));
  const policy = image.pullPolicy;
  if (
    isSet(policy) &&
    policy !== "" &&
    !["Always", "IfNotPresent", "Never"].includes(policy ?? "")
  ) {
    errors.push(
      notSupported(path.child("pullPolicy"), policy, ["Always", "IfNotPresent", "Never"]),
    );
  }
  return errors;
}

function validatePluginSource(
  source: string,
  value: Record<string, unknown>,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of REQUIRED_PLUGIN_FIELDS[source] ?? []) {
    const v = value[field];
    if (!isSet(v) || v === "" || (Array.isArray(v) && v.length === 0))
      errors.push(required(path.child(field)));
  }
  if (source === "fc") {
    const wwns = items(value["targetWWNs"] as unknown[]);
    const wwids = items(value["wwids"] as unknown[]);
    if (wwns.length === 0 && wwids.length === 0) {
      errors.push(required(path.child("targetWWNs"), "must specify either targetWWNs or wwids"));
    }
    if (wwns.length > 0 && wwids.length > 0) {
      errors.push(
        invalid(path.child("targetWWNs"), wwns, "targetWWNs and wwids may not both be set"),
      );
    }
    if (wwns.length > 0 && !isSet(value["lun"]))
      errors.push(required(path.child("lun"), "lun is required with targetWWNs"));
  }
  if (source === "flocker") {
    const name = value["datasetName"];
    const uuid = value["datasetUUID"];
    if (!name && !uuid)
      errors.push(required(path, "one of datasetName and datasetUUID is required"));
    if (name && uuid)
      errors.push(invalid(path, "resource", "datasetName and datasetUUID may not both be set"));
  }
  for (const partitioned of ["gcePersistentDisk", "awsElasticBlockStore"]) {
    const partition = value["partition"];
    if (
      source === partitioned &&
      typeof partition === "number" &&
      (partition < 0 || partition > 255)
    ) {
      errors.push(
        invalid(path.child("partition"), partition, "must be between 0 and 255, inclusive"),
      );
    }
  }
  if (source === "iscsi") {
    const lun = value["lun"];
    if (typeof lun === "number" && (lun < 0 || lun > 255)) {
      errors.push(invalid(path.child("lun"), lun, "must be between 0 and 255, inclusive"));
    }
  }
  return errors;
}
