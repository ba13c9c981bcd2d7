/** DaemonSet (apps/v1): one pod on each eligible node. */
import { ageColumn, formatLabels } from "../../columns.js";
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
  ref,
  string,
  time,
} from "../../schema.js";
import {
  invalid,
  notSupported,
  required,
  root,
  validateLabelSelector,
  type Path,
} from "../../validation.js";
import {
  containerColumns,
  count,
  selectorColumn,
  validateAlwaysRunningTemplate,
  validateCollisionCount,
  validateNonNegative,
  validateSelectorMatchesTemplate,
  validateSelectorUnchanged,
} from "./workload.js";

/** How far a DaemonSet's rolling update may go below and above one pod per node. */
export interface RollingUpdateDaemonSet {
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
}

/** How a DaemonSet replaces its pods when the template changes. */
export interface DaemonSetUpdateStrategy {
  /** `RollingUpdate` (the default) or `OnDelete`. */
  type?: string;
  rollingUpdate?: RollingUpdateDaemonSet;
}

/** The desired state of a DaemonSet. */
export interface DaemonSetSpec {
  selector?: LabelSelector;
  template?: PodTemplateSpec;
  updateStrategy?: DaemonSetUpdateStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
}

/** One aspect of a DaemonSet's state. */
export interface DaemonSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The observed state of a DaemonSet. */
export interface DaemonSetStatus {
  currentNumberScheduled?: number;
  numberMisscheduled?: number;
  desiredNumberScheduled?: number;
  numberReady?: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: DaemonSetCondition[];
}

/** A DaemonSet as stored and served. */
export interface DaemonSet extends KubeObject {
  spec?: DaemonSetSpec;
  status?: DaemonSetStatus;
}

/**
 * The annotation in which apps/v1 keeps a DaemonSet's template generation: 1 on create, one more on
 * every template change. The DaemonSet controller labels pods with it.
 */
export const TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";

const APPS = "io.k8s.api.apps.v1";

const RollingUpdateDaemonSetSchema = defineType({
  name: `${APPS}.RollingUpdateDaemonSet`,
  description: "How far a DaemonSet's rolling update may go below and above one pod per node.",
  fields: {
    maxUnavailable: f(
      intOrString(),
      1,
      "Nodes whose pod may be unavailable during the update: a number or a percentage; defaults to 1.",
      { pointer: true },
    ),
    maxSurge: f(
      intOrString(),
      2,
      "Nodes that may run an old and a new pod at once: a number or a percentage; defaults to 0.",
      { pointer: true },
    ),
  },
});

const DaemonSetUpdateStrategySchema = defineType({
  name: `${APPS}.DaemonSetUpdateStrategy`,
  description: "How the DaemonSet controller replaces pods when the template changes.",
  fields: {
    type: f(
      string({ enum: ["OnDelete", "RollingUpdate"] }),
      1,
      "RollingUpdate (the default) or OnDelete.",
    ),
    rollingUpdate: f(
      RollingUpdateDaemonSetSchema,
      2,
      "Parameters of a rolling update; only with type RollingUpdate.",
    ),
  },
});

const DaemonSetSpecSchema = defineType({
  name: `${APPS}.DaemonSetSpec`,
  description: "The desired state of a DaemonSet.",
  fields: {
    selector: f(
      LabelSelectorSchema,
      1,
      "Label query over the pods of the DaemonSet; must match the template's labels.",
      { required: true },
    ),
    template: f(
      ref("io.k8s.api.core.v1.PodTemplateSpec"),
      2,
      "The pod to run on each eligible node; its restart policy must be Always.",
      { required: true },
    ),
    updateStrategy: f(
      DaemonSetUpdateStrategySchema,
      3,
      "How pods are replaced when the template changes.",
    ),
    minReadySeconds: f(
      int32(),
      4,
      "Seconds a new pod must be ready, without crashing, to count as available.",
    ),
    revisionHistoryLimit: f(int32(), 6, "Old revisions kept for rollback; defaults to 10.", {
      pointer: true,
    }),
  },
});

const DaemonSetConditionSchema = defineType({
  name: `${APPS}.DaemonSetCondition`,
  description: "One aspect of a DaemonSet's state at a point in time.",
  fields: {
    type: f(string(), 1, "Type of condition.", { required: true }),
    status: f(string(), 2, "True, False or Unknown.", { required: true }),
    lastTransitionTime: f(time(), 3, "When the condition last changed status."),
    reason: f(string(), 4, "Machine-readable reason for the last transition."),
    message: f(string(), 5, "Human-readable details of the last transition."),
  },
});

