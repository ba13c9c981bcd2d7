/** ReplicaSet (apps/v1): keeps a number of identical pods running. */
import { ageColumn } from "../../columns.js";
import { defaultPodTemplateSpec, type PodTemplateSpec } from "../../core/v1/pod-spec.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject, LabelSelector } from "../../meta/types.js";
import { LabelSelector as LabelSelectorSchema, objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { defineType, f, int32, int64, keyedList, ref, string, time } from "../../schema.js";
import { root, type Path } from "../../validation.js";
import {
  containerColumns,
  count,
  selectorColumn,
  validateAlwaysRunningTemplate,
  validateNonNegative,
  validateNotAbove,
  validateRequiredSelector,
  validateSelectorMatchesTemplate,
  validateSelectorUnchanged,
} from "./workload.js";

/** The desired state of a ReplicaSet. */
export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelector;
  template?: PodTemplateSpec;
}

/** One aspect of a ReplicaSet's state. */
export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The observed state of a ReplicaSet. */
export interface ReplicaSetStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  terminatingReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

/** A ReplicaSet as stored and served. */
export interface ReplicaSet extends KubeObject {
  spec?: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

const APPS = "io.k8s.api.apps.v1";

const ReplicaSetSpecSchema = defineType({
  name: `${APPS}.ReplicaSetSpec`,
  description: "The desired state of a ReplicaSet.",
  fields: {
    replicas: f(int32(), 1, "Desired number of pods; defaults to 1.", { pointer: true }),
    minReadySeconds: f(
      int32(),
      4,
      "Seconds a new pod must be ready, without crashing, to count as available.",
    ),
    selector: f(
      LabelSelectorSchema,
      2,
      "Label query over the pods this ReplicaSet counts; must match the template's labels.",
      { required: true },
    ),
    template: f(
      ref("io.k8s.api.core.v1.PodTemplateSpec"),
      3,
      "The pods to create when there are too few.",
    ),
  },
});

const ReplicaSetConditionSchema = defineType({
  name: `${APPS}.ReplicaSetCondition`,
  description: "One aspect of a ReplicaSet's state at a point in time.",
  fields: {
    type: f(string(), 1, "Type of condition, such as ReplicaFailure.", { required: true }),
    status: f(string(), 2, "True, False or Unknown.", { required: true }),
    lastTransitionTime: f(time(), 3, "When the condition last changed status."),
    reason: f(string(), 4, "Machine-readable reason for the last transition."),
    message: f(string(), 5, "Human-readable details of the last transition."),
  },
});

const ReplicaSetStatusSchema = defineType({
  name: `${APPS}.ReplicaSetStatus`,
  description: "The observed state of a ReplicaSet.",
  fields: {
    replicas: f(int32(), 1, "Non-terminating pods that match the selector.", { required: true }),
    fullyLabeledReplicas: f(int32(), 2, "Pods whose labels match the template's labels."),
    readyReplicas: f(int32(), 4, "Pods targeted by this ReplicaSet that are ready."),
    availableReplicas: f(int32(), 5, "Pods that have been ready for at least minReadySeconds."),
    terminatingReplicas: f(
      int32(),
      7,
      "Pods being terminated that still belong to this ReplicaSet.",
      { pointer: true },
    ),
    observedGeneration: f(int64(), 3, "The generation the controller last acted on."),
    conditions: f(
      keyedList(ReplicaSetConditionSchema, ["type"], { mergeKey: "type" }),
      6,
      "The latest observations of the ReplicaSet's state.",
    ),
  },
});

defineType({
  name: `${APPS}.ReplicaSet`,
  description: "Keeps a given number of pods matching a selector running.",
  gvk: { group: "apps", version: "v1", kind: "ReplicaSet" },
  fields: {
    ...objectFields(),
    spec: f(ReplicaSetSpecSchema, 2, "The desired behaviour of the ReplicaSet."),
    status: f(ReplicaSetStatusSchema, 3, "The most recently observed state of the ReplicaSet."),
  },
});

/** Fills in upstream's defaults: one replica, and the pod template's defaults. */
export function defaultReplicaSet(rs: ReplicaSet): void {
  const spec = (rs.spec ??= {});
  spec.replicas ??= 1;
  defaultPodTemplateSpec((spec.template ??= {}));
}

/** Checks a ReplicaSet's spec (upstream's ValidateReplicaSetSpec). */
export function validateReplicaSetSpec(spec: ReplicaSetSpec | undefined, path: Path): FieldError[] {
  const s = spec ?? {};
  const errors = validateNonNegative(s.replicas, path.child("replicas"));
  errors.push(...validateNonNegative(s.minReadySeconds, path.child("minReadySeconds")));
  // Upstream's message names deployments here too; kept for clients that match on it.
  errors.push(...validateRequiredSelector(s.selector, path.child("selector"), "deployment"));
  const templatePath = path.child("template");
  errors.push(
    ...validateSelectorMatchesTemplate(s.selector, s.template, {
      selector: path.child("selector"),
      template: templatePath,
    }),
  );
  errors.push(...validateAlwaysRunningTemplate(s.template, templatePath, "ReplicaSet"));
  return errors;
}

function validateReplicaSetStatus(status: ReplicaSetStatus | undefined, path: Path): FieldError[] {
  const s = status ?? {};
  const errors: FieldError[] = [];
  for (const name of [
    "replicas",
    "fullyLabeledReplicas",
    "readyReplicas",
    "availableReplicas",
    "observedGeneration",
  ] as const) {
    errors.push(...validateNonNegative(s[name], path.child(name)));
  }
  errors.push(
    ...validateNotAbove(
      s,
      ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"],
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
      "cannot be greater than readyReplicas",
    ),
  );
  return errors;
}

/** The resource definition of apps/v1 ReplicaSet. */
export const replicaSets = defineResource<ReplicaSet>({
  group: "apps",
  version: "v1",
  kind: "ReplicaSet",
  plural: "replicasets",
  singular: "replicaset",
  shortNames: ["rs"],
  categories: ["all"],
  namespaced: true,
  schema: `${APPS}.ReplicaSet`,
  statusSubresource: true,
  scale: {
    specReplicasPath: "spec.replicas",
    statusReplicasPath: "status.replicas",
    labelSelectorPath: "status.selector",
  },
  tracksGeneration: true,
  columns: [
    {
      name: "Desired",
      type: "integer",
      description: "Desired number of pods.",
      priority: 0,
      cell: (rs) => count(rs.spec?.replicas),
    },
    {
      name: "Current",
      type: "integer",
      description: "Non-terminating pods that match the selector.",
      priority: 0,
      cell: (rs) => count(rs.status?.replicas),
    },
    {
      name: "Ready",
      type: "integer",
      description: "Pods that are ready.",
      priority: 0,
      cell: (rs) => count(rs.status?.readyReplicas),
    },
    ageColumn(),
    ...containerColumns<ReplicaSet>((rs) => rs.spec?.template),
    selectorColumn<ReplicaSet>(
      (rs) => rs.spec?.selector,
      "Label query over the pods of the ReplicaSet.",
    ),
  ],
  defaults: defaultReplicaSet,
  validate: (rs) => validateReplicaSetSpec(rs.spec, root("spec")),
  validateUpdate: (rs, old) =>
    validateSelectorUnchanged(
      rs.spec?.selector,
      old.spec?.selector,
      root("spec").child("selector"),
    ),
  validateStatusUpdate: (rs) => validateReplicaSetStatus(rs.status, root("status")),
});
