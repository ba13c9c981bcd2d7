import assert from "node:assert/strict";
import { describe, it } from "node:test";

import "../../api/registry.js";
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta/types.js";
import { applyConfiguration } from "./apply.js";
import { LAST_APPLIED } from "./last-applied.js";
import { recordUpdate } from "./record-update.js";

const DEPLOYMENT = "io.k8s.api.apps.v1.Deployment";
const POD = "io.k8s.api.core.v1.Pod";
const T0 = "2024-05-01T10:00:00Z";
const T1 = "2024-05-01T10:05:00Z";
const T2 = "2024-05-01T10:09:00Z";

type Config = Record<string, unknown>;

function config(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Config {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", ...metadata },
    spec,
  };
}

function apply(
  live: KubeObject | undefined,
  cfg: Config,
  manager = "kubectl",
  opts: { force?: boolean; now?: string; schema?: string; apiVersion?: string } = {},
): KubeObject {
  return applyConfiguration({
    live,
    config: cfg,
    manager,
    force: opts.force ?? false,
    apiVersion: opts.apiVersion ?? "apps/v1",
    now: opts.now ?? T0,
    schema: opts.schema ?? DEPLOYMENT,
  });
}

function conflict(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError, String(err));
    return err;
  }
  assert.fail("expected a StatusError");
}

function entry(obj: KubeObject, manager: string) {
  return obj.metadata.managedFields?.find((e) => e.manager === manager);
}

const base = config({
  replicas: 2,
  selector: { matchLabels: { app: "web" } },
  template: {
    metadata: { labels: { app: "web" } },
    spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] },
  },
});

describe("applyConfiguration() creating an object", () => {
  it("merges into nothing and records exactly the applied fields as an Apply entry", () => {
    const obj = apply(undefined, base);
    assert.deepEqual(obj.spec, base.spec);
    assert.deepEqual(obj.metadata.managedFields, [
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "apps/v1",
        time: T0,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
              "f:metadata": { "f:labels": { "f:app": {} } },
              "f:spec": {
                "f:containers": { 'k:{"name":"nginx"}': { ".": {}, "f:image": {}, "f:name": {} } },
              },
            },
          },
        },
      },
    ]);
  });

  it("shares nothing with its inputs", () => {
    const cfg = structuredClone(base);
    const obj = apply(undefined, cfg);
    (obj.spec as any).template.spec.containers[0].image = "changed";
    assert.equal((cfg.spec as any).template.spec.containers[0].image, "nginx:1.25");
  });
});