const DaemonSetStatusSchema = defineType({
  name: `${APPS}.DaemonSetStatus`,
  description: "The observed state of a DaemonSet.",
  fields: {
    currentNumberScheduled: f(
      int32(),
      1,
      "Nodes running at least one daemon pod that should run one.",
      { required: true },
    ),
    numberMisscheduled: f(int32(), 2, "Nodes running a daemon pod that should not run one.", {
      required: true,
    }),
    desiredNumberScheduled: f(int32(), 3, "Nodes that should run the daemon pod.", {
      required: true,
    }),
    numberReady: f(int32(), 4, "Nodes whose daemon pod is ready.", { required: true }),
    observedGeneration: f(int64(), 5, "The generation the controller last acted on."),
    updatedNumberScheduled: f(int32(), 6, "Nodes running the current template's pod."),
    numberAvailable: f(
      int32(),
      7,
      "Nodes whose daemon pod has been ready for at least minReadySeconds.",
    ),
    numberUnavailable: f(int32(), 8, "Nodes that should run an available daemon pod but do not."),
    collisionCount: f(
      int32(),
      9,
      "Count of hash collisions, used to name new revisions uniquely.",
      { pointer: true },
    ),
    conditions: f(
      keyedList(DaemonSetConditionSchema, ["type"], { mergeKey: "type" }),
      10,
      "The latest observations of the DaemonSet's state.",
    ),
  },
});

defineType({
  name: `${APPS}.DaemonSet`,
  description: "Runs a copy of a pod on each eligible node.",
  gvk: { group: "apps", version: "v1", kind: "DaemonSet" },
  fields: {
    ...objectFields(),
    spec: f(DaemonSetSpecSchema, 2, "The desired behaviour of the DaemonSet."),
    status: f(DaemonSetStatusSchema, 3, "The most recently observed state of the DaemonSet."),
  },
});

/**
 * Fills in upstream's defaults: a rolling update of one node at a time with no surge, 10 revisions.
 */
export function defaultDaemonSet(ds: DaemonSet): void {
  const spec = (ds.spec ??= {});
  const strategy = (spec.updateStrategy ??= {});
  strategy.type ||= "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec((spec.template ??= {}));
}

