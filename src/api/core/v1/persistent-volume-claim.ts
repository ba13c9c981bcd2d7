/**
 * PersistentVolumeClaim (core/v1): a request for storage that a volume binds to. After creation only the
 * requested size may grow (once the claim is bound), and the volume name may be set once.
 */
import { ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject, LabelSelector } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { compareQuantities } from "../../quantity.js";
import { defineResource } from "../../resource.js";
import { defineType, f, keyedList, list, map, quantity, string, time } from "../../schema.js";
import {
  forbidden,
  immutable,
  invalid,
  notSupported,
  required,
  root,
  validateLabelSelector,
  type Path,
} from "../../validation.js";
import {
  ACCESS_MODES,
  BETA_STORAGE_CLASS_ANNOTATION,
  VOLUME_MODES,
  accessModesText,
  storageClassOf,
  validateAccessModes,
  validateClassName,
} from "./persistent-volume.js";
import {
  isFieldError,
  parseListQuantity,
  quantityText,
  type ResourceList,
} from "./resource-list.js";
import { sameValue } from "./same-value.js";
import { PersistentVolumeClaimSpec } from "./volume-claim-types.js";
import { copyJson } from "../../../util/json-copy.js";

const CORE = "io.k8s.api.core.v1";

export interface TypedReference {
  apiGroup?: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** The spec of a claim, as a claim and an ephemeral volume's template carry it. */
export interface PersistentVolumeClaimSpecShape {
  accessModes?: string[];
  selector?: LabelSelector;
  resources?: { limits?: ResourceList; requests?: ResourceList };
  volumeName?: string;
  storageClassName?: string;
  volumeMode?: string;
  dataSource?: TypedReference;
  dataSourceRef?: TypedReference;
  volumeAttributesClassName?: string;
}

export interface PersistentVolumeClaimCondition {
  type: string;
  status: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** A PersistentVolumeClaim as stored and served. */
export interface PersistentVolumeClaim extends KubeObject {
  spec?: PersistentVolumeClaimSpecShape;
  status?: {
    phase?: string;
    accessModes?: string[];
    capacity?: ResourceList;
    conditions?: PersistentVolumeClaimCondition[];
    allocatedResources?: ResourceList;
    allocatedResourceStatuses?: Record<string, string>;
    currentVolumeAttributesClassName?: string;
    modifyVolumeStatus?: { targetVolumeAttributesClassName?: string; status: string };
  };
}

const PersistentVolumeClaimCondition = defineType({
  name: `${CORE}.PersistentVolumeClaimCondition`,
  description: "One observed aspect of a claim's state, such as a resize in progress.",
  fields: {
    type: f(string(), 1, "Type of the condition.", { required: true }),
    status: f(string(), 2, "True, False or Unknown.", { required: true }),
    lastProbeTime: f(time(), 3, "When the condition was last checked."),
    lastTransitionTime: f(time(), 4, "When the condition last changed status."),
    reason: f(string(), 5, "Machine-readable reason for the last transition."),
    message: f(string(), 6, "Human-readable details of the last transition."),
  },
});

const ModifyVolumeStatus = defineType({
  name: `${CORE}.ModifyVolumeStatus`,
  description: "Progress of a change of the claim's volume attributes class.",
  fields: {
    targetVolumeAttributesClassName: f(string(), 1, "The class being applied."),
    status: f(
      string({ enum: ["InProgress", "Infeasible", "Pending"] }),
      2,
      "Pending, InProgress or Infeasible.",
      {
        required: true,
      },
    ),
  },
});

const PersistentVolumeClaimStatus = defineType({
  name: `${CORE}.PersistentVolumeClaimStatus`,
  description: "The observed state of a claim.",
  fields: {
    phase: f(string({ enum: ["Bound", "Lost", "Pending"] }), 1, "Pending, Bound or Lost."),
    accessModes: f(list(string({ enum: ACCESS_MODES })), 2, "Access modes of the bound volume."),
    capacity: f(map(quantity()), 3, "Size of the bound volume."),
    conditions: f(
      keyedList(PersistentVolumeClaimCondition, ["type"], { mergeKey: "type" }),
      4,
      "Observed conditions of the claim.",
    ),
    allocatedResources: f(
      map(quantity()),
      5,
      "Storage allocated to the claim, which a resize may raise.",
    ),
    allocatedResourceStatuses: f(map(string()), 7, "State of a resize of each resource."),
    currentVolumeAttributesClassName: f(
      string(),
      8,
      "Volume attributes class the volume uses now.",
      { pointer: true },
    ),
    modifyVolumeStatus: f(ModifyVolumeStatus, 9, "Progress of a volume attributes change."),
  },
});

defineType({
  name: `${CORE}.PersistentVolumeClaim`,
  description: "A user's request for storage.",
  gvk: { group: "", version: "v1", kind: "PersistentVolumeClaim" },
  fields: {
    ...objectFields(),
    spec: f(PersistentVolumeClaimSpec, 2, "The storage the claim asks for."),
    status: f(PersistentVolumeClaimStatus, 3, "The observed state of the claim."),
  },
});

function validateDataSource(ref: TypedReference, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  if (!ref.name) errors.push(required(path.child("name")));
  if (!ref.kind) errors.push(required(path.child("kind")));
  if (!ref.apiGroup && ref.kind && ref.kind !== "PersistentVolumeClaim") {
    errors.push(
      invalid(
        path,
        ref.kind,
        "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
      ),
    );
  }
  return errors;
}

function sameSource(a: TypedReference, b: TypedReference): boolean {
  return (a.apiGroup ?? "") === (b.apiGroup ?? "") && a.kind === b.kind && a.name === b.name;
}

/**
 * Validates a claim spec, as claims and the claim templates of ephemeral volumes and stateful sets
 * carry it. `path` is where the spec sits (`spec`, or deeper in a template).
 */
export function validatePersistentVolumeClaimSpec(
  spec: PersistentVolumeClaimSpecShape,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  const modes = spec.accessModes ?? [];
  if (modes.length === 0)
    errors.push(required(path.child("accessModes"), "at least 1 access mode is required"));
  errors.push(...validateAccessModes(modes, path.child("accessModes")));
  if (spec.selector) errors.push(...validateLabelSelector(spec.selector, path.child("selector")));

  // Upstream reports a missing request at resources[storage], not under requests.
  const storagePath = path.child("resources").key("storage");
  const storage = spec.resources?.requests?.["storage"];
  if (storage === undefined) errors.push(required(storagePath));
  else {
    const q = parseListQuantity(storage, storagePath);
    if (isFieldError(q)) errors.push(q);
    else if (q.nanos <= 0n) errors.push(invalid(storagePath, storage, "must be greater than zero"));
  }

  if (spec.storageClassName)
    errors.push(...validateClassName(spec.storageClassName, path.child("storageClassName")));
  if (
    spec.volumeMode !== undefined &&
    !(VOLUME_MODES as readonly string[]).includes(spec.volumeMode)
  ) {
    errors.push(notSupported(path.child("volumeMode"), spec.volumeMode, VOLUME_MODES));
  }
  if (spec.dataSource)
    errors.push(...validateDataSource(spec.dataSource, path.child("dataSource")));
  if (spec.dataSourceRef)
    errors.push(...validateDataSource(spec.dataSourceRef, path.child("dataSourceRef")));
  if (spec.dataSourceRef?.namespace) {
    if (spec.dataSource) {
      errors.push(
        invalid(
          path,
          "dataSource",
          "may not be specified when dataSourceRef.namespace is specified",
        ),
      );
    }
  } else if (
    spec.dataSource &&
    spec.dataSourceRef &&
    !sameSource(spec.dataSource, spec.dataSourceRef)
  ) {
    errors.push(invalid(path, "dataSource", "must match dataSourceRef"));
  }
  if (spec.volumeAttributesClassName) {
    errors.push(
      ...validateClassName(spec.volumeAttributesClassName, path.child("volumeAttributesClassName")),
    );
  }
  return errors;
}

/** Defaults of a claim spec (Filesystem volumes), shared with claim templates. */
export function defaultPersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpecShape): void {
  spec.volumeMode ??= "Filesystem";
}

/** Fills whichever of dataSource and dataSourceRef is missing from the other, as upstream does on create. */
function normalizeDataSources(spec: PersistentVolumeClaimSpecShape): void {
  if (spec.dataSource && !spec.dataSourceRef) {
    spec.dataSourceRef = { ...spec.dataSource };
  } else if (spec.dataSourceRef && !spec.dataSource && !spec.dataSourceRef.namespace) {
    const { namespace: _namespace, ...local } = spec.dataSourceRef;
    spec.dataSource = local;
  }
}

function validateClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errors: FieldError[] = [];
  const spec = copyJson(pvc.spec ?? {});
  const before = copyJson(old.spec ?? {});

