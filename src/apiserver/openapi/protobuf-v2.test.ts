import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allResources } from "../../api/registry.js";
import { OpenApiDocuments } from "./documents.js";
import { encodeDocumentV2 } from "./protobuf-v2.js";

/** A decoded message: each field number's values, as raw bytes (length-delimited) or numbers. */
type Message = Map<number, (Buffer | number)[]>;

function decode(buf: Buffer): Message {
  const out: Message = new Map();
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 1;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined) throw new Error("truncated varint");
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let value: Buffer | number;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw new Error(`field ${field} overruns its message`);
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else throw new Error(`unexpected wire type ${wire}`);
    const values = out.get(field) ?? [];
    values.push(value);
    out.set(field, values);
  }
  return out;
}

const bytes = (m: Message, field: number): Buffer[] => (m.get(field) ?? []) as Buffer[];
const text = (m: Message, field: number): string | undefined => bytes(m, field)[0]?.toString();
const sub = (m: Message, field: number): Message => decode(bytes(m, field)[0] ?? Buffer.alloc(0));

/** The entries of a repeated Named* field: name (1) to decoded value (2). */
function named(m: Message, field: number): Map<string, Message> {
  return new Map(bytes(m, field).map((b) => [text(decode(b), 1)!, sub(decode(b), 2)]));
}

/** Vendor extensions (NamedAny) as parsed JSON values. */
function extensions(m: Message, field: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, any] of named(m, field)) out[name] = JSON.parse(text(any, 2)!);
  return out;
}

const docs = new OpenApiDocuments(allResources, "v1.33.0-test");
const json = JSON.parse(docs.v2Json().body.toString());
const doc = decode(docs.v2Protobuf().body);

describe("encodeDocumentV2", () => {
  it("writes the Swagger version, info and every path and definition", () => {
    assert.equal(text(doc, 1), "2.0");
    assert.equal(text(sub(doc, 2), 2), "v1.33.0-test");
    assert.deepEqual([...named(sub(doc, 8), 2).keys()], Object.keys(json.paths));
    assert.deepEqual([...named(sub(doc, 9), 1).keys()], Object.keys(json.definitions));
  });

  it("writes a kind's PATCH so kubectl finds its group-version-kind and fieldValidation", () => {
    const item = named(sub(doc, 8), 2).get(
      "/apis/apps/v1/namespaces/{namespace}/deployments/{name}",
    )!;
    const patch = sub(item, 8);
    assert.deepEqual(extensions(patch, 13)["x-kubernetes-group-version-kind"], {
      group: "apps",
      kind: "Deployment",
      version: "v1",
    });
    const queryNames = bytes(patch, 8)
      .map((b) => sub(sub(decode(b), 1), 2))
      .filter((nonBody) => nonBody.has(3))
      .map((nonBody) => text(sub(nonBody, 3), 4));
    assert.deepEqual(queryNames, ["dryRun", "fieldManager", "fieldValidation", "force"]);
    assert.deepEqual(
      bytes(patch, 7).map((b) => b.toString()),
      json.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch.consumes,
    );
    const body = sub(sub(decode(bytes(patch, 8)[0]!), 1), 1);
    assert.equal(text(body, 3), "body");
    assert.equal(text(sub(body, 5), 1), "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
  });

  it("writes schemas with their type, properties, references, items and extensions", () => {
    const defs = named(sub(doc, 9), 1);
    const deployment = defs.get("io.k8s.api.apps.v1.Deployment")!;
    assert.equal(text(sub(deployment, 22), 1), "object");
    assert.deepEqual(extensions(deployment, 31)["x-kubernetes-group-version-kind"], [
      { group: "apps", kind: "Deployment", version: "v1" },
    ]);
    const props = named(sub(deployment, 25), 1);
    assert.equal(text(props.get("spec")!, 1), "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
    const containers = named(sub(defs.get("io.k8s.api.core.v1.PodSpec")!, 25), 1).get(
      "containers",
    )!;
    assert.equal(text(sub(containers, 22), 1), "array");
    assert.equal(
      text(sub(sub(containers, 23), 1), 1),
      "#/definitions/io.k8s.api.core.v1.Container",
    );
    assert.equal(extensions(containers, 31)["x-kubernetes-patch-merge-key"], "name");
    const labels = named(
      sub(defs.get("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")!, 25),
      1,
    ).get("labels")!;
    assert.equal(text(sub(sub(sub(labels, 21), 1), 22), 1), "string");
  });

  it("keeps long messages intact when their length prefix is shorter than the room left for it", () => {
    const long = "x".repeat(200_000);
    const buf = encodeDocumentV2({ swagger: "2.0", info: { title: long, version: "v" } });
    const info = sub(decode(buf), 2);
    assert.equal(text(info, 1), long);
    assert.equal(text(info, 2), "v");
  });

  it("refuses members it has no protobuf field for", () => {
    assert.throws(
      () => encodeDocumentV2({ swagger: "2.0", host: "x" }),
      /member host of a Document/,
    );
    assert.throws(
      () => encodeDocumentV2({ definitions: { A: { type: "object", minimum: 1 } } }),
      /member minimum of a Schema/,
    );
  });
});
