/**
 * The field checks of each write, composed as upstream composes them: which problems are looked
 * for, in what order they are reported, and what is removed before the object is stored.
 */
import { compareBytes } from "./go-format.js";
import { JSON_PATCH, scanJson, type FieldFinding } from "./json-fields.js";
import {
  duplicateFieldText,
  MAX_STRICT_ERRORS,
  unknownFieldText,
  unknownPatchedFieldText,
  YAML_TO_JSON,
  yamlDuplicatesText,
  type CheckedPatchType,
} from "./messages.js";
import type { FieldValidation } from "./mode.js";
import { FREE, objectNode } from "./schema-nodes.js";
import { pruneUnknownFields } from "./unknown-fields.js";
import { findYamlDuplicateKeys } from "./yaml-fields.js";

/** A create or update body to check. */
export interface ObjectFieldCheck {
  /** The decoded body; fields its schema does not declare are removed in place, in every mode. */
  readonly obj: unknown;
  /** The body's text as received, where duplicate keys are still visible. */
  readonly body: string;
  readonly contentType: "json" | "yaml";
  /** The schema type of the kind written (`def.schema`). */
  readonly schemaName: string;
  readonly mode: FieldValidation;
}

/**
 * Checks a create or update body: removes its unknown fields and returns upstream's strict
 * decoding errors for it (none under Ignore). For JSON: unknown and duplicate fields in document
 * order. For YAML: go-yaml's one error for every duplicate key, then unknown fields in key order.
 */
export function checkObjectFields(check: ObjectFieldCheck): string[] {
  if (check.mode === "Ignore") {
    pruneUnknownFields(check.obj, check.schemaName);
    return [];
  }

  if (check.contentType === "json") {
    const scan = scanJson(check.body, objectNode(check.schemaName), MAX_STRICT_ERRORS);
    if (scan.unknownFields > 0) pruneUnknownFields(check.obj, check.schemaName);
    return scan.findings.map(findingText);
  }

  const errors: string[] = [];
  const duplicates = findYamlDuplicateKeys(check.body);
  if (duplicates.length > 0) errors.push(yamlDuplicatesText(duplicates));
  const unknown = pruneUnknownFields(check.obj, check.schemaName, "sorted");
  for (const path of unknown.slice(0, MAX_STRICT_ERRORS)) errors.push(unknownFieldText(path));
  return errors;
}

/** A JSON, merge or strategic merge patch to check, after it was applied. */
export interface PatchFieldCheck {
  readonly type: CheckedPatchType;
  /** The patch's text as received. */
  readonly patch: string;
  /** The patched object; fields its schema does not declare are removed in place, in every mode. */
  readonly patched: unknown;
  readonly schemaName: string;
  readonly mode: FieldValidation;
}

/**
 * Checks a patch: removes the patched object's unknown fields and returns upstream's strict
 * decoding errors (none under Ignore): first the patch text's own problems (duplicate keys; for a
 * JSON patch, also unknown operation fields, prefixed `json patch`), then the unknown fields of
 * the patched object, ordered as upstream's decoder of each patch type meets them.
 */
export function checkPatchFields(check: PatchFieldCheck): string[] {
  if (check.mode === "Ignore") {
    pruneUnknownFields(check.patched, check.schemaName);
    return [];
  }

  const errors: string[] = [];
  if (check.type === "json-patch") {
    for (const f of scanJson(check.patch, JSON_PATCH, MAX_STRICT_ERRORS).findings) {
      errors.push(`json patch ${findingText(f)}`);
    }
  } else {
    for (const f of scanJson(check.patch, FREE, MAX_STRICT_ERRORS).findings) {
      errors.push(duplicateFieldText(f.path));
    }
  }

  if (check.type === "strategic-merge-patch") {
    const unknown = pruneUnknownFields(check.patched, check.schemaName);
    errors.push(...unknown.map(unknownPatchedFieldText).sort(compareBytes));
  } else {
    const unknown = pruneUnknownFields(check.patched, check.schemaName, "sorted");
    for (const path of unknown.slice(0, MAX_STRICT_ERRORS)) errors.push(unknownFieldText(path));
  }
  return errors;
}

/**
 * Checks a server-side apply body for duplicate keys, the only check upstream adds to apply
 * (unknown fields fail apply itself, whatever the mode). Returns the strict errors (none under
 * Ignore) for `strictApplyError` or `strictWarnings`.
 */
export function checkApplyFields(patch: string, mode: FieldValidation): string[] {
  if (mode === "Ignore") return [];
  const duplicates = findYamlDuplicateKeys(patch);
  return duplicates.length > 0 ? [YAML_TO_JSON + yamlDuplicatesText(duplicates)] : [];
}

function findingText(finding: FieldFinding): string {
  return finding.type === "unknown"
    ? unknownFieldText(finding.path)
    : duplicateFieldText(finding.path);
}
