/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), the body `kubectl apply`,
 * `edit`, `patch` and `rollout restart` send. It is a merge patch whose lists follow the schema: a
 * list with patch strategy `merge` merges its elements by the patch merge key (or, for scalars, as
 * a set), any other list is replaced. Directives refine it: `$patch` (replace or delete a map, or
 * inside a list), `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>` and `$retainKeys`.
 * The behaviour follows upstream's apimachinery `strategicpatch` as the API server applies it.
 */
import type { Schema } from "../../api/schema.js";
import type { JsonObject, JsonValue } from "./json-value.js";
import { getMember, isJsonObject, setMember } from "./json-value.js";
import { PatchError } from "./patch-error.js";
import type { ListSchema } from "./strategic-merge-checks.js";
import {
  at,
  checkListDirective,
  checkOrderEntries,
  checkPatchOrder,
  checkShape,
  copyJson,
  DELETE_FROM_PRIMITIVE_LIST,
  describe,
  directiveField,
  elementKind,
  fieldSchema,
  invalid,
  isDirectiveKey,
  isDollarKey,
  isMergeList,
  keyedElement,
  listOf,
  PATCH,
  replacesWhole,
  RETAIN_KEYS,
  SET_ELEMENT_ORDER,
} from "./strategic-merge-checks.js";
import { elementKey, firstIndexes, orderMerged } from "./strategic-merge-order.js";

export { PatchError } from "./patch-error.js";

/**
 * Applies a strategic merge patch to `target` (a live object; undefined stands for an empty one),
 * reading list strategies and merge keys from `schema`, the root type of the object, and returns
 * the result. Pure: neither input is modified and the result shares nothing with them. Throws
 * PatchError `invalid` for a malformed patch (a bad directive, a list element without its merge
 * key, a value of the wrong shape for its field), `failed` when the target itself cannot be merged
 * into.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, schema: Schema): unknown {
  const body = copyJson(patch, "the patch", "invalid");
  if (!isJsonObject(body)) {
    throw invalid("", `the patch must be a JSON object, not ${describe(body)}`);
  }

  const live = target === undefined ? {} : copyJson(target, "the target", "failed");
  if (!isJsonObject(live)) {
    throw new PatchError(
      "failed",
      `Cannot apply strategic merge patch: the target is ${describe(live)}`,
    );
  }
  return mergeObject(live, body, schema, "");
}

// Maps.

/**
 * Merges `patch` into `live`, which is a private copy and is modified in place; an undefined `live`
 * builds the value from the patch alone, dropping its nulls and directives.
 */
function mergeObject(
  live: JsonObject | undefined,
  patch: JsonObject,
  schema: Schema | undefined,
  path: string,
): JsonObject {
  if (Object.hasOwn(patch, PATCH)) return applyMapDirective(patch, schema, path);

  const result: JsonObject = live ?? {};
  if (Object.hasOwn(patch, RETAIN_KEYS)) retainKeys(result, patch, path);

  // Ordered lists are merged first, as upstream does, so that the rest of the patch skips them.
  let ordered: Set<string> | undefined;
  let deletions: string[] | undefined;
  for (const key of Object.keys(patch)) {
    if (!isDollarKey(key)) continue;
    if (key.startsWith(SET_ELEMENT_ORDER)) {
      const field = directiveField(key, SET_ELEMENT_ORDER, path);
      setElementOrder(result, patch, key, field, schema, path);
      (ordered ??= new Set()).add(field);
    } else if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      (deletions ??= []).push(key);
    }
  }

  for (const key of Object.keys(patch)) {
    if (isDirectiveKey(key) || ordered?.has(key)) continue;
    const value = patch[key] as JsonValue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const member = fieldSchema(schema, key);
    const where = at(path, key);
    const merged =
      isJsonObject(value) && replacesWhole(schema, key)
        ? replaceObject(value, member, where)
        : mergeValue(getMember(result, key), value, member, where);
    if (merged === undefined) delete result[key];
    else setMember(result, key, merged);
  }

  // Upstream applies these in Go map order, so in no fixed order; kubectl never deletes a scalar
  // its patch also adds, so after the merge is as good as any and is deterministic.
  for (const key of deletions ?? []) deleteFromPrimitiveList(result, patch, key, schema, path);
  return result;
}

