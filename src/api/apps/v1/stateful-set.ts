/** StatefulSet (apps/v1): pods with stable names and storage, created and updated in order. */
import { ageColumn } from "../../columns.js";
import {
  defaultPersistentVolumeClaimSpec,
  type PersistentVolumeClaimSpecShape,
} from "../../core/v1/persistent-volume-claim.js";
import { defaultPodTemplateSpec, type PodTemplateSpec } from "../../core/v1/pod-spec.js";
import { sameValue } from "../../core/v1/same-value.js";
import type { FieldError } from "../../errors.js";
import {
  intOrPercentValue,
  validateNonNegativeIntOrPercent,
  validateNotMoreThan100Percent,
  type IntOrString,
} from "../../int-or-string.js";
import type { KubeObject, LabelSelector } from "../../meta/types.js";
import { LabelSelector as LabelSelectorSchema, objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import {
  defineType,
  f,
  int32,
  int64,
  intOrString,
  keyedList,
  list,
  ref,
  string,
  time,
} from "../../schema.js";
import {
  checkDNS1123Label,
  forbidden,
  invalid,
  notSupported,
  required,
  root,
  validateAnnotations,
  validateLabels,
  type Path,
} from "../../validation.js";
import {
  containerColumns,
  count,
  validateAlwaysRestart,
  validateCollisionCount,
  validateNonNegative,
  validateNotAbove,
  validateRequiredSelector,
  validateSelectorMatchesTemplate,
} from "./workload.js";

/** The parameters of a StatefulSet's rolling update. */
export interface RollingUpdateStatefulSetStrategy {
  partition?: number;
  maxUnavailable?: IntOrString;
}

/** How a StatefulSet replaces its pods when the template changes. */
export interface StatefulSetUpdateStrategy {
  /** `RollingUpdate` (the default) or `OnDelete`. */
  type?: string;
  rollingUpdate?: RollingUpdateStatefulSetStrategy;
}

/** Whether a StatefulSet's claims outlive its pods. */
export interface StatefulSetPersistentVolumeClaimRetentionPolicy {
  whenDeleted?: string;
  whenScaled?: string;
}

/**
 * The parts of a claim template that defaulting touches; the rest is core/v1
 * PersistentVolumeClaim's.
 */
export interface ClaimTemplate extends KubeObject {
  spec?: PersistentVolumeClaimSpecShape;
  status?: { phase?: string; [field: string]: unknown };
}

/** The desired state of a StatefulSet. */
export interface StatefulSetSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplateSpec;
  /** PersistentVolumeClaims to create for each pod; their shape is core/v1's. */
  volumeClaimTemplates?: ClaimTemplate[];
  serviceName?: string;
  podManagementPolicy?: string;
  updateStrategy?: StatefulSetUpdateStrategy;
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  persistentVolumeClaimRetentionPolicy?: StatefulSetPersistentVolumeClaimRetentionPolicy;
  ordinals?: { start?: number };
}

/** One aspect of a StatefulSet's state. */
export interface StatefulSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The observed state of a StatefulSet. */
export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: StatefulSetCondition[];
  availableReplicas?: number;
}

/** A StatefulSet as stored and served. */
export interface StatefulSet extends KubeObject {
  spec?: StatefulSetSpec;
  status?: StatefulSetStatus;
}

const APPS = "io.k8s.api.apps.v1";

const RollingUpdateStatefulSetStrategySchema = defineType({
  name: `${APPS}.RollingUpdateStatefulSetStrategy`,
  description: "Parameters of a StatefulSet's rolling update.",
  fields: {
    partition: f(
      int32(),
      1,
      "Pods with an ordinal at or above this are updated; lower ones keep the old template.",
      { pointer: true },
    ),
    maxUnavailable: f(
      intOrString(),
      2,
      "Pods that may be unavailable during the update: a number or a percentage; defaults to 1.",
      { pointer: true },
    ),
  },
});

const StatefulSetUpdateStrategySchema = defineType({
  name: `${APPS}.StatefulSetUpdateStrategy`,
  description: "How the StatefulSet controller replaces pods when the template changes.",
  fields: {
    type: f(
      string({ enum: ["OnDelete", "RollingUpdate"] }),
      1,
      "RollingUpdate (the default) or OnDelete.",
    ),
    rollingUpdate: f(
      RollingUpdateStatefulSetStrategySchema,
      2,
      "Parameters of a rolling update; only with type RollingUpdate.",
    ),
  },
});

