/**
 * PersistentVolume (core/v1): a piece of storage in the cluster, provisioned by an administrator or a
 * provisioner, that a PersistentVolumeClaim binds to. Cluster-scoped.
 */
import { ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { defineType, f, list, map, quantity, string, time } from "../../schema.js";
import {
  check,
  checkDNS1123Subdomain,
  forbidden,
  immutable,
  invalid,
  notSupported,
  required,
  root,
  type Path,
} from "../../validation.js";
import { validateNodeSelector } from "./affinity-validation.js";
import { embed } from "./embedded.js";
import {
  PERSISTENT_VOLUME_SOURCES,
  VolumeNodeAffinity,
  persistentVolumeSourceFields,
  validateVolumeSource,
} from "./persistent-volume-sources.js";
import type { NodeSelector } from "./pod-shapes.js";
import { ObjectReference } from "./reference-types.js";
import {
  isFieldError,
  parseListQuantity,
  quantityText,
  type ResourceList,
} from "./resource-list.js";
import { sameValue } from "./same-value.js";

const CORE = "io.k8s.api.core.v1";

/** Ways a volume can be mounted, in the order kubectl lists their abbreviations. */
export const ACCESS_MODES = [
  "ReadWriteOnce",
  "ReadOnlyMany",
  "ReadWriteMany",
  "ReadWriteOncePod",
] as const;
const ACCESS_MODE_ABBREVIATIONS = ["RWO", "ROX", "RWX", "RWOP"] as const;
export const VOLUME_MODES = ["Block", "Filesystem"] as const;
export const RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"] as const;

/** The annotation that named a storage class before `storageClassName`; it still wins when present. */
export const BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

/** A PersistentVolume's spec; the source fields (hostPath, nfs, csi, ...) sit directly in it. */
export interface PersistentVolumeSpec {
  capacity?: ResourceList;
  accessModes?: string[];
  claimRef?: {
    kind?: string;
    namespace?: string;
    name?: string;
    uid?: string;
    apiVersion?: string;
    resourceVersion?: string;
  };
  persistentVolumeReclaimPolicy?: string;
  storageClassName?: string;
  mountOptions?: string[];
  volumeMode?: string;
  nodeAffinity?: { required?: NodeSelector };
  volumeAttributesClassName?: string;
  [source: string]: unknown;
}

/** A PersistentVolume as stored and served. */
export interface PersistentVolume extends KubeObject {
  spec?: PersistentVolumeSpec;
  status?: { phase?: string; message?: string; reason?: string; lastPhaseTransitionTime?: string };
}

const PersistentVolumeSpec = defineType({
  name: `${CORE}.PersistentVolumeSpec`,
  description: "What a persistent volume is, where its storage comes from, and how it may be used.",
  fields: {
    capacity: f(map(quantity()), 1, "Size of the volume, as `storage`."),
    ...embed(2, persistentVolumeSourceFields),
    accessModes: f(list(string({ enum: ACCESS_MODES })), 3, "Ways the volume can be mounted."),
    claimRef: f(ObjectReference, 4, "The claim bound to this volume, or reserved for it."),
    persistentVolumeReclaimPolicy: f(
      string({ enum: RECLAIM_POLICIES }),
      5,
      "What happens to the volume when its claim is deleted: Retain, Delete or Recycle; Retain when unset.",
    ),
    storageClassName: f(string(), 6, "Storage class of the volume; empty for none."),
    mountOptions: f(list(string()), 7, "Mount options used when the volume is mounted."),
    volumeMode: f(
      string({ enum: VOLUME_MODES }),
      8,
      "Filesystem or Block; Filesystem when unset.",
      { pointer: true },
    ),
    nodeAffinity: f(VolumeNodeAffinity, 9, "Nodes the volume can be reached from."),
    volumeAttributesClassName: f(string(), 10, "Volume attributes class of the volume.", {
      pointer: true,
    }),
  },
});

const PersistentVolumeStatus = defineType({
  name: `${CORE}.PersistentVolumeStatus`,
  description: "The observed state of a persistent volume.",
  fields: {
    phase: f(
      string({ enum: ["Available", "Bound", "Failed", "Pending", "Released"] }),
      1,
      "Pending, Available, Bound, Released or Failed.",
    ),
    message: f(string(), 2, "Human-readable reason for the phase."),
    reason: f(string(), 3, "Short CamelCase reason for a failure."),
    lastPhaseTransitionTime: f(time(), 4, "When the volume last changed phase.", { pointer: true }),
  },
});

defineType({
  name: `${CORE}.PersistentVolume`,
  description: "A piece of storage that claims bind to.",
  gvk: { group: "", version: "v1", kind: "PersistentVolume" },
  fields: {
    ...objectFields(),
    spec: f(PersistentVolumeSpec, 2, "The volume's storage and how it may be used."),
    status: f(PersistentVolumeStatus, 3, "The observed state of the volume."),
  },
});

/** Access modes as kubectl abbreviates them: `RWO,RWX`, in a fixed order, without duplicates. */
export function accessModesText(modes: readonly string[] | undefined): string {
  const present = new Set(modes ?? []);
  return ACCESS_MODES.flatMap((m, i) =>
    present.has(m) ? [ACCESS_MODE_ABBREVIATIONS[i] as string] : [],
  ).join(",");
}

/** The storage class of a volume or claim: the beta annotation if present, else storageClassName. */
export function storageClassOf(obj: KubeObject, storageClassName: string | undefined): string {
  return obj.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? storageClassName ?? "";
}

/** Checks access modes: known values, and ReadWriteOncePod alone. Whether any are required is the caller's. */
export function validateAccessModes(modes: readonly string[], path: Path): FieldError[] {
  const errors: FieldError[] = [];
  let once = false;
  let others = false;
  for (const mode of modes) {
    if (!(ACCESS_MODES as readonly string[]).includes(mode))
      errors.push(notSupported(path, mode, ACCESS_MODES));
    else if (mode === "ReadWriteOncePod") once = true;
    else others = true;
  }
  if (once && others)
    errors.push(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  return errors;
}

/** Checks a storage or volume attributes class name (a DNS subdomain). */
export function validateClassName(name: string, path: Path): FieldError[] {
  return check(path, name, checkDNS1123Subdomain);
}

function defaults(pv: PersistentVolume): void {
  const spec = (pv.spec ??= {});
  spec.persistentVolumeReclaimPolicy ||= "Retain";
  spec.volumeMode ??= "Filesystem";
  const source = (name: string) => spec[name] as Record<string, unknown> | undefined;
  const hostPath = source("hostPath");
  if (hostPath) hostPath["type"] ??= "";
  const iscsi = source("iscsi");
  if (iscsi) iscsi["iscsiInterface"] ||= "default";
  const scaleIO = source("scaleIO");
  if (scaleIO) {
    scaleIO["storageMode"] ||= "ThinProvisioned";
    scaleIO["fsType"] ||= "xfs";
  }
  const azureDisk = source("azureDisk");
  if (azureDisk) {
    azureDisk["cachingMode"] ??= "ReadWrite";
    azureDisk["kind"] ??= "Shared";
    azureDisk["fsType"] ??= "ext4";
    azureDisk["readOnly"] ??= false;
  }
}

function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  const spec = pv.spec ?? {};
  const path = root("spec");
  const errors: FieldError[] = [];

  const modes = spec.accessModes ?? [];
  if (modes.length === 0) errors.push(required(path.child("accessModes")));
  errors.push(...validateAccessModes(modes, path.child("accessModes")));

  const capacity = spec.capacity ?? {};
  if (Object.keys(capacity).length === 0) errors.push(required(path.child("capacity")));
  if (!("storage" in capacity) || Object.keys(capacity).length > 1) {
    errors.push(notSupported(path.child("capacity"), capacity, ["storage"]));
  }
  for (const [name, value] of Object.entries(capacity)) {
    const q = parseListQuantity(value, path.child("capacity").key(name));
    if (isFieldError(q)) errors.push(q);
    else if (q.nanos <= 0n)
      errors.push(invalid(path.child("capacity").key(name), value, "must be greater than zero"));
  }

  if (spec.storageClassName)
    errors.push(...validateClassName(spec.storageClassName, path.child("storageClassName")));
  if (
    spec.volumeMode !== undefined &&
    !(VOLUME_MODES as readonly string[]).includes(spec.volumeMode)
  ) {
    errors.push(notSupported(path.child("volumeMode"), spec.volumeMode, VOLUME_MODES));
  }
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !(RECLAIM_POLICIES as readonly string[]).includes(policy)) {
    errors.push(
      notSupported(path.child("persistentVolumeReclaimPolicy"), policy, RECLAIM_POLICIES),
    );
  }

  let hasNodeAffinity = false;
  if (spec.nodeAffinity) {
    const affinityPath = path.child("nodeAffinity");
    if (!spec.nodeAffinity.required)
      errors.push(
        required(affinityPath.child("required"), "must specify required node constraints"),
      );
    else {
      hasNodeAffinity = true;
      errors.push(
        ...validateNodeSelector(spec.nodeAffinity.required, affinityPath.child("required")),
      );
    }
  }

  const { source, errors: sourceErrors } = validateVolumeSource(spec, path);
  errors.push(...sourceErrors);
  if (source === "local" && !hasNodeAffinity) {
    errors.push(required(path.child("nodeAffinity"), "Local volume requires node affinity"));
  }
  const hostPath = spec["hostPath"] as { path?: string } | undefined;
  if (hostPath && normalizedPath(hostPath.path ?? "") === "/" && policy === "Recycle") {
    errors.push(
      forbidden(
        path.child("persistentVolumeReclaimPolicy"),
        "may not be 'recycle' for a hostPath mount of '/'",
      ),
    );
  }

  const vac = spec.volumeAttributesClassName;
  if (vac !== undefined) {
    if (vac === "")
      errors.push(
        required(path.child("volumeAttributesClassName"), "an empty string is disallowed"),
      );
    else errors.push(...validateClassName(vac, path.child("volumeAttributesClassName")));
    if (!spec["csi"])
      errors.push(
        required(path.child("csi"), "has to be specified when using volumeAttributesClassName"),
      );
  }
  return errors;
}

