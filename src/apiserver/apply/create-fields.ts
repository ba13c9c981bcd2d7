/**
 * The fields a create sets, written straight to FieldsV1. This is what comparing the new object
 * with upstream's zero object yields (see compare.ts), computed in one pass without an
 * intermediate set: creates are the most frequent write, and this runs on every one of them.
 */
import { isObject, sameJson, UNTRACKED_META, UNTRACKED_ROOT } from "./compare.js";
import { compareValues } from "./field-set.js";
import type { FieldsV1 } from "./fields-v1.js";
import { elementKey, type ListShape, type Shape, type StructNode } from "./shape.js";

/** FieldsV1 of every field `obj` sets, as a create records them. */
export function createFields(root: StructNode, obj: object, ignoreStatus: boolean): FieldsV1 {
  return members(root, obj as Record<string, unknown>, true, ignoreStatus ? 2 : 1) ?? {};
}

type Entry = [key: string, fields: FieldsV1, order: unknown];

/** Skip: 0 nothing, 1 the root's untracked fields, 2 those and status, 3 metadata's. */
function members(
  shape: StructNode | { kind: "map"; values: Shape },
  obj: Record<string, unknown>,
  zero: boolean,
  skip: 0 | 1 | 2 | 3,
): FieldsV1 | undefined {
  const entries: Entry[] = [];
  for (const name in obj) {
    const value = obj[name];
    if (value === undefined) continue;
    if (skip === 3 ? UNTRACKED_META.has(name) : skip !== 0 && UNTRACKED_ROOT.has(name)) continue;
    if (skip === 2 && name === "status") continue;
    let fields: FieldsV1 | undefined;
    let key: string;
    if (shape.kind === "map") {
      key = "f:" + name;
      fields = valueFields(shape.values, value, false);
    } else {
      const field = shape.fields.get(name);
      key = field === undefined ? "f:" + name : field.key;
      if (field === undefined) fields = {};
      else if (skip !== 0 && name === "metadata" && isObject(value)) {
        fields = field.shape.kind === "struct" ? members(field.shape, value, true, 3) : {};
      } else fields = valueFields(field.shape, value, zero && field.zero);
    }
    if (fields !== undefined) entries.push([key, fields, undefined]);
  }
  if (entries.length === 0) return undefined;
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return build(entries, false);
}

/**
 * The FieldsV1 node of one value set by a create: `{}` when the value is owned as a whole, its
 * children (with "." when it is owned itself too), or undefined when the create sets nothing
 * here. `zero` says upstream's zero object already holds this field.
 */
function valueFields(shape: Shape, value: unknown, zero: boolean): FieldsV1 | undefined {
  if (shape.kind === "scalar" || shape.atomic) {
    if (zero && sameJson(value, zeroValue(shape))) return undefined;
    return {};
  }
  if (shape.kind === "list") return listFields(shape, value, zero);
  if (!isObject(value) || isEmpty(value)) {
    return zero && isObject(value) ? undefined : {};
  }
  const children = members(shape, value, zero, 0);
  if (children === undefined) return zero ? undefined : {};
  if (!zero) return withSelf(children);
  return children;
}

function listFields(shape: ListShape, value: unknown, zero: boolean): FieldsV1 | undefined {
  if (value === null) return zero ? undefined : {};
  if (!Array.isArray(value) || value.length === 0) return {};
  const entries: Entry[] = [];
  const seen = new Set<string>();
  for (const item of value) {
    const key = elementKey(shape, item);
    if (typeof key !== "string") return {};
    if (seen.has(key)) {
      // A key that occurs twice is owned as one element, without its fields.
      const e = entries.find((x) => x[0] === key) as Entry;
      e[1] = {};
      continue;
    }
    seen.add(key);
    const order = shape.listType === "set" ? item : keyValues(shape, item);
    // Elements are owned themselves: valueFields already marks them, as nothing holds them yet.
    entries.push([key, valueFields(shape.items, item, false) ?? {}, order]);
  }
  entries.sort((a, b) =>
    shape.listType === "set"
      ? compareValues(a[2], b[2])
      : compareTuples(a[2] as unknown[], b[2] as unknown[]),
  );
  const out = build(entries, false);
  return zero ? out : withSelf(out);
}

function keyValues(shape: ListShape, item: unknown): unknown[] {
  const record = item as Record<string, unknown>;
  return shape.keys.map((k) => record[k] ?? shape.keyDefaults?.[k]);
}

function compareTuples(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function build(entries: Entry[], self: boolean): FieldsV1 {
  const out: FieldsV1 = {};
  if (self) out["."] = {};
  for (const [key, fields] of entries) out[key] = fields;
  return out;
}

/** Marks a node as owned itself: a leaf stays `{}`, a node with children gains ".". */
function withSelf(node: FieldsV1): FieldsV1 {
  for (const _ in node) return { ".": {}, ...node };
  return node;
}

function zeroValue(shape: Shape): unknown {
  return shape.kind === "struct" || shape.kind === "map" ? {} : null;
}

function isEmpty(v: object): boolean {
  for (const _ in v) return false;
  return true;
}
