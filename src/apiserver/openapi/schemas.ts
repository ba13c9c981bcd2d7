/**
 * Schemas of OpenAPI documents from the schema language: one object schema per named type, with the
 * Kubernetes extensions that kubectl and other clients read (group-version-kind, list types and
 * keys, map types, strategic-merge-patch keys and strategies). The two dialects differ only in how
 * they refer to other types: OpenAPI 3 wraps a reference that carries a description in a
 * one-element `allOf` (siblings of `$ref` are ignored there), Swagger 2 puts the description beside
 * the `$ref`.
 */
import type { Field, ListSemantics, ObjectType, Schema } from "../../api/schema.js";
import type { JsonObject, JsonValue } from "../patch/json-value.js";
import { SCALAR_TYPES, type ScalarType } from "./builtin-types.js";

/** Which document a schema is for: OpenAPI 3.0 (`/openapi/v3`) or Swagger 2.0 (`/openapi/v2`). */
export type Dialect = "v3" | "v2";

/** Where references point in each dialect. */
export const REF_PREFIX: Readonly<Record<Dialect, string>> = {
  v3: "#/components/schemas/",
  v2: "#/definitions/",
};

/** The named type a schema refers to, or undefined for inline schemas (scalars, lists, maps). */
export function referencedType(schema: Schema): string | undefined {
  switch (schema.type) {
    case "ref":
      return schema.name;
    case "quantity":
      return SCALAR_TYPES.quantity.name;
    case "int-or-string":
      return SCALAR_TYPES.intOrString.name;
    case "time":
      return schema.micro ? SCALAR_TYPES.microTime.name : SCALAR_TYPES.time.name;
    case "any":
      return SCALAR_TYPES.any.name;
    default:
      return undefined;
  }
}

/** The document schema of a named object type. */
export function objectSchema(type: ObjectType, dialect: Dialect): JsonObject {
  const out: JsonObject = { description: type.description, type: "object" };
  const names = Object.keys(type.fields);
  if (names.length > 0) {
    const properties: JsonObject = {};
    const required: string[] = [];
    for (const name of names) {
      const field = type.fields[name]!;
      properties[name] = fieldSchema(field, dialect);
      if (field.required) required.push(name);
    }
    out["properties"] = properties;
    if (required.length > 0) out["required"] = required;
  }
  if (type.gvk) {
    out["x-kubernetes-group-version-kind"] = [
      { group: type.gvk.group, kind: type.gvk.kind, version: type.gvk.version },
    ];
  }
  if (type.mapType) out["x-kubernetes-map-type"] = type.mapType;
  return out;
}

/** The document schema of a named scalar type (Quantity, IntOrString, Time, RawExtension). */
export function scalarSchema(type: ScalarType, dialect: Dialect): JsonObject {
  return { description: type.description, ...(type[dialect] as JsonObject) };
}

function fieldSchema(field: Field, dialect: Dialect): JsonObject {
  const named = referencedType(field.schema);
  let out: JsonObject;
  if (named !== undefined) {
    const ref = REF_PREFIX[dialect] + named;
    out =
      dialect === "v3"
        ? { description: field.description, allOf: [{ $ref: ref }] }
        : { $ref: ref, description: field.description };
  } else {
    out = { description: field.description, ...valueSchema(field.schema, dialect) };
  }
  if (field.patchStrategy) out["x-kubernetes-patch-strategy"] = field.patchStrategy;
  return out;
}

/** The schema of a value: a reference for named types, an inline schema otherwise. */
export function valueSchema(schema: Schema, dialect: Dialect): JsonObject {
  const named = referencedType(schema);
  if (named !== undefined) return { $ref: REF_PREFIX[dialect] + named };
  switch (schema.type) {
    case "string": {
      const out: JsonObject = { type: "string" };
      if (schema.format) out["format"] = schema.format;
      if (schema.enum) out["enum"] = [...schema.enum];
      return out;
    }
    case "integer":
    case "number":
      return { type: schema.type, format: schema.format };
    case "boolean":
      return { type: "boolean" };
    case "map":
      return { type: "object", additionalProperties: valueSchema(schema.values, dialect) };
    case "array":
      return {
        type: "array",
        items: valueSchema(schema.items, dialect),
        ...listExtensions(schema.list),
      };
    default:
      throw new Error(`Cannot describe schema type ${schema.type} in OpenAPI`);
  }
}

function listExtensions(list: ListSemantics): JsonObject {
  const out: Record<string, JsonValue> = { "x-kubernetes-list-type": list.type };
  if (list.mapKeys) out["x-kubernetes-list-map-keys"] = [...list.mapKeys];
  if (list.patchMergeKey) out["x-kubernetes-patch-merge-key"] = list.patchMergeKey;
  if (list.patchStrategy) out["x-kubernetes-patch-strategy"] = list.patchStrategy;
  return out;
}

/** Calls `visit` with the name of every named type a type's fields refer to, directly. */
export function forEachReference(type: ObjectType, visit: (name: string) => void): void {
  for (const field of Object.values(type.fields)) walk(field.schema, visit);
}

function walk(schema: Schema, visit: (name: string) => void): void {
  const named = referencedType(schema);
  if (named !== undefined) return visit(named);
  if (schema.type === "array") walk(schema.items, visit);
  else if (schema.type === "map") walk(schema.values, visit);
}
