/**
 * FieldsV1, the wire form of a field set in `managedFields[].fieldsV1`: a JSON object whose keys
 * are path elements, `{}` marking a leaf that is in the set and `"."` marking a node that is in the
 * set and also has children. Keys are written in upstream's order, so the bytes match upstream's.
 */
import { FieldSet, goJson, keyKey, sortKeys } from "./field-set.js";

/** The JSON shape of FieldsV1. */
export type FieldsV1 = { [element: string]: FieldsV1 };

/** A FieldsV1 document that cannot be read; the message says where and why. */
export class FieldsV1Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FieldsV1Error";
  }
}

/** Encodes a field set as FieldsV1, with keys in upstream's order. */
export function encodeFieldsV1(set: FieldSet): FieldsV1 {
  return encodeChildren(set, false);
}

function encodeChildren(node: FieldSet, self: boolean): FieldsV1 {
  const out: FieldsV1 = {};
  if (self) out["."] = {};
  if (node.children === undefined) return out;
  for (const key of sortKeys([...node.children.keys()])) {
    const child = node.children.get(key) as FieldSet;
    const hasChildren = child.children !== undefined && child.children.size > 0;
    out[key] = hasChildren ? encodeChildren(child, child.member) : {};
  }
  return out;
}

/**
 * Decodes FieldsV1 into a field set. Keys are brought to the form this server writes (key fields
 * sorted, JSON as Go writes it), so that sets decoded from any client compare by key. Unknown
 * element types are skipped, as upstream skips them; malformed ones throw a FieldsV1Error.
 */
export function decodeFieldsV1(json: unknown): FieldSet {
  const set = new FieldSet();
  if (json === null || json === undefined) return set;
  decodeInto(set, json, "");
  return set;
}

function decodeInto(node: FieldSet, json: unknown, at: string): boolean {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new FieldsV1Error(`${at || "fieldsV1"}: expected an object`);
  }
  let member = false;
  let any = false;
  for (const [raw, value] of Object.entries(json as Record<string, unknown>)) {
    if (raw === ".") {
      member = true;
      continue;
    }
    const key = canonicalKey(raw);
    if (key === undefined) continue;
    any = true;
    const child = new FieldSet();
    if (decodeInto(child, value, raw)) child.member = true;
    if (!child.isEmpty()) node.child(key).union(child);
  }
  // A node without children is a leaf, which is in the set; so is one that says "." explicitly.
  return member || !any;
}

function canonicalKey(raw: string): string | undefined {
  if (raw.length < 2) throw new FieldsV1Error(`${raw}: a path element needs a type and a colon`);
  if (raw.charAt(1) !== ":") throw new FieldsV1Error(`${raw}: missing colon`);
  const body = raw.slice(2);
  switch (raw.charAt(0)) {
    case "f":
      return raw;
    case "v":
      return "v:" + goJson(parseJson(raw, body));
    case "k": {
      const fields = parseJson(raw, body);
      if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
        throw new FieldsV1Error(`${raw}: a key must be a JSON object`);
      }
      const entries = Object.entries(fields as Record<string, unknown>);
      entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return keyKey(entries);
    }
    case "i":
      if (!/^[+-]?\d+$/.test(body)) throw new FieldsV1Error(`${raw}: an index must be an integer`);
      return "i:" + Number(body);
    default:
      return undefined;
  }
}

function parseJson(raw: string, body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new FieldsV1Error(`${raw}: not valid JSON`);
  }
}

/**
 * Removes the paths of `set` from a FieldsV1 document written by this server, copying only the
 * nodes that change. Returns the same object when nothing was removed, and undefined when nothing
 * is left.
 */
export function subtractFromFieldsV1(json: FieldsV1, set: FieldSet): FieldsV1 | undefined {
  const out = subtractNode(json, set);
  return out === REMOVED || Object.keys(out).length === 0 ? undefined : out;
}

const REMOVED: FieldsV1 = {};

/** Subtracts below one node; REMOVED when the node no longer holds anything. */
function subtractNode(json: FieldsV1, set: FieldSet): FieldsV1 {
  if (set.children === undefined) return json;
  let out: FieldsV1 | undefined;
  for (const [key, sub] of set.children) {
    const child = json[key];
    if (child === undefined) continue;
    const next = subtractChild(child, sub);
    if (next === child) continue;
    out ??= { ...json };
    if (next === REMOVED) delete out[key];
    else out[key] = next;
  }
  return out ?? json;
}

function subtractChild(json: FieldsV1, set: FieldSet): FieldsV1 {
  const keys = Object.keys(json);
  const leaf = keys.length === 0 || (keys.length === 1 && keys[0] === ".");
  if (leaf) return set.member ? REMOVED : json;

  let out = subtractNode(json, set);
  let member = Object.hasOwn(out, ".");
  if (set.member && member) {
    if (out === json) out = { ...json };
    delete out["."];
    member = false;
  }
  const hasChildren = Object.keys(out).some((k) => k !== ".");
  if (!hasChildren) return member ? {} : REMOVED;
  return out;
}
