/**
 * StorageClass (storage.k8s.io/v1): a kind of storage that claims ask for and provisioners create.
 */
import { ageColumn } from "../../columns.js";
import { sameValue } from "../../core/v1/same-value.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { boolean, defineType, f, list, string, stringMap } from "../../schema.js";
import {
  check,
  checkLabelValue,
  checkQualifiedName,
  duplicate,
  forbidden,
  immutable,
  invalid,
  notSupported,
  required,
  root,
  tooLong,
  type Path,
} from "../../validation.js";
import { TopologySelectorTerm } from "./topology-selector.js";

/** A topology label and the values it may have. */
export interface TopologySelectorLabelRequirement {
  key?: string;
  values?: string[];
}

/** A StorageClass as stored and served. */
export interface StorageClass extends KubeObject {
  provisioner?: string;
  parameters?: Record<string, string>;
  /** `Delete` (the default) or `Retain`. */
  reclaimPolicy?: string;
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  /** `Immediate` (the default) or `WaitForFirstConsumer`. */
  volumeBindingMode?: string;
  allowedTopologies?: { matchLabelExpressions?: TopologySelectorLabelRequirement[] }[];
}

/** The annotation that marks the class claims get when they name none. */
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
/** The beta spelling of the default-class annotation, still honoured. */
export const BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";

defineType({
  name: "io.k8s.api.storage.v1.StorageClass",
  description: "A class of storage, with the provisioner and parameters that create its volumes.",
  gvk: { group: "storage.k8s.io", version: "v1", kind: "StorageClass" },
  fields: {
    ...objectFields(),
    provisioner: f(
      string(),
      2,
      "Name of the volume plugin or CSI driver that provisions volumes of this class.",
      { required: true },
    ),
    parameters: f(stringMap(), 3, "Settings for the provisioner; fixed once the class exists."),
    reclaimPolicy: f(
      string({ enum: ["Delete", "Recycle", "Retain"] }),
      4,
      "What happens to a provisioned volume when its claim is deleted: Delete (the default) or Retain.",
      { pointer: true },
    ),
    mountOptions: f(
      list(string()),
      5,
      "Mount options of the provisioned volumes, such as ro or soft.",
    ),
    allowVolumeExpansion: f(boolean(), 6, "True when claims of this class may be resized.", {
      pointer: true,
    }),
    volumeBindingMode: f(
      string({ enum: ["Immediate", "WaitForFirstConsumer"] }),
      7,
      "When claims are bound and provisioned: Immediate (the default) or WaitForFirstConsumer, once a pod uses them.",
      { pointer: true },
    ),
    allowedTopologies: f(
      list(TopologySelectorTerm),
      8,
      "Where volumes may be provisioned; anywhere when empty.",
    ),
  },
});

/** Fills in upstream's defaults: volumes deleted with their claims, bound immediately. */
export function defaultStorageClass(sc: StorageClass): void {
  sc.reclaimPolicy ??= "Delete";
  sc.volumeBindingMode ??= "Immediate";
}

/** True when the class is marked as the cluster's default. */
export function isDefaultStorageClass(sc: KubeObject): boolean {
  const annotations = sc.metadata.annotations ?? {};
  return (
    annotations[DEFAULT_CLASS_ANNOTATION] === "true" ||
    annotations[BETA_DEFAULT_CLASS_ANNOTATION] === "true"
  );
}

const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

function validateParameters(params: Record<string, string> | undefined, path: Path): FieldError[] {
  const entries = Object.entries(params ?? {});
  if (entries.length > MAX_PARAMETERS) {
    return [
      {
        type: "FieldValueTooMany",
        field: String(path),
        value: entries.length,
        detail: `must have at most ${MAX_PARAMETERS} items`,
      },
    ];
  }
  const errors: FieldError[] = [];
  let size = 0;
  for (const [k, v] of entries) {
    if (k.length < 1) errors.push(invalid(path, k, "field can not be empty."));
    size += k.length + (typeof v === "string" ? v.length : 0);
  }
  if (size > MAX_PARAMETERS_SIZE) errors.push(tooLong(path, MAX_PARAMETERS_SIZE));
  return errors;
}

