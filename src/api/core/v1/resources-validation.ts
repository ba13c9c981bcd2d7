/**
 * Validation of compute resource requirements: resource names, quantities, requests against limits,
 * and references to the pod's resource claims.
 */
import type { FieldError } from "../../errors.js";
import {
  compareQuantities,
  formatQuantity,
  milliValue,
  tryQuantity,
  type Quantity,
} from "../../quantity.js";
import {
  check,
  checkDNS1123Label,
  checkQualifiedName,
  duplicate,
  forbidden,
  invalid,
  required,
  type Path,
} from "../../validation.js";
import { isSet, items } from "./pod-checks.js";
import type { ResourceList, ResourceRequirements } from "./pod-shapes.js";

const STANDARD_CONTAINER_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage"]);
const HUGE_PAGES_PREFIX = "hugepages-";

/** Whether a resource belongs to Kubernetes itself: unprefixed, or in the kubernetes.io domain. */
export function isNativeResource(name: string): boolean {
  return !name.includes("/") || name.includes("kubernetes.io/");
}

export function isHugePagesResource(name: string): boolean {
  return name.startsWith(HUGE_PAGES_PREFIX);
}

/** Whether a resource is an extended resource: a fully qualified name outside kubernetes.io. */
export function isExtendedResource(name: string): boolean {
  if (isNativeResource(name) || name.startsWith("requests.")) return false;
  return checkQualifiedName(`requests.${name}`).length === 0;
}

/**
 * Whether requests of a resource may be below its limit (not for extended resources and huge
 * pages).
 */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePagesResource(name);
}

function checkContainerResourceName(name: string): string[] {
  const qualified = checkQualifiedName(name);
  if (qualified.length > 0) return qualified;
  if (!name.includes("/")) {
    return STANDARD_CONTAINER_RESOURCES.has(name) || isHugePagesResource(name)
      ? []
      : ["must be a standard resource for containers"];
  }
  if (!isNativeResource(name) && !isExtendedResource(name)) {
    return ["must be an extended resource name: a domain-prefixed name outside kubernetes.io"];
  }
  return [];
}

/**
 * Parses one quantity of a resource list, reporting it when it is not a valid, non-negative amount.
 */
function resourceQuantity(
  name: string,
  value: unknown,
  path: Path,
  errors: FieldError[],
): Quantity | undefined {
  const q = tryQuantity(value);
  if (!q) {
    errors.push(invalid(path, value ?? null, "must be a quantity, such as 100m, 1.5 or 1Gi"));
    return undefined;
  }
  if (q.nanos < 0n)
    errors.push(invalid(path, formatQuantity(q), "must be greater than or equal to 0"));
  if (isExtendedResource(name) && milliValue(q) % 1000n !== 0n) {
    errors.push(invalid(path, formatQuantity(q), "must be an integer"));
  }
  return q;
}

function quantities(
  list: ResourceList | undefined,
  path: Path,
  errors: FieldError[],
): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  if (!isSet(list)) return out;
  if (typeof list !== "object" || Array.isArray(list)) {
    errors.push(invalid(path, list, "must be a map of resource names to quantities"));
    return out;
  }
  for (const [name, value] of Object.entries(list)) {
    const p = path.key(name);
    errors.push(...check(p, name, checkContainerResourceName));
    const q = resourceQuantity(name, value, p, errors);
    if (q) out.set(name, q);
  }
  return out;
}

/**
 * Validates a container's (or the pod's) resource requirements. `claimNames` are the names of the
 * pod's resource claims, which `claims` may refer to.
 */
export function validateResourceRequirements(
  resources: ResourceRequirements | undefined,
  claimNames: ReadonlySet<string>,
  path: Path,
): FieldError[] {
  if (!isSet(resources)) return [];
  const errors: FieldError[] = [];
  const limPath = path.child("limits");
  const reqPath = path.child("requests");
  const limits = quantities(resources?.limits, limPath, errors);
  const requests = quantities(resources?.requests, reqPath, errors);

  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (!limit) {
      if (!isOvercommitAllowed(name)) {
        errors.push(
          required(limPath, "a limit must be set for resources that cannot be overcommitted"),
        );
      }
      continue;
    }
    const shown = formatQuantity(request);
    if (!isOvercommitAllowed(name) && compareQuantities(request, limit) !== 0) {
      errors.push(
        invalid(reqPath, shown, `must be equal to ${name} limit of ${formatQuantity(limit)}`),
      );
    } else if (compareQuantities(request, limit) > 0) {
      errors.push(
        invalid(
          reqPath,
          shown,
          `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`,
        ),
      );
    }
  }

  const names = [...limits.keys(), ...requests.keys()];
  if (names.some(isHugePagesResource) && !names.some((n) => n === "cpu" || n === "memory")) {
    errors.push(forbidden(path, "huge pages require a cpu or memory request or limit"));
  }

  errors.push(...validateClaimReferences(resources?.claims, claimNames, path.child("claims")));
  return errors;
}

function validateClaimReferences(
  claims: ResourceRequirements["claims"],
  claimNames: ReadonlySet<string>,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  items(claims).forEach((claim, i) => {
    const p = path.index(i);
    const name = claim?.name ?? "";
    if (!name) {
      errors.push(required(p));
      return;
    }
    const request = claim?.request ?? "";
    if (request) errors.push(...check(p.child("request"), request, checkDNS1123Label));
    const key = request ? `${name}/${request}` : name;
    // A whole claim overlaps with any of its requests, and the other way round.
    const overlaps =
      seen.has(key) ||
      seen.has(name) ||
      (!request && [...seen].some((k) => k.startsWith(`${name}/`)));
    if (overlaps) errors.push(duplicate(p, key));
    seen.add(key);
    if (!claimNames.has(name)) {
      const known = [...claimNames].sort();
      errors.push({
        type: "FieldValueNotFound",
        field: String(p),
        value: name,
        detail: known.length
          ? `must be one of the names in pod.spec.resourceClaims: ${known.join(", ")}`
          : "must be one of the names in pod.spec.resourceClaims, which is empty",
      });
    }
  });
  return errors;
}