function validateUpdateStrategy(
  strategy: DaemonSetUpdateStrategy | undefined,
  path: Path,
): FieldError[] {
  switch (strategy?.type) {
    case "OnDelete":
      return [];
    case "RollingUpdate": {
      const ru = strategy.rollingUpdate;
      if (!ru) return [required(path.child("rollingUpdate"))];
      const p = path.child("rollingUpdate");
      const errors = [
        ...validateNonNegativeIntOrPercent(ru.maxUnavailable, p.child("maxUnavailable")),
        ...validateNonNegativeIntOrPercent(ru.maxSurge, p.child("maxSurge")),
        ...validateNotMoreThan100Percent(ru.maxUnavailable, p.child("maxUnavailable")),
        ...validateNotMoreThan100Percent(ru.maxSurge, p.child("maxSurge")),
      ];
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) {
        errors.push(
          invalid(
            p.child("maxSurge"),
            ru.maxSurge,
            "may not be set when maxUnavailable is non-zero",
          ),
        );
      } else if (!hasUnavailable && !hasSurge) {
        errors.push(required(p.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"));
      }
      return errors;
    }
    default:
      return [notSupported(path, strategy ?? null, ["RollingUpdate", "OnDelete"])];
  }
}

/** Checks a DaemonSet's spec (upstream's ValidateDaemonSetSpec). */
export function validateDaemonSetSpec(spec: DaemonSetSpec | undefined, path: Path): FieldError[] {
  const s = spec ?? {};
  const selectorPath = path.child("selector");
  const errors = validateLabelSelector(s.selector, selectorPath);
  const templatePath = path.child("template");
  errors.push(
    ...validateSelectorMatchesTemplate(
      s.selector,
      s.template,
      { selector: selectorPath, template: templatePath },
      null,
    ),
  );
  if (
    s.selector &&
    Object.keys(s.selector.matchLabels ?? {}).length +
      (s.selector.matchExpressions ?? []).length ===
      0
  ) {
    errors.push(invalid(selectorPath, s.selector, "empty selector is invalid for daemonset"));
  }
  errors.push(...validateAlwaysRunningTemplate(s.template, templatePath, "DaemonSet"));
  errors.push(...validateNonNegative(s.minReadySeconds, path.child("minReadySeconds")));
  errors.push(...validateUpdateStrategy(s.updateStrategy, path.child("updateStrategy")));
  errors.push(...validateNonNegative(s.revisionHistoryLimit, path.child("revisionHistoryLimit")));
  return errors;
}

function validateDaemonSetStatus(status: DaemonSetStatus | undefined, path: Path): FieldError[] {
  const s = status ?? {};
  const errors: FieldError[] = [];
  for (const name of [
    "currentNumberScheduled",
    "numberMisscheduled",
    "desiredNumberScheduled",
    "numberReady",
    "observedGeneration",
    "updatedNumberScheduled",
    "numberAvailable",
    "numberUnavailable",
    "collisionCount",
  ] as const) {
    errors.push(...validateNonNegative(s[name], path.child(name)));
  }
  return errors;
}

function templateGeneration(ds: DaemonSet): number {
  const n = Number(ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION]);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

function setTemplateGeneration(ds: DaemonSet, generation: number): void {
  if (generation <= 0) return;
  ds.metadata.annotations = {
    ...ds.metadata.annotations,
    [TEMPLATE_GENERATION_ANNOTATION]: String(generation),
  };
}

/** The resource definition of apps/v1 DaemonSet. */
export const daemonSets = defineResource<DaemonSet>({
  group: "apps",
  version: "v1",
  kind: "DaemonSet",
  plural: "daemonsets",
  singular: "daemonset",
  shortNames: ["ds"],
  categories: ["all"],
  namespaced: true,
  schema: `${APPS}.DaemonSet`,
  statusSubresource: true,
  tracksGeneration: true,
  columns: [
    {
      name: "Desired",
      type: "integer",
      description: "Nodes that should run the daemon pod.",
      priority: 0,
      cell: (ds) => count(ds.status?.desiredNumberScheduled),
    },
    {
      name: "Current",
      type: "integer",
      description: "Nodes running the daemon pod.",
      priority: 0,
      cell: (ds) => count(ds.status?.currentNumberScheduled),
    },
    {
      name: "Ready",
      type: "integer",
      description: "Nodes whose daemon pod is ready.",
      priority: 0,
      cell: (ds) => count(ds.status?.numberReady),
    },
    {
      name: "Up-to-date",
      type: "integer",
      description: "Nodes running the current template's pod.",
      priority: 0,
      cell: (ds) => count(ds.status?.updatedNumberScheduled),
    },
    {
      name: "Available",
      type: "integer",
      description: "Nodes whose daemon pod is available.",
      priority: 0,
      cell: (ds) => count(ds.status?.numberAvailable),
    },
    {
      name: "Node Selector",
      type: "string",
      description: "The node selector of the pod template.",
      priority: 0,
      cell: (ds) => formatLabels(ds.spec?.template?.spec?.nodeSelector) || "<none>",
    },
    ageColumn(),
    ...containerColumns<DaemonSet>((ds) => ds.spec?.template),
    selectorColumn<DaemonSet>(
      (ds) => ds.spec?.selector,
      "Label query over the pods of the DaemonSet.",
    ),
  ],
  defaults: defaultDaemonSet,
  prepareForCreate: (ds) => {
    ds.metadata.annotations = { ...ds.metadata.annotations };
    delete ds.metadata.annotations[TEMPLATE_GENERATION_ANNOTATION];
    setTemplateGeneration(ds, 1);
  },
  prepareForUpdate: (ds, old) => {
    // The generation is the server's to keep: a client cannot set or drop it, only a template
    // change moves it.
    const previous = templateGeneration(old);
    const next = sameValue(ds.spec?.template, old.spec?.template) ? previous : previous + 1;
    if (ds.metadata.annotations) delete ds.metadata.annotations[TEMPLATE_GENERATION_ANNOTATION];
    setTemplateGeneration(ds, next);
  },
  validate: (ds) => validateDaemonSetSpec(ds.spec, root("spec")),
  validateUpdate: (ds, old) =>
    validateSelectorUnchanged(
      ds.spec?.selector,
      old.spec?.selector,
      root("spec").child("selector"),
    ),
  validateStatusUpdate: (ds, old) => [
    ...validateDaemonSetStatus(ds.status, root("status")),
    ...validateCollisionCount(
      ds.status?.collisionCount,
      old.status?.collisionCount,
      root("status").child("collisionCount"),
    ),
  ],
});