describe("applyConfiguration() conflicts", () => {
  /** Applied by kubectl, then scaled through /scale by kubectl-scale. */
  function scaled(): KubeObject {
    const live = apply(undefined, base);
    const next = structuredClone(live);
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
    return next;
  }

  it("refuses to change replicas after kubectl scale, with upstream's Status", () => {
    const err = conflict(() => apply(scaled(), base, "kubectl", { now: T2 }));
    assert.deepEqual(err.status, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas',
      reason: "Conflict",
      details: {
        causes: [
          {
            type: "FieldManagerConflict",
            message: 'conflict with "kubectl-scale" with subresource "scale" using apps/v1',
            field: ".spec.replicas",
          },
        ],
      },
      code: 409,
    });
  });

  it("applies without conflict when the config no longer sets the field", () => {
    const cfg = structuredClone(base);
    delete (cfg.spec as any).replicas;
    const obj = apply(scaled(), cfg, "kubectl", { now: T2 });
    assert.equal((obj.spec as any).replicas, 5, "kubectl-scale still owns it, so it stays");
    assert.ok(entry(obj, "kubectl-scale"));
  });

  it("with force takes the field and drops the emptied entry", () => {
    const obj = apply(scaled(), base, "kubectl", { force: true, now: T2 });
    assert.equal((obj.spec as any).replicas, 2);
    assert.equal(entry(obj, "kubectl-scale"), undefined);
    assert.ok((entry(obj, "kubectl")?.fieldsV1?.["f:spec"] as any)["f:replicas"]);
    assert.equal(entry(obj, "kubectl")?.time, T2);
  });

  it("lists every conflict, grouped by manager, as kubectl prints them", () => {
    const live = apply(undefined, config({ replicas: 1, paused: false }), "alpha");
    const mid = apply(live, config({ minReadySeconds: 5 }), "beta");
    const err = conflict(() =>
      apply(mid, config({ replicas: 3, paused: true, minReadySeconds: 9 }), "gamma", { now: T1 }),
    );
    assert.equal(
      err.message,
      'Apply failed with 3 conflicts: conflicts with "alpha":\n- .spec.paused\n- .spec.replicas\nconflicts with "beta":\n- .spec.minReadySeconds',
    );
    assert.deepEqual(
      err.status.details?.causes?.map((c) => [c.message, c.field]),
      [
        ['conflict with "alpha"', ".spec.paused"],
        ['conflict with "alpha"', ".spec.replicas"],
        ['conflict with "beta"', ".spec.minReadySeconds"],
      ],
    );
  });

  it("lets two appliers share a field they set to the same value", () => {
    const live = apply(undefined, base, "kubectl");
    const obj = apply(live, config({ replicas: 2 }), "ci", { now: T1 });
    assert.ok((entry(obj, "kubectl")?.fieldsV1?.["f:spec"] as any)["f:replicas"]);
    assert.deepEqual(entry(obj, "ci")?.fieldsV1, { "f:spec": { "f:replicas": {} } });
    assert.equal(entry(obj, "ci")?.time, undefined, "a no-op apply records no time, as upstream");
  });

  it("refuses a different value from another applier", () => {
    const live = apply(undefined, base, "kubectl");
    const err = conflict(() => apply(live, config({ replicas: 4 }), "ci"));
    assert.equal(
      err.message,
      'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas',
    );
  });
});

describe("applyConfiguration() removing fields no longer applied", () => {
  it("removes a field the applier dropped when no one else owns it", () => {
    const live = apply(undefined, config({ ...(base.spec as object), paused: true }));
    const obj = apply(live, base, "kubectl", { now: T1 });
    assert.equal((obj.spec as any).paused, undefined);
  });

  it("keeps a dropped field another manager also owns", () => {
    const live = apply(undefined, config({ ...(base.spec as object), paused: true }));
    const shared = apply(live, config({ paused: true }), "ci");
    const obj = apply(shared, base, "kubectl", { now: T1 });
    assert.equal((obj.spec as any).paused, true);
  });

  it("keeps fields the applier never applied", () => {
    const live = apply(undefined, base);
    const next = structuredClone(live);
    (next.spec as any).minReadySeconds = 7;
    recordUpdate({
      live,
      updated: next,
      manager: "kubectl-edit",
      apiVersion: "apps/v1",
      now: T1,
      schema: DEPLOYMENT,
    });
    const obj = apply(next, base, "kubectl", { now: T2 });
    assert.equal((obj.spec as any).minReadySeconds, 7);
  });

  it("removes a dropped container, and a dropped label, but not one another manager added", () => {
    const two = structuredClone(base);
    (two.spec as any).template.spec.containers.push({ name: "sidecar", image: "busybox" });
    (two.metadata as any).labels = { a: "1", b: "2" };
    const live = apply(undefined, two);
    const patched = structuredClone(live);
    (patched.spec as any).template.spec.containers.push({ name: "injected", image: "envoy" });
    recordUpdate({
      live,
      updated: patched,
      manager: "kubectl-patch",
      apiVersion: "apps/v1",
      now: T1,
      schema: DEPLOYMENT,
    });

    const next = structuredClone(base);
    (next.metadata as any).labels = { a: "1" };
    const obj = apply(patched, next, "kubectl", { now: T2 });
    assert.deepEqual(
      (obj.spec as any).template.spec.containers.map((c: any) => c.name),
      ["nginx", "injected"],
    );
    assert.deepEqual(obj.metadata.labels, { a: "1" });
  });
});