const RetentionPolicySchema = defineType({
  name: `${APPS}.StatefulSetPersistentVolumeClaimRetentionPolicy`,
  description: "What happens to the claims made from volumeClaimTemplates.",
  fields: {
    whenDeleted: f(
      string(),
      1,
      "Retain (the default) or Delete the claims when the StatefulSet is deleted.",
    ),
    whenScaled: f(
      string(),
      2,
      "Retain (the default) or Delete the claims of pods removed by scaling down.",
    ),
  },
});

const OrdinalsSchema = defineType({
  name: `${APPS}.StatefulSetOrdinals`,
  description: "How the StatefulSet numbers its pods.",
  fields: {
    start: f(int32(), 1, "The number of the first pod; defaults to 0."),
  },
});

const StatefulSetSpecSchema = defineType({
  name: `${APPS}.StatefulSetSpec`,
  description: "The desired state of a StatefulSet.",
  fields: {
    replicas: f(int32(), 1, "Desired number of pods; defaults to 1.", { pointer: true }),
    selector: f(
      LabelSelectorSchema,
      2,
      "Label query over the pods of the StatefulSet; must match the template's labels.",
      { required: true },
    ),
    template: f(
      ref("io.k8s.api.core.v1.PodTemplateSpec"),
      3,
      "The pods to create, each with a unique, stable identity.",
      { required: true },
    ),
    volumeClaimTemplates: f(
      list(ref("io.k8s.api.core.v1.PersistentVolumeClaim")),
      4,
      "Claims each pod gets, one per template, mounted by matching a volume name in the pod template.",
    ),
    serviceName: f(string(), 5, "The headless Service that gives the pods their DNS names."),
    podManagementPolicy: f(
      string({ enum: ["OrderedReady", "Parallel"] }),
      6,
      "OrderedReady (the default) or Parallel pod creation and deletion.",
    ),
    updateStrategy: f(
      StatefulSetUpdateStrategySchema,
      7,
      "How pods are replaced when the template changes.",
    ),
    revisionHistoryLimit: f(int32(), 8, "Old revisions kept in the history; defaults to 10.", {
      pointer: true,
    }),
    minReadySeconds: f(
      int32(),
      9,
      "Seconds a new pod must be ready, without crashing, to count as available.",
    ),
    persistentVolumeClaimRetentionPolicy: f(
      RetentionPolicySchema,
      10,
      "Whether claims are kept or deleted when pods go away.",
    ),
    ordinals: f(OrdinalsSchema, 11, "How pods are numbered."),
  },
});

const StatefulSetConditionSchema = defineType({
  name: `${APPS}.StatefulSetCondition`,
  description: "One aspect of a StatefulSet's state at a point in time.",
  fields: {
    type: f(string(), 1, "Type of condition.", { required: true }),
    status: f(string(), 2, "True, False or Unknown.", { required: true }),
    lastTransitionTime: f(time(), 3, "When the condition last changed status."),
    reason: f(string(), 4, "Machine-readable reason for the last transition."),
    message: f(string(), 5, "Human-readable details of the last transition."),
  },
});

const StatefulSetStatusSchema = defineType({
  name: `${APPS}.StatefulSetStatus`,
  description: "The observed state of a StatefulSet.",
  fields: {
    observedGeneration: f(int64(), 1, "The generation the controller last acted on."),
    replicas: f(int32(), 2, "Pods created by the StatefulSet controller.", { required: true }),
    readyReplicas: f(int32(), 3, "Pods that are ready."),
    currentReplicas: f(int32(), 4, "Pods created from the currentRevision template."),
    updatedReplicas: f(int32(), 5, "Pods created from the updateRevision template."),
    currentRevision: f(string(), 6, "Revision of the template used for pods below the partition."),
    updateRevision: f(string(), 7, "Revision of the template that updated pods run."),
    collisionCount: f(
      int32(),
      9,
      "Count of hash collisions, used to name new revisions uniquely.",
      { pointer: true },
    ),
    conditions: f(
      keyedList(StatefulSetConditionSchema, ["type"], { mergeKey: "type" }),
      10,
      "The latest observations of the StatefulSet's state.",
    ),
    availableReplicas: f(int32(), 11, "Pods that have been ready for at least minReadySeconds."),
  },
});

