/**
 * What each group-version document holds: the resources served under it and every named type
 * reachable from them (the kinds, their list kinds, Scale for scale subresources, and the meta
 * types operations take and return).
 */
import { f, list, ref, string, type ObjectType } from "../../api/schema.js";
import type { ResourceDefinition } from "../../api/resource.js";
import { scalarType, TYPE_NAMES, TypeLookup } from "./builtin-types.js";
import { forEachReference } from "./schemas.js";

/** One group-version: its resources and the names of the types its document describes. */
export interface GroupVersionModel {
  readonly group: string;
  readonly version: string;
  /** The key of the `/openapi/v3` index and the document's path: `api/v1`, `apis/apps/v1`. */
  readonly key: string;
  readonly resources: readonly ResourceDefinition[];
  /** Names of every object and scalar type the document describes, sorted. */
  readonly types: readonly string[];
}

/** The group-versions of a server and the types of each. */
export interface ApiModel {
  readonly groupVersions: readonly GroupVersionModel[];
  readonly lookup: TypeLookup;
}

/** The name of a kind's list type: `io.k8s.api.apps.v1.DeploymentList`. */
export function listTypeName(def: ResourceDefinition): string {
  return `${def.schema}List`;
}

/**
 * Collects the group-versions of `resources` in their discovery order, defines each kind's list
 * type (unless the schema registry already has it), and finds the types each document needs.
 */
export function buildModel(resources: readonly ResourceDefinition[]): ApiModel {
  const lookup = new TypeLookup();
  const byGroupVersion = new Map<string, ResourceDefinition[]>();
  for (const def of resources) {
    if (!lookup.has(def.schema)) {
      throw new Error(`Cannot describe ${def.kind}: its schema type ${def.schema} is not defined`);
    }
    if (!lookup.has(listTypeName(def))) lookup.define(listType(def));
    const key = def.group ? `apis/${def.group}/${def.version}` : `api/${def.version}`;
    const defs = byGroupVersion.get(key);
    if (defs) defs.push(def);
    else byGroupVersion.set(key, [def]);
  }

  const groupVersions: GroupVersionModel[] = [];
  for (const [key, defs] of byGroupVersion) {
    const roots: string[] = [
      TYPE_NAMES.status,
      TYPE_NAMES.deleteOptions,
      TYPE_NAMES.watchEvent,
      TYPE_NAMES.patch,
      TYPE_NAMES.resourceList,
    ];
    for (const def of defs) {
      roots.push(def.schema, listTypeName(def));
      if (def.scale) roots.push(TYPE_NAMES.scale);
    }
    const first = defs[0]!;
    groupVersions.push({
      group: first.group,
      version: first.version,
      key,
      resources: defs,
      types: reachable(roots, lookup),
    });
  }
  return { groupVersions, lookup };
}

function listType(def: ResourceDefinition): ObjectType {
  return {
    name: listTypeName(def),
    description: `A list of ${def.kind} objects.`,
    gvk: { group: def.group, version: def.version, kind: `${def.kind}List` },
    fields: {
      apiVersion: f(string(), undefined, "Versioned schema of this representation of the object."),
      kind: f(string(), undefined, "The REST resource this object represents, in CamelCase."),
      metadata: f(ref(TYPE_NAMES.listMeta), 1, "Standard list metadata."),
      items: f(list(ref(def.schema)), 2, `The ${def.kind} objects of the list.`, {
        required: true,
      }),
    },
  };
}

function reachable(roots: readonly string[], lookup: TypeLookup): string[] {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (scalarType(name)) continue;
    forEachReference(lookup.get(name), (next) => {
      if (!seen.has(next)) stack.push(next);
    });
  }
  return [...seen].sort();
}
