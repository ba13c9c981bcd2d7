/**
 * Server-side apply (`application/apply-patch+yaml`): merges an applied configuration into the
 * live object, makes the applier own exactly the fields it applied, removes the fields it stopped
 * applying that no one else owns, and refuses to change fields other managers own unless forced.
 */
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta/types.js";
import { compareObjects, isObject } from "./compare.js";
import { formatConfigErrors, readConfig } from "./config-set.js";
import { conflictError, type Conflict } from "./conflict.js";
import type { FieldSet } from "./field-set.js";
import { allowedByLastApplied, syncLastApplied } from "./last-applied.js";
import {
  capUpdateManagers,
  managerId,
  managerSet,
  newManager,
  readManagers,
  writeManagers,
  type Manager,
} from "./managers.js";
import { dropNulls, mergeValue, pruneValue } from "./merge.js";
import { hasStatusSubresource, setManagedFields } from "./record-update.js";
import { structShape, type StructNode } from "./shape.js";

/** What `applyConfiguration` needs to know about one apply request. */
export interface ApplyArgs {
  /** The object as stored; undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The applied configuration, parsed from the request body. */
  config: Record<string, unknown>;
  /** The `fieldManager` parameter, which apply requires. */
  manager: string;
  /** The `force` parameter: take fields from other managers instead of failing. */
  force: boolean;
  /** The API version of the resource (`apps/v1`). */
  apiVersion: string;
  /** The time of the request, RFC 3339 in whole seconds. */
  now: string;
  /** The kind's root type name (`def.schema`). */
  schema: string;
}

/**
 * Applies `config` to `live` and returns the new object (fresh: it shares nothing with the inputs)
 * with its managedFields. Throws a 400 StatusError for a config that does not fit the kind, and a
 * 409 Conflict listing every field another manager owns with a different value, unless `force`.
 * Defaulting, validation and the server-owned metadata are left to the caller.
 */
export function applyConfiguration(args: ApplyArgs): KubeObject {
  const { live, config, force } = args;
  const root = structShape(args.schema);
  const ignoreStatus = hasStatusSubresource(args.schema);
  checkConfig(root, args);
  const read = readConfig(root, config, ignoreStatus);
  if (read.errors.length > 0) {
    throw StatusError.badRequest(
      `failed to create typed patch object (${describe(args)}): ${formatConfigErrors(read.errors)}`,
    );
  }

  let result = applyOnce(root, args, read.set, ignoreStatus, force);
  if (Array.isArray(result) && args.manager === "kubectl") {
    // kubectl moving from client-side to server-side apply may take what it applied before.
    const allowed = allowedByLastApplied(root, live, args.apiVersion, ignoreStatus);
    if (allowed !== undefined) {
      const rest = result.filter((c) => !allowed.has(c.path));
      result = rest.length === 0 ? applyOnce(root, args, read.set, ignoreStatus, true) : rest;
    }
  }
  if (Array.isArray(result)) throw conflictError(result);

  if (args.manager === "kubectl") syncLastApplied(result, config);
  return result;
}

/** One attempt: the new object, or the conflicts that stop it. */
function applyOnce(
  root: StructNode,
  args: ApplyArgs,
  applied: FieldSet,
  ignoreStatus: boolean,
  force: boolean,
): KubeObject | Conflict[] {
  const { live, config, manager, apiVersion } = args;
  const managers = readManagers(live?.metadata.managedFields, true) ?? new Map<string, Manager>();
  const id = managerId(manager, "Apply", apiVersion, undefined);
  const previous = managers.get(id);
  const last = previous === undefined ? undefined : managerSet(previous);

  const merged = mergeValue(root, live, config) as KubeObject;
  const mine = newManager(manager, "Apply", apiVersion, undefined);
  mine.set = applied;
  mine.time = previous?.time;
  managers.set(id, mine);

  if (last !== undefined && !last.isEmpty()) {
    const owned = applied.clone();
    for (const m of managers.values()) if (m !== mine) owned.union(managerSet(m));
    pruneValue(root, merged, last, owned);
  }

  const change = compareObjects(root, live, merged, ignoreStatus);
  const conflicts: Conflict[] = [];
  for (const m of managers.values()) {
    if (m === mine) continue;
    const taken = managerSet(m).intersection(change.touched);
    if (taken.isEmpty()) continue;
    for (const path of taken.paths()) conflicts.push({ manager: m, path });
    if (force) {
      managerSet(m).subtract(taken);
      m.entry = undefined;
    }
  }
  if (conflicts.length > 0 && !force) return conflicts;

  for (const m of managers.values()) {
    if (m === mine) continue;
    if (managerSet(m).subtract(change.removed)) m.entry = undefined;
    if (managerSet(m).isEmpty()) managers.delete(m.id);
  }
  if (change.differs) mine.time = args.now;
  capUpdateManagers(managers);

  dropNulls(merged);
  merged.metadata ??= {};
  setManagedFields(merged, writeManagers(managers));
  return merged;
}

/** The structural checks upstream makes before merging: type, version, no managedFields. */
function checkConfig(root: StructNode, args: ApplyArgs): void {
  const { config } = args;
  if (!isObject(config)) throw StatusError.badRequest("error decoding YAML: not an object");
  const kind = root.gvk?.kind ?? "";
  if (config.apiVersion !== args.apiVersion || config.kind !== kind) {
    const version = typeof config.apiVersion === "string" ? config.apiVersion : "";
    const slash = version.indexOf("/");
    const group = slash < 0 ? "" : version.slice(0, slash);
    const ver = slash < 0 ? version : version.slice(slash + 1);
    const k = typeof config.kind === "string" ? config.kind : "";
    throw StatusError.badRequest(`invalid object type: ${group}/${ver}, Kind=${k}`);
  }
  const metadata = config.metadata;
  if (metadata !== undefined && metadata !== null && !isObject(metadata)) {
    throw StatusError.badRequest(
      `failed to create typed patch object (${describe(args)}): .metadata: expected map, got ${Array.isArray(metadata) ? "list" : typeof metadata}`,
    );
  }
  if (
    isObject(metadata) &&
    metadata.managedFields !== undefined &&
    metadata.managedFields !== null
  ) {
    throw StatusError.badRequest("metadata.managedFields must be nil");
  }
}

/** `namespace/name; group/version, Kind=kind`, as upstream names the object in these errors. */
function describe(args: ApplyArgs): string {
  const meta = isObject(args.config.metadata) ? args.config.metadata : {};
  const ns = typeof meta.namespace === "string" ? meta.namespace : "";
  const name = typeof meta.name === "string" ? meta.name : "";
  const slash = args.apiVersion.indexOf("/");
  const gv = slash < 0 ? `/${args.apiVersion}` : args.apiVersion;
  return `${ns}/${name}; ${gv}, Kind=${String(args.config.kind)}`;
}
