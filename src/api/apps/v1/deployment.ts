/** Deployment (apps/v1): declarative updates of replicated pods through ReplicaSets. */
import { ageColumn } from "../../columns.js";
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
  boolean,
  defineType,
  f,
  int32,
  int64,
  intOrString,
  keyedList,
  ref,
  string,
  time,
} from "../../schema.js";
import { labelSelectorFromObject } from "../../selectors/label-selector.js";
import { forbidden, invalid, notSupported, required, root, type Path } from "../../validation.js";
import {
  containerColumns,
  count,
  validateAlwaysRunningTemplate,
  validateCollisionCount,
  validateNonNegative,
  validateNotAbove,
  validateRequiredSelector,
  validateSelectorMatchesTemplate,
  validateSelectorUnchanged,
} from "./workload.js";

/** How far a Deployment's rolling update may go above and below the desired pods. */
export interface RollingUpdateDeployment {
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
}

/** How a Deployment replaces old pods with new ones. */
export interface DeploymentStrategy {
  /** `RollingUpdate` (the default) or `Recreate`. */
  type?: string;
  rollingUpdate?: RollingUpdateDeployment;
}

/** The desired state of a Deployment. */
export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplateSpec;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

/** One aspect of a Deployment's state. */
export interface DeploymentCondition {
  type: string;
  status: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The observed state of a Deployment. */
export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  terminatingReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

/** A Deployment as stored and served. */
export interface Deployment extends KubeObject {
  spec?: DeploymentSpec;
  status?: DeploymentStatus;
}

const APPS = "io.k8s.api.apps.v1";

const RollingUpdateDeploymentSchema = defineType({
  name: `${APPS}.RollingUpdateDeployment`,
  description: "How far a rolling update may go above and below the desired number of pods.",
  fields: {
    maxUnavailable: f(
      intOrString(),
      1,
      "Pods that may be unavailable during the update: a number or a percentage of replicas (rounded down).",
      { pointer: true },
    ),
    maxSurge: f(
      intOrString(),
      2,
      "Pods that may be created above the desired number: a number or a percentage of replicas (rounded up).",
      { pointer: true },
    ),
  },
});

const DeploymentStrategySchema = defineType({
  name: `${APPS}.DeploymentStrategy`,
  description: "How old pods are replaced by new ones.",
  fields: {
    type: f(
      string({ enum: ["Recreate", "RollingUpdate"] }),
      1,
      "Recreate or RollingUpdate (the default).",
    ),
    rollingUpdate: f(
      RollingUpdateDeploymentSchema,
      2,
      "Parameters of a rolling update; only with type RollingUpdate.",
    ),
  },
});

const DeploymentSpecSchema = defineType({
  name: `${APPS}.DeploymentSpec`,
  description: "The desired state of a Deployment.",
  fields: {
    replicas: f(int32(), 1, "Desired number of pods; defaults to 1.", { pointer: true }),
    selector: f(
      LabelSelectorSchema,
      2,
      "Label query over the pods this Deployment manages; must match the template's labels.",
      { required: true },
    ),
    template: f(
      ref("io.k8s.api.core.v1.PodTemplateSpec"),
      3,
      "The pods to create; its restart policy must be Always.",
      { required: true },
    ),
    strategy: f(DeploymentStrategySchema, 4, "How existing pods are replaced by new ones.", {
      patchStrategy: "retainKeys",
    }),
    minReadySeconds: f(
      int32(),
      5,
      "Seconds a new pod must be ready, without crashing, to count as available.",
    ),
    revisionHistoryLimit: f(int32(), 6, "Old ReplicaSets kept for rollback; defaults to 10.", {
      pointer: true,
    }),
    paused: f(boolean(), 7, "True to stop rolling out template changes."),
    progressDeadlineSeconds: f(
      int32(),
      9,
      "Seconds a rollout may make no progress before it is reported as failed; defaults to 600.",
      { pointer: true },
    ),
  },
});

const DeploymentConditionSchema = defineType({
  name: `${APPS}.DeploymentCondition`,
  description: "One aspect of a Deployment's state at a point in time.",
  fields: {
    type: f(string(), 1, "Type of condition: Available, Progressing or ReplicaFailure.", {
      required: true,
    }),
    status: f(string(), 2, "True, False or Unknown.", { required: true }),
    lastUpdateTime: f(time(), 6, "When the condition was last updated."),
    lastTransitionTime: f(time(), 7, "When the condition last changed status."),
    reason: f(string(), 4, "Machine-readable reason for the last transition."),
    message: f(string(), 5, "Human-readable details of the last transition."),
  },
});

const DeploymentStatusSchema = defineType({
  name: `${APPS}.DeploymentStatus`,
  description: "The observed state of a Deployment.",
  fields: {
    observedGeneration: f(int64(), 1, "The generation the controller last acted on."),
    replicas: f(int32(), 2, "Non-terminating pods targeted by this Deployment."),
    updatedReplicas: f(int32(), 3, "Non-terminating pods that have the current template."),
    readyReplicas: f(int32(), 7, "Pods targeted by this Deployment that are ready."),
    availableReplicas: f(int32(), 4, "Pods that have been ready for at least minReadySeconds."),
    unavailableReplicas: f(
      int32(),
      5,
      "Pods still needed for the Deployment to be fully available.",
    ),
    terminatingReplicas: f(
      int32(),
      9,
      "Pods being terminated that still count against the Deployment.",
      { pointer: true },
    ),
    conditions: f(
      keyedList(DeploymentConditionSchema, ["type"], { mergeKey: "type" }),
      6,
      "The latest observations of the Deployment's state.",
    ),
    collisionCount: f(
      int32(),
      8,
      "Count of hash collisions, used to name new ReplicaSets uniquely.",
      { pointer: true },
    ),
  },
});

defineType({
  name: `${APPS}.Deployment`,
  description: "Declarative updates for pods and the ReplicaSets that run them.",
  gvk: { group: "apps", version: "v1", kind: "Deployment" },
  fields: {
    ...objectFields(),
    spec: f(DeploymentSpecSchema, 2, "The desired behaviour of the Deployment."),
    status: f(DeploymentStatusSchema, 3, "The most recently observed state of the Deployment."),
  },
});

/**
 * Fills in upstream's defaults: one replica, a 25%/25% rolling update, 10 old revisions, 600 s
 * deadline.
 */
export function defaultDeployment(d: Deployment): void {
  const spec = (d.spec ??= {});
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ||= "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const rollingUpdate = (strategy.rollingUpdate ??= {});
    rollingUpdate.maxUnavailable ??= "25%";
    rollingUpdate.maxSurge ??= "25%";
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplateSpec((spec.template ??= {}));
}

function validateStrategy(strategy: DeploymentStrategy | undefined, path: Path): FieldError[] {
  switch (strategy?.type) {
    case "Recreate":
      return strategy.rollingUpdate
        ? [
            forbidden(
              path.child("rollingUpdate"),
              "may not be specified when strategy `type` is 'Recreate'",
            ),
          ]
        : [];
    case "RollingUpdate": {
      const ru = strategy.rollingUpdate;
      if (!ru)
        return [required(path.child("rollingUpdate"), "this should be defaulted and never be nil")];
      const p = path.child("rollingUpdate");
      const errors = [
        ...validateNonNegativeIntOrPercent(ru.maxUnavailable, p.child("maxUnavailable")),
        ...validateNonNegativeIntOrPercent(ru.maxSurge, p.child("maxSurge")),
      ];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errors.push(
          invalid(
            p.child("maxUnavailable"),
            ru.maxUnavailable ?? 0,
            "may not be 0 when `maxSurge` is 0",
          ),
        );
      }
      errors.push(...validateNotMoreThan100Percent(ru.maxUnavailable, p.child("maxUnavailable")));
      return errors;
    }
    default:
      return [notSupported(path, strategy ?? null, ["Recreate", "RollingUpdate"])];
  }
}

