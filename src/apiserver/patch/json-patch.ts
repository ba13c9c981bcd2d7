/**
 * JSON patch (RFC 6902), the `application/json-patch+json` body: a list of add, remove, replace,
 * move, copy and test operations applied in order, all or nothing.
 */
import { arrayIndex, parseJsonPointer } from "./json-pointer.js";
import { cloneJson, isJsonObject, jsonEqual, setMember } from "./json-value.js";
import type { JsonObject, JsonValue } from "./json-value.js";
import { PatchError } from "./patch-error.js";

export { PatchError } from "./patch-error.js";

/** The most operations one patch may hold, as upstream's API server allows. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** One checked operation; members the RFC does not define for it are dropped, as it requires. */
export type JsonPatchOperation =
  | { op: "add" | "replace" | "test"; path: string; value: JsonValue }
  | { op: "remove"; path: string }
  | { op: "move" | "copy"; from: string; path: string };

type OpName = JsonPatchOperation["op"];

const OP_NAMES: readonly OpName[] = ["add", "remove", "replace", "move", "copy", "test"];

interface Compiled {
  op: OpName;
  path: string;
  tokens: string[];
  from?: { text: string; tokens: string[] };
  value?: JsonValue;
}

/**
 * Checks a patch document (the parsed JSON body) and returns its operations. Throws PatchError:
 * `invalid` for a malformed patch, `tooLarge` past MAX_JSON_PATCH_OPERATIONS operations.
 */
export function parseJsonPatch(ops: unknown): JsonPatchOperation[] {
  return compile(ops).map((c): JsonPatchOperation => {
    if (c.op === "remove") return { op: c.op, path: c.path };
    if (c.op === "move" || c.op === "copy")
      return { op: c.op, from: c.from?.text ?? "", path: c.path };
    return { op: c.op, path: c.path, value: c.value ?? null };
  });
}

/**
 * Applies a JSON patch to `doc` and returns the patched document. Atomic and pure: `doc` and `ops`
 * are never modified, and on any error nothing is returned. Throws PatchError: `invalid` or
 * `tooLarge` for a malformed patch, `failed` when an operation cannot apply to this document.
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  const compiled = compile(ops);
  const copy = cloneJson(doc);
  if ("problem" in copy) {
    throw new PatchError(
      "failed",
      `Cannot apply JSON patch: the target is not JSON: ${copy.problem}`,
    );
  }

  let current = copy.value;
  compiled.forEach((c, i) => {
    current = applyOne(current, c, i);
  });
  return current;
}

function compile(ops: unknown): Compiled[] {
  if (!Array.isArray(ops)) {
    throw invalid(`the patch must be a JSON array of operations, got ${describe(ops)}`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchError(
      "tooLarge",
      `Cannot apply JSON patch: it has ${ops.length} operations, more than the ${MAX_JSON_PATCH_OPERATIONS} allowed`,
    );
  }
  return ops.map(compileOne);
}

function compileOne(raw: unknown, i: number): Compiled {
  if (!isJsonObject(raw))
    throw invalid(`operation ${i} must be an object, got ${describe(raw)}`, i);
  const op = Object.hasOwn(raw, "op") ? raw.op : undefined;
  if (typeof op !== "string" || !(OP_NAMES as readonly string[]).includes(op)) {
    const got = op === undefined ? 'no "op"' : `"op" ${JSON.stringify(op)}`;
    throw invalid(`operation ${i} has ${got}; want one of ${OP_NAMES.join(", ")}`, i);
  }
  const name = op as OpName;
  const member = (key: string): JsonValue | undefined =>
    Object.hasOwn(raw, key) ? raw[key] : undefined;

  const path = pointer(member("path"), "path", name, i);
  const compiled: Compiled = { op: name, path: path.text, tokens: path.tokens };

  if (name === "move" || name === "copy") {
    compiled.from = pointer(member("from"), "from", name, i);
    const into = compiled.from.tokens;
    const isProperPrefix =
      into.length < path.tokens.length && into.every((t, k) => t === path.tokens[k]);
    if (name === "move" && isProperPrefix) {
      throw invalid(
        `operation ${i} ("move") cannot move ${show(compiled.from.text)} into its own child ${show(path.text)}`,
        i,
      );
    }
  }
  if (name === "add" || name === "replace" || name === "test") {
    const value = member("value");
    if (value === undefined) throw invalid(`operation ${i} ("${name}") has no "value"`, i);
    const copy = cloneJson(value);
    if ("problem" in copy) {
      throw invalid(
        `operation ${i} ("${name}") has a "value" that is not JSON: ${copy.problem}`,
        i,
      );
    }
    compiled.value = copy.value;
  }
  return compiled;
}

function pointer(
  raw: JsonValue | undefined,
  member: "path" | "from",
  op: OpName,
  i: number,
): { text: string; tokens: string[] } {
  if (typeof raw !== "string") {
    const got = raw === undefined ? "none" : describe(raw);
    throw invalid(`operation ${i} ("${op}") needs a string "${member}", got ${got}`, i);
  }
  const parsed = parseJsonPointer(raw);
  if ("problem" in parsed) {
    throw invalid(
      `operation ${i} ("${op}") has a "${member}" ${JSON.stringify(raw)} that is not a JSON pointer: ${parsed.problem}`,
      i,
    );
  }
  return { text: raw, tokens: parsed.tokens };
}

/** Applies one operation to a document this module owns; may modify it in place. */
function applyOne(doc: JsonValue, c: Compiled, i: number): JsonValue {
  const fail = (detail: string): never => {
    throw new PatchError(
      "failed",
      `Cannot apply JSON patch: ${detail} (operation ${i}, "${c.op}")`,
      i,
    );
  };

  switch (c.op) {
    case "add":
      return add(doc, c.tokens, c.path, c.value ?? null, fail);
    case "remove":
      return remove(doc, c.tokens, c.path, fail).doc;
    case "replace":
      return replace(doc, c.tokens, c.path, c.value ?? null, fail);
    case "move": {
      const from = c.from ?? { text: "", tokens: [] };
      if (from.text === c.path) {
        if (get(doc, from.tokens) === undefined)
          fail(`"from" path ${show(from.text)} does not exist`);
        return doc;
      }
      const taken = remove(doc, from.tokens, from.text, fail, "from");
      return add(taken.doc, c.tokens, c.path, taken.value, fail);
    }
    case "copy": {
      const from = c.from ?? { text: "", tokens: [] };
      const value = get(doc, from.tokens);
      if (value === undefined) return fail(`"from" path ${show(from.text)} does not exist`);
      // A copy must not alias its source, or a later operation on one would change both.
      const copy = cloneJson(value);
      return add(doc, c.tokens, c.path, "value" in copy ? copy.value : null, fail);
    }
    case "test": {
      const actual = get(doc, c.tokens);
      if (actual === undefined || !jsonEqual(actual, c.value ?? null)) {
        const why = actual === undefined ? ": the path does not exist" : "";
        const message = `the "test" operation failed at ${show(c.path)}${why} (operation ${i})`;
        throw new PatchError("failed", `Cannot apply JSON patch: ${message}`, i);
      }
      return doc;
    }
  }
}

