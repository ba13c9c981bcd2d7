import assert from "node:assert/strict";
import { describe, it } from "node:test";

import "../../api/registry.js";
import { findUnknownFields, pruneUnknownFields } from "./unknown-fields.js";

const DEPLOYMENT = "io.k8s.api.apps.v1.Deployment";

/** A valid Deployment, with `spec` and the first container extended by the case. */
function deployment(spec: object = {}, container: object = {}): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "default",
      labels: { app: "web", "app.kubernetes.io/name": "web", constructor: "x" },
      annotations: { "example.com/any": "thing" },
      managedFields: [
        {
          manager: "kubectl",
          operation: "Apply",
          fieldsV1: { "f:spec": { "f:replicas": {}, ".": {} }, anything: [1, { deep: true }] },
        },
      ],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            { name: "web", image: "nginx", resources: { limits: { cpu: "1" } }, ...container },
            { name: "sidecar", image: "busybox" },
          ],
          nodeSelector: { "kubernetes.io/os": "linux" },
        },
      },
      ...spec,
    },
    status: { replicas: 2, conditions: [{ type: "Available", status: "True" }] },
  };
}

const CASES: {
  name: string;
  schema?: string;
  obj: unknown;
  unknown: string[];
  pruned?: unknown;
}[] = [
  { name: "a valid Deployment has none", obj: deployment(), unknown: [] },
  {
    name: "a misspelt spec field",
    obj: deployment({ replicaz: 3 }),
    unknown: ["spec.replicaz"],
  },
  {
    name: "a container field typo, by list index",
    obj: deployment({}, { imagee: "nginx:1.27" }),
    unknown: ["spec.template.spec.containers[0].imagee"],
  },
  {
    name: "a top-level field",
    obj: { ...deployment(), specs: {} },
    unknown: ["specs"],
  },
  {
    name: "nothing inside an unknown field is reported",
    obj: deployment({ extra: { alsoUnknown: { deeper: 1 } } }),
    unknown: ["spec.extra"],
  },
  {
    name: "field names are case-sensitive",
    obj: deployment({ Replicas: 1 }),
    unknown: ["spec.Replicas"],
  },
  {
    name: "keys that name Object.prototype members are unknown fields",
    obj: deployment({ constructor: 1, toString: "x", __proto__: null }),
    unknown: ["spec.constructor", "spec.toString"],
  },
  {
    name: "status fields are checked too",
    obj: { ...deployment(), status: { replicas: 1, readyReplicaz: 1 } },
    unknown: ["status.readyReplicaz"],
  },
  {
    name: "unknown fields in several list elements keep their own indexes",
    obj: deployment({
      template: { spec: { containers: [{ name: "a", x: 1 }, { name: "b" }, { name: "c", y: 2 }] } },
    }),
    unknown: ["spec.template.spec.containers[0].x", "spec.template.spec.containers[2].y"],
  },
  {
    name: "a value of the wrong type is left to validation",
    obj: deployment({ template: "not an object", selector: [1, 2] }),
    unknown: [],
  },
  {
    name: "ControllerRevision data is free-form (any)",
    schema: "io.k8s.api.apps.v1.ControllerRevision",
    obj: { revision: 1, data: { spec: { whatever: [{ a: 1 }] } }, unknownHere: true },
    unknown: ["unknownHere"],
  },
];

describe("findUnknownFields()", () => {
  for (const c of CASES) {
    it(c.name, () => {
      assert.deepEqual(findUnknownFields(c.obj, c.schema ?? DEPLOYMENT), c.unknown);
    });
  }

  it("reports in document order by default and in byte order when asked", () => {
    const obj = deployment({ zeta: 1, alpha: 2 }, { b: 1, a: 2 });
    assert.deepEqual(findUnknownFields(obj, DEPLOYMENT), [
      "spec.template.spec.containers[0].b",
      "spec.template.spec.containers[0].a",
      "spec.zeta",
      "spec.alpha",
    ]);
    assert.deepEqual(findUnknownFields(obj, DEPLOYMENT, "sorted"), [
      "spec.alpha",
      "spec.template.spec.containers[0].a",
      "spec.template.spec.containers[0].b",
      "spec.zeta",
    ]);
  });

  it("leaves the object untouched", () => {
    const obj = deployment({ replicaz: 3 });
    findUnknownFields(obj, DEPLOYMENT);
    assert.equal((obj["spec"] as Record<string, unknown>)["replicaz"], 3);
  });

  it("throws on a schema that was never defined (a programming error)", () => {
    assert.throws(() => findUnknownFields({}, "io.k8s.api.apps.v1.Nope"), /not defined/);
  });
});

describe("pruneUnknownFields()", () => {
  it("removes unknown fields in place and returns their paths", () => {
    const obj = deployment({ replicaz: 3, extra: { a: 1 } }, { imagee: "x" });
    const paths = pruneUnknownFields(obj, DEPLOYMENT);
    assert.deepEqual(paths, [
      "spec.template.spec.containers[0].imagee",
      "spec.replicaz",
      "spec.extra",
    ]);
    assert.deepEqual(obj, deployment());
  });

  it("keeps every declared field, maps with arbitrary keys and any fields", () => {
    const obj = deployment();
    assert.deepEqual(pruneUnknownFields(obj, DEPLOYMENT), []);
    assert.deepEqual(obj, deployment());
  });

  it("ignores values that are not objects", () => {
    for (const v of [null, 3, "x", [1, 2]]) assert.deepEqual(pruneUnknownFields(v, DEPLOYMENT), []);
  });
});
