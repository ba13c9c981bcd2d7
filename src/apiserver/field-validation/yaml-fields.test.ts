import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { findDuplicateFields } from "./duplicate-fields.js";
import { isStatusError } from "./test-helpers.js";
import { findYamlDuplicateKeys, type YamlDuplicateKey } from "./yaml-fields.js";

const DEPLOYMENT_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: nginx
spec:
  unknown1: val1
  unknownDupe: valDupe
  unknownDupe: valDupe2
  paused: true
  paused: false
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:latest
        unknownNested: val1
        imagePullPolicy: Always
        imagePullPolicy: Never`;

const dup = (line: number, key: string, path: string): YamlDuplicateKey => ({ line, key, path });

const CASES: { name: string; body: string; found: YamlDuplicateKey[] }[] = [
  { name: "none in a clean body", body: "a: 1\nb:\n  c: 2\n", found: [] },
  {
    name: "a Deployment with duplicates at several depths, unknown fields included",
    body: DEPLOYMENT_YAML,
    found: [
      dup(10, `"unknownDupe"`, "spec.unknownDupe"),
      dup(12, `"paused"`, "spec.paused"),
      dup(26, `"imagePullPolicy"`, "spec.template.spec.containers[0].imagePullPolicy"),
    ],
  },
  {
    name: "a block value is placed at the line where it starts",
    body: "spec:\n  a: 1\nspec:\n\n  b: 2\n",
    found: [dup(5, `"spec"`, "spec")],
  },
  {
    name: "a value's own duplicates come before its key's",
    body: "spec:\n  a: 1\nspec:\n  b: 1\n  b: 2\n",
    found: [dup(5, `"b"`, "spec.b"), dup(4, `"spec"`, "spec")],
  },
  {
    name: "an empty value takes the line of what follows it",
    body: "a:\nb: 1\na:\n# note\n\nc: 2\n",
    found: [dup(6, `"a"`, "a")],
  },
  {
    name: "non-string keys print as go-yaml prints them",
    body: "9: a\n9: b\ntrue: x\nyes: y\n1.5: p\n1.5: q\n~: n\nnull: m\n",
    found: [
      dup(2, "9", "9"),
      dup(4, "true", "true"),
      dup(6, "1.5", "1.5"),
      dup(8, "<nil>", "null"),
    ],
  },
  {
    name: "a quoted key equals a plain one; a number does not equal a string",
    body: `app: a\n"app": b\n"9": c\n9: d\n`,
    found: [dup(2, `"app"`, "app")],
  },
  {
    name: "keys needing escapes are quoted as Go quotes them",
    body: `"a\\tb": 1\n"a\\tb": 2\n`,
    found: [dup(2, `"a\\tb"`, "a\tb")],
  },
  {
    name: "JSON is YAML too (server-side apply bodies)",
    body: `{\n  "spec": {\n    "paused": false,\n    "paused": true\n  }\n}`,
    found: [dup(4, `"paused"`, "spec.paused")],
  },
  {
    name: "duplicates in a flow map inside a list",
    body: "items:\n- {name: a, name: b}\n",
    found: [dup(2, `"name"`, "items[0].name")],
  },
  {
    name: "merge keys are not duplicates",
    body: "base: &b {x: 1}\nm:\n  <<: *b\n  <<: *b\n  y: 2\n",
    found: [],
  },
];

describe("findYamlDuplicateKeys()", () => {
  for (const c of CASES) {
    it(c.name, () => {
      assert.deepEqual(findYamlDuplicateKeys(c.body), c.found);
    });
  }

  it("refuses text that is not YAML with a 400", () => {
    for (const body of ["a: [1, 2", "a: 1\n b: 2\n- c", "--- a\n--- b\n"]) {
      assert.throws(
        () => findYamlDuplicateKeys(body),
        (err: unknown) => isStatusError(err, 400, /^The request body is not valid YAML: /),
      );
    }
  });
});

describe("findDuplicateFields() on YAML", () => {
  it("returns the paths of the duplicate keys", () => {
    assert.deepEqual(findDuplicateFields(DEPLOYMENT_YAML, "yaml"), [
      "spec.unknownDupe",
      "spec.paused",
      "spec.template.spec.containers[0].imagePullPolicy",
    ]);
  });
});
