/**
 * Upstream's words for strict decoding problems: the text of each error, the Status a Strict write
 * fails with (which depends on the verb), and the warnings a Warn write returns.
 */
import { StatusError } from "../../api/errors.js";
import { compareBytes, goQuote, goValue } from "./go-format.js";
import type { YamlDuplicateKey } from "./yaml-fields.js";

/** How many strict errors upstream's JSON decoder keeps; later ones are dropped. */
export const MAX_STRICT_ERRORS = 100;

/** The error text of an unknown field, as upstream's JSON decoder words it. */
export function unknownFieldText(path: string): string {
  return `unknown field ${goQuote(path)}`;
}

/** The error text of a duplicate field, as upstream's JSON decoder words it. */
export function duplicateFieldText(path: string): string {
  return `duplicate field ${goQuote(path)}`;
}

/**
 * The error text of an unknown field found in a strategic merge patch's result: upstream's
 * converter quotes the path without escaping it, and sorts these texts.
 */
export function unknownPatchedFieldText(path: string): string {
  return `unknown field "${path}"`;
}

const YAML_ERRORS = "yaml: unmarshal errors:\n";
/** How sigs.k8s.io/yaml prefixes go-yaml's errors when the body is decoded through it (apply). */
export const YAML_TO_JSON = "error converting YAML to JSON: ";

/** The one error go-yaml's strict mode raises for all the duplicate keys of a document. */
export function yamlDuplicatesText(duplicates: readonly YamlDuplicateKey[]): string {
  const lines = duplicates.map((d) => `line ${d.line}: key ${d.key} already set in map`);
  return `${YAML_ERRORS}  ${lines.join("\n  ")}`;
}

/** `strict decoding error: ` followed by the errors, joined as upstream joins them. */
export function strictDecodingMessage(errors: readonly string[]): string {
  return `strict decoding error: ${errors.join(", ")}`;
}

/**
 * The 400 a Strict create or update fails with. `resource` is the kind served at the URL; the
 * body's own `kind` and `apiVersion` (defaulted from it) name what was sent.
 */
export function strictObjectError(
  errors: readonly string[],
  resource: { readonly kind: string; readonly version: string },
  body: unknown,
): StatusError {
  const sent = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const kind = typeof sent["kind"] === "string" && sent["kind"] ? sent["kind"] : resource.kind;
  const apiVersion = typeof sent["apiVersion"] === "string" ? sent["apiVersion"] : "";
  const version = apiVersion.slice(apiVersion.indexOf("/") + 1) || resource.version;
  const what = `${kind} in version ${goQuote(version)} cannot be handled as a ${resource.kind}`;
  return StatusError.badRequest(`${what}: ${strictDecodingMessage(errors)}`);
}

/** The patch types whose Strict failures are reported by `strictPatchError`. */
export type CheckedPatchType = "json-patch" | "merge-patch" | "strategic-merge-patch";

/**
 * The 422 a Strict JSON, merge or strategic merge patch fails with: an Invalid `patch` field whose
 * value is the strategic merge patch as Go prints a map, or the patched object as JSON.
 */
export function strictPatchError(
  errors: readonly string[],
  patch: { readonly type: CheckedPatchType; readonly patch: unknown; readonly patched: unknown },
): StatusError {
  const value =
    patch.type === "strategic-merge-patch" ? goValue(patch.patch) : goJson(patch.patched);
  return StatusError.invalid({ group: "", kind: "" }, "", [
    { type: "FieldValueInvalid", field: "patch", value, detail: strictDecodingMessage(errors) },
  ]);
}

/** The 400 a Strict server-side apply fails with when its body repeats a key. */
export function strictApplyError(errors: readonly string[]): StatusError {
  return StatusError.badRequest(`error strict decoding patch: ${errors.join(", ")}`);
}

/**
 * The warnings a Warn write returns for its strict errors: one per error, except that go-yaml's
 * combined error gives one warning per duplicate key (`line 5: key "replicas" already set in map`).
 */
export function strictWarnings(errors: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const error of errors) {
    const rest = error.startsWith(YAML_ERRORS)
      ? error.slice(YAML_ERRORS.length)
      : error.startsWith(YAML_TO_JSON + YAML_ERRORS)
        ? error.slice(YAML_TO_JSON.length + YAML_ERRORS.length)
        : undefined;
    if (rest === undefined) warnings.push(error);
    else for (const line of rest.split("\n")) warnings.push(line.trim());
  }
  return warnings;
}

/** A value as Go's encoding/json writes a map: keys sorted, HTML characters escaped. */
function goJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    const record = v as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(record).sort(compareBytes)) {
      Object.defineProperty(sorted, k, { value: record[k], enumerable: true, writable: true });
    }
    return sorted;
  });
  return (json ?? "null").replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
