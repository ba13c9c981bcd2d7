/**
 * Turns a request path into what it asks for: API group, version, namespace, resource, name, subresource
 * and the Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection).
 */

/** What a resource request addresses. Non-resource paths (`/version`, `/healthz`) have `resource` unset. */
export interface RequestInfo {
  path: string;
  /** `api` for the core group, `apis` for named groups; absent for non-resource paths. */
  prefix?: "api" | "apis";
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  verb: string;
  /** True for discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/apps`, `/apis/apps/v1`). */
  discovery: boolean;
}

/** Subresources of a namespace that are not resources inside it (`/api/v1/namespaces/foo/status`). */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

/** Parses `path` (without its query) and the method into a RequestInfo. */
export function parseRequestInfo(
  method: string,
  path: string,
  query: URLSearchParams,
): RequestInfo {
  const info: RequestInfo = {
    path,
    group: "",
    version: "",
    namespace: "",
    resource: "",
    name: "",
    subresource: "",
    verb: method.toLowerCase(),
    discovery: false,
  };
  const parts = path.split("/").filter((p) => p !== "");
  const prefix = parts[0];
  if (prefix !== "api" && prefix !== "apis") return info;
  info.prefix = prefix;

  let rest: string[];
  if (prefix === "api") {
    info.version = parts[1] ?? "";
    rest = parts.slice(2);
  } else {
    info.group = parts[1] ?? "";
    info.version = parts[2] ?? "";
    rest = parts.slice(3);
  }
  if (!info.version || rest.length === 0) {
    info.discovery = true;
    return info;
  }

  let watchPrefix = false;
  if (rest[0] === "watch") {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (rest[0] === "namespaces" && rest.length > 1) {
    info.namespace = decodeURIComponent(rest[1] ?? "");
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] ?? "")) rest = rest.slice(2);
  }
  info.resource = rest[0] ?? "";
  info.name = rest.length > 1 ? decodeURIComponent(rest[1] ?? "") : "";
  info.subresource = rest.slice(2).join("/");
  // For `/api/v1/namespaces/foo` itself the namespace is the object's name, not a scope.
  if (info.resource === "namespaces") info.namespace = "";

  info.verb = verbOf(info.verb, info.name, watchPrefix || isTrue(query.get("watch")));
  return info;
}

function verbOf(method: string, name: string, watch: boolean): string {
  switch (method) {
    case "get":
    case "head":
      if (watch) return "watch";
      return name ? "get" : "list";
    case "post":
      return "create";
    case "put":
      return "update";
    case "patch":
      return "patch";
    case "delete":
      return name ? "delete" : "deletecollection";
    default:
      return method;
  }
}

/** Query booleans as the API accepts them (`true`, `1`). */
export function isTrue(v: string | null): boolean {
  return v === "true" || v === "1";
}