describe("applyConfiguration() merging by list type", () => {
  it("merges containers by name: live-only ones keep their place, shared ones merge", () => {
    const live = apply(
      undefined,
      config({
        template: {
          spec: {
            containers: [
              { name: "a", image: "a:1" },
              { name: "b", image: "b:1" },
            ],
          },
        },
      }),
      "first",
    );
    const obj = apply(
      live,
      config({
        template: {
          spec: {
            containers: [
              { name: "c", image: "c:1" },
              { name: "b", image: "b:1", args: ["x"] },
            ],
          },
        },
      }),
      "second",
    );
    assert.deepEqual((obj.spec as any).template.spec.containers, [
      { name: "a", image: "a:1" },
      { name: "c", image: "c:1" },
      { name: "b", image: "b:1", args: ["x"] },
    ]);
  });

  it("orders shared elements as the config does, placing live-only ones as upstream's merge does", () => {
    const live = apply(
      undefined,
      config({
        template: { spec: { containers: [{ name: "a" }, { name: "b" }, { name: "c" }] } },
      }),
      "first",
    );
    const obj = apply(
      live,
      config({
        template: { spec: { containers: [{ name: "c" }, { name: "a" }] } },
      }),
      "second",
    );
    assert.deepEqual(
      (obj.spec as any).template.spec.containers.map((c: any) => c.name),
      ["b", "c", "a"],
    );
  });

  it("owns list elements by key, with their fields", () => {
    const obj = apply(
      undefined,
      config({
        template: {
          spec: { containers: [{ name: "x", image: "x:1", ports: [{ containerPort: 80 }] }] },
        },
      }),
    );
    const containers = (entry(obj, "kubectl")?.fieldsV1 as any)["f:spec"]["f:template"]["f:spec"][
      "f:containers"
    ];
    assert.deepEqual(containers, {
      'k:{"name":"x"}': {
        ".": {},
        "f:image": {},
        "f:name": {},
        "f:ports": {
          'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
        },
      },
    });
  });

  it("unions sets and removes only the members the applier dropped", () => {
    const podCfg = (finalizers: string[]) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", finalizers },
    });
    const opts = { schema: POD, apiVersion: "v1" };
    const live = apply(undefined, podCfg(["a", "b"]), "one", opts);
    const both = apply(live, podCfg(["c"]), "two", opts);
    assert.deepEqual(both.metadata.finalizers, ["a", "b", "c"]);
    const dropped = apply(both, podCfg(["a"]), "one", opts);
    assert.deepEqual(dropped.metadata.finalizers, ["a", "c"]);
    assert.deepEqual(entry(dropped, "one")?.fieldsV1, {
      "f:metadata": { "f:finalizers": { 'v:"a"': {} } },
    });
  });

  it("replaces atomic lists and atomic structs whole", () => {
    const live = apply(
      undefined,
      config({
        selector: { matchLabels: { app: "web", tier: "fe" } },
        template: { spec: { containers: [{ name: "x", command: ["a", "b"] }] } },
      }),
      "first",
    );
    const obj = apply(
      live,
      config({
        selector: { matchLabels: { app: "web" } },
        template: { spec: { containers: [{ name: "x", command: ["c"] }] } },
      }),
      "first",
      { now: T1 },
    );
    assert.deepEqual((obj.spec as any).selector, { matchLabels: { app: "web" } });
    assert.deepEqual((obj.spec as any).template.spec.containers[0].command, ["c"]);
  });

  it("merges maps key by key", () => {
    const live = apply(undefined, config({}, { labels: { a: "1" } }), "one");
    const obj = apply(live, config({}, { labels: { b: "2" } }), "two");
    assert.deepEqual(obj.metadata.labels, { a: "1", b: "2" });
  });
});

