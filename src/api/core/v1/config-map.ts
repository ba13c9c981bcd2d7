/** ConfigMap (core/v1): non-secret configuration data as key/value pairs. */
import { ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { boolean, defineType, f, map, string } from "../../schema.js";
import { check, invalid, root, tooLong } from "../../validation.js";

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

defineType({
  name: "io.k8s.api.core.v1.ConfigMap",
  description: "Configuration data for pods to consume, as key/value pairs.",
  gvk: { group: "", version: "v1", kind: "ConfigMap" },
  fields: {
    ...objectFields(),
    data: f(map(string()), 2, "UTF-8 configuration data, keyed by file-name-like keys."),
    binaryData: f(
      map(string({ format: "byte" })),
      3,
      "Binary configuration data, base64 encoded in JSON.",
    ),
    immutable: f(
      boolean(),
      4,
      "If true, the data can no longer be changed; only deletion is allowed.",
      { pointer: true },
    ),
  },
});

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_TOTAL_SIZE = 1024 * 1024;

/** Problems with a key of ConfigMap or Secret data: a file-name-like string of at most 253 characters. */
export function checkConfigKey(key: string): string[] {
  const problems: string[] = [];
  if (key.length > 253) problems.push("must be no more than 253 characters");
  if (!CONFIG_KEY.test(key)) {
    problems.push(
      "a valid config key must consist of alphanumerics, '-', '_' or '.' (regex '[-._a-zA-Z0-9]+')",
    );
  }
  if (key === "." || key === "..") problems.push(`must not be '${key}'`);
  else if (key.startsWith("..")) problems.push("must not start with '..'");
  return problems;
}

function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errors: FieldError[] = [];
  let size = 0;
  const seen = new Set<string>();
  for (const field of ["data", "binaryData"] as const) {
    const data = cm[field];
    if (data === undefined || data === null) continue;
    if (typeof data !== "object" || Array.isArray(data)) {
      errors.push(invalid(root(field), data, "must be a map of strings"));
      continue;
    }
    for (const [k, v] of Object.entries(data)) {
      errors.push(...check(root(field), k, checkConfigKey));
      if (seen.has(k))
        errors.push(invalid(root(field), k, "duplicate of key present in data or binaryData"));
      seen.add(k);
      if (typeof v !== "string") errors.push(invalid(root(field).key(k), v, "must be a string"));
      else size += v.length;
    }
  }
  if (size > MAX_TOTAL_SIZE) errors.push(tooLong(root(), MAX_TOTAL_SIZE));
  return errors;
}

export const configMaps = defineResource<ConfigMap>({
  group: "",
  version: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  singular: "configmap",
  shortNames: ["cm"],
  namespaced: true,
  schema: "io.k8s.api.core.v1.ConfigMap",
  columns: [
    {
      name: "Data",
      type: "integer",
      description: "Number of keys in data and binaryData.",
      priority: 0,
      cell: (cm) => Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    },
    ageColumn(),
  ],
  validate: validateConfigMap,
  validateUpdate: (cm, old) => {
    if (!old.immutable) return [];
    const errors: FieldError[] = [];
    if (cm.immutable !== true)
      errors.push(
        invalid(root("immutable"), cm.immutable, "field is immutable when `immutable` is set"),
      );
    if (
      JSON.stringify(cm.data ?? {}) !== JSON.stringify(old.data ?? {}) ||
      JSON.stringify(cm.binaryData ?? {}) !== JSON.stringify(old.binaryData ?? {})
    ) {
      errors.push({
        type: "FieldValueForbidden",
        field: "data",
        detail: "field is immutable when `immutable` is set",
      });
    }
    return errors;
  },
});
