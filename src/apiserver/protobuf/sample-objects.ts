/**
 * Objects built from the schema alone, for the round-trip tests: one that sets every field a type
 * has, down through every nested type, and one that sets each field whose zero value survives
 * decoding to exactly that zero.
 */
import type { Field, Schema } from "../../api/schema.js";
import { getType } from "../../api/schema.js";

/** What a sample holds: every field with a distinct non-zero value, or only zeros that survive. */
export type SampleMode = "full" | "zeros";

/** A sample object of a named type, in JSON form (without apiVersion and kind). */
export function sampleObject(typeName: string, mode: SampleMode): Record<string, unknown> {
  return new SampleBuilder(mode).object(typeName, []);
}

class SampleBuilder {
  readonly #mode: SampleMode;
  #counter = 0;

  constructor(mode: SampleMode) {
    this.#mode = mode;
  }

  object(typeName: string, stack: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const type = getType(typeName);
    for (const [name, field] of Object.entries(type.fields)) {
      if (field.proto === undefined) continue;
      // A type that contains itself would never end; one level of it is enough.
      if (field.schema.type === "ref" && stack.includes(field.schema.name)) continue;
      const value = this.#field(field, [...stack, typeName]);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  #field(field: Field, stack: string[]): unknown {
    const schema = field.schema;
    if (this.#mode === "full") return this.#value(schema, stack);

    // Zeros survive in lists, maps and nested messages, and in scalars that keep them.
    if (schema.type === "array" || schema.type === "map" || schema.type === "ref") {
      return this.#value(schema, stack);
    }
    if (field.pointer !== true && field.required !== true) return undefined;
    return this.#zero(schema);
  }

  #value(schema: Schema, stack: string[]): unknown {
    const n = ++this.#counter;
    const zeros = this.#mode === "zeros";
    switch (schema.type) {
      case "string":
        if (zeros) return "";
        if (schema.format === "byte")
          return Buffer.from([0, 0xff, 0x80, n & 0xff]).toString("base64");
        return schema.enum?.[n % schema.enum.length] ?? `value-${n}`;
      case "integer":
        if (zeros) return 0;
        if (schema.format === "int32") return n % 2 ? -n : n * 1000;
        return n % 2 ? -(2 ** 40 + n) : 2 ** 40 + n;
      case "number":
        return zeros ? 0 : n + 0.25;
      case "boolean":
        return !zeros;
      case "quantity":
        return zeros ? "0" : n % 2 ? "250m" : "1Gi";
      case "int-or-string":
        return zeros ? 0 : n % 2 ? n : `${n}%`;
      case "time":
        if (zeros) return undefined;
        return schema.micro
          ? "2024-05-06T07:08:09.123456Z"
          : `2024-05-06T07:08:${String(n % 60).padStart(2, "0")}Z`;
      case "any":
        return zeros ? {} : { "f:metadata": { "f:labels": {} }, n: [1, "x", true, null] };
      case "array": {
        const scalar = schema.items.type !== "ref";
        const items =
          scalar && !zeros
            ? [this.#value(schema.items, stack), this.#value(schema.items, stack)]
            : [this.#value(schema.items, stack)];
        const kept = items.filter((item) => item !== undefined);
        // An empty list is not on the wire at all, so it could not come back.
        return kept.length > 0 ? kept : undefined;
      }
      case "map": {
        const value = this.#value(schema.values, stack);
        return value === undefined
          ? undefined
          : { [`key-${n}`]: value, "key-a": this.#value(schema.values, stack) };
      }
      case "ref":
        return this.object(schema.name, stack);
    }
  }

  #zero(schema: Schema): unknown {
    switch (schema.type) {
      case "string":
        return schema.format === "byte" ? undefined : "";
      case "integer":
      case "number":
      case "int-or-string":
        return 0;
      case "boolean":
        return false;
      case "quantity":
        return "0";
      default:
        // Zero times and raw objects decode to nothing, as upstream shows them as null.
        return undefined;
    }
  }
}
