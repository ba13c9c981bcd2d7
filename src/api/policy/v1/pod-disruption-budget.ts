/**
 * PodDisruptionBudget (policy/v1): how many pods of a set may be down at once through voluntary
 * disruptions, such as evictions by a node drain.
 */
import { ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import {
  formatIntOrString,
  validateNonNegativeIntOrPercent,
  validateNotMoreThan100Percent,
  type IntOrString,
} from "../../int-or-string.js";
import type { KubeObject, LabelSelector } from "../../meta/types.js";
import { Condition, LabelSelector as LabelSelectorSchema, objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import {
  defineType,
  f,
  int32,
  int64,
  intOrString,
  keyedList,
  map,
  string,
  time,
} from "../../schema.js";
import {
  check,
  checkQualifiedName,
  duplicate,
  invalid,
  notSupported,
  required,
  root,
  validateLabelSelector,
  type Path,
} from "../../validation.js";
import { validateNonNegative } from "../../apps/v1/workload.js";

/** The desired budget of a PodDisruptionBudget. */
export interface PodDisruptionBudgetSpec {
  minAvailable?: IntOrString;
  selector?: LabelSelector;
  maxUnavailable?: IntOrString;
  /** `IfHealthyBudget` or `AlwaysAllow`. */
  unhealthyPodEvictionPolicy?: string;
}

/** One aspect of a PodDisruptionBudget's state (a metav1.Condition). */
export interface PodDisruptionBudgetCondition {
  type: string;
  status: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The observed state of a PodDisruptionBudget. */
export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
  conditions?: PodDisruptionBudgetCondition[];
}

/** A PodDisruptionBudget as stored and served. */
export interface PodDisruptionBudget extends KubeObject {
  spec?: PodDisruptionBudgetSpec;
  status?: PodDisruptionBudgetStatus;
}

const POLICY = "io.k8s.api.policy.v1";

const SpecSchema = defineType({
  name: `${POLICY}.PodDisruptionBudgetSpec`,
  description: "The desired disruption budget of a set of pods.",
  fields: {
    minAvailable: f(
      intOrString(),
      1,
      "Pods that must stay available after an eviction: a number or a percentage.",
      { pointer: true },
    ),
    selector: f(
      LabelSelectorSchema,
      2,
      "Label query over the pods the budget covers; an empty selector covers all pods in the namespace.",
      { patchStrategy: "replace" },
    ),
    maxUnavailable: f(
      intOrString(),
      3,
      "Pods that may be unavailable after an eviction: a number or a percentage; excludes minAvailable.",
      { pointer: true },
    ),
    unhealthyPodEvictionPolicy: f(
      string({ enum: ["AlwaysAllow", "IfHealthyBudget"] }),
      4,
      "When running but not ready pods may be evicted: IfHealthyBudget (the default behaviour) or AlwaysAllow.",
      { pointer: true },
    ),
  },
});

const StatusSchema = defineType({
  name: `${POLICY}.PodDisruptionBudgetStatus`,
  description: "The observed state of a disruption budget.",
  fields: {
    observedGeneration: f(int64(), 1, "The generation the disruption controller last acted on."),
    disruptedPods: f(
      map(time()),
      2,
      "Pods whose eviction was allowed but that have not yet gone, with when it was allowed.",
    ),
    disruptionsAllowed: f(int32(), 3, "Pod disruptions allowed now.", { required: true }),
    currentHealthy: f(int32(), 4, "Healthy pods now.", { required: true }),
    desiredHealthy: f(int32(), 5, "Fewest healthy pods wanted.", { required: true }),
    expectedPods: f(int32(), 6, "Pods the budget counts in total.", { required: true }),
    conditions: f(
      keyedList(Condition, ["type"], { mergeKey: "type" }),
      7,
      "The latest observations, such as DisruptionAllowed.",
    ),
  },
});

defineType({
  name: `${POLICY}.PodDisruptionBudget`,
  description: "A budget of voluntary disruptions for a set of pods.",
  gvk: { group: "policy", version: "v1", kind: "PodDisruptionBudget" },
  fields: {
    ...objectFields(),
    spec: f(SpecSchema, 2, "The desired budget."),
    status: f(StatusSchema, 3, "The most recently observed state of the budget."),
  },
});

const EVICTION_POLICIES = ["AlwaysAllow", "IfHealthyBudget"];

/** Checks a budget's spec (upstream's ValidatePodDisruptionBudgetSpec). */
export function validatePodDisruptionBudgetSpec(
  spec: PodDisruptionBudgetSpec | undefined,
  path: Path,
): FieldError[] {
  const s = spec ?? {};
  const errors: FieldError[] = [];
  if (s.minAvailable !== undefined && s.maxUnavailable !== undefined) {
    errors.push(invalid(path, s, "minAvailable and maxUnavailable cannot be both set"));
  }
  for (const name of ["minAvailable", "maxUnavailable"] as const) {
    errors.push(...validateNonNegativeIntOrPercent(s[name], path.child(name)));
    errors.push(...validateNotMoreThan100Percent(s[name], path.child(name)));
  }
  errors.push(...validateLabelSelector(s.selector, path.child("selector")));
  const policy = s.unhealthyPodEvictionPolicy;
  if (policy !== undefined && !EVICTION_POLICIES.includes(policy)) {
    errors.push(notSupported(path.child("unhealthyPodEvictionPolicy"), policy, EVICTION_POLICIES));
  }
  return errors;
}

const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const MAX_REASON = 1024;
const MAX_MESSAGE = 32 * 1024;

/**
 * Checks metav1.Condition entries: typed, one per type, with a status, reason and transition time.
 */
export function validateConditions(
  conditions: PodDisruptionBudgetCondition[] | undefined,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  const types = new Set<string>();
  (conditions ?? []).forEach((c, i) => {
    const p = path.index(i);
    errors.push(...check(p.child("type"), c.type ?? "", checkQualifiedName));
    if (types.has(c.type)) errors.push(duplicate(p.child("type"), c.type));
    types.add(c.type);
    if (!["True", "False", "Unknown"].includes(c.status)) {
      errors.push(notSupported(p.child("status"), c.status ?? "", ["False", "True", "Unknown"]));
    }
    errors.push(...validateNonNegative(c.observedGeneration, p.child("observedGeneration")));
    if (!c.lastTransitionTime) errors.push(required(p.child("lastTransitionTime"), "must be set"));
    const reason = c.reason ?? "";
    if (reason === "") errors.push(required(p.child("reason"), "must be set"));
    else {
      if (!CONDITION_REASON.test(reason)) {
        errors.push(
          invalid(
            p.child("reason"),
            reason,
            "a condition reason must start with a letter and contain only letters, digits, ',', ':' and '_' (regex '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')",
          ),
        );
      }
      if (reason.length > MAX_REASON)
        errors.push(
          invalid(p.child("reason"), reason, `must be no more than ${MAX_REASON} characters`),
        );
    }
    if ((c.message ?? "").length > MAX_MESSAGE) {
      errors.push({
        type: "FieldValueTooLong",
        field: String(p.child("message")),
        detail: `may not be more than ${MAX_MESSAGE} bytes`,
      });
    }
  });
  return errors;
}

function validateStatus(status: PodDisruptionBudgetStatus | undefined, path: Path): FieldError[] {
  const s = status ?? {};
  const errors = validateConditions(s.conditions, path.child("conditions"));
  for (const name of [
    "disruptionsAllowed",
    "currentHealthy",
    "desiredHealthy",
    "expectedPods",
  ] as const) {
    errors.push(...validateNonNegative(s[name], path.child(name)));
  }
  return errors;
}

function budgetText(value: IntOrString | undefined): string {
  return value === undefined ? "N/A" : formatIntOrString(value);
}

/** The resource definition of policy/v1 PodDisruptionBudget. */
export const podDisruptionBudgets = defineResource<PodDisruptionBudget>({
  group: "policy",
  version: "v1",
  kind: "PodDisruptionBudget",
  plural: "poddisruptionbudgets",
  singular: "poddisruptionbudget",
  shortNames: ["pdb"],
  namespaced: true,
  schema: `${POLICY}.PodDisruptionBudget`,
  statusSubresource: true,
  tracksGeneration: true,
  columns: [
    {
      name: "Min Available",
      type: "string",
      description: "Fewest pods that must stay available.",
      priority: 0,
      cell: (pdb) => budgetText(pdb.spec?.minAvailable),
    },
    {
      name: "Max Unavailable",
      type: "string",
      description: "Most pods that may be unavailable.",
      priority: 0,
      cell: (pdb) => budgetText(pdb.spec?.maxUnavailable),
    },
    {
      name: "Allowed Disruptions",
      type: "integer",
      description: "Pod disruptions allowed now.",
      priority: 0,
      cell: (pdb) => pdb.status?.disruptionsAllowed ?? 0,
    },
    ageColumn(),
  ],
  validate: (pdb) => validatePodDisruptionBudgetSpec(pdb.spec, root("spec")),
  validateStatusUpdate: (pdb) => validateStatus(pdb.status, root("status")),
});
