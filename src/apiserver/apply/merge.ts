/**
 * Merging an applied configuration into the live object, and pruning the fields an applier
 * stopped applying. Maps and granular structs merge key by key; sets and keyed lists merge element
 * by element in upstream's order; atomic values, atomic lists and atomic structs are replaced.
 */
import { indexList, isObject } from "./compare.js";
import type { FieldSet } from "./field-set.js";
import { ANY, elementKey, type ListShape, type Shape } from "./shape.js";
import { copyJson } from "../../util/json-copy.js";
import { setMember, type JsonObject, type JsonValue } from "../patch/json-value.js";

/**
 * The live value with the config merged in, as a fresh value that shares nothing with either
 * input. Nulls from the config stay in place (they still count as values when conflicts are
 * found); `dropNulls` removes them afterwards, as upstream's conversion back to an object does.
 */
export function mergeValue(shape: Shape, live: unknown, config: unknown): unknown {
  if (config === undefined) return copyJson(live);
  if (live === undefined || shape.atomic) return copyJson(config);
  if (shape.kind === "list") return mergeList(shape, live, config);

  const l = live === null ? undefined : live;
  const c = config === null ? undefined : config;
  if ((l !== undefined && !isObject(l)) || (c !== undefined && !isObject(c))) {
    return copyJson(config);
  }
  if (isEmpty(l) && isEmpty(c)) return copyJson(config);

  const left = (l ?? {}) as Record<string, unknown>;
  const right = (c ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(left)) {
    const child = shape.kind === "map" ? shape.values : (shape.fields.get(key)?.shape ?? ANY);
    const v = mergeValue(child, left[key], right[key]);
    if (v !== undefined) setMember(out as JsonObject, key, v as JsonValue);
  }
  for (const key of Object.keys(right)) {
    if (Object.hasOwn(left, key) || right[key] === undefined) continue;
    setMember(out as JsonObject, key, copyJson(right[key]) as JsonValue);
  }
  return out;
}

function mergeList(shape: ListShape, live: unknown, config: unknown): unknown {
  const l = live === null ? undefined : live;
  const c = config === null ? undefined : config;
  // A null config keeps the live elements, as upstream merges "no elements" into them.
  if (c === undefined && Array.isArray(l) && l.length > 0) return copyJson(l);
  if (!Array.isArray(l) || !Array.isArray(c) || (l.length === 0 && c.length === 0)) {
    return copyJson(config);
  }
  const li = indexList(shape, l);
  const ci = indexList(shape, c);
  if (li === undefined || ci === undefined) return copyJson(config);

  // Element keys of the live list in order, duplicates included, to walk it element by element.
  const liveKeys = l.map((item) => elementKey(shape, item) as string);
  const shared = ci.order.filter((k) => li.has(k));
  const merged = new Set<string>();
  const out: unknown[] = [];
  const mergeOne = (key: string): void => {
    const lv = li.dups?.has(key) ? undefined : li.get(key);
    out.push(mergeValue(shape.items, lv, ci.get(key)));
    merged.add(key);
  };

  // Elements only in the live list keep their place; shared ones follow the config's order.
  let next = 0;
  for (let i = 0, j = 0; i < liveKeys.length || j < ci.order.length;) {
    if (i < liveKeys.length && j < ci.order.length) {
      const lk = liveKeys[i] as string;
      if (lk === ci.order[j]) {
        mergeOne(lk);
        i++;
        j++;
        next++;
        continue;
      }
      if (ci.has(lk) && next < shared.length && shared[next] !== lk) {
        i++;
        continue;
      }
    }
    if (i < liveKeys.length) {
      const lk = liveKeys[i] as string;
      if (!ci.has(lk)) {
        out.push(copyJson(l[i]));
        i++;
        continue;
      }
      if (merged.has(lk)) i++;
    }
    if (j < ci.order.length) {
      const ck = ci.order[j] as string;
      mergeOne(ck);
      j++;
      if (shared[next] === ck) next++;
    }
  }
  return out;
}

/**
 * Removes from `value` (in place) the fields in `last` (what the applier applied before) that no
 * manager owns any more (`owned`), as upstream's prune does. A struct field counts as owned when
 * anything below it is. Returns true when `value` itself was emptied by the removal.
 */
export function pruneValue(
  shape: Shape,
  value: unknown,
  last: FieldSet,
  owned: FieldSet | undefined,
): boolean {
  if (last.children === undefined || shape.atomic) return false;
  if (shape.kind === "list") return pruneList(shape, value, last, owned);
  if (!isObject(value)) return false;

  let removed = false;
  for (const [key, lastChild] of last.children) {
    if (!key.startsWith("f:")) continue;
    const name = key.slice(2);
    if (!Object.hasOwn(value, name) || value[name] === undefined) continue;
    const field = shape.kind === "struct" ? shape.fields.get(name) : undefined;
    const child = shape.kind === "map" ? shape.values : (field?.shape ?? ANY);
    const named = field !== undefined;
    const ownedChild = owned?.get(key);
    const applied = lastChild.member || (named && lastChild.children !== undefined);
    const kept =
      ownedChild !== undefined &&
      (ownedChild.member || (named && ownedChild.children !== undefined));
    if (applied && !kept) {
      delete value[name];
      removed = true;
    } else if (pruneValue(child, value[name], lastChild, ownedChild)) {
      delete value[name];
      removed = true;
    }
  }
  return removed && isEmpty(value);
}

function pruneList(
  shape: ListShape,
  value: unknown,
  last: FieldSet,
  owned: FieldSet | undefined,
): boolean {
  if (!Array.isArray(value) || shape.listType === "atomic" || last.children === undefined) {
    return false;
  }
  const drop = new Set<number>();
  const keys = value.map((item) => elementKey(shape, item));
  for (let i = 0; i < value.length; i++) {
    const key = keys[i];
    if (typeof key !== "string") continue;
    const lastChild = last.get(key);
    if (lastChild === undefined) continue;
    const ownedChild = owned?.get(key);
    if (lastChild.member && !ownedChild?.member) drop.add(i);
    else pruneValue(shape.items, value[i], lastChild, ownedChild);
  }
  if (drop.size === 0) return false;
  let w = 0;
  for (let i = 0; i < value.length; i++) if (!drop.has(i)) value[w++] = value[i];
  value.length = w;
  return w === 0;
}

/** Removes null members of objects in place, as converting to a typed object drops them. */
export function dropNulls(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) dropNulls(item);
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (value[key] === null) delete value[key];
      else dropNulls(value[key]);
    }
  }
}

function isEmpty(v: unknown): boolean {
  if (v === undefined) return true;
  for (const _ in v as object) return false;
  return true;
}
