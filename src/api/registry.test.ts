import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { allResources } from "./registry.js";
import { allTypes, getType, type Schema } from "./schema.js";
import "./autoscaling/v1/index.js";

/** The groups whose schemas live beside this file's neighbours apps/, batch/, ... (not core). */
const GROUP_PREFIXES = [
  "io.k8s.api.apps.",
  "io.k8s.api.batch.",
  "io.k8s.api.coordination.",
  "io.k8s.api.discovery.",
  "io.k8s.api.events.",
  "io.k8s.api.storage.",
  "io.k8s.api.policy.",
  "io.k8s.api.scheduling.",
  "io.k8s.api.autoscaling.",
];

function refsOf(schema: Schema): string[] {
  switch (schema.type) {
    case "ref":
      return [schema.name];
    case "array":
      return refsOf(schema.items);
    case "map":
      return refsOf(schema.values);
    default:
      return [];
  }
}

describe("registry", () => {
  it("lists groups in upstream's discovery order", () => {
    const groups = [...new Set(allResources.map((d) => d.group))];
    assert.deepEqual(groups, [
      "",
      "apps",
      "events.k8s.io",
      "authorization.k8s.io",
      "batch",
      "networking.k8s.io",
      "policy",
      "storage.k8s.io",
      "scheduling.k8s.io",
      "coordination.k8s.io",
      "discovery.k8s.io",
    ]);
  });

  it("has one definition per group and plural, each with its schema type", () => {
    const seen = new Set<string>();
    for (const def of allResources) {
      const key = `${def.group}/${def.plural}`;
      assert.ok(!seen.has(key), `${key} is defined twice`);
      seen.add(key);
      assert.deepEqual(
        getType(def.schema).gvk,
        { group: def.group, version: def.version, kind: def.kind },
        key,
      );
    }
  });

  it("puts exactly the workload kinds in the `all` category", () => {
    const all = allResources
      .filter((d) => d.categories?.includes("all") && d.group !== "")
      .map((d) => d.plural);
    assert.deepEqual(all.sort(), [
      "cronjobs",
      "daemonsets",
      "deployments",
      "jobs",
      "replicasets",
      "statefulsets",
    ]);
  });
});

describe("schemas of the non-core groups", () => {
  const types = [...allTypes()].filter((t) => GROUP_PREFIXES.some((p) => t.name.startsWith(p)));

  it("define the types discovery and the scale subresource need", () => {
    const names = new Set(types.map((t) => t.name));
    for (const name of [
      "io.k8s.api.autoscaling.v1.Scale",
      "io.k8s.api.apps.v1.DeploymentSpec",
      "io.k8s.api.batch.v1.JobTemplateSpec",
    ]) {
      assert.ok(names.has(name), name);
    }
  });

  it("refer only to types that exist", () => {
    for (const type of types) {
      for (const [field, f] of Object.entries(type.fields)) {
        for (const ref of refsOf(f.schema)) {
          assert.doesNotThrow(() => getType(ref), `${type.name}.${field} refers to ${ref}`);
        }
      }
    }
  });

  it("give each field of a type its own protobuf number", () => {
    for (const type of types) {
      const numbers = Object.values(type.fields).flatMap((f) =>
        f.proto === undefined ? [] : [f.proto],
      );
      assert.equal(new Set(numbers).size, numbers.length, type.name);
    }
  });

  it("number top-level objects as upstream: metadata 1, spec 2, status 3", () => {
    for (const type of types.filter((t) => t.gvk && t.fields.spec)) {
      assert.deepEqual([type.fields.metadata?.proto, type.fields.spec?.proto], [1, 2], type.name);
      if (type.fields.status) assert.equal(type.fields.status.proto, 3, type.name);
    }
  });
});
