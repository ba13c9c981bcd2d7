/** JSON values as the patch algorithms see them: checked, copied and compared without aliasing. */

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [member: string]: JsonValue;
}

/** How deep a document may nest; real objects stay far below, and recursion stays bounded. */
export const MAX_JSON_DEPTH = 1000;

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A deep copy of `value`, or the reason it is not JSON (undefined, a function, a non-finite
 * number, a class instance, nesting past MAX_JSON_DEPTH), naming where inside it the problem is.
 */
export function cloneJson(value: unknown): { value: JsonValue } | { problem: string } {
  try {
    return { value: copy(value, "", 0) };
  } catch (err) {
    if (err instanceof NotJson) return { problem: err.message };
    throw err;
  }
}

class NotJson extends Error {}

function copy(value: unknown, at: string, depth: number): JsonValue {
  if (depth > MAX_JSON_DEPTH) throw new NotJson(`it nests deeper than ${MAX_JSON_DEPTH} levels`);
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value)) return value;
      throw new NotJson(`${where(at)} is ${value}, which JSON cannot hold`);
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((v, i) => copy(v, `${at}/${i}`, depth + 1));
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new NotJson(`${where(at)} is not a plain JSON object`);
      }
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(value))
        setMember(out, k, copy(v, `${at}/${escape(k)}`, depth + 1));
      return out;
    }
    default:
      throw new NotJson(`${where(at)} is ${typeof value}, which JSON cannot hold`);
  }
}

function escape(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

function where(at: string): string {
  return at === "" ? "the value" : `the value at ${at}`;
}

/** Deep equality of JSON values: objects by members regardless of order, arrays in order. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

/**
 * Sets an own member, even one named `__proto__`, which plain assignment would turn into a change
 * of the object's prototype.
 */
export function setMember(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    obj[key] = value;
  }
}

/** The own member `key` of `obj`, or undefined; never an inherited property. */
export function getMember(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