function validateAllowedTopologies(
  terms: StorageClass["allowedTopologies"],
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  const seen: unknown[] = [];
  (terms ?? []).forEach((term, i) => {
    const p = path.index(i);
    const keys = new Set<string>();
    (term.matchLabelExpressions ?? []).forEach((req, j) => {
      const rp = p.child("matchLabelExpressions").index(j);
      const key = req.key ?? "";
      errors.push(...check(rp.child("key"), key, checkQualifiedName));
      if (keys.has(key)) errors.push(duplicate(rp.child("key"), key));
      keys.add(key);
      const values = req.values ?? [];
      if (values.length === 0)
        errors.push(required(rp.child("values"), "must have at least one value"));
      const valueSet = new Set<string>();
      values.forEach((v, k) => {
        errors.push(...check(rp.child("values").index(k), v, checkLabelValue));
        if (valueSet.has(v)) errors.push(duplicate(rp.child("values").index(k), v));
        valueSet.add(v);
      });
    });
    if (seen.some((other) => sameValue(other, term))) errors.push(duplicate(p, term));
    seen.push(term);
  });
  return errors;
}

function validateStorageClass(sc: StorageClass): FieldError[] {
  const errors: FieldError[] = [];
  const provisioner = sc.provisioner ?? "";
  if (provisioner === "") errors.push(required(root("provisioner")));
  else errors.push(...check(root("provisioner"), provisioner.toLowerCase(), checkQualifiedName));
  errors.push(...validateParameters(sc.parameters, root("parameters")));
  if (sc.reclaimPolicy && sc.reclaimPolicy !== "Delete" && sc.reclaimPolicy !== "Retain") {
    errors.push(notSupported(root("reclaimPolicy"), sc.reclaimPolicy, ["Delete", "Retain"]));
  }
  if (sc.volumeBindingMode === undefined) errors.push(required(root("volumeBindingMode")));
  else if (
    sc.volumeBindingMode !== "Immediate" &&
    sc.volumeBindingMode !== "WaitForFirstConsumer"
  ) {
    errors.push(
      notSupported(root("volumeBindingMode"), sc.volumeBindingMode, [
        "Immediate",
        "WaitForFirstConsumer",
      ]),
    );
  }
  errors.push(...validateAllowedTopologies(sc.allowedTopologies, root("allowedTopologies")));
  return errors;
}

function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errors: FieldError[] = [];
  if (!sameValue(sc.parameters, old.parameters))
    errors.push(forbidden(root("parameters"), "updates to parameters are forbidden."));
  if (sc.provisioner !== old.provisioner)
    errors.push(forbidden(root("provisioner"), "updates to provisioner are forbidden."));
  if (sc.reclaimPolicy !== old.reclaimPolicy)
    errors.push(forbidden(root("reclaimPolicy"), "updates to reclaimPolicy are forbidden."));
  if (sc.volumeBindingMode !== old.volumeBindingMode)
    errors.push(immutable(root("volumeBindingMode"), sc.volumeBindingMode ?? null));
  return errors;
}

/** The resource definition of storage.k8s.io/v1 StorageClass. */
export const storageClasses = defineResource<StorageClass>({
  group: "storage.k8s.io",
  version: "v1",
  kind: "StorageClass",
  plural: "storageclasses",
  singular: "storageclass",
  shortNames: ["sc"],
  namespaced: false,
  schema: "io.k8s.api.storage.v1.StorageClass",
  // The default class shows as `name (default)`. A column of format "name" tells the table builder
  // not to add its own NAME column first.
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "Name of the class; the default class is marked.",
      priority: 0,
      cell: (sc) => `${sc.metadata.name ?? ""}${isDefaultStorageClass(sc) ? " (default)" : ""}`,
    },
    {
      name: "Provisioner",
      type: "string",
      description: "The provisioner of the class's volumes.",
      priority: 0,
      cell: (sc) => sc.provisioner ?? "",
    },
    {
      name: "ReclaimPolicy",
      type: "string",
      description: "What happens to a volume when its claim is deleted.",
      priority: 0,
      cell: (sc) => sc.reclaimPolicy ?? "Delete",
    },
    {
      name: "VolumeBindingMode",
      type: "string",
      description: "When claims are bound and provisioned.",
      priority: 0,
      cell: (sc) => sc.volumeBindingMode ?? "Immediate",
    },
    {
      name: "AllowVolumeExpansion",
      type: "string",
      description: "Whether claims of the class may be resized.",
      priority: 0,
      cell: (sc) => sc.allowVolumeExpansion ?? false,
    },
    ageColumn(),
  ],
  defaults: defaultStorageClass,
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
});
