/**
 * The checks and helpers of strategic merge patch: the directive names, the shape a patch value
 * must have for its field, the errors, and the copy of the live object the merge edits.
 */
import type { ListSemantics, Schema } from "../../api/schema.js";
import { getType } from "../../api/schema.js";
import type { JsonObject, JsonValue } from "./json-value.js";
import { cloneJson, isJsonObject, MAX_JSON_DEPTH, setMember } from "./json-value.js";
import { PatchError } from "./patch-error.js";
import type { PatchErrorKind } from "./patch-error.js";
import { elementKey } from "./strategic-merge-order.js";

/** The directive marker of a map or list element: `replace` or `delete`. */
export const PATCH = "$patch";
/** The directive listing the only members a map keeps. */
export const RETAIN_KEYS = "$retainKeys";
/** The prefix of the directive that orders a list: `$setElementOrder/<field>`. */
export const SET_ELEMENT_ORDER = "$setElementOrder";
/**
 * The prefix of the directive that removes scalars from a list: `$deleteFromPrimitiveList/<field>`.
 */
export const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";

/** A list schema. */
export type ListSchema = Extract<Schema, { type: "array" }>;

/** True for the directive keys of a map other than `$patch`; they never reach the result. */
export function isDirectiveKey(key: string): boolean {
  return (
    isDollarKey(key) &&
    (key === RETAIN_KEYS ||
      key.startsWith(SET_ELEMENT_ORDER) ||
      key.startsWith(DELETE_FROM_PRIMITIVE_LIST))
  );
}

/** True for keys that start with `$`, the only ones that can be directives. */
export function isDollarKey(key: string): boolean {
  return key.charCodeAt(0) === 36;
}

/** Checks a `$patch` element of a keyed list; returns its directive. */
export function checkListDirective(element: JsonObject, mergeKey: string, where: string): string {
  const directive = element[PATCH];
  if (directive === "delete") {
    keyedElement(element, mergeKey, where);
    return directive;
  }
  if (directive === "replace") return directive;
  if (directive === "merge") {
    throw invalid(
      where,
      `"$patch": "merge" is not allowed in a list; merged lists merge by default`,
    );
  }
  throw invalid(
    where,
    `unknown "$patch" directive ${JSON.stringify(directive)} in a list; use "replace" or "delete"`,
  );
}

/** The entries of `$setElementOrder`: objects with the merge key, or scalars. */
export function checkOrderEntries(
  order: JsonValue[],
  mergeKey: string,
  key: string,
  path: string,
): void {
  for (const entry of order) {
    const ok =
      mergeKey === ""
        ? typeof entry !== "object" || entry === null
        : isJsonObject(entry) && Object.hasOwn(entry, mergeKey);
    if (!ok) {
      const want = mergeKey === "" ? "scalars" : `objects with the merge key "${mergeKey}"`;
      throw invalid(path, `"${key}" must list ${want}, not ${describe(entry)}`);
    }
  }
}

/**
 * The patch list must name its elements in the order `$setElementOrder` gives them, and only
 * elements it names. Deletions are exempt; other directive elements are skipped while matching but,
 * as upstream counts them, must not trail past the end of the order.
 */
export function checkPatchOrder(
  patchList: JsonValue[],
  order: JsonValue[],
  mergeKey: string,
  key: string,
  path: string,
): void {
  if (order.length === 0 || patchList.length === 0) return;
  const elements =
    mergeKey === ""
      ? patchList
      : patchList.filter((element, i) => {
          if (isJsonObject(element) && Object.hasOwn(element, PATCH)) {
            return element[PATCH] !== "delete";
          }
          keyedElement(element, mergeKey, `${path}[${i}]`);
          return true;
        });

  let p = 0;
  let o = 0;
  while (p < elements.length && o < order.length) {
    const element = elements[p] as JsonValue;
    if (isJsonObject(element) && Object.hasOwn(element, PATCH)) {
      p++;
      continue;
    }
    if (elementKey(element, mergeKey) === elementKey(order[o] as JsonValue, mergeKey)) p++;
    o++;
  }
  if (p < elements.length) throw invalid(path, `the order of the list does not match "${key}"`);
}

/** The list a `$setElementOrder/` or `$deleteFromPrimitiveList/` key names. */
export function directiveField(key: string, prefix: string, path: string): string {
  if (key.charAt(prefix.length) !== "/") {
    throw invalid(path, `"${key}" is not a directive; write "${prefix}/<field>"`);
  }
  return key.slice(prefix.length + 1);
}

// Schema and shape checks.

/**
 * The schema of member `key` of an object or map schema; undefined for unknown fields and `any`.
 */