/** Checks a Deployment's spec (upstream's ValidateDeploymentSpec). */
export function validateDeploymentSpec(spec: DeploymentSpec | undefined, path: Path): FieldError[] {
  const s = spec ?? {};
  const errors = validateNonNegative(s.replicas, path.child("replicas"));
  errors.push(...validateRequiredSelector(s.selector, path.child("selector"), "deployment"));
  const templatePath = path.child("template");
  errors.push(
    ...validateSelectorMatchesTemplate(s.selector, s.template, {
      selector: path.child("selector"),
      template: templatePath,
    }),
  );
  errors.push(...validateAlwaysRunningTemplate(s.template, templatePath, "Deployment"));
  errors.push(...validateStrategy(s.strategy, path.child("strategy")));
  errors.push(...validateNonNegative(s.minReadySeconds, path.child("minReadySeconds")));
  errors.push(...validateNonNegative(s.revisionHistoryLimit, path.child("revisionHistoryLimit")));
  if (s.progressDeadlineSeconds !== undefined && s.progressDeadlineSeconds !== null) {
    const deadlinePath = path.child("progressDeadlineSeconds");
    errors.push(...validateNonNegative(s.progressDeadlineSeconds, deadlinePath));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errors.push(
        invalid(deadlinePath, s.progressDeadlineSeconds, "must be greater than minReadySeconds"),
      );
    }
  }
  return errors;
}

