import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allResources } from "../../api/registry.js";
import { apiVersionOf } from "../../api/resource.js";
import { allTypes, getType } from "../../api/schema.js";
import { decodeProtobufObject } from "./decode.js";
import { encodeProtobufObject } from "./encode.js";
import { Kind, Shape, planOf } from "./plan.js";
import { sampleObject } from "./sample-objects.js";

describe("protobuf plans", () => {
  it("planOf() compiles every schema type without two fields sharing a number", () => {
    for (const type of allTypes()) assert.ok(planOf(type.name).fields.length >= 0, type.name);
  });
});

describe("encodeProtobufObject() then decodeProtobufObject()", () => {
  for (const def of allResources) {
    const header = { apiVersion: apiVersionOf(def), kind: def.kind };

    it(`round-trips a ${def.kind} (${header.apiVersion}) with every field set`, () => {
      const obj = { ...header, ...sampleObject(def.schema, "full") };
      assert.deepEqual(decodeProtobufObject(encodeProtobufObject(obj)), obj);
      const asGogo = encodeProtobufObject(obj, { writeZeros: true, packLists: true });
      assert.deepEqual(decodeProtobufObject(asGogo), obj);
    });

    it(`round-trips a ${def.kind} (${header.apiVersion}) whose pointer and required fields are zero`, () => {
      const obj = { ...header, ...sampleObject(def.schema, "zeros") };
      assert.deepEqual(decodeProtobufObject(encodeProtobufObject(obj, { writeZeros: true })), obj);
    });

    it(`drops the zeros gogo writes for a ${def.kind}'s unset fields, but not required ones`, () => {
      const obj = { ...header, metadata: { name: "x" } };
      const expected: Record<string, unknown> = { ...obj, ...requiredZeros(def.schema) };
      assert.deepEqual(
        decodeProtobufObject(encodeProtobufObject(obj, { writeZeros: true })),
        expected,
      );
    });
  }
});

const NUMERIC: readonly Kind[] = [Kind.Int32, Kind.Int64, Kind.Double, Kind.IntOrString];

/** The top-level fields gogo writes as zeros when unset and that decoding keeps: required scalars. */
function requiredZeros(typeName: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of planOf(typeName).fields) {
    const schemaField = getType(typeName).fields[field.name];
    if (field.shape !== Shape.Single || field.pointer || schemaField?.required !== true) continue;
    if (field.kind === Kind.String) out[field.name] = "";
    else if (field.kind === Kind.Bool) out[field.name] = false;
    else if (field.kind === Kind.Quantity) out[field.name] = "0";
    else if (NUMERIC.includes(field.kind)) out[field.name] = 0;
  }
  return out;
}
