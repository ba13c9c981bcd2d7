import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PodTemplateSpec } from "../../api/core/v1/pod-spec.js";
import { computePodTemplateHash, equalIgnoreHash, selectorWithHash } from "./pod-template-hash.js";

const template = (image: string, extra: Partial<PodTemplateSpec> = {}): PodTemplateSpec => ({
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "c", image }] },
  ...extra,
});

describe("computePodTemplateHash()", () => {
  it("is a short label value in the safe alphabet", () => {
    const hash = computePodTemplateHash(template("nginx:1"));
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });
  it("is the same for the same template whatever the key order, null members or hash label", () => {
    const a = computePodTemplateHash(template("nginx:1"));
    const reordered: PodTemplateSpec = {
      spec: { containers: [{ image: "nginx:1", name: "c" }], volumes: [] },
      metadata: { labels: { app: "web", "pod-template-hash": "zzz" }, creationTimestamp: null },
    };
    assert.equal(computePodTemplateHash(reordered), a);
  });
  it("changes with the template and with the collision count", () => {
    const a = computePodTemplateHash(template("nginx:1"));
    assert.notEqual(computePodTemplateHash(template("nginx:2")), a);
    const c1 = computePodTemplateHash(template("nginx:1"), 1);
    assert.notEqual(c1, a);
    assert.notEqual(computePodTemplateHash(template("nginx:1"), 2), c1);
    assert.notEqual(computePodTemplateHash(template("nginx:1"), 0), a);
  });
});

describe("equalIgnoreHash()", () => {
  it("ignores the hash label and absent-versus-empty differences", () => {
    const withHash = template("nginx:1");
    withHash.metadata!.labels!["pod-template-hash"] = "abc";
    assert.equal(
      equalIgnoreHash(withHash, {
        ...template("nginx:1"),
        metadata: { labels: { app: "web" }, annotations: {} },
      }),
      true,
    );
  });
  it("tells different templates apart", () => {
    assert.equal(equalIgnoreHash(template("nginx:1"), template("nginx:2")), false);
    const relabeled = template("nginx:1");
    relabeled.metadata!.labels!["tier"] = "x";
    assert.equal(equalIgnoreHash(template("nginx:1"), relabeled), false);
  });
});

describe("selectorWithHash()", () => {
  it("adds the hash to matchLabels and keeps the expressions", () => {
    const sel = selectorWithHash(
      {
        matchLabels: { app: "web" },
        matchExpressions: [{ key: "t", operator: "In", values: ["a"] }],
      },
      "h1",
    );
    assert.deepEqual(sel, {
      matchLabels: { app: "web", "pod-template-hash": "h1" },
      matchExpressions: [{ key: "t", operator: "In", values: ["a"] }],
    });
  });
});