function validateDeploymentStatus(status: DeploymentStatus | undefined, path: Path): FieldError[] {
  const s = status ?? {};
  const errors: FieldError[] = [];
  for (const name of [
    "observedGeneration",
    "replicas",
    "updatedReplicas",
    "readyReplicas",
    "availableReplicas",
    "unavailableReplicas",
    "collisionCount",
  ] as const) {
    errors.push(...validateNonNegative(s[name], path.child(name)));
  }
  const replicas = count(s.replicas);
  errors.push(
    ...validateNotAbove(
      s,
      ["updatedReplicas", "readyReplicas", "availableReplicas"],
      replicas,
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

function selectorText(d: Deployment): string {
  try {
    return labelSelectorFromObject(d.spec?.selector).toString();
  } catch {
    // kubectl shows an unreadable selector as <invalid> rather than failing the whole table.
    return "<invalid>";
  }
}

/** The resource definition of apps/v1 Deployment. */
export const deployments = defineResource<Deployment>({
  group: "apps",
  version: "v1",
  kind: "Deployment",
  plural: "deployments",
  singular: "deployment",
  shortNames: ["deploy"],
  categories: ["all"],
  namespaced: true,
  schema: `${APPS}.Deployment`,
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
      cell: (d) => `${count(d.status?.readyReplicas)}/${count(d.spec?.replicas)}`,
    },
    {
      name: "Up-to-date",
      type: "string",
      description: "Pods that run the current template.",
      priority: 0,
      cell: (d) => count(d.status?.updatedReplicas),
    },
    {
      name: "Available",
      type: "string",
      description: "Pods that have been ready for at least minReadySeconds.",
      priority: 0,
      cell: (d) => count(d.status?.availableReplicas),
    },
    ageColumn(),
    ...containerColumns<Deployment>((d) => d.spec?.template),
    {
      name: "Selector",
      type: "string",
      description: "Label query over the pods of the Deployment.",
      priority: 1,
      cell: selectorText,
    },
  ],
  defaults: defaultDeployment,
  prepareForUpdate: (d, old) => {
    // Annotations are copied to the ReplicaSets, so a change to them alone is a new generation too.
    if (
      sameValue(d.spec, old.spec) &&
      !sameValue(d.metadata.annotations, old.metadata.annotations)
    ) {
      d.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
  },
  validate: (d) => validateDeploymentSpec(d.spec, root("spec")),
  validateUpdate: (d, old) =>
    validateSelectorUnchanged(d.spec?.selector, old.spec?.selector, root("spec").child("selector")),
  validateStatusUpdate: (d, old) => [
    ...validateDeploymentStatus(d.status, root("status")),
    ...validateCollisionCount(
      d.status?.collisionCount,
      old.status?.collisionCount,
      root("status").child("collisionCount"),
    ),
  ],
});
