import assert from "node:assert/strict";
import { describe, it } from "node:test";

import "../../api/registry.js";
import type { KubeObject } from "../../api/meta/types.js";
import { compareObjects } from "./compare.js";
import { createFields } from "./create-fields.js";
import { encodeFieldsV1 } from "./fields-v1.js";
import { defaultManager, recordUpdate } from "./record-update.js";
import { structShape } from "./shape.js";

const DEPLOYMENT = "io.k8s.api.apps.v1.Deployment";
const CONFIGMAP = "io.k8s.api.core.v1.ConfigMap";
const T0 = "2024-05-01T10:00:00Z";
const T1 = "2024-05-01T10:05:00Z";
const T2 = "2024-05-01T10:09:00Z";

/** A Deployment as it is stored after defaulting, without server-set metadata. */
function deployment(): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", labels: { app: "web" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      strategy: {
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" },
      },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            {
              name: "nginx",
              image: "nginx:1.25",
              ports: [{ containerPort: 80, protocol: "TCP" }],
              resources: {},
            },
          ],
          restartPolicy: "Always",
        },
      },
    },
  };
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function created(obj: KubeObject, manager = "kubectl-create"): KubeObject {
  recordUpdate({
    live: undefined,
    updated: obj,
    manager,
    apiVersion: "apps/v1",
    now: T0,
    schema: DEPLOYMENT,
  });
  return obj;
}

describe("recordUpdate() on create", () => {
  it("records every field set, as upstream's Update entry of a create", () => {
    const obj = created(deployment());
    assert.deepEqual(obj.metadata.managedFields, [
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "apps/v1",
        time: T0,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:strategy": {
              "f:rollingUpdate": { ".": {}, "f:maxSurge": {}, "f:maxUnavailable": {} },
              "f:type": {},
            },
            "f:template": {
              "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
              "f:spec": {
                "f:containers": {
                  'k:{"name":"nginx"}': {
                    ".": {},
                    "f:image": {},
                    "f:name": {},
                    "f:ports": {
                      ".": {},
                      'k:{"containerPort":80,"protocol":"TCP"}': {
                        ".": {},
                        "f:containerPort": {},
                        "f:protocol": {},
                      },
                    },
                    "f:resources": {},
                  },
                },
                "f:restartPolicy": {},
              },
            },
          },
        },
      },
    ]);
    // Keys come out in upstream's order, which JSON output preserves.
    const spec = obj.metadata.managedFields?.[0]?.fieldsV1?.["f:spec"] as object;
    assert.deepEqual(Object.keys(spec), ["f:replicas", "f:selector", "f:strategy", "f:template"]);
  });

  it("tracks neither server-owned metadata nor status of a kind with a status subresource", () => {
    const obj = deployment();
    Object.assign(obj.metadata, {
      uid: "u",
      resourceVersion: "5",
      generation: 1,
      creationTimestamp: T0,
    });
    obj.status = { replicas: 2 };
    created(obj);
    const fields = obj.metadata.managedFields?.[0]?.fieldsV1 as Record<
      string,
      Record<string, unknown>
    >;
    assert.deepEqual(Object.keys(fields), ["f:metadata", "f:spec"]);
    assert.deepEqual(Object.keys(fields["f:metadata"] ?? {}), ["f:labels"]);
  });

  it("tracks status of a kind without a status subresource", () => {
    const obj: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: { a: "1" },
    };
    recordUpdate({
      live: undefined,
      updated: obj,
      manager: "m",
      apiVersion: "v1",
      now: T0,
      schema: CONFIGMAP,
    });
    assert.deepEqual(obj.metadata.managedFields?.[0]?.fieldsV1, {
      "f:data": { ".": {}, "f:a": {} },
    });
  });

  it("leaves managedFields out when the create sets nothing tracked", () => {
    const obj: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } };
    recordUpdate({
      live: undefined,
      updated: obj,
      manager: "m",
      apiVersion: "v1",
      now: T0,
      schema: CONFIGMAP,
    });
    assert.equal(obj.metadata.managedFields, undefined);
  });

  const samples: { name: string; obj: KubeObject }[] = [
    { name: "a deployment", obj: deployment() },
    {
      name: "nulls, empty lists and empty maps",
      obj: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "w", labels: {}, finalizers: ["a", "b", "a"] },
        spec: { strategy: {}, paused: null, template: { spec: { containers: [], volumes: [] } } },
      },
    },
    {
      name: "duplicate keys and elements missing their keys",
      obj: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "w" },
        spec: {
          template: {
            spec: {
              containers: [
                { name: "a", env: [{ name: "X" }, { name: "X", value: "1" }], ports: [{}] },
              ],
            },
          },
        },
      },
    },
  ];
  for (const s of samples) {
    it(`writes the same fields as comparing with the zero object: ${s.name}`, () => {
      const root = structShape(DEPLOYMENT);
      const direct = createFields(root, s.obj, true);
      const compared = encodeFieldsV1(compareObjects(root, undefined, s.obj, true).touched);
      assert.equal(JSON.stringify(direct), JSON.stringify(compared));
    });
  }
});