/** `$patch` in a map: `replace` takes the patch's members alone, `delete` leaves an empty map. */
function applyMapDirective(
  patch: JsonObject,
  schema: Schema | undefined,
  path: string,
): JsonObject {
  const directive = patch[PATCH];
  if (directive === "delete") return {};
  if (directive === "replace") {
    // The patch is a private copy, so dropping the marker in place is safe.
    delete patch[PATCH];
    return mergeObject(undefined, patch, schema, path);
  }
  if (directive === "merge") {
    throw invalid(path, `"$patch": "merge" is not allowed in a patch; maps merge by default`);
  }
  throw invalid(
    path,
    `unknown "$patch" directive ${JSON.stringify(directive)} in a map; use "replace" or "delete"`,
  );
}

/** `$retainKeys`: members of `live` it does not list are cleared; the patch may set only those. */
function retainKeys(live: JsonObject, patch: JsonObject, path: string): void {
  const keep = patch[RETAIN_KEYS];
  if (!Array.isArray(keep) || !keep.every((k) => typeof k === "string")) {
    throw invalid(path, `"$retainKeys" must be a list of field names`);
  }
  const names = new Set<JsonValue>(keep);

  for (const key of Object.keys(patch)) {
    if (isDirectiveKey(key) || patch[key] === null || names.has(key)) continue;
    throw invalid(
      path,
      `field ${JSON.stringify(key)} is set by the patch but not in "$retainKeys"`,
    );
  }
  for (const key of Object.keys(live)) if (!names.has(key)) delete live[key];
}

// Values of any shape.

/**
 * Merges a non-null patch value into the live value of a member (undefined when absent); returns
 * undefined when the member is to be removed (`$patch: delete` on a map the live object lacks).
 */
function mergeValue(
  live: JsonValue | undefined,
  patch: JsonValue,
  schema: Schema | undefined,
  path: string,
): JsonValue | undefined {
  checkShape(patch, schema, path);
  if (isJsonObject(patch)) {
    if (isJsonObject(live)) return mergeObject(live, patch, schema, path);
    return buildObject(patch, schema, path);
  }
  if (Array.isArray(patch)) {
    if (!Array.isArray(live)) return buildList(patch, schema, path);
    return isMergeList(listOf(schema))
      ? mergeList(live, patch, schema as ListSchema, path).merged
      : buildList(patch, schema, path);
  }
  return patch;
}

/** A map whose field replaces it whole: built from the patch alone, whatever is live. */
function replaceObject(
  patch: JsonObject,
  schema: Schema | undefined,
  path: string,
): JsonObject | undefined {
  checkShape(patch, schema, path);
  return buildObject(patch, schema, path);
}

/** A map the live object lacks, built from the patch; undefined for `$patch: delete`. */
function buildObject(
  patch: JsonObject,
  schema: Schema | undefined,
  path: string,
): JsonObject | undefined {
  if (getMember(patch, PATCH) === "delete") return undefined;
  return mergeObject(undefined, patch, schema, path);
}

/**
 * A list taken from the patch: a list the live object lacks, or one whose strategy is to replace.
 * Directive elements are dropped (checked first) and duplicates kept, as upstream keeps them.
 */
function buildList(patch: JsonValue[], schema: Schema | undefined, path: string): JsonValue[] {
  const list = listOf(schema);
  const items = schema?.type === "array" ? schema.items : undefined;
  const mergeKey = isMergeList(list) ? (list?.patchMergeKey ?? "") : "";
  const out: JsonValue[] = [];

  patch.forEach((element, i) => {
    const where = `${path}[${i}]`;
    if (mergeKey !== "") {
      const object = keyedElement(element, mergeKey, where);
      if (Object.hasOwn(object, PATCH)) checkListDirective(object, mergeKey, where);
      else out.push(mergeObject(undefined, object, items, where));
      return;
    }
    if (element === null) {
      out.push(null);
      return;
    }
    checkShape(element, items, where);
    if (isMergeList(list) && typeof element === "object") {
      throw invalid(where, `a merged list of scalars cannot hold ${describe(element)}`);
    }
    if (isJsonObject(element)) {
      const built = buildObject(element, items, where);
      if (built !== undefined) out.push(built);
    } else if (Array.isArray(element)) {
      out.push(buildList(element, items, where));
    } else {
      out.push(element);
    }
  });
  return out;
}

// Lists with patch strategy `merge`.