defineType({
  name: `${APPS}.StatefulSet`,
  description: "Pods with stable identities and storage, managed in order.",
  gvk: { group: "apps", version: "v1", kind: "StatefulSet" },
  fields: {
    ...objectFields(),
    spec: f(StatefulSetSpecSchema, 2, "The desired behaviour of the StatefulSet."),
    status: f(StatefulSetStatusSchema, 3, "The most recently observed state of the StatefulSet."),
  },
});

/**
 * Fills in upstream's defaults: one replica, ordered pod management, a rolling update from
 * partition 0, claims retained, 10 old revisions, and the pod template's defaults.
 */
export function defaultStatefulSet(sts: StatefulSet): void {
  const spec = (sts.spec ??= {});
  spec.podManagementPolicy ||= "OrderedReady";
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) {
    strategy.type = "RollingUpdate";
    strategy.rollingUpdate ??= {};
  }
  if (strategy.type === "RollingUpdate" && strategy.rollingUpdate)
    strategy.rollingUpdate.partition ??= 0;
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  retention.whenDeleted ||= "Retain";
  retention.whenScaled ||= "Retain";
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec((spec.template ??= {}));
  // Claim templates get a claim's defaults, status included, as upstream defaults them.
  for (const claim of spec.volumeClaimTemplates ?? []) {
    defaultPersistentVolumeClaimSpec((claim.spec ??= {}));
    const status = (claim.status ??= {});
    status.phase ||= "Pending";
  }
}