/** A path with duplicate and trailing slashes removed, for the check on `/`. */
function normalizedPath(p: string): string {
  const collapsed = p.replace(/\/+/g, "/");
  return collapsed.length > 1 ? collapsed.replace(/\/$/, "") : collapsed;
}

function sources(spec: PersistentVolumeSpec): Record<string, unknown> {
  return Object.fromEntries(
    PERSISTENT_VOLUME_SOURCES.filter((k) => spec[k] !== undefined).map((k) => [k, spec[k]]),
  );
}

function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errors: FieldError[] = [];
  const spec = pv.spec ?? {};
  const before = old.spec ?? {};
  const now = sources(spec);
  const then = sources(before);
  // A CSI volume may gain a ControllerExpandSecretRef it did not have.
  const csiNow = now["csi"] as Record<string, unknown> | undefined;
  const csiThen = then["csi"] as Record<string, unknown> | undefined;
  if (csiNow && csiThen && csiThen["controllerExpandSecretRef"] === undefined) {
    now["csi"] = { ...csiNow, controllerExpandSecretRef: undefined };
  }
  if (!sameValue(now, then)) {
    errors.push(
      forbidden(root("spec").child("persistentvolumesource"), "is immutable after creation"),
    );
  }
  if ((spec.volumeMode ?? "") !== (before.volumeMode ?? ""))
    errors.push(immutable(root("volumeMode"), spec.volumeMode));
  if (before.nodeAffinity && !sameValue(spec.nodeAffinity, before.nodeAffinity)) {
    errors.push(immutable(root("nodeAffinity"), spec.nodeAffinity));
  }
  return errors;
}

