/**
 * JSON merge patch (RFC 7386), the `application/merge-patch+json` body that `kubectl label`,
 * `annotate` and `scale` send: objects merge member by member, `null` deletes a member, and any
 * other value (arrays included) replaces what was there.
 */
import { cloneJson, isJsonObject, jsonEqual, setMember } from "./json-value.js";
import type { JsonObject, JsonValue } from "./json-value.js";
import { PatchError } from "./patch-error.js";

export { PatchError } from "./patch-error.js";

/**
 * Applies a merge patch to `target` (undefined stands for "no document") and returns the result.
 * Pure: neither input is modified, and the result shares nothing with them. Throws PatchError
 * (`invalid`) when either is not a JSON value.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  const base = target === undefined ? undefined : checked(target, "apply", "the target", "failed");
  return merge(base, checked(patch, "apply", "the patch", "invalid"));
}

function merge(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return patch;

  // Both arguments are private copies here, so the result may reuse and modify their parts.
  const result: JsonObject = isJsonObject(target) ? target : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[name];
      continue;
    }
    setMember(result, name, merge(Object.hasOwn(result, name) ? result[name] : undefined, value));
  }
  return result;
}

/**
 * The merge patch that turns `original` into `modified`: removed members as `null`, changed ones
 * with their new value, nested objects diffed member by member, arrays and scalars replaced whole.
 * When either side is not an object the patch is `modified` itself. A `null` that `modified` holds
 * inside an object cannot be expressed (RFC 7386 reads it as "delete"), so applying the patch
 * leaves that member absent. Pure, like applyMergePatch.
 */
export function createMergePatch(original: unknown, modified: unknown): unknown {
  const from = checked(original, "create", "the original document", "invalid");
  const to = checked(modified, "create", "the modified document", "invalid");
  if (!isJsonObject(from) || !isJsonObject(to)) return to;
  return diff(from, to);
}

function diff(from: JsonObject, to: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const name of Object.keys(from)) {
    if (!Object.hasOwn(to, name)) setMember(patch, name, null);
  }

  for (const [name, value] of Object.entries(to)) {
    const had = Object.hasOwn(from, name);
    const old = had ? from[name] : undefined;
    if (had && jsonEqual(old, value)) continue;
    // Setting an absent member to null and deleting it are the same patch: nothing.
    if (!had && value === null) continue;
    if (isJsonObject(old) && isJsonObject(value)) {
      const nested = diff(old, value);
      if (Object.keys(nested).length > 0) setMember(patch, name, nested);
      continue;
    }
    setMember(patch, name, value);
  }
  return patch;
}

function checked(
  value: unknown,
  verb: "apply" | "create",
  what: string,
  kind: "invalid" | "failed",
): JsonValue {
  const copy = cloneJson(value);
  if ("problem" in copy) {
    throw new PatchError(kind, `Cannot ${verb} merge patch: ${what} is not JSON: ${copy.problem}`);
  }
  return copy.value;
}