function validateUpdateStrategy(
  strategy: StatefulSetUpdateStrategy | undefined,
  path: Path,
): FieldError[] {
  const ru = strategy?.rollingUpdate;
  switch (strategy?.type ?? "") {
    case "":
      return [required(path)];
    case "OnDelete":
      return ru
        ? [
            invalid(
              path.child("rollingUpdate"),
              ru,
              "only allowed for updateStrategy 'RollingUpdate'",
            ),
          ]
        : [];
    case "RollingUpdate": {
      if (!ru) return [];
      const p = path.child("rollingUpdate");
      const errors = validateNonNegative(ru.partition, p.child("partition"));
      if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
        const mu = p.child("maxUnavailable");
        errors.push(...validateNonNegativeIntOrPercent(ru.maxUnavailable, mu));
        if (intOrPercentValue(ru.maxUnavailable) === 0)
          errors.push(invalid(mu, ru.maxUnavailable, "cannot be 0"));
        errors.push(...validateNotMoreThan100Percent(ru.maxUnavailable, mu));
      }
      return errors;
    }
    default:
      return [invalid(path, strategy, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

function validateRetention(
  policy: StatefulSetPersistentVolumeClaimRetentionPolicy | undefined,
  path: Path,
): FieldError[] {
  if (!policy) return [];
  const errors: FieldError[] = [];
  for (const name of ["whenDeleted", "whenScaled"] as const) {
    const value = policy[name];
    if (value !== "Retain" && value !== "Delete") {
      errors.push(notSupported(path.child(name), value ?? "", ["Retain", "Delete"]));
    }
  }
  return errors;
}

/** Checks a StatefulSet's spec (upstream's ValidateStatefulSetSpec). */
export function validateStatefulSetSpec(
  spec: StatefulSetSpec | undefined,
  path: Path,
): FieldError[] {
  const s = spec ?? {};
  const errors: FieldError[] = [];
  const policy = s.podManagementPolicy ?? "";
  if (policy === "") errors.push(required(path.child("podManagementPolicy")));
  else if (policy !== "OrderedReady" && policy !== "Parallel") {
    errors.push(
      invalid(path.child("podManagementPolicy"), policy, "must be 'OrderedReady' or 'Parallel'"),
    );
  }
  errors.push(...validateUpdateStrategy(s.updateStrategy, path.child("updateStrategy")));
  errors.push(
    ...validateRetention(
      s.persistentVolumeClaimRetentionPolicy,
      path.child("persistentVolumeClaimRetentionPolicy"),
    ),
  );
  errors.push(...validateNonNegative(s.replicas, path.child("replicas")));
  errors.push(...validateNonNegative(s.minReadySeconds, path.child("minReadySeconds")));
  if (s.ordinals)
    errors.push(
      ...validateNonNegative(s.ordinals.start ?? 0, path.child("ordinals").child("start")),
    );
  errors.push(...validateRequiredSelector(s.selector, path.child("selector"), "statefulset"));

  // Upstream checks only the template's labels and annotations here, not its pod spec: the pod spec
  // would fail on volume mounts that name volumeClaimTemplates rather than pod volumes.
  const templatePath = path.child("template");
  errors.push(
    ...validateSelectorMatchesTemplate(
      s.selector,
      s.template,
      { selector: path.child("selector"), template: templatePath },
      "",
    ),
  );
  errors.push(...validateLabels(s.template?.metadata?.labels, templatePath.child("labels")));
  errors.push(
    ...validateAnnotations(s.template?.metadata?.annotations, templatePath.child("annotations")),
  );
  errors.push(...validateAlwaysRestart(s.template ?? {}, templatePath, "StatefulSet"));
  return errors;
}

/** The spec fields an update may change; every other field of the spec is fixed at creation. */
const MUTABLE_SPEC_FIELDS = [
  "replicas",
  "ordinals",
  "template",
  "updateStrategy",
  "persistentVolumeClaimRetentionPolicy",
  "minReadySeconds",
];

function validateStatefulSetUpdate(sts: StatefulSet, old: StatefulSet): FieldError[] {
  const fixed = (spec: StatefulSetSpec | undefined): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...spec };
    for (const name of MUTABLE_SPEC_FIELDS) delete copy[name];
    return copy;
  };
  if (sameValue(fixed(sts.spec), fixed(old.spec))) return [];
  return [
    forbidden(
      root("spec"),
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

function validateStatefulSetStatus(
  status: StatefulSetStatus | undefined,
  path: Path,
): FieldError[] {
  const s = status ?? {};
  const errors: FieldError[] = [];
  for (const name of [
    "replicas",
    "readyReplicas",
    "currentReplicas",
    "updatedReplicas",
    "availableReplicas",
    "observedGeneration",
    "collisionCount",
  ] as const) {
    errors.push(...validateNonNegative(s[name], path.child(name)));
  }
  errors.push(
    ...validateNotAbove(
      s,
      ["readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"],
      count(s.replicas),
      path,
      "cannot be greater than status.replicas",
    ),
  );
  errors.push(
    ...validateNotAbove(
      s,
      ["availableReplicas"],
      count(s.readyReplicas),
      path,
      "cannot be greater than status.readyReplicas",
    ),
  );
  return errors;
}

/** The resource definition of apps/v1 StatefulSet. */
export const statefulSets = defineResource<StatefulSet>({
  group: "apps",
  version: "v1",
  kind: "StatefulSet",
  plural: "statefulsets",
  singular: "statefulset",
  shortNames: ["sts"],
  categories: ["all"],
  namespaced: true,
  schema: `${APPS}.StatefulSet`,
  // Pod names and hostnames are the StatefulSet's name plus an ordinal, so it must be a DNS label.
  checkName: checkDNS1123Label,
  statusSubresource: true,
  scale: {
    specReplicasPath: "spec.replicas",
    statusReplicasPath: "status.replicas",
    labelSelectorPath: "status.selector",
  },
  tracksGeneration: true,
  columns: [
    {
      name: "Ready",
      type: "string",
      description: "Ready pods out of the desired number.",
      priority: 0,
      cell: (sts) => `${count(sts.status?.readyReplicas)}/${count(sts.spec?.replicas)}`,
    },
    ageColumn(),
    ...containerColumns<StatefulSet>((sts) => sts.spec?.template),
  ],
  defaults: defaultStatefulSet,
  validate: (sts) => validateStatefulSetSpec(sts.spec, root("spec")),
  validateUpdate: validateStatefulSetUpdate,
  validateStatusUpdate: (sts, old) => [
    ...validateStatefulSetStatus(sts.status, root("status")),
    ...validateCollisionCount(
      sts.status?.collisionCount,
      old.status?.collisionCount,
      root("status").child("collisionCount"),
    ),
  ],
});
