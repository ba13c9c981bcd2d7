/**
 * For tests of kinds: runs a resource definition's hooks in the order the API server's store runs them
 * (defaults, status handling, prepare, validate), without storage, and renders table cells by column name.
 */
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import type { ResourceDefinition } from "../../resource.js";
import { validateObjectMeta } from "../../validation.js";

/** The outcome of a simulated write: the object as it would be stored, and the field errors. */
export interface WriteResult {
  obj: KubeObject;
  errors: FieldError[];
}

/** Simulates a create of `input` (which is not modified). */
export function simulateCreate(def: ResourceDefinition, input: KubeObject): WriteResult {
  const obj = structuredClone(input);
  def.defaults?.(obj);
  if (def.statusSubresource && !def.keepStatusOnCreate) delete obj["status"];
  def.prepareForCreate?.(obj);
  const errors = [...validateObjectMeta(obj.metadata, def), ...(def.validate?.(obj) ?? [])];
  return { obj, errors };
}

/** Simulates an update of `old` (as stored) to `input` through the main resource. */
export function simulateUpdate(
  def: ResourceDefinition,
  input: KubeObject,
  old: KubeObject,
): WriteResult {
  const obj = structuredClone(input);
  def.defaults?.(obj);
  if (def.statusSubresource) {
    if (old["status"] === undefined) delete obj["status"];
    else obj["status"] = structuredClone(old["status"]);
  }
  def.prepareForUpdate?.(obj, old);
  const errors = [...(def.validate?.(obj) ?? []), ...(def.validateUpdate?.(obj, old) ?? [])];
  return { obj, errors };
}

/** Simulates a write of the status subresource: only `input`'s status is taken. */
export function simulateStatusUpdate(
  def: ResourceDefinition,
  input: KubeObject,
  old: KubeObject,
): WriteResult {
  const obj = { ...structuredClone(old), status: structuredClone(input["status"]) };
  return { obj, errors: def.validateStatusUpdate?.(obj, old) ?? [] };
}

/** The errors as `type field` strings, which read well in test tables. */
export function summarize(errors: readonly FieldError[]): string[] {
  return errors.map((e) => `${e.type} ${e.field}`);
}

/** The table cells of `obj`, keyed by column name. */
export function cells(
  def: ResourceDefinition,
  obj: KubeObject,
  now = new Date(),
): Record<string, unknown> {
  return Object.fromEntries(def.columns.map((c) => [c.name, c.cell(obj, now)]));
}
