/**
 * Field ownership of ordinary writes (create, update, patch: upstream's "Update" operation): the
 * fields a write changed go to its manager, and no longer belong to anyone else.
 */
import { allResources } from "../../api/registry.js";
import type { KubeObject, ManagedFieldsEntry } from "../../api/meta/types.js";
import { compareObjects, sameJson } from "./compare.js";
import { createFields } from "./create-fields.js";
import type { FieldSet } from "./field-set.js";
import { subtractFromFieldsV1 } from "./fields-v1.js";
import {
  capUpdateManagers,
  isReset,
  managerId,
  managerSet,
  newManager,
  readManagers,
  writeManagers,
  type Manager,
} from "./managers.js";
import { structShape } from "./shape.js";

/** What `recordUpdate` needs to know about one write. */
export interface UpdateArgs {
  /** The object before the write; undefined for a create. */
  live: KubeObject | undefined;
  /** The object as it will be stored; its `metadata.managedFields` is rewritten. */
  updated: KubeObject;
  /** The field manager: the `fieldManager` parameter, or `defaultManager(userAgent)`. */
  manager: string;
  /** The API version of the resource written (`apps/v1`). */
  apiVersion: string;
  /** The subresource written through (`status`, `scale`), if any. */
  subresource?: string;
  /** The time of the write, RFC 3339 in whole seconds (`2024-05-01T10:00:00Z`). */
  now: string;
  /** The kind's root type name (`def.schema`). */
  schema: string;
}

/**
 * Records a create, update or patch in `updated.metadata.managedFields`: the fields the write
 * added or changed join `manager`'s Update entry for this version and subresource (stamped with
 * `now`), and leave every other entry; removed fields leave every entry; emptied entries go. A
 * write through the main resource may set managedFields itself (an empty list resets them); through
 * a subresource it cannot. Returned entries may be shared with `live`: treat them as read-only.
 */
export function recordUpdate(args: UpdateArgs): void {
  const { live, updated, apiVersion, subresource, now } = args;
  const manager = args.manager || "unknown";
  const root = structShape(args.schema);
  const ignoreStatus = subresource === undefined && hasStatusSubresource(args.schema);

  const managers = startingManagers(live, updated, subresource);
  if (live === undefined && managers.size === 0) {
    const fields = createFields(root, updated, ignoreStatus);
    const own = newManager(manager, "Update", apiVersion, subresource);
    own.fields = fields;
    own.time = now;
    setManagedFields(updated, isEmptyObject(fields) ? [] : writeManagers(new Map([[own.id, own]])));
    return;
  }
  const change = compareObjects(root, live, updated, ignoreStatus);
  if (!change.touched.isEmpty() || !change.removed.isEmpty()) {
    for (const m of managers.values()) {
      if (!removeFields(m, change.touched, change.removed)) managers.delete(m.id);
    }
    if (!change.touched.isEmpty()) {
      const id = managerId(manager, "Update", apiVersion, subresource);
      const own = managers.get(id) ?? newManager(manager, "Update", apiVersion, subresource);
      managerSet(own).union(change.touched);
      own.entry = undefined;
      own.time = now;
      managers.set(id, own);
    }
    capUpdateManagers(managers);
  }
  setManagedFields(updated, writeManagers(managers));
}

/**
 * The entries a write starts from: those the request sets, when it sets any that are well
 * formed (an empty list resets them); otherwise the live object's.
 */
function startingManagers(
  live: KubeObject | undefined,
  updated: KubeObject,
  subresource: string | undefined,
): Map<string, Manager> {
  const liveEntries = live?.metadata.managedFields;
  const sent = updated.metadata.managedFields;
  const fromLive = (): Map<string, Manager> => readManagers(liveEntries, true) ?? new Map();
  if (subresource !== undefined) return fromLive();
  if (isReset(sent)) return new Map();
  if (sent === undefined || sent === null || sent === liveEntries) return fromLive();
  if (sent.length === 0) return fromLive();
  if (liveEntries !== undefined && sameJson(sent, liveEntries)) {
    return fromLive();
  }
  const mine = readManagers(sent, false);
  return mine === undefined || mine.size === 0 ? fromLive() : mine;
}

/** Removes both sets from a manager's fields; false when nothing is left. */
function removeFields(m: Manager, touched: FieldSet, removed: FieldSet): boolean {
  if (m.set !== undefined) {
    const a = m.set.subtract(touched);
    const b = m.set.subtract(removed);
    if (a || b) m.entry = undefined;
    return !m.set.isEmpty();
  }
  let fields = subtractFromFieldsV1(m.fields, touched);
  if (fields !== undefined) fields = subtractFromFieldsV1(fields, removed);
  if (fields === undefined) return false;
  if (fields !== m.fields) {
    m.fields = fields;
    m.entry = undefined;
  }
  return true;
}

function isEmptyObject(v: object): boolean {
  for (const _ in v) return false;
  return true;
}

/** Sets managedFields, leaving the field out when there are no entries, as upstream does. */
export function setManagedFields(obj: KubeObject, entries: ManagedFieldsEntry[]): void {
  if (entries.length > 0) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

let statusKinds: Set<string> | undefined;

/** Whether the kind with this root type keeps `status` apart in a status subresource. */
export function hasStatusSubresource(schema: string): boolean {
  statusKinds ??= new Set(allResources.filter((d) => d.statusSubresource).map((d) => d.schema));
  return statusKinds.has(schema);
}

/** Longest field manager name the API accepts (upstream's FieldManagerMaxLength). */
const MAX_MANAGER_BYTES = 128;

/**
 * The field manager of a request that names none: the User-Agent up to its first `/`, without
 * unprintable characters, cut to 128 bytes (`kubectl/v1.32.4 (linux/amd64)` gives `kubectl`).
 */
export function defaultManager(userAgent: string | undefined): string {
  const prefix = (userAgent ?? "").split("/", 1)[0] ?? "";
  let out = "";
  let bytes = 0;
  for (const ch of prefix) {
    if (/[\p{C}\p{Z}]/u.test(ch) && ch !== " ") continue;
    const size = Buffer.byteLength(ch);
    if (bytes + size > MAX_MANAGER_BYTES) break;
    out += ch;
    bytes += size;
  }
  return out;
}