  // The binder sets the volume name once.
  if (!before.volumeName && spec.volumeName !== undefined) before.volumeName = spec.volumeName;
  const oldAnnotation = old.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  const newAnnotation = pvc.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  const newClass = spec.storageClassName;
  const setsClass = before.storageClassName === undefined && newClass !== undefined;
  if (
    oldAnnotation !== undefined &&
    newAnnotation === oldAnnotation &&
    setsClass &&
    newClass === oldAnnotation
  ) {
    // Moving the class from the beta annotation to the field is allowed.
    before.storageClassName = newClass;
  } else {
    if (newAnnotation !== oldAnnotation) {
      const path = root("metadata").child("annotations").child(BETA_STORAGE_CLASS_ANNOTATION);
      errors.push(immutable(path, newAnnotation ?? ""));
    }
    // A claim without a class may get one later, so that a default class applies retroactively.
    if (oldAnnotation === undefined && setsClass) before.storageClassName = newClass;
  }
  // Bound claims may change their requested storage: that is how volumes are expanded.
  if (pvc.status?.phase === "Bound" && spec.resources?.requests) {
    const oldStorage = before.resources?.requests?.["storage"];
    if (oldStorage === undefined) delete spec.resources.requests["storage"];
    else spec.resources.requests["storage"] = oldStorage;
  }
  // A bound claim may change its attributes class, to modify its volume in place.
  const newAttributesClass = spec.volumeAttributesClassName;
  if (pvc.status?.phase === "Bound" && newAttributesClass !== undefined) {
    before.volumeAttributesClassName = newAttributesClass;
  }
  if (!sameValue(spec, before)) {
    errors.push(
      forbidden(
        root("spec"),
        "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
      ),
    );
  }

