/**
 * ResourceQuota (core/v1): caps on what a namespace may consume in all: compute, storage, and counts of
 * objects. The quota controller reports usage in status; admission enforces the caps.
 */
import { ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { defineType, f, list, map, quantity, string } from "../../schema.js";
import { checkQualifiedName, invalid, required, root, type Path } from "../../validation.js";
import {
  isFieldError,
  parseListQuantity,
  quantityText,
  type ResourceList,
} from "./resource-list.js";

const CORE = "io.k8s.api.core.v1";

/** Scopes that restrict which objects a quota counts. */
export const QUOTA_SCOPES = [
  "BestEffort",
  "CrossNamespacePodAffinity",
  "NotBestEffort",
  "NotTerminating",
  "PriorityClass",
  "Terminating",
  "VolumeAttributesClass",
] as const;

export interface ScopedResourceSelectorRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

export interface ResourceQuotaSpec {
  hard?: ResourceList;
  scopes?: string[];
  scopeSelector?: { matchExpressions?: ScopedResourceSelectorRequirement[] };
}

/** A ResourceQuota as stored and served. */
export interface ResourceQuota extends KubeObject {
  spec?: ResourceQuotaSpec;
  status?: { hard?: ResourceList; used?: ResourceList };
}

const ScopedResourceSelectorRequirement = defineType({
  name: `${CORE}.ScopedResourceSelectorRequirement`,
  description: "A requirement on one quota scope.",
  fields: {
    scopeName: f(string({ enum: QUOTA_SCOPES }), 1, "The scope the requirement applies to.", {
      required: true,
    }),
    operator: f(
      string({ enum: ["DoesNotExist", "Exists", "In", "NotIn"] }),
      2,
      "In, NotIn, Exists or DoesNotExist.",
      {
        required: true,
      },
    ),
    values: f(list(string()), 3, "Values for In and NotIn; none for Exists and DoesNotExist."),
  },
});

const ScopeSelector = defineType({
  name: `${CORE}.ScopeSelector`,
  description: "Scope requirements, all of which an object must meet to be counted.",
  mapType: "atomic",
  fields: {
    matchExpressions: f(list(ScopedResourceSelectorRequirement), 1, "The requirements."),
  },
});

const ResourceQuotaSpec = defineType({
  name: `${CORE}.ResourceQuotaSpec`,
  description: "The caps of a quota and the objects it applies to.",
  fields: {
    hard: f(map(quantity()), 1, "The most of each resource the namespace may use."),
    scopes: f(list(string({ enum: QUOTA_SCOPES })), 2, "Scopes every counted object must match."),
    scopeSelector: f(ScopeSelector, 3, "Scope requirements every counted object must meet."),
  },
});

const ResourceQuotaStatus = defineType({
  name: `${CORE}.ResourceQuotaStatus`,
  description: "The enforced caps of a quota and the current use.",
  fields: {
    hard: f(map(quantity()), 1, "The caps being enforced."),
    used: f(map(quantity()), 2, "What the namespace uses now."),
  },
});

defineType({
  name: `${CORE}.ResourceQuota`,
  description: "Caps on the total resources a namespace may use.",
  gvk: { group: "", version: "v1", kind: "ResourceQuota" },
  fields: {
    ...objectFields(),
    spec: f(ResourceQuotaSpec, 2, "The caps and the objects they apply to."),
    status: f(ResourceQuotaStatus, 3, "The enforced caps and current use."),
  },
});

const COUNT_RESOURCES = [
  "pods",
  "services",
  "replicationcontrollers",
  "resourcequotas",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "services.nodeports",
  "services.loadbalancers",
];
const STANDARD_QUOTA_RESOURCES = new Set([
  ...COUNT_RESOURCES,
  "requests.cpu",
  "requests.memory",
  "requests.storage",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "cpu",
  "memory",
  "ephemeral-storage",
]);
const POD_COMPUTE_RESOURCES = new Set([
  "cpu",
  "memory",
  "limits.cpu",
  "limits.memory",
  "requests.cpu",
  "requests.memory",
]);

function isStandardQuotaResource(name: string): boolean {
  return (
    STANDARD_QUOTA_RESOURCES.has(name) ||
    name.startsWith("hugepages-") ||
    name.startsWith("requests.hugepages-")
  );
}

/** Problems with a quota resource name: qualified, and a standard quota resource unless prefixed. */
function checkQuotaResourceName(name: string): string[] {
  const problems = checkQualifiedName(name);
  if (problems.length === 0 && !name.includes("/") && !isStandardQuotaResource(name)) {
    problems.push("must be a standard resource for quota");
  }
  return problems;
}

/** Resources counted in whole objects, whose quantities must be integers. */
function isIntegerResource(name: string): boolean {
  return COUNT_RESOURCES.includes(name) || name.startsWith("count/");
}

function validateQuotaList(list: ResourceList | undefined, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(list ?? {})) {
    const p = path.key(name);
    errors.push(...checkQuotaResourceName(name).map((m) => invalid(p, name, m)));
    const q = parseListQuantity(value, p);
    if (isFieldError(q)) {
      errors.push(q);
      continue;
    }
    if (q.nanos < 0n) errors.push(invalid(p, value, "must be greater than or equal to 0"));
    if (isIntegerResource(name) && q.nanos % 1_000_000_000n !== 0n)
      errors.push(invalid(p, value, "must be an integer"));
  }
  return errors;
}

