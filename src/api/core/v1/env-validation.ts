/**
 * Validation of container environments and of the downward API selectors they (and volumes) use.
 */
import type { FieldError } from "../../errors.js";
import { formatQuantity, tryQuantity } from "../../quantity.js";
import {
  check,
  checkDNS1123Subdomain,
  checkQualifiedName,
  invalid,
  notSupported,
  required,
  type Path,
} from "../../validation.js";
import { checkConfigKey } from "./config-map.js";
import { checkRelaxedEnvVarName, isSet, items } from "./pod-checks.js";
import type {
  EnvFromSource,
  EnvVar,
  FileKeySelector,
  KeySelector,
  ObjectFieldSelector,
  ResourceFieldSelector,
} from "./pod-shapes.js";

/** Pod fields an env var may read through `fieldRef`, besides labels and annotations by key. */
const ENV_FIELD_PATHS = [
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "spec.nodeName",
  "spec.serviceAccountName",
  "status.hostIP",
  "status.hostIPs",
  "status.podIP",
  "status.podIPs",
];

/** Every field path of a v1 pod that the downward API can convert, with or without a subscript. */
const CONVERTIBLE_FIELD_PATHS = new Set([
  "metadata.annotations",
  "metadata.labels",
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "spec.nodeName",
  "spec.restartPolicy",
  "spec.serviceAccountName",
  "spec.schedulerName",
  "status.phase",
  "status.hostIP",
  "status.hostIPs",
  "status.podIP",
  "status.podIPs",
]);

const CONTAINER_RESOURCE_PATHS = [
  "limits.cpu",
  "limits.ephemeral-storage",
  "limits.memory",
  "requests.cpu",
  "requests.ephemeral-storage",
  "requests.memory",
];
const HUGE_PAGES_PATH_PREFIXES = ["limits.hugepages-", "requests.hugepages-"];
const CPU_DIVISORS = ["1m", "1"];
const BYTE_DIVISORS = [
  "1",
  "1k",
  "1M",
  "1G",
  "1T",
  "1P",
  "1E",
  "1Ki",
  "1Mi",
  "1Gi",
  "1Ti",
  "1Pi",
  "1Ei",
];

/** Validates a container's `env` list. */
export function validateEnv(env: readonly EnvVar[] | undefined, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  items(env).forEach((ev, i) => {
    const p = path.index(i);
    if (!ev?.name) errors.push(required(p.child("name")));
    else errors.push(...check(p.child("name"), ev.name, checkRelaxedEnvVarName));
    errors.push(...validateValueFrom(ev ?? {}, p.child("valueFrom")));
  });
  return errors;
}

function validateValueFrom(ev: EnvVar, path: Path): FieldError[] {
  const from = ev.valueFrom;
  if (!isSet(from)) return [];
  const errors: FieldError[] = [];
  let sources = 0;
  if (isSet(from?.fieldRef)) {
    sources++;
    errors.push(
      ...validateObjectFieldSelector(from?.fieldRef ?? {}, ENV_FIELD_PATHS, path.child("fieldRef")),
    );
  }
  if (isSet(from?.resourceFieldRef)) {
    sources++;
    errors.push(
      ...validateResourceFieldSelector(
        from?.resourceFieldRef ?? {},
        path.child("resourceFieldRef"),
        false,
      ),
    );
  }
  if (isSet(from?.configMapKeyRef)) {
    sources++;
    errors.push(...validateKeySelector(from?.configMapKeyRef ?? {}, path.child("configMapKeyRef")));
  }
  if (isSet(from?.secretKeyRef)) {
    sources++;
    errors.push(...validateKeySelector(from?.secretKeyRef ?? {}, path.child("secretKeyRef")));
  }
  if (isSet(from?.fileKeyRef)) {
    sources++;
    errors.push(...validateFileKeySelector(from?.fileKeyRef ?? {}, path.child("fileKeyRef")));
  }

  if (sources === 0) {
    errors.push(
      invalid(
        path,
        "",
        "must set one of `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`",
      ),
    );
  } else if (ev.value) {
    errors.push(invalid(path, "", "may not be set when `value` is not empty"));
  } else if (sources > 1) {
    errors.push(invalid(path, "", "may set only one source"));
  }
  return errors;
}

/**
 * Validates a `fieldRef`: the API version must be v1, and the path one of `allowed` or a label or
 * annotation subscript such as `metadata.labels['app']`.
 */