describe("recordUpdate() on update", () => {
  it("gives changed fields to the writer and takes them from other managers", () => {
    const live = created(deployment());
    const next = clone(live);
    (next.spec as any).replicas = 5;
    recordUpdate({
      live,
      updated: next,
      manager: "kubectl-scale",
      apiVersion: "apps/v1",
      subresource: "scale",
      now: T1,
      schema: DEPLOYMENT,
    });

    const [create, scale] = next.metadata.managedFields ?? [];
    assert.equal(create?.manager, "kubectl-create");
    assert.equal(create?.time, T0, "an entry that only lost fields keeps its time");
    assert.equal((create?.fieldsV1?.["f:spec"] as any)["f:replicas"], undefined);
    assert.deepEqual(scale, {
      manager: "kubectl-scale",
      operation: "Update",
      apiVersion: "apps/v1",
      time: T1,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { "f:replicas": {} } },
      subresource: "scale",
    });
  });

  it("removes removed fields from every manager, the writer's own included", () => {
    const live = created(deployment());
    const next = clone(live);
    delete (next.metadata.labels as any).app;
    recordUpdate({
      live,
      updated: next,
      manager: "kubectl-label",
      apiVersion: "apps/v1",
      now: T1,
      schema: DEPLOYMENT,
    });
    const entries = next.metadata.managedFields ?? [];
    assert.equal(entries.length, 1, "a write that only removes creates no entry");
    assert.deepEqual(entries[0]?.fieldsV1?.["f:metadata"], { "f:labels": {} });
  });

  it("merges into the writer's existing entry and stamps it with the new time", () => {
    const live = created(deployment());
    const next = clone(live);
    (next.spec as any).template.spec.containers[0].image = "nginx:1.26";
    recordUpdate({
      live,
      updated: next,
      manager: "kubectl-create",
      apiVersion: "apps/v1",
      now: T1,
      schema: DEPLOYMENT,
    });
    assert.equal(next.metadata.managedFields?.length, 1);
    assert.equal(next.metadata.managedFields?.[0]?.time, T1);
  });

  it("keeps entries and times when the write changes no tracked field", () => {
    const live = created(deployment());
    const next = clone(live);
    next.metadata.resourceVersion = "9";
    recordUpdate({
      live,
      updated: next,
      manager: "other",
      apiVersion: "apps/v1",
      now: T1,
      schema: DEPLOYMENT,
    });
    assert.deepEqual(next.metadata.managedFields, live.metadata.managedFields);
  });

  it("keeps status ownership apart from writes through the main resource", () => {
    const live = created(deployment());
    const withStatus = clone(live);
    withStatus.status = { replicas: 2 };
    recordUpdate({
      live,
      updated: withStatus,
      manager: "controller",
      apiVersion: "apps/v1",
      subresource: "status",
      now: T1,
      schema: DEPLOYMENT,
    });
    const status = withStatus.metadata.managedFields?.find((e) => e.subresource === "status");
    assert.deepEqual(status?.fieldsV1, { "f:status": { ".": {}, "f:replicas": {} } });

    const main = clone(withStatus);
    delete main.status;
    (main.spec as any).paused = true;
    recordUpdate({
      live: withStatus,
      updated: main,
      manager: "kubectl-edit",
      apiVersion: "apps/v1",
      now: T2,
      schema: DEPLOYMENT,
    });
    const kept = main.metadata.managedFields?.find((e) => e.subresource === "status");
    assert.deepEqual(kept?.fieldsV1, { "f:status": { ".": {}, "f:replicas": {} } });
  });

  it("orders entries as upstream: Apply before Update, then by time, then by manager", () => {
    const live = created(deployment(), "b-creator");
    live.metadata.managedFields?.push({
      manager: "z-applier",
      operation: "Apply",
      apiVersion: "apps/v1",
      time: T2,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { "f:paused": {} } },
    });
    const next = clone(live);
    (next.metadata.labels as any).tier = "fe";
    recordUpdate({
      live,
      updated: next,
      manager: "a-labeller",
      apiVersion: "apps/v1",
      now: T1,
      schema: DEPLOYMENT,
    });
    assert.deepEqual(
      next.metadata.managedFields?.map((e) => `${e.operation}/${e.manager}`),
      ["Apply/z-applier", "Update/b-creator", "Update/a-labeller"],
    );
  });

  it("merges the oldest of more than ten Update entries into ancient-changes", () => {
    let live = created(deployment(), "m00");
    for (let i = 1; i <= 11; i++) {
      const next = clone(live);
      (next.metadata.labels as any)[`l${i}`] = "x";
      const now = `2024-05-01T10:${String(i).padStart(2, "0")}:00Z`;
      recordUpdate({
        live,
        updated: next,
        manager: `m${String(i).padStart(2, "0")}`,
        apiVersion: "apps/v1",
        now,
        schema: DEPLOYMENT,
      });
      live = next;
    }
    const names = live.metadata.managedFields?.map((e) => e.manager);
    assert.equal(names?.length, 10);
    assert.ok(names?.includes("ancient-changes"));
    assert.ok(!names?.includes("m00") && !names?.includes("m01") && !names?.includes("m02"));
  });
});