export function fieldSchema(schema: Schema | undefined, key: string): Schema | undefined {
  if (schema === undefined) return undefined;
  if (schema.type === "map") return schema.values;
  if (schema.type !== "ref") return undefined;
  const fields = getType(schema.name).fields;
  return Object.hasOwn(fields, key) ? fields[key]?.schema : undefined;
}

/**
 * True when member `key` of an object schema is replaced whole instead of merged: upstream's
 * `patchStrategy:"replace"` on a struct, such as a PodDisruptionBudget's selector.
 */
export function replacesWhole(schema: Schema | undefined, key: string): boolean {
  if (schema?.type !== "ref") return false;
  const fields = getType(schema.name).fields;
  return Object.hasOwn(fields, key) && fields[key]?.patchStrategy === "replace";
}

/** The list semantics of a list schema; undefined for anything else. */
export function listOf(schema: Schema | undefined): ListSemantics | undefined {
  return schema?.type === "array" ? schema.list : undefined;
}

/** True when a list merges under strategic merge patch rather than being replaced. */
export function isMergeList(list: ListSemantics | undefined): boolean {
  return list?.patchStrategy === "merge" || list?.patchStrategy === "merge,retainKeys";
}

/** Refuses a patch value whose JSON shape the schema rules out (an object for a list, ...). */
export function checkShape(value: JsonValue, schema: Schema | undefined, path: string): void {
  if (schema === undefined || schema.type === "any") return;
  const want =
    schema.type === "ref" || schema.type === "map"
      ? "an object"
      : schema.type === "array"
        ? "a list"
        : "a scalar";
  const got = isJsonObject(value) ? "an object" : Array.isArray(value) ? "a list" : "a scalar";
  if (got !== want) throw invalid(path, `expected ${want}, not ${describe(value)}`);
}

/** Checks that a keyed-list element is an object with the merge key. */
export function keyedElement(element: JsonValue, mergeKey: string, where: string): JsonObject {
  if (!isJsonObject(element)) {
    throw invalid(
      where,
      `expected an object with the merge key "${mergeKey}", not ${describe(element)}`,
    );
  }
  if (!Object.hasOwn(element, mergeKey)) {
    throw invalid(where, `the element does not contain the merge key "${mergeKey}"`);
  }
  return element;
}

/**
 * The one JSON kind all elements of both lists share. Mixed kinds are refused, and so are lists of
 * lists, which upstream answers with 422.
 */
export function elementKind(
  live: JsonValue[],
  patch: JsonValue[],
  path: string,
): string | undefined {
  let kind: string | undefined;
  for (const element of [...live, ...patch]) {
    const k = element === null ? "null" : Array.isArray(element) ? "list" : typeof element;
    if (k === "list") {
      throw new PatchError(
        "failed",
        `Cannot apply strategic merge patch: ${path}: lists of lists are not supported`,
      );
    }
    if (kind !== undefined && kind !== k) {
      throw invalid(path, `the list mixes elements of different types (${kind} and ${k})`);
    }
    kind = k;
  }
  return kind;
}

// Errors and copies.

/** The error for a malformed patch, naming where in the object the fault is. */
export function invalid(path: string, message: string): PatchError {
  const where = path === "" ? "" : `${path}: `;
  return new PatchError("invalid", `Cannot apply strategic merge patch: ${where}${message}`);
}

/** The path of member `key` under `path`. */
export function at(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** A JSON value's kind for messages: `a list`, `the string "x"`. */
export function describe(value: JsonValue | undefined): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

class NotJson extends Error {}

/**
 * A private deep copy of an input, which the merge may then edit and reuse. It runs over the whole
 * live object on every patch, so unlike cloneJson it tracks no paths; on a value that is not JSON
 * it asks cloneJson where the problem is, for the message.
 */
export function copyJson(value: unknown, what: string, kind: PatchErrorKind): JsonValue {
  try {
    return copy(value, 0);
  } catch (err) {
    if (!(err instanceof NotJson)) throw err;
    const checked = cloneJson(value);
    const problem = "problem" in checked ? checked.problem : "it is not JSON";
    throw new PatchError(
      kind,
      `Cannot apply strategic merge patch: ${what} is not JSON: ${problem}`,
    );
  }
}

function copy(value: unknown, depth: number): JsonValue {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value)) return value;
      throw new NotJson();
    case "object": {
      if (value === null) return null;
      if (depth > MAX_JSON_DEPTH) throw new NotJson();
      if (Array.isArray(value)) {
        const out: JsonValue[] = new Array<JsonValue>(value.length);
        for (let i = 0; i < value.length; i++) out[i] = copy(value[i], depth + 1);
        return out;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new NotJson();
      const out: JsonObject = {};
      for (const key of Object.keys(value)) {
        setMember(out, key, copy((value as Record<string, unknown>)[key], depth + 1));
      }
      return out;
    }
    default:
      throw new NotJson();
  }
}