export function validateObjectFieldSelector(
  selector: ObjectFieldSelector,
  allowed: readonly string[],
  path: Path,
): FieldError[] {
  if (!selector.apiVersion) return [required(path.child("apiVersion"))];
  if (!selector.fieldPath) return [required(path.child("fieldPath"))];

  const fieldPath = selector.fieldPath;
  const subscripted = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath);
  const base = subscripted?.[1] ?? fieldPath;
  if (selector.apiVersion !== "v1" || !CONVERTIBLE_FIELD_PATHS.has(base)) {
    const why =
      selector.apiVersion !== "v1"
        ? `unsupported pod version: ${selector.apiVersion}`
        : `field label not supported: ${fieldPath}`;
    return [invalid(path.child("fieldPath"), fieldPath, `error converting fieldPath: ${why}`)];
  }
  if (subscripted) {
    const key = subscripted[2] ?? "";
    const checked = base === "metadata.annotations" ? key.toLowerCase() : key;
    return check(path, checked, checkQualifiedName);
  }
  return allowed.includes(base) ? [] : [notSupported(path.child("fieldPath"), base, allowed)];
}

/**
 * Validates a `resourceFieldRef`: the resource must be a container limit or request, with a divisor
 * that suits it. In volumes (`inVolume`) the container must be named.
 */
export function validateResourceFieldSelector(
  selector: ResourceFieldSelector,
  path: Path,
  inVolume: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  const resource = selector.resource ?? "";
  if (inVolume && !selector.containerName) errors.push(required(path.child("containerName")));
  else if (!resource) errors.push(required(path.child("resource")));
  else if (
    !CONTAINER_RESOURCE_PATHS.includes(resource) &&
    !HUGE_PAGES_PATH_PREFIXES.some((p) => resource.startsWith(p))
  ) {
    errors.push(notSupported(path.child("resource"), resource, CONTAINER_RESOURCE_PATHS));
  }

  const divisor = tryQuantity(selector.divisor ?? "0");
  if (!divisor) {
    errors.push(invalid(path.child("divisor"), selector.divisor ?? null, "must be a quantity"));
    return errors;
  }
  if (divisor.nanos === 0n) return errors;
  const shown = formatQuantity(divisor);
  const isCPU = resource === "limits.cpu" || resource === "requests.cpu";
  const isBytes =
    CONTAINER_RESOURCE_PATHS.includes(resource) ||
    HUGE_PAGES_PATH_PREFIXES.some((p) => resource.startsWith(p));
  const allowed = isCPU ? CPU_DIVISORS : BYTE_DIVISORS;
  if ((isCPU || isBytes) && !allowed.includes(shown)) {
    errors.push(
      invalid(
        path.child("divisor"),
        resource,
        `only divisors ${allowed.join(", ")} are allowed for this resource`,
      ),
    );
  }
  return errors;
}

function validateKeySelector(selector: KeySelector, path: Path): FieldError[] {
  const errors = check(path.child("name"), selector.name ?? "", checkDNS1123Subdomain);
  if (!selector.key) errors.push(required(path.child("key")));
  else errors.push(...check(path.child("key"), selector.key, checkConfigKey));
  return errors;
}

function validateFileKeySelector(selector: FileKeySelector, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  if (!selector.volumeName) errors.push(required(path.child("volumeName")));
  if (!selector.path) errors.push(required(path.child("path")));
  else if (selector.path.startsWith("/") || selector.path.split("/").includes("..")) {
    errors.push(invalid(path.child("path"), selector.path, "must be a relative path without '..'"));
  }
  if (!selector.key) errors.push(required(path.child("key")));
  else errors.push(...check(path.child("key"), selector.key, checkRelaxedEnvVarName));
  return errors;
}

/** Validates a container's `envFrom` list. */
export function validateEnvFrom(
  envFrom: readonly EnvFromSource[] | undefined,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  items(envFrom).forEach((source, i) => {
    const p = path.index(i);
    if (source?.prefix)
      errors.push(...check(p.child("prefix"), source.prefix, checkRelaxedEnvVarName));
    let sources = 0;
    for (const kind of ["configMapRef", "secretRef"] as const) {
      const ref = source?.[kind];
      if (!isSet(ref)) continue;
      sources++;
      if (!ref?.name) errors.push(required(p.child(kind).child("name")));
      else errors.push(...check(p.child(kind).child("name"), ref.name, checkDNS1123Subdomain));
    }
    // Upstream reports these two on the list itself, not on the element.
    if (sources === 0)
      errors.push(invalid(path, "", "must set one of `configMapRef` or `secretRef`"));
    else if (sources > 1) errors.push(invalid(path, "", "may set only one source"));
  });
  return errors;
}
