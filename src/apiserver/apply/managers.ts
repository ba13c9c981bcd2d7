/**
 * The entries of `metadata.managedFields`, one per manager: reading them (from the live object,
 * or from a request that sets them), keeping them in upstream's order, and capping how many
 * Update entries an object keeps.
 */
import type { ManagedFieldsEntry } from "../../api/meta/types.js";
import { goJson, type FieldSet } from "./field-set.js";
import { decodeFieldsV1, encodeFieldsV1, FieldsV1Error, type FieldsV1 } from "./fields-v1.js";

/** One manager's entry while it is being worked on. */
export interface Manager {
  /** Identity as upstream keys managers: name, operation, subresource, an Update's version. */
  readonly id: string;
  readonly manager: string;
  readonly operation: "Apply" | "Update";
  apiVersion: string;
  subresource: string | undefined;
  time: string | undefined;
  /** The owned fields in wire form; stale while `set` holds changes not yet encoded. */
  fields: FieldsV1;
  /** The owned fields decoded; undefined until needed. */
  set: FieldSet | undefined;
  /** The entry as read, reused on output while nothing about it changed. */
  entry: ManagedFieldsEntry | undefined;
}

/** Upstream's identity of a manager: Apply entries keep one identity across versions. */
export function managerId(
  manager: string,
  operation: "Apply" | "Update",
  apiVersion: string,
  subresource: string | undefined,
): string {
  let id = `{"manager":${goJson(manager)},"operation":"${operation}"`;
  if (operation === "Update" && apiVersion) id += `,"apiVersion":${goJson(apiVersion)}`;
  if (subresource) id += `,"subresource":${goJson(subresource)}`;
  return id + "}";
}

/** A new, empty entry. */
export function newManager(
  manager: string,
  operation: "Apply" | "Update",
  apiVersion: string,
  subresource: string | undefined,
): Manager {
  const id = managerId(manager, operation, apiVersion, subresource);
  return {
    id,
    manager,
    operation,
    apiVersion,
    subresource,
    time: undefined,
    fields: {},
    set: undefined,
    entry: undefined,
  };
}

/** The decoded field set of a manager, decoding it on first use. */
export function managerSet(m: Manager): FieldSet {
  return (m.set ??= decodeFieldsV1(m.fields));
}

/**
 * Reads managedFields entries. Entries this server wrote (`trusted`) are taken as they are;
 * entries a client sent are checked and brought to canonical form. Returns undefined when any
 * entry is malformed, as upstream then ignores the whole list.
 */
export function readManagers(entries: unknown, trusted: boolean): Map<string, Manager> | undefined {
  const out = new Map<string, Manager>();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) return undefined;
  for (const raw of entries) {
    const m = readManager(raw, trusted);
    if (m === undefined) return undefined;
    out.set(m.id, m);
  }
  return out;
}

function readManager(raw: unknown, trusted: boolean): Manager | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const e = raw as ManagedFieldsEntry;
  if (e.operation !== "Apply" && e.operation !== "Update") return undefined;
  if (typeof e.apiVersion !== "string" || e.apiVersion === "") return undefined;
  if (e.fieldsType !== "FieldsV1") return undefined;
  const manager = typeof e.manager === "string" ? e.manager : "";
  const subresource =
    typeof e.subresource === "string" && e.subresource ? e.subresource : undefined;
  const m = newManager(manager, e.operation, e.apiVersion, subresource);
  m.time = typeof e.time === "string" ? (trusted ? e.time : normalizeTime(e.time)) : undefined;
  if (trusted) {
    m.fields = (e.fieldsV1 ?? {}) as FieldsV1;
    m.entry = e;
    return m;
  }
  try {
    m.set = decodeFieldsV1(e.fieldsV1);
  } catch (err) {
    if (err instanceof FieldsV1Error) return undefined;
    throw err;
  }
  m.fields = encodeFieldsV1(m.set);
  return m;
}

/** Times as metav1.Time writes them: UTC, whole seconds. */
function normalizeTime(time: string): string | undefined {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().slice(0, 19) + "Z";
}

/** True for a request that resets managedFields: an empty list, or a list of one empty entry. */
export function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  if (entries.length !== 1) return false;
  const only: unknown = entries[0];
  if (typeof only !== "object" || only === null) return false;
  return Object.values(only).every((v) => v === undefined || v === null || v === "");
}

/** How many Update entries an object keeps before the oldest are merged (upstream's default). */
export const MAX_UPDATE_MANAGERS = 10;

/** Merges the oldest Update entries into "ancient-changes" entries until at most the cap remain. */
export function capUpdateManagers(managers: Map<string, Manager>): void {
  const updaters = [...managers.values()].filter((m) => m.operation === "Update");
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  updaters.sort(
    (a, b) => seconds(a.time) - seconds(b.time) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );

  const firstOfVersion = new Map<string, Manager>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const m = updaters[i] as Manager;
    const first = firstOfVersion.get(m.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(m.apiVersion, m);
      continue;
    }
    const bucketId = managerId("ancient-changes", "Update", m.apiVersion, undefined);
    let bucket = managers.get(bucketId);
    if (bucket === undefined) {
      managers.delete(first.id);
      bucket = newManager("ancient-changes", "Update", m.apiVersion, undefined);
      bucket.set = managerSet(first).clone();
      managers.set(bucketId, bucket);
    }
    managerSet(bucket).union(managerSet(m));
    bucket.entry = undefined;
    bucket.time = m.time;
    managers.delete(m.id);
    length--;
  }
}

/** Writes the entries in upstream's order: Apply before Update, then by time, name, version. */
export function writeManagers(managers: Map<string, Manager>): ManagedFieldsEntry[] {
  const list = [...managers.values()];
  list.sort(
    (a, b) =>
      cmp(a.operation, b.operation) ||
      seconds(a.time) - seconds(b.time) ||
      cmp(a.manager, b.manager) ||
      cmp(a.apiVersion, b.apiVersion) ||
      cmp(a.subresource ?? "", b.subresource ?? ""),
  );
  return list.map(toEntry);
}

function toEntry(m: Manager): ManagedFieldsEntry {
  if (m.entry !== undefined) return m.entry;
  const fieldsV1 = m.set !== undefined ? encodeFieldsV1(m.set) : m.fields;
  const e: ManagedFieldsEntry = {};
  if (m.manager) e.manager = m.manager;
  e.operation = m.operation;
  e.apiVersion = m.apiVersion;
  if (m.time !== undefined) e.time = m.time;
  e.fieldsType = "FieldsV1";
  e.fieldsV1 = fieldsV1;
  if (m.subresource) e.subresource = m.subresource;
  return e;
}

function seconds(time: string | undefined): number {
  if (time === undefined) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