type Fail = (detail: string) => never;

/** The value at a pointer, or undefined when nothing is there. */
function get(doc: JsonValue, tokens: readonly string[]): JsonValue | undefined {
  let at: JsonValue | undefined = doc;
  for (const token of tokens) {
    if (at === undefined) return undefined;
    at = child(at, token);
  }
  return at;
}

function child(container: JsonValue, token: string): JsonValue | undefined {
  if (Array.isArray(container)) {
    const index = arrayIndex(token);
    return index === undefined ? undefined : container[index];
  }
  if (isJsonObject(container))
    return Object.hasOwn(container, token) ? container[token] : undefined;
  return undefined;
}

function parentOf(doc: JsonValue, tokens: readonly string[]): JsonObject | JsonValue[] | undefined {
  const parent = get(doc, tokens.slice(0, -1));
  return Array.isArray(parent) || isJsonObject(parent) ? parent : undefined;
}

function add(
  doc: JsonValue,
  tokens: string[],
  path: string,
  value: JsonValue,
  fail: Fail,
): JsonValue {
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1] ?? "";
  if (!parent) {
    // The parent's pointer is the path up to its last unescaped "/", which is its last "/".
    const parentPath = show(path.slice(0, path.lastIndexOf("/")));
    const found = get(doc, tokens.slice(0, -1));
    const why =
      found === undefined ? "does not exist" : `is ${describe(found)}, not an object or array`;
    return fail(`path ${show(path)} cannot be added: its parent ${parentPath} ${why}`);
  }

  if (isJsonObject(parent)) {
    setMember(parent, last, value);
    return doc;
  }
  if (last === "-") {
    parent.push(value);
    return doc;
  }
  const index = arrayIndex(last);
  if (index === undefined) return fail(`path ${show(path)}: "${last}" is not an array index`);
  if (index > parent.length) {
    return fail(`path ${show(path)} is out of bounds: the array has ${parent.length} elements`);
  }
  parent.splice(index, 0, value);
  return doc;
}

function replace(
  doc: JsonValue,
  tokens: string[],
  path: string,
  value: JsonValue,
  fail: Fail,
): JsonValue {
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1] ?? "";
  if (!parent || child(parent, last) === undefined)
    return fail(`path ${show(path)} does not exist`);

  // In place, so that a replaced member keeps its position among its siblings.
  if (Array.isArray(parent)) parent[arrayIndex(last) ?? 0] = value;
  else setMember(parent, last, value);
  return doc;
}

function remove(
  doc: JsonValue,
  tokens: string[],
  path: string,
  fail: Fail,
  member: "path" | "from" = "path",
): { doc: JsonValue; value: JsonValue } {
  const named = member === "from" ? `"from" path ${show(path)}` : `path ${show(path)}`;
  if (tokens.length === 0) {
    if (member === "path") return fail("the whole document cannot be removed");
    return fail(`${named} names the whole document, which cannot be moved`);
  }
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1] ?? "";
  const value = parent ? child(parent, last) : undefined;
  if (!parent || value === undefined) return fail(`${named} does not exist`);

  if (Array.isArray(parent)) parent.splice(arrayIndex(last) ?? parent.length, 1);
  else delete parent[last];
  return { doc, value };
}

function invalid(detail: string, operation?: number): PatchError {
  return new PatchError("invalid", `Cannot apply JSON patch: ${detail}`, operation);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}

function show(pointer: string): string {
  return pointer === "" ? '"" (the whole document)' : pointer;
}
