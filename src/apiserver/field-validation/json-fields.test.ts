import assert from "node:assert/strict";
import { describe, it } from "node:test";

import "../../api/registry.js";
import { isStatusError } from "./test-helpers.js";
import { findDuplicateFields } from "./duplicate-fields.js";
import { JSON_PATCH, scanJson, type FieldFinding } from "./json-fields.js";
import {
  fixedObjectNode,
  FREE,
  listNode,
  objectNode,
  OPAQUE,
  type FieldNode,
} from "./schema-nodes.js";

const DEPLOYMENT = "io.k8s.api.apps.v1.Deployment";

const DUPLICATES: { name: string; body: string; schema?: string; paths: string[] }[] = [
  { name: "none in a clean body", body: `{"kind":"Deployment","spec":{"replicas":1}}`, paths: [] },
  {
    name: "a duplicate at top level",
    body: `{"kind":"Deployment","apiVersion":"apps/v1","kind":"Deployment"}`,
    paths: ["kind"],
  },
  {
    name: "a nested duplicate, named by its full path",
    body: `{"spec":{"replicas":1,"paused":true,"replicas":2}}`,
    paths: ["spec.replicas"],
  },
  {
    name: "a duplicate inside a list element",
    body: `{"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b","image":"x","name":"c"}]}}}}`,
    paths: ["spec.template.spec.containers[1].name"],
  },
  {
    name: "a duplicate map key",
    body: `{"metadata":{"labels":{"app":"a","tier":"b","app":"c"}}}`,
    paths: ["metadata.labels.app"],
  },
  {
    name: "a key repeated three times is reported once",
    body: `{"a":1,"a":2,"a":3}`,
    paths: ["a"],
  },
  {
    name: "keys spelt with escapes are compared decoded",
    body: `{"spec":{"replicas":1,"repl\\u0069cas":2}}`,
    paths: ["spec.replicas"],
  },
  {
    name: "with a schema: keys spelt with escapes are matched decoded",
    body: `{"spec":{"replicas":1,"repl\\u0069cas":2,"\\u0078":3}}`,
    schema: DEPLOYMENT,
    paths: ["spec.replicas"],
  },
  {
    name: "quotes, braces and escapes inside strings do not confuse the scanner",
    body: `{"a":"}\\"{[","b":["\\\\",{"c":1,"c":2}],"a":"x"}`,
    paths: ["b[1].c", "a"],
  },
  {
    name: "whitespace anywhere",
    body: ` {\n "spec" : {\r\n\t"replicas" : 1 ,\n "replicas" : [ 1 , 2 ] } } `,
    paths: ["spec.replicas"],
  },
  {
    name: "schema-less: duplicates inside any value are found",
    body: `{"metadata":{"managedFields":[{"fieldsV1":{"f:a":{},"f:a":{}}}]}}`,
    paths: ["metadata.managedFields[0].fieldsV1.f:a"],
  },
  {
    name: "with a schema: not inside an any field (upstream keeps it raw)",
    body: `{"metadata":{"managedFields":[{"fieldsV1":{"f:a":{},"f:a":{}}}]}}`,
    schema: DEPLOYMENT,
    paths: [],
  },
  {
    name: "with a schema: not inside an unknown field (upstream skips it)",
    body: `{"spec":{"extra":{"a":1,"a":2},"replicas":1,"replicas":2}}`,
    schema: DEPLOYMENT,
    paths: ["spec.replicas"],
  },
  {
    name: "with a schema: an unknown key repeated is not a duplicate",
    body: `{"spec":{"foo":1,"foo":2}}`,
    schema: DEPLOYMENT,
    paths: [],
  },
  {
    name: "with a schema: a map inside a known field",
    body: `{"spec":{"selector":{"matchLabels":{"app":"a","app":"b"}}}}`,
    schema: DEPLOYMENT,
    paths: ["spec.selector.matchLabels.app"],
  },
  {
    name: "with a schema: each object's duplicates are its own",
    body: `{"spec":{"template":{"spec":{"containers":[{"name":"a","env":[{"name":"A","name":"B"}],"name":"c"}]}}}}`,
    schema: DEPLOYMENT,
    paths: [
      "spec.template.spec.containers[0].env[0].name",
      "spec.template.spec.containers[0].name",
    ],
  },
];