  const newSize = pvc.spec?.resources?.requests?.["storage"];
  const oldSize = old.spec?.resources?.requests?.["storage"];
  if (newSize !== undefined && oldSize !== undefined) {
    const a = parseListQuantity(newSize, root());
    const b = parseListQuantity(oldSize, root());
    if (!isFieldError(a) && !isFieldError(b) && compareQuantities(a, b) < 0) {
      const capacity = old.status?.capacity?.["storage"];
      const c = capacity === undefined ? undefined : parseListQuantity(capacity, root());
      // Shrinking back towards the real capacity recovers from a failed expansion; below it is refused.
      if (c && !isFieldError(c) && compareQuantities(a, c) <= 0) {
        errors.push(
          forbidden(
            root("spec").child("resources").child("requests").child("storage"),
            "field can not be less than status.capacity",
          ),
        );
      }
    }
  }
  if ((pvc.spec?.volumeMode ?? "") !== (old.spec?.volumeMode ?? "")) {
    errors.push(immutable(root("volumeMode"), pvc.spec?.volumeMode));
  }
  return errors;
}

function validateClaimStatus(pvc: PersistentVolumeClaim): FieldError[] {
  const errors: FieldError[] = [];
  const status = root("status");
  for (const field of ["capacity", "allocatedResources"] as const) {
    for (const [name, value] of Object.entries(pvc.status?.[field] ?? {})) {
      const q = parseListQuantity(value, status.child(field).key(name));
      if (isFieldError(q)) errors.push(q);
      else if (q.nanos < 0n)
        errors.push(
          invalid(status.child(field).key(name), value, "must be greater than or equal to 0"),
        );
    }
  }
  errors.push(...validateAccessModes(pvc.status?.accessModes ?? [], status.child("accessModes")));
  return errors;
}

export const persistentVolumeClaims = defineResource<PersistentVolumeClaim>({
  group: "",
  version: "v1",
  kind: "PersistentVolumeClaim",
  plural: "persistentvolumeclaims",
  singular: "persistentvolumeclaim",
  shortNames: ["pvc"],
  namespaced: true,
  schema: `${CORE}.PersistentVolumeClaim`,
  statusSubresource: true,
  columns: [
    {
      name: "Status",
      type: "string",
      description: "Phase of the claim.",
      priority: 0,
      cell: (pvc) => (pvc.metadata.deletionTimestamp ? "Terminating" : (pvc.status?.phase ?? "")),
    },
    {
      name: "Volume",
      type: "string",
      description: "The volume bound to the claim.",
      priority: 0,
      cell: (pvc) => pvc.spec?.volumeName ?? "",
    },
    {
      name: "Capacity",
      type: "string",
      description: "Size of the bound volume.",
      priority: 0,
      cell: (pvc) => (pvc.spec?.volumeName ? quantityText(pvc.status?.capacity?.["storage"]) : ""),
    },
    {
      name: "Access Modes",
      type: "string",
      description: "Access modes of the bound volume.",
      priority: 0,
      cell: (pvc) => (pvc.spec?.volumeName ? accessModesText(pvc.status?.accessModes) : ""),
    },
    {
      name: "StorageClass",
      type: "string",
      description: "Storage class of the claim.",
      priority: 0,
      cell: (pvc) => storageClassOf(pvc, pvc.spec?.storageClassName),
    },
    {
      name: "VolumeAttributesClass",
      type: "string",
      description: "Volume attributes class of the claim.",
      priority: 0,
      cell: (pvc) => pvc.spec?.volumeAttributesClassName ?? "<unset>",
    },
    ageColumn(),
    {
      name: "VolumeMode",
      type: "string",
      description: "Filesystem or Block.",
      priority: 1,
      cell: (pvc) => pvc.spec?.volumeMode ?? "<unset>",
    },
  ],
  // Upstream still answers the pre-metadata spelling of the name selector.
  fieldSelectors: { name: (pvc) => pvc.metadata.name },
  defaults: (pvc) => defaultPersistentVolumeClaimSpec((pvc.spec ??= {})),
  prepareForCreate: (pvc) => {
    pvc.status = { phase: "Pending" };
    normalizeDataSources((pvc.spec ??= {}));
  },
  validate: (pvc) => validatePersistentVolumeClaimSpec(pvc.spec ?? {}, root("spec")),
  validateUpdate: validateClaimUpdate,
  validateStatusUpdate: validateClaimStatus,
});
