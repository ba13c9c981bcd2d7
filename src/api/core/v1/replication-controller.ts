/** ReplicationController (core/v1): keeps a number of pods matching a label selector running. */
import { ageColumn, formatLabels } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { defineType, f, int32, int64, keyedList, string, stringMap, time } from "../../schema.js";
import { forbidden, invalid, notSupported, required, root, type Path } from "../../validation.js";
import { isSet, nonNegative } from "./pod-checks.js";
import {
  defaultPodTemplateSpec,
  validatePodTemplateSpec,
  type PodTemplateSpec,
} from "./pod-spec.js";
import { PodTemplateSpec as PodTemplateSpecSchema } from "./pod-spec-types.js";
import { containerNamesAndImages } from "./pod-template.js";

export interface ReplicationControllerSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: Record<string, string>;
  template?: PodTemplateSpec;
}

export interface ReplicationControllerCondition {
  type?: string;
  status?: string;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
}

export interface ReplicationControllerStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicationControllerCondition[];
}

export interface ReplicationController extends KubeObject {
  spec?: ReplicationControllerSpec;
  status?: ReplicationControllerStatus;
}

const CORE = "io.k8s.api.core.v1";

const ReplicationControllerSpecSchema = defineType({
  name: `${CORE}.ReplicationControllerSpec`,
  description:
    "How many pods a replication controller keeps, which pods it counts and how it makes new ones.",
  fields: {
    replicas: f(int32(), 1, "Number of pods to keep running; 1 by default.", { pointer: true }),
    minReadySeconds: f(
      int32(),
      4,
      "Seconds a new pod must be ready without crashing to count as available.",
    ),
    selector: f(
      stringMap(),
      2,
      "Labels of the pods the controller counts; the template's labels by default.",
    ),
    template: f(PodTemplateSpecSchema, 3, "The pods to create when there are too few."),
  },
});

const ReplicationControllerCondition = defineType({
  name: `${CORE}.ReplicationControllerCondition`,
  description: "One aspect of a replication controller's state.",
  fields: {
    type: f(string(), 1, "Type of the condition, such as ReplicaFailure.", { required: true }),
    status: f(string(), 2, "True, False or Unknown.", { required: true }),
    lastTransitionTime: f(time(), 3, "When the condition last changed status."),
    reason: f(string(), 4, "Machine-readable reason for the last transition."),
    message: f(string(), 5, "Human-readable details of the last transition."),
  },
});

const ReplicationControllerStatusSchema = defineType({
  name: `${CORE}.ReplicationControllerStatus`,
  description: "The most recently observed state of a replication controller.",
  fields: {
    replicas: f(int32(), 1, "Number of pods the controller currently has.", { required: true }),
    fullyLabeledReplicas: f(int32(), 2, "Pods whose labels match the template's labels."),
    readyReplicas: f(int32(), 4, "Pods that are ready."),
    availableReplicas: f(int32(), 5, "Pods that have been ready for at least minReadySeconds."),
    observedGeneration: f(int64(), 3, "The generation of the spec the controller last acted on."),
    conditions: f(
      keyedList(ReplicationControllerCondition, ["type"], { mergeKey: "type" }),
      6,
      "Current conditions of the controller.",
    ),
  },
});

defineType({
  name: `${CORE}.ReplicationController`,
  description: "Keeps a given number of pods that match a label selector running.",
  gvk: { group: "", version: "v1", kind: "ReplicationController" },
  fields: {
    ...objectFields(),
    spec: f(ReplicationControllerSpecSchema, 2, "The desired pods."),
    status: f(
      ReplicationControllerStatusSchema,
      3,
      "The observed state; written by the controller.",
    ),
  },
});

/**
 * Upstream's defaults: selector and object labels from the template, one replica, template
 * defaults.
 */
function defaultReplicationController(rc: ReplicationController): void {
  if (typeof rc.spec !== "object" || rc.spec === null) rc.spec = {};
  const spec = rc.spec;
  const templateLabels = spec.template?.metadata?.labels;
  if (isSet(templateLabels)) {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...templateLabels };
    if (Object.keys(rc.metadata.labels ?? {}).length === 0)
      rc.metadata.labels = { ...templateLabels };
  }
  if (typeof spec.replicas !== "number") spec.replicas = 1;
  if (typeof spec.template === "object" && spec.template !== null)
    defaultPodTemplateSpec(spec.template);
}