describe("recordUpdate() with managedFields in the request", () => {
  const userEntry = {
    manager: "someone",
    operation: "Update" as const,
    apiVersion: "apps/v1",
    time: "2024-05-01T12:00:00+02:00",
    fieldsType: "FieldsV1",
    fieldsV1: { "f:spec": { "f:paused": {} } },
  };

  it("sets them when the request changes them, normalizing time", () => {
    const live = created(deployment());
    const next = clone(live);
    next.metadata.managedFields = [userEntry];
    recordUpdate({
      live,
      updated: next,
      manager: "kubectl-edit",
      apiVersion: "apps/v1",
      now: T1,
      schema: DEPLOYMENT,
    });
    assert.deepEqual(next.metadata.managedFields, [{ ...userEntry, time: "2024-05-01T10:00:00Z" }]);
  });

  it("resets them with an empty list, and the write's own fields start afresh", () => {
    const live = created(deployment());
    const next = clone(live);
    next.metadata.managedFields = [];
    (next.spec as any).replicas = 3;
    recordUpdate({
      live,
      updated: next,
      manager: "kubectl-edit",
      apiVersion: "apps/v1",
      now: T1,
      schema: DEPLOYMENT,
    });
    assert.deepEqual(
      next.metadata.managedFields?.map((e) => [e.manager, e.fieldsV1]),
      [["kubectl-edit", { "f:spec": { "f:replicas": {} } }]],
    );
  });

  it("keeps the live entries when the request's are malformed", () => {
    const live = created(deployment());
    const next = clone(live);
    next.metadata.managedFields = [{ ...userEntry, operation: "Patch" as never }];
    recordUpdate({
      live,
      updated: next,
      manager: "x",
      apiVersion: "apps/v1",
      now: T1,
      schema: DEPLOYMENT,
    });
    assert.deepEqual(next.metadata.managedFields, live.metadata.managedFields);
  });

  it("ignores them on a write through a subresource", () => {
    const live = created(deployment());
    const next = clone(live);
    next.metadata.managedFields = [];
    recordUpdate({
      live,
      updated: next,
      manager: "x",
      apiVersion: "apps/v1",
      subresource: "status",
      now: T1,
      schema: DEPLOYMENT,
    });
    assert.deepEqual(next.metadata.managedFields, live.metadata.managedFields);
  });
});

describe("defaultManager()", () => {
  const cases: [string | undefined, string][] = [
    ["kubectl/v1.32.4 (linux/amd64) kubernetes/abc", "kubectl"],
    ["kube-controller-manager/v1.30.0 (linux/amd64)", "kube-controller-manager"],
    ["curl", "curl"],
    ["bad\u0007agent/1.0", "badagent"],
    [undefined, ""],
    ["x".repeat(200), "x".repeat(128)],
  ];
  for (const [ua, want] of cases) {
    it(`takes ${JSON.stringify(want)} from ${JSON.stringify(ua)?.slice(0, 40)}`, () => {
      assert.equal(defaultManager(ua), want);
    });
  }

  it("names a manager that is empty 'unknown', as upstream does", () => {
    const obj: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: { a: "1" },
    };
    recordUpdate({
      live: undefined,
      updated: obj,
      manager: defaultManager(undefined),
      apiVersion: "v1",
      now: T0,
      schema: CONFIGMAP,
    });
    assert.equal(obj.metadata.managedFields?.[0]?.manager, "unknown");
  });
});
