/**
 * Namespace (core/v1): a scope for names. A namespace is Active until deleted; deletion turns it
 * Terminating, and it stays until the namespace controller has emptied it and cleared `spec.finalizers`
 * (through the `finalize` subresource, which is not served yet).
 */
import { ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { defineType, f, keyedList, list, string, time } from "../../schema.js";
import {
  checkDNS1123Label,
  checkQualifiedName,
  invalid,
  notSupported,
  root,
} from "../../validation.js";

const CORE = "io.k8s.api.core.v1";

/** The finalizer the namespace controller owns: set on every namespace, cleared when it is empty. */
export const KUBERNETES_FINALIZER = "kubernetes";

/** The label every namespace carries with its own name, so that selectors can pick namespaces by name. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Finalizer names that need no domain prefix. */
const STANDARD_FINALIZERS = new Set([KUBERNETES_FINALIZER, "orphan", "foregroundDeletion"]);

export interface NamespaceCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** A Namespace as stored and served. */
export interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: "Active" | "Terminating"; conditions?: NamespaceCondition[] };
}

const NamespaceCondition = defineType({
  name: `${CORE}.NamespaceCondition`,
  description:
    "One observed aspect of a namespace's state, such as a failure to delete its content.",
  fields: {
    type: f(string(), 1, "Type of the condition.", { required: true }),
    status: f(string(), 2, "True, False or Unknown.", { required: true }),
    lastTransitionTime: f(time(), 4, "When the condition last changed status."),
    reason: f(string(), 5, "Machine-readable reason for the last transition."),
    message: f(string(), 6, "Human-readable details of the last transition."),
  },
});

const NamespaceSpec = defineType({
  name: `${CORE}.NamespaceSpec`,
  description: "What a namespace needs before it can be removed.",
  fields: {
    finalizers: f(
      list(string()),
      1,
      "Finalizers that must be cleared before the namespace is removed.",
    ),
  },
});

const NamespaceStatus = defineType({
  name: `${CORE}.NamespaceStatus`,
  description: "The observed lifecycle state of a namespace.",
  fields: {
    phase: f(
      string({ enum: ["Active", "Terminating"] }),
      1,
      "Active, or Terminating once deleted.",
    ),
    conditions: f(
      keyedList(NamespaceCondition, ["type"], { mergeKey: "type" }),
      2,
      "Observations of the namespace's state.",
    ),
  },
});

defineType({
  name: `${CORE}.Namespace`,
  description: "A scope for the names of namespaced objects.",
  gvk: { group: "", version: "v1", kind: "Namespace" },
  fields: {
    ...objectFields(),
    spec: f(NamespaceSpec, 2, "What the namespace needs before removal."),
    status: f(NamespaceStatus, 3, "The namespace's current phase."),
  },
});

/** Keeps the name label equal to the name, whatever the client sent, as upstream's canonicalisation does. */
function setNameLabel(ns: Namespace): void {
  const name = ns.metadata.name;
  if (!name) return;
  ns.metadata.labels = { ...ns.metadata.labels, [NAMESPACE_NAME_LABEL]: name };
}

function prepareForCreate(ns: Namespace): void {
  setNameLabel(ns);
  ns.status = { phase: "Active" };
  const finalizers = ns.spec?.finalizers ?? [];
  if (!finalizers.includes(KUBERNETES_FINALIZER)) {
    ns.spec = { ...ns.spec, finalizers: [...finalizers, KUBERNETES_FINALIZER] };
  }
}

function prepareForUpdate(ns: Namespace, old: Namespace): void {
  setNameLabel(ns);
  // spec.finalizers changes only through the finalize subresource.
  const finalizers = old.spec?.finalizers;
  ns.spec = finalizers === undefined ? {} : { finalizers: [...finalizers] };
}

/** Problems with a finalizer name of spec.finalizers: qualified, and prefixed unless it is a standard one. */
export function checkFinalizerName(value: string): string[] {
  const problems = checkQualifiedName(value);
  if (problems.length === 0 && !value.includes("/") && !STANDARD_FINALIZERS.has(value)) {
    problems.push("name is neither a standard finalizer name nor is it fully qualified");
  }
  return problems;
}

function validateNamespace(ns: Namespace): FieldError[] {
  const path = root("spec").child("finalizers");
  return (ns.spec?.finalizers ?? []).flatMap((name, i) =>
    checkFinalizerName(name).map((p) => invalid(path.index(i), name, p)),
  );
}

function validateStatus(ns: Namespace): FieldError[] {
  const phase = ns.status?.phase;
  const path = root("status").child("phase");
  if (phase !== "Active" && phase !== "Terminating") {
    return [notSupported(path, phase, ["Active", "Terminating"])];
  }
  if (ns.metadata.deletionTimestamp) {
    return phase === "Terminating"
      ? []
      : [invalid(path, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")];
  }
  return phase === "Active"
    ? []
    : [invalid(path, phase, "may only be 'Active' if `deletionTimestamp` is empty")];
}

/** A deleted namespace stays (Terminating) until the namespace controller has cleared spec.finalizers. */
function deferDeletion(ns: Namespace): boolean {
  return (ns.spec?.finalizers?.length ?? 0) > 0;
}

function prepareForDeletion(ns: Namespace): void {
  ns.status = { ...ns.status, phase: "Terminating" };
}

export const namespaces = defineResource<Namespace>({
  group: "",
  version: "v1",
  kind: "Namespace",
  plural: "namespaces",
  singular: "namespace",
  shortNames: ["ns"],
  namespaced: false,
  schema: `${CORE}.Namespace`,
  checkName: checkDNS1123Label,
  statusSubresource: true,
  columns: [
    {
      name: "Status",
      type: "string",
      description: "The lifecycle phase of the namespace.",
      priority: 0,
      cell: (ns) => ns.status?.phase ?? "",
    },
    ageColumn(),
  ],
  fieldSelectors: {
    "status.phase": (ns) => ns.status?.phase ?? "",
    // Upstream still answers the pre-metadata spelling of the name selector.
    name: (ns) => ns.metadata.name,
  },
  defaults: setNameLabel,
  prepareForCreate,
  prepareForUpdate,
  validate: validateNamespace,
  validateStatusUpdate: (ns) => [...validateNamespace(ns), ...validateStatus(ns)],
  deferDeletion,
  prepareForDeletion,
});
