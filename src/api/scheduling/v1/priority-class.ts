/**
 * PriorityClass (scheduling.k8s.io/v1): a named pod priority. Pods name a class, and admission
 * turns the name into the pod's priority, which orders scheduling and preemption.
 */
import { ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { boolean, defineType, f, int32, string } from "../../schema.js";
import { forbidden, immutable, invalid, notSupported, required, root } from "../../validation.js";

/** A PriorityClass as stored and served. */
export interface PriorityClass extends KubeObject {
  value?: number;
  globalDefault?: boolean;
  description?: string;
  /** `PreemptLowerPriority` (the default) or `Never`. */
  preemptionPolicy?: string;
}

/** The highest priority a user-defined class may have; higher values are for system classes. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
/** The priority of the system-cluster-critical class. */
export const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
/** The prefix of class names reserved for the system's own classes. */
export const SYSTEM_PRIORITY_CLASS_PREFIX = "system-";

/** The classes the system defines, with their values; none is the global default. */
export const SYSTEM_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  "system-node-critical": SYSTEM_CRITICAL_PRIORITY + 1000,
  "system-cluster-critical": SYSTEM_CRITICAL_PRIORITY,
};

const PREEMPTION_POLICIES = ["Never", "PreemptLowerPriority"];

defineType({
  name: "io.k8s.api.scheduling.v1.PriorityClass",
  description: "A named priority that pods can ask for.",
  gvk: { group: "scheduling.k8s.io", version: "v1", kind: "PriorityClass" },
  fields: {
    ...objectFields(),
    value: f(
      int32(),
      2,
      "The priority pods of this class get; higher runs first. At most 1000000000 for user classes.",
      {
        required: true,
      },
    ),
    globalDefault: f(
      boolean(),
      3,
      "True to give this class to pods that name none; at most one class may be the default.",
    ),
    description: f(string(), 4, "When this class should be used."),
    preemptionPolicy: f(
      string({ enum: PREEMPTION_POLICIES }),
      5,
      "Whether pods of this class may preempt lower-priority pods: PreemptLowerPriority (the default) or Never.",
      { pointer: true },
    ),
  },
});

/** Fills in upstream's default: pods of the class may preempt lower-priority pods. */
export function defaultPriorityClass(pc: PriorityClass): void {
  pc.preemptionPolicy ??= "PreemptLowerPriority";
}

/** Why `pc` is not one of the system's classes as defined, or undefined when it is. */
function systemClassProblem(pc: PriorityClass): string | undefined {
  const name = pc.metadata.name ?? "";
  const value = SYSTEM_PRIORITY_CLASSES[name];
  if (value === undefined) return `${name} is not a known system priority class`;
  if (pc.value !== value) return `value of ${name} PriorityClass must be ${value}`;
  if (pc.globalDefault === true) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof pc.value !== "number" || !Number.isInteger(pc.value)) {
    errors.push(
      pc.value === undefined
        ? required(root("value"))
        : invalid(root("value"), pc.value, "must be an integer"),
    );
  }
  if ((pc.metadata.name ?? "").startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const problem = systemClassProblem(pc);
    if (problem) {
      errors.push(
        forbidden(
          root("metadata").child("name"),
          `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${problem}`,
        ),
      );
    }
  } else if ((pc.value ?? 0) > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errors.push(
      forbidden(
        root("value"),
        `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`,
      ),
    );
  }
  if (pc.preemptionPolicy === "") errors.push(required(root("preemptionPolicy")));
  else if (
    pc.preemptionPolicy !== undefined &&
    !PREEMPTION_POLICIES.includes(pc.preemptionPolicy)
  ) {
    errors.push(
      notSupported(root("preemptionPolicy"), pc.preemptionPolicy, [
        "PreemptLowerPriority",
        "Never",
      ]),
    );
  }
  return errors;
}

function validatePriorityClassUpdate(pc: PriorityClass, old: PriorityClass): FieldError[] {
  const errors: FieldError[] = [];
  if (pc.value !== old.value)
    errors.push(forbidden(root("value"), "may not be changed in an update."));
  if (pc.preemptionPolicy !== old.preemptionPolicy)
    errors.push(immutable(root("preemptionPolicy"), pc.preemptionPolicy ?? null));
  return errors;
}

/**
 * Checks that at most one class is the global default, given the classes already stored. Upstream
 * does this in an admission plugin, since it looks beyond the object; the server calls it on create
 * and update with the other classes.
 */
export function validateSingleGlobalDefault(
  pc: PriorityClass,
  others: readonly PriorityClass[],
): FieldError[] {
  if (pc.globalDefault !== true) return [];
  const existing = others.find(
    (o) => o.globalDefault === true && o.metadata.name !== pc.metadata.name,
  );
  return existing
    ? [
        forbidden(
          root("globalDefault"),
          `PriorityClass ${existing.metadata.name ?? ""} is already marked as default. Only one default can exist`,
        ),
      ]
    : [];
}

/** The resource definition of scheduling.k8s.io/v1 PriorityClass. */
export const priorityClasses = defineResource<PriorityClass>({
  group: "scheduling.k8s.io",
  version: "v1",
  kind: "PriorityClass",
  plural: "priorityclasses",
  singular: "priorityclass",
  shortNames: ["pc"],
  namespaced: false,
  schema: "io.k8s.api.scheduling.v1.PriorityClass",
  columns: [
    {
      name: "Value",
      type: "integer",
      description: "The priority of the class.",
      priority: 0,
      cell: (pc) => pc.value ?? 0,
    },
    {
      name: "Global-Default",
      type: "boolean",
      description: "Whether pods that name no class get this one.",
      priority: 0,
      cell: (pc) => pc.globalDefault ?? false,
    },
    ageColumn(),
    {
      name: "PreemptionPolicy",
      type: "string",
      description: "Whether pods of the class may preempt others.",
      priority: 0,
      cell: (pc) => pc.preemptionPolicy ?? "",
    },
  ],
  defaults: defaultPriorityClass,
  validate: validatePriorityClass,
  validateUpdate: validatePriorityClassUpdate,
});