function selectorMatches(
  selector: Record<string, string>,
  labels: Record<string, string> | undefined,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function validateSpec(spec: ReplicationControllerSpec, path: Path): FieldError[] {
  const errors = nonNegative(spec.minReadySeconds, path.child("minReadySeconds"));
  const selector = spec.selector ?? {};
  if (Object.keys(selector).length === 0) errors.push(required(path.child("selector")));
  errors.push(...nonNegative(spec.replicas, path.child("replicas")));

  const template = spec.template;
  const tp = path.child("template");
  if (!isSet(template)) return [...errors, required(tp)];
  const labels = template?.metadata?.labels;
  if (Object.keys(selector).length > 0 && !selectorMatches(selector, labels)) {
    errors.push(
      invalid(
        tp.child("metadata").child("labels"),
        labels ?? null,
        "`selector` does not match template `labels`",
      ),
    );
  }
  errors.push(...validatePodTemplateSpec(template ?? {}, tp));
  const restartPolicy = template?.spec?.restartPolicy ?? "";
  if (restartPolicy !== "Always")
    errors.push(notSupported(tp.child("spec").child("restartPolicy"), restartPolicy, ["Always"]));
  if (isSet(template?.spec?.activeDeadlineSeconds)) {
    errors.push(
      forbidden(
        tp.child("spec").child("activeDeadlineSeconds"),
        "may not be set in a ReplicationController",
      ),
    );
  }
  return errors;
}

function validateStatus(status: ReplicationControllerStatus, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of [
    "replicas",
    "fullyLabeledReplicas",
    "readyReplicas",
    "availableReplicas",
    "observedGeneration",
  ] as const) {
    errors.push(...nonNegative(status[field], path.child(field)));
  }
  const replicas = status.replicas ?? 0;
  for (const field of ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"] as const) {
    const value = status[field] ?? 0;
    if (value > replicas)
      errors.push(invalid(path.child(field), value, "may not be greater than status.replicas"));
  }
  if ((status.availableReplicas ?? 0) > (status.readyReplicas ?? 0)) {
    errors.push(
      invalid(
        path.child("availableReplicas"),
        status.availableReplicas ?? 0,
        "may not be greater than readyReplicas",
      ),
    );
  }
  return errors;
}

export const replicationControllers = defineResource<ReplicationController>({
  group: "",
  version: "v1",
  kind: "ReplicationController",
  plural: "replicationcontrollers",
  singular: "replicationcontroller",
  shortNames: ["rc"],
  categories: ["all"],
  namespaced: true,
  schema: "io.k8s.api.core.v1.ReplicationController",
  statusSubresource: true,
  // TODO: the Scale's status.selector should be formatted from spec.selector, which
  // ScaleSubresource cannot express yet; without it `kubectl scale` works but an autoscaler sees no
  // selector.
  scale: { specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas" },
  tracksGeneration: true,
  columns: [
    {
      name: "Desired",
      type: "integer",
      description: "Number of pods the controller should keep.",
      priority: 0,
      cell: (rc) => rc.spec?.replicas ?? 0,
    },
    {
      name: "Current",
      type: "integer",
      description: "Number of pods the controller has.",
      priority: 0,
      cell: (rc) => rc.status?.replicas ?? 0,
    },
    {
      name: "Ready",
      type: "integer",
      description: "Number of the controller's pods that are ready.",
      priority: 0,
      cell: (rc) => rc.status?.readyReplicas ?? 0,
    },
    ageColumn(),
    {
      name: "Containers",
      type: "string",
      description: "Names of the containers in the pod template.",
      priority: 1,
      cell: (rc) => containerNamesAndImages(rc.spec?.template).names,
    },
    {
      name: "Images",
      type: "string",
      description: "Images of the containers in the pod template.",
      priority: 1,
      cell: (rc) => containerNamesAndImages(rc.spec?.template).images,
    },
    {
      name: "Selector",
      type: "string",
      description: "Labels of the pods the controller counts.",
      priority: 1,
      cell: (rc) => formatLabels(rc.spec?.selector) || "<none>",
    },
  ],
  fieldSelectors: {
    "status.replicas": (rc) => String(rc.status?.replicas ?? 0),
  },
  defaults: defaultReplicationController,
  prepareForCreate: (rc) => {
    rc.status = { replicas: 0 };
  },
  validate: (rc) => validateSpec(rc.spec ?? {}, root("spec")),
  validateStatusUpdate: (rc) => validateStatus(rc.status ?? {}, root("status")),
});