/** A merged list, and the live list as upstream's ordering then sees it (see mergeObjectList). */
interface MergedList {
  merged: JsonValue[];
  visible: readonly JsonValue[];
}

/** Merges a patch list into a live list whose strategy is `merge`: by merge key, or as a set. */
function mergeList(
  live: JsonValue[],
  patch: JsonValue[],
  schema: ListSchema,
  path: string,
): MergedList {
  if (live.length === 0 && patch.length === 0) return { merged: live, visible: live };
  const mergeKey = schema.list.patchMergeKey ?? "";
  const kind = elementKind(live, patch, path);
  if (kind === "object") {
    if (mergeKey === "")
      throw invalid(path, "cannot merge a list of objects that has no merge key");
    return mergeObjectList(live, patch, mergeKey, schema.items, path);
  }
  if (mergeKey !== "") {
    throw invalid(path, `the elements must be objects with the merge key "${mergeKey}"`);
  }

  // A set: the union, the patch's elements in the patch's order.
  const merged = [...new Set([...live, ...patch])];
  const inPatch = new Set(patch);
  const patchItems = merged.filter((v) => inPatch.has(v));
  const serverOnly = merged.filter((v) => !inPatch.has(v));
  const order = orderMerged(
    patchItems,
    serverOnly,
    firstIndexes(patch, ""),
    firstIndexes(live, ""),
    "",
  );
  return { merged: order, visible: live };
}

/**
 * Merges a list of objects by `mergeKey`: `$patch: delete` elements remove every live element with
 * their key, `$patch: replace` replaces the list with the patch's other elements, and each other
 * element merges into the first live element with its key or is added.
 *
 * Ordering follows upstream to the element, including where its result comes from Go slices
 * sharing memory: deletions shift the live list left in place and additions are written over the
 * freed tail, so a later `$setElementOrder` pass sees the additions at the live list's end
 * (`visible`), while this list's own ordering sees only the live elements that remain.
 */
function mergeObjectList(
  live: JsonValue[],
  patch: JsonValue[],
  mergeKey: string,
  items: Schema,
  path: string,
): MergedList {
  const visible = live.slice();
  let length = live.length;
  const rest: { element: JsonObject; where: string }[] = [];
  let replace = false;

  patch.forEach((element, i) => {
    const object = element as JsonObject;
    const where = `${path}[${i}]`;
    if (!Object.hasOwn(object, PATCH)) {
      rest.push({ element: object, where });
      return;
    }
    if (checkListDirective(object, mergeKey, where) === "replace") {
      replace = true;
      return;
    }
    const key = object[mergeKey];
    for (let p = findByKey(visible, length, mergeKey, key); p >= 0;) {
      visible.copyWithin(p, p + 1, length);
      length--;
      p = findByKey(visible, length, mergeKey, key);
    }
  });

  if (replace) {
    const merged = rest.map((r) => {
      keyedElement(r.element, mergeKey, r.where);
      return mergeObject(undefined, r.element, items, r.where);
    });
    return { merged, visible };
  }

  const working = visible.slice(0, length);
  const serverOrder = firstIndexes(working, mergeKey);
  for (const { element, where } of rest) {
    keyedElement(element, mergeKey, where);
    const p = findByKey(working, working.length, mergeKey, element[mergeKey]);
    if (p >= 0) {
      working[p] = mergeObject(working[p] as JsonObject, element, items, where);
      continue;
    }
    const added = mergeObject(undefined, element, items, where);
    if (working.length < live.length) visible[working.length] = added;
    working.push(added);
  }

  const patchOrder = firstIndexes(
    rest.map((r) => r.element),
    mergeKey,
  );
  const { inOrder, others } = partition(working, patchOrder, mergeKey, path);
  return {
    merged: orderMerged(inOrder, others, patchOrder, serverOrder, mergeKey),
    visible,
  };
}

/** The first of the first `length` elements whose `mergeKey` member equals `key`, or -1. */
function findByKey(
  list: JsonValue[],
  length: number,
  mergeKey: string,
  key: JsonValue | undefined,
): number {
  for (let i = 0; i < length; i++) {
    const element = list[i];
    if (isJsonObject(element) && Object.hasOwn(element, mergeKey) && element[mergeKey] === key) {
      return i;
    }
  }
  return -1;
}

