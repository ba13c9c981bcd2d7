/**
 * Resource descriptors: the four facts a client needs to address a kind over HTTP, derived from the API's
 * own definitions so that a plural or a scope is spelled in one place only.
 */
import { allResources } from "../api/registry.js";

/** How a client addresses a resource: its group, version, plural name and scope. */
export interface ResourceDescriptor {
  /** The API group; empty for the core group. */
  readonly group: string;
  readonly version: string;
  /** The plural resource name, as in URLs (`deployments`). */
  readonly resource: string;
  readonly namespaced: boolean;
  /** The kind, when known; informers and the event recorder use it to fill in object references. */
  readonly kind?: string;
}

/** The descriptor of a kind the API serves, looked up by group and plural; throws when unknown. */
export function resourceOf(group: string, resource: string): ResourceDescriptor {
  const def = allResources.find((d) => d.group === group && d.plural === resource);
  if (!def) throw new Error(`Cannot find resource ${resource}.${group || "core"}: not registered`);
  return {
    group: def.group,
    version: def.version,
    resource: def.plural,
    namespaced: def.namespaced,
    kind: def.kind,
  };
}

/** Descriptors of the built-in kinds controllers, the scheduler and node agents use. */
export const resources = {
  pods: resourceOf("", "pods"),
  nodes: resourceOf("", "nodes"),
  namespaces: resourceOf("", "namespaces"),
  services: resourceOf("", "services"),
  endpoints: resourceOf("", "endpoints"),
  configMaps: resourceOf("", "configmaps"),
  secrets: resourceOf("", "secrets"),
  serviceAccounts: resourceOf("", "serviceaccounts"),
  events: resourceOf("", "events"),
  persistentVolumes: resourceOf("", "persistentvolumes"),
  persistentVolumeClaims: resourceOf("", "persistentvolumeclaims"),
  replicationControllers: resourceOf("", "replicationcontrollers"),
  deployments: resourceOf("apps", "deployments"),
  replicaSets: resourceOf("apps", "replicasets"),
  statefulSets: resourceOf("apps", "statefulsets"),
  daemonSets: resourceOf("apps", "daemonsets"),
  controllerRevisions: resourceOf("apps", "controllerrevisions"),
  jobs: resourceOf("batch", "jobs"),
  cronJobs: resourceOf("batch", "cronjobs"),
  leases: resourceOf("coordination.k8s.io", "leases"),
  endpointSlices: resourceOf("discovery.k8s.io", "endpointslices"),
  podDisruptionBudgets: resourceOf("policy", "poddisruptionbudgets"),
  storageClasses: resourceOf("storage.k8s.io", "storageclasses"),
  priorityClasses: resourceOf("scheduling.k8s.io", "priorityclasses"),
} as const;

/** The API version string of a descriptor: `v1` for the core group, `group/version` otherwise. */
export function apiVersionFor(res: ResourceDescriptor): string {
  return res.group ? `${res.group}/${res.version}` : res.version;
}

/**
 * The URL path of a resource collection, an object, or an object's subresource. A namespaced resource
 * without a namespace addresses all namespaces (lists and watches only).
 */
export function resourcePath(
  res: ResourceDescriptor,
  namespace: string | undefined,
  name?: string,
  subresource?: string,
): string {
  let path = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  if (res.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${res.resource}`;
  if (name !== undefined) {
    if (name === "") throw new Error(`Cannot address a ${res.resource} object without a name`);
    path += `/${encodeURIComponent(name)}`;
    if (subresource) path += `/${subresource}`;
  }
  return path;
}

/** The cache key of an object, as upstream's MetaNamespaceKeyFunc makes it: `namespace/name` or `name`. */
export function objectKey(meta: { namespace?: string; name?: string }): string {
  return meta.namespace ? `${meta.namespace}/${meta.name ?? ""}` : (meta.name ?? "");
}

/** Splits a cache key back into namespace (empty for cluster-scoped objects) and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0
    ? { namespace: "", name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