describe("applyConfiguration() checking the config", () => {
  const bad: { name: string; cfg: Config; code: number; message: RegExp }[] = [
    {
      name: "another version",
      cfg: { ...base, apiVersion: "apps/v1beta1" },
      code: 400,
      message: /^invalid object type: apps\/v1beta1, Kind=Deployment$/,
    },
    {
      name: "another kind",
      cfg: { ...base, kind: "ReplicaSet" },
      code: 400,
      message: /^invalid object type: apps\/v1, Kind=ReplicaSet$/,
    },
    {
      name: "managedFields",
      cfg: config({}, { managedFields: [] }),
      code: 400,
      message: /^metadata.managedFields must be nil$/,
    },
    {
      name: "a field the schema does not declare",
      cfg: config({ replicaz: 1 }),
      code: 400,
      message:
        /\(\/web; apps\/v1, Kind=Deployment\): \.spec\.replicaz: field not declared in schema$/,
    },
    {
      name: "a value of the wrong type",
      cfg: config({ replicas: "two" }),
      code: 400,
      message: /\.spec\.replicas: expected numeric \(int or float\), got string$/,
    },
    {
      name: "a list-map element without its key",
      cfg: config({ template: { spec: { containers: [{ image: "x" }] } } }),
      code: 400,
      message:
        /\.spec\.template\.spec\.containers: element 0: associative list with keys has an element that omits key field "name" \(and doesn't have default value\)$/,
    },
    {
      name: "duplicate keys in a map list",
      cfg: config({ template: { spec: { containers: [{ name: "a" }, { name: "a" }] } } }),
      code: 400,
      message: /\.spec\.template\.spec\.containers: duplicate entries for key \[name="a"\]$/,
    },
    {
      name: "duplicate members of a set",
      cfg: config({}, { finalizers: ["x", "x"] }),
      code: 400,
      message: /\.metadata\.finalizers: duplicate entries for key \[="x"\]$/,
    },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}`, () => {
      const err = conflict(() => apply(undefined, c.cfg));
      assert.equal(err.code, c.code);
      assert.match(err.message, c.message);
    });
  }

  it("lists several problems at once", () => {
    const err = conflict(() => apply(undefined, config({ a: 1, b: 2 })));
    assert.match(
      err.message,
      /: errors:\n {2}\.spec\.a: field not declared in schema\n {2}\.spec\.b: field/,
    );
  });

  it("fills a defaulted key field, so ports may omit their protocol", () => {
    const obj = apply(
      undefined,
      config({
        template: {
          spec: {
            containers: [
              { name: "a", ports: [{ containerPort: 80 }, { containerPort: 80, protocol: "UDP" }] },
            ],
          },
        },
      }),
    );
    assert.equal((obj.spec as any).template.spec.containers[0].ports.length, 2);
  });
});

describe("applyConfiguration() after client-side apply", () => {
  function clientSideApplied(): KubeObject {
    const manifest = { ...base };
    const obj = structuredClone(manifest) as KubeObject;
    obj.metadata.annotations = { [LAST_APPLIED]: JSON.stringify(manifest) + "\n" };
    recordUpdate({
      live: undefined,
      updated: obj,
      manager: "kubectl-client-side-apply",
      apiVersion: "apps/v1",
      now: T0,
      schema: DEPLOYMENT,
    });
    return obj;
  }

  it("lets kubectl take the fields it applied client-side, and keeps the annotation current", () => {
    const cfg = structuredClone(base);
    (cfg.spec as any).template.spec.containers[0].image = "nginx:1.26";
    const obj = apply(clientSideApplied(), cfg, "kubectl", { now: T1 });
    assert.equal((obj.spec as any).template.spec.containers[0].image, "nginx:1.26");
    const annotation = obj.metadata.annotations?.[LAST_APPLIED] ?? "";
    assert.ok(annotation.endsWith("\n"));
    assert.equal(
      (JSON.parse(annotation) as any).spec.template.spec.containers[0].image,
      "nginx:1.26",
    );
  });

  it("still refuses other managers the same fields", () => {
    const cfg = structuredClone(base);
    (cfg.spec as any).replicas = 9;
    const err = conflict(() => apply(clientSideApplied(), cfg, "ci"));
    assert.match(
      err.message,
      /conflict with "kubectl-client-side-apply" using apps\/v1: \.spec\.replicas/,
    );
  });
});