describe("findDuplicateFields() on JSON", () => {
  for (const c of DUPLICATES) {
    it(c.name, () => {
      assert.deepEqual(findDuplicateFields(c.body, "json", c.schema), c.paths);
    });
  }

  it("agrees with JSON.parse on every case's body", () => {
    for (const c of DUPLICATES) assert.doesNotThrow(() => JSON.parse(c.body), c.name);
  });

  it("refuses text that is not JSON with JSON.parse's words", () => {
    for (const body of [`{"a":1`, `{"a" 1}`, `[1,2`, `{"a":"x}`, `{"a":1} x`, ``]) {
      assert.throws(
        () => findDuplicateFields(body, "json"),
        (err: unknown) => isStatusError(err, 400, /^The request body is not valid JSON: /),
      );
    }
  });

  it("scans deeply nested bodies without overflowing the stack", () => {
    const depth = 100_000;
    const body = `${"[".repeat(depth)}${"]".repeat(depth)}`;
    assert.deepEqual(findDuplicateFields(body, "json"), []);
  });
});

describe("scanJson()", () => {
  const found = (text: string, type: FieldFinding["type"], path: string): FieldFinding => ({
    type,
    path,
  });

  it("reports unknown and duplicate fields of a typed body in document order", () => {
    const body = JSON.stringify({ spec: { replicaz: 3 } }).replace(
      `{"replicaz":3}`,
      `{"replicas":1,"replicaz":3,"replicas":2,"template":{"spec":{"containers":[{"name":"web","imagee":"x"}]}}}`,
    );
    const scan = scanJson(body, objectNode(DEPLOYMENT));
    assert.deepEqual(scan.findings, [
      found(body, "unknown", "spec.replicaz"),
      found(body, "duplicate", "spec.replicas"),
      found(body, "unknown", "spec.template.spec.containers[0].imagee"),
    ]);
    assert.equal(scan.unknownFields, 2);
  });

  it("keeps the first findings up to the limit but counts every unknown field", () => {
    const members = Array.from({ length: 150 }, (_, i) => `"x${i}":${i}`).join(",");
    const scan = scanJson(`{"spec":{${members}}}`, objectNode(DEPLOYMENT), 100);
    assert.equal(scan.findings.length, 100);
    assert.deepEqual(scan.findings[99], { type: "unknown", path: "spec.x99" });
    assert.equal(scan.unknownFields, 150);
  });

  it("checks JSON patch operations: unknown members and duplicates, also inside values", () => {
    const body = `[{"op":"add","path":"/a","foo":1},{"op":"replace","path":"/b","path":"/c","value":{"k":1,"k":2}}]`;
    assert.deepEqual(scanJson(body, JSON_PATCH).findings, [
      { type: "unknown", path: "[0].foo" },
      { type: "duplicate", path: "[1].path" },
      { type: "duplicate", path: "[1].value.k" },
    ]);
  });

  it("keeps the duplicates of a type nested in itself apart, level by level", () => {
    const tree: FieldNode = fixedObjectNode("Tree", (self) => ({
      name: OPAQUE,
      children: listNode(self),
    }));
    const body = `{"name":"a","children":[{"name":"b","children":[{"name":"c","name":"d"}]},{"name":"e"}],"name":"f","children":[]}`;
    assert.deepEqual(scanJson(body, tree).findings, [
      { type: "duplicate", path: "children[0].children[0].name" },
      { type: "duplicate", path: "name" },
      { type: "duplicate", path: "children" },
    ]);
    // No bookkeeping leaks from one scan into the next, even from a scan that failed midway.
    assert.throws(() => scanJson(`{"name":"a","children":[{"name":"b","children":[`, tree));
    assert.equal(scanJson(body, tree).findings.length, 3);
  });

  it("reports nothing for a well-formed body of any shape when schema-less and clean", () => {
    for (const body of [`1`, `"s"`, `null`, `[]`, `{}`, `[{"a":[{"b":{}}]}]`]) {
      assert.deepEqual(scanJson(body, FREE).findings, []);
    }
  });
});
