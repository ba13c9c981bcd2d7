/** The `fieldValidation` query parameter of create, update and patch. */
import { StatusError, type FieldError } from "../../api/errors.js";

/** How a write treats unknown and duplicate fields. */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** The options kind upstream names when it refuses a write's query parameters. */
export type WriteOptionsKind = "CreateOptions" | "UpdateOptions" | "PatchOptions";

/** What upstream lists as supported, the empty value included, in its (sorted) order. */
const SUPPORTED: readonly string[] = ["", "Ignore", "Strict", "Warn"];

/**
 * The field error upstream reports for an unsupported `fieldValidation` value, or undefined when
 * the value is fine; for callers that check several write options and report them together.
 */
export function fieldValidationError(value: string | null): FieldError | undefined {
  if (value === null || SUPPORTED.includes(value)) return undefined;
  return {
    type: "FieldValueNotSupported",
    field: "fieldValidation",
    value,
    detail: `supported values: ${SUPPORTED.map((v) => JSON.stringify(v)).join(", ")}`,
  };
}

/**
 * Reads `fieldValidation` (the first value of the query parameter, or null when absent). Absent
 * or empty means `Warn`, the server's default. Any other unknown value is refused as upstream
 * refuses it: 422 Invalid on `CreateOptions.meta.k8s.io ""` (or Update/PatchOptions).
 */
export function parseFieldValidation(
  value: string | null,
  options: WriteOptionsKind,
): FieldValidation {
  const error = fieldValidationError(value);
  if (error !== undefined) {
    throw StatusError.invalid({ group: "meta.k8s.io", kind: options }, "", [error]);
  }
  return value === null || value === "" ? "Warn" : (value as FieldValidation);
}
