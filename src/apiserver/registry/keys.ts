/**
 * Storage keys of API objects: `/registry/<resource>/<namespace>/<name>` for namespaced kinds and
 * `/registry/<resource>/<name>` for cluster-scoped ones, where `<resource>` is the plural, prefixed by
 * the group for named groups (`/registry/apps/deployments/default/web`).
 */
import type { ResourceDefinition } from "../../api/resource.js";

/** The root of every key the API server writes. */
export const REGISTRY_ROOT = "/registry/";

/** The key prefix of all objects of a resource, ending in `/`. */
export function resourcePrefix(def: Pick<ResourceDefinition, "group" | "plural">): string {
  return def.group
    ? `${REGISTRY_ROOT}${def.group}/${def.plural}/`
    : `${REGISTRY_ROOT}${def.plural}/`;
}

/** The key prefix of a resource's objects in one namespace (or all of them for ""). */
export function scopePrefix(def: ResourceDefinition, namespace: string): string {
  const prefix = resourcePrefix(def);
  return def.namespaced && namespace ? `${prefix}${namespace}/` : prefix;
}

/** The key of one object. */
export function objectKey(def: ResourceDefinition, namespace: string, name: string): string {
  return def.namespaced
    ? `${resourcePrefix(def)}${namespace}/${name}`
    : `${resourcePrefix(def)}${name}`;
}