/** Splits `list` into the elements whose key `order` has, and the others, keeping their order. */
function partition(
  list: JsonValue[],
  order: ReadonlyMap<JsonValue | undefined, number>,
  mergeKey: string,
  path: string,
): { inOrder: JsonValue[]; others: JsonValue[] } {
  const inOrder: JsonValue[] = [];
  const others: JsonValue[] = [];
  for (const element of list) {
    if (mergeKey !== "" && !(isJsonObject(element) && Object.hasOwn(element, mergeKey))) {
      const problem = `the live list has an element without the merge key "${mergeKey}"`;
      throw new PatchError("failed", `Cannot apply strategic merge patch: ${path}: ${problem}`);
    }
    const key = elementKey(element, mergeKey);
    (key !== undefined && order.has(key) ? inOrder : others).push(element);
  }
  return { inOrder, others };
}

// The list directives of a map.

/** `$setElementOrder/<field>`: merges the field's list as usual, then orders it as listed. */
function setElementOrder(
  result: JsonObject,
  patch: JsonObject,
  key: string,
  field: string,
  schema: Schema | undefined,
  path: string,
): void {
  const where = at(path, field);
  const order = patch[key];
  if (!Array.isArray(order)) throw invalid(path, `"${key}" must be a list`);
  const listSchema = fieldSchema(schema, field);
  if (listSchema !== undefined && listSchema.type !== "array" && listSchema.type !== "any") {
    throw invalid(path, `"${key}" names ${field}, which is not a list`);
  }
  const list = listOf(listSchema);
  const mergeKey = list?.patchMergeKey ?? "";
  checkOrderEntries(order, mergeKey, key, path);

  let live = getMember(result, field);
  if (live === null) live = undefined;
  if (live !== undefined && !Array.isArray(live)) {
    throw invalid(path, `"${key}" names ${field}, which holds ${describe(live)}`);
  }
  const patchList = getMember(patch, field);
  if (patchList !== undefined && !Array.isArray(patchList)) {
    throw invalid(where, `must be a list when "${key}" is given, not ${describe(patchList)}`);
  }
  if (patchList !== undefined) checkPatchOrder(patchList, order, mergeKey, key, where);
  if (live === undefined && patchList === undefined) return;

  let merged: JsonValue[];
  let visible: readonly JsonValue[];
  if (patchList === undefined) {
    merged = live as JsonValue[];
    visible = merged;
  } else if (live === undefined) {
    merged = buildList(patchList, listSchema, where);
    visible = [];
  } else if (isMergeList(list)) {
    ({ merged, visible } = mergeList(live, patchList, listSchema as ListSchema, where));
  } else {
    merged = buildList(patchList, listSchema, where);
    visible = live;
  }

  if (mergeKey === "" && merged.some((v) => typeof v === "object" && v !== null)) {
    throw invalid(path, `"${key}" cannot order ${field}: its elements have no merge key`);
  }
  const orderIndex = firstIndexes(order, mergeKey);
  const { inOrder, others } = partition(merged, orderIndex, mergeKey, where);
  const serverOrder = firstIndexes(visible, mergeKey);
  setMember(result, field, orderMerged(inOrder, others, orderIndex, serverOrder, mergeKey));
}

/** `$deleteFromPrimitiveList/<field>`: removes every occurrence of the listed scalars. */
function deleteFromPrimitiveList(
  result: JsonObject,
  patch: JsonObject,
  key: string,
  schema: Schema | undefined,
  path: string,
): void {
  const field = directiveField(key, DELETE_FROM_PRIMITIVE_LIST, path);
  const values = patch[key];
  if (!Array.isArray(values) || values.some((v) => typeof v === "object" && v !== null)) {
    throw invalid(path, `"${key}" must be a list of scalars`);
  }
  const listSchema = fieldSchema(schema, field);
  if (listSchema !== undefined && listSchema.type !== "array" && listSchema.type !== "any") {
    throw invalid(path, `"${key}" names ${field}, which is not a list`);
  }

  const live = getMember(result, field);
  if (!Array.isArray(live) || live.length === 0) return;
  if (elementKind(live, values, at(path, field)) === "object") {
    throw invalid(path, `"${key}" names ${field}, which is not a list of scalars`);
  }
  const drop = new Set<JsonValue>(values);
  setMember(
    result,
    field,
    live.filter((v) => !drop.has(v)),
  );
}