/** Whether a scope can limit a resource: pod scopes limit pod counts and compute, the class scope claims. */
function scopeFitsResource(scope: string, resource: string): boolean {
  switch (scope) {
    case "Terminating":
    case "NotTerminating":
    case "NotBestEffort":
    case "PriorityClass":
    case "CrossNamespacePodAffinity":
      return resource === "pods" || POD_COMPUTE_RESOURCES.has(resource);
    case "BestEffort":
      return resource === "pods";
    case "VolumeAttributesClass":
      return resource === "persistentvolumeclaims" || resource === "requests.storage";
    default:
      return true;
  }
}

function conflicting(scopes: Set<string>): boolean {
  return (
    (scopes.has("BestEffort") && scopes.has("NotBestEffort")) ||
    (scopes.has("Terminating") && scopes.has("NotTerminating"))
  );
}

function unfitResource(spec: ResourceQuotaSpec, scope: string): boolean {
  return Object.keys(spec.hard ?? {}).some(
    (r) => isStandardQuotaResource(r) && !scopeFitsResource(scope, r),
  );
}

function validateScopes(spec: ResourceQuotaSpec): FieldError[] {
  const scopes = spec.scopes ?? [];
  if (scopes.length === 0) return [];
  const errors: FieldError[] = [];
  const path = root("spec").child("scopes");
  for (const scope of scopes) {
    if (!(QUOTA_SCOPES as readonly string[]).includes(scope))
      errors.push(invalid(path, scopes, "unsupported scope"));
    if (unfitResource(spec, scope))
      errors.push(invalid(path, scopes, "unsupported scope applied to resource"));
  }
  if (conflicting(new Set(scopes))) errors.push(invalid(path, scopes, "conflicting scopes"));
  return errors;
}

/** Scopes whose selector requirement can only test presence. */
const PRESENCE_ONLY_SCOPES = new Set([
  "BestEffort",
  "NotBestEffort",
  "Terminating",
  "NotTerminating",
  "CrossNamespacePodAffinity",
]);

function validateScopeSelector(spec: ResourceQuotaSpec): FieldError[] {
  const selector = spec.scopeSelector;
  if (!selector) return [];
  const errors: FieldError[] = [];
  // Upstream names these errors without the index of the requirement.
  const path = root("spec").child("scopeSelector").child("matchExpressions");
  const seen = new Set<string>();
  for (const req of selector.matchExpressions ?? []) {
    if (!(QUOTA_SCOPES as readonly string[]).includes(req.scopeName)) {
      errors.push(invalid(path.child("scopeName"), req.scopeName, "unsupported scope"));
    }
    if (unfitResource(spec, req.scopeName))
      errors.push(invalid(path, selector, "unsupported scope applied to resource"));
    if (PRESENCE_ONLY_SCOPES.has(req.scopeName) && req.operator !== "Exists") {
      errors.push(
        invalid(
          path.child("operator"),
          req.operator,
          `must be 'Exists' when scope is ${req.scopeName}`,
        ),
      );
    }
    const values = req.values ?? [];
    switch (req.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) {
          errors.push(
            required(
              path.child("values"),
              "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
            ),
          );
        }
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) {
          errors.push(
            invalid(
              path.child("values"),
              values,
              "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
            ),
          );
        }
        break;
      default:
        errors.push(invalid(path.child("operator"), req.operator, "not a valid selector operator"));
    }
    seen.add(req.scopeName);
  }
  if (conflicting(seen)) errors.push(invalid(path, selector, "conflicting scopes"));
  return errors;
}

function validateStatus(quota: ResourceQuota): FieldError[] {
  return [
    ...validateQuotaList(quota.status?.hard, root("status").child("hard")),
    ...validateQuotaList(quota.status?.used, root("status").child("used")),
  ];
}

function validateResourceQuota(quota: ResourceQuota): FieldError[] {
  const spec = quota.spec ?? {};
  return [
    ...validateQuotaList(spec.hard, root("spec").child("hard")),
    ...validateScopes(spec),
    ...validateScopeSelector(spec),
    ...validateStatus(quota),
  ];
}

/**
 * The REQUEST and LIMIT columns: `resource: used/hard` for each enforced resource, sorted by name;
 * resources named `limits.*` go to LIMIT, the rest to REQUEST.
 */
export function quotaUsage(quota: ResourceQuota): { request: string; limit: string } {
  const hard = quota.status?.hard ?? {};
  const used = quota.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const text = `${name}: ${quantityText(used[name])}/${quantityText(hard[name])}`;
    (name.split(".")[0] === "limits" && name.includes(".") ? limit : request).push(text);
  }
  return { request: request.join(", "), limit: limit.join(", ") };
}

export const resourceQuotas = defineResource<ResourceQuota>({
  group: "",
  version: "v1",
  kind: "ResourceQuota",
  plural: "resourcequotas",
  singular: "resourcequota",
  shortNames: ["quota"],
  namespaced: true,
  schema: `${CORE}.ResourceQuota`,
  statusSubresource: true,
  // Upstream moved AGE after REQUEST and LIMIT in 1.33; older kubectl releases print it second.
  columns: [
    {
      name: "Request",
      type: "string",
      description: "Use and caps of requests and object counts.",
      priority: 0,
      cell: (q) => quotaUsage(q).request,
    },
    {
      name: "Limit",
      type: "string",
      description: "Use and caps of limits.",
      priority: 0,
      cell: (q) => quotaUsage(q).limit,
    },
    ageColumn(),
  ],
  validate: validateResourceQuota,
  validateStatusUpdate: validateStatus,
});