/** Capacity of a volume as kubectl shows it: its storage, in canonical form. */
function capacityText(pv: PersistentVolume): string {
  return quantityText(pv.spec?.capacity?.["storage"]);
}

export const persistentVolumes = defineResource<PersistentVolume>({
  group: "",
  version: "v1",
  kind: "PersistentVolume",
  plural: "persistentvolumes",
  singular: "persistentvolume",
  shortNames: ["pv"],
  namespaced: false,
  schema: `${CORE}.PersistentVolume`,
  statusSubresource: true,
  columns: [
    {
      name: "Capacity",
      type: "string",
      description: "Size of the volume.",
      priority: 0,
      cell: capacityText,
    },
    {
      name: "Access Modes",
      type: "string",
      description: "Ways the volume can be mounted.",
      priority: 0,
      cell: (pv) => accessModesText(pv.spec?.accessModes),
    },
    {
      name: "Reclaim Policy",
      type: "string",
      description: "What happens to the volume when its claim goes.",
      priority: 0,
      cell: (pv) => pv.spec?.persistentVolumeReclaimPolicy ?? "",
    },
    {
      name: "Status",
      type: "string",
      description: "Phase of the volume.",
      priority: 0,
      cell: (pv) => (pv.metadata.deletionTimestamp ? "Terminating" : (pv.status?.phase ?? "")),
    },
    {
      name: "Claim",
      type: "string",
      description: "The claim bound to the volume.",
      priority: 0,
      cell: (pv) =>
        pv.spec?.claimRef
          ? `${pv.spec.claimRef.namespace ?? ""}/${pv.spec.claimRef.name ?? ""}`
          : "",
    },
    {
      name: "StorageClass",
      type: "string",
      description: "Storage class of the volume.",
      priority: 0,
      cell: (pv) => storageClassOf(pv, pv.spec?.storageClassName),
    },
    {
      name: "VolumeAttributesClass",
      type: "string",
      description: "Volume attributes class of the volume.",
      priority: 0,
      cell: (pv) => pv.spec?.volumeAttributesClassName ?? "<unset>",
    },
    {
      name: "Reason",
      type: "string",
      description: "Why the volume is in its phase.",
      priority: 0,
      cell: (pv) => pv.status?.reason ?? "",
    },
    ageColumn(),
    {
      name: "VolumeMode",
      type: "string",
      description: "Filesystem or Block.",
      priority: 1,
      cell: (pv) => pv.spec?.volumeMode ?? "<unset>",
    },
  ],
  // Upstream still answers the pre-metadata spelling of the name selector.
  fieldSelectors: { name: (pv) => pv.metadata.name },
  defaults,
  prepareForCreate: (pv) => {
    pv.status = {
      phase: "Pending",
      lastPhaseTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    };
  },
  validate: validatePersistentVolume,
  validateUpdate: validatePersistentVolumeUpdate,
});
