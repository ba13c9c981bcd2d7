import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeNode, makePod } from "./fixtures.js";
import { Snapshot } from "./snapshot.js";

const zoned = (name: string, zone: string) =>
  makeNode(name, { labels: { "topology.kubernetes.io/zone": zone } });

describe("Snapshot", () => {
  it("lists nodes interleaved by zone", () => {
    const s = Snapshot.of([
      zoned("a1", "a"),
      zoned("a2", "a"),
      zoned("a3", "a"),
      zoned("b1", "b"),
      zoned("c1", "c"),
      zoned("c2", "c"),
    ]);
    assert.deepEqual(
      s.list().map((n) => n.name),
      ["a1", "b1", "c1", "a2", "c2", "a3"],
    );
    s.removeNode("b1");
    s.upsertNode(zoned("a2", "c"));
    assert.deepEqual(
      s.list().map((n) => n.name),
      ["a1", "c1", "a3", "c2", "a2"],
    );
  });

  it("sums requests as pods are added, updated, assumed, forgotten and removed", () => {
    const s = Snapshot.of([makeNode("a")]);
    const p = makePod("p", { node: "a", cpu: "1", memory: "1Gi" });
    s.upsertPod(p);
    s.upsertPod({
      ...p,
      spec: { ...p.spec, containers: [{ name: "c", resources: { requests: { cpu: "2" } } }] },
    });
    s.upsertPod({ ...makePod("done", { node: "a", cpu: "3" }), status: { phase: "Succeeded" } });
    const q = makePod("q", { cpu: "500m" });
    s.assumePod(q, "a");
    const a = s.get("a")!;
    assert.deepEqual(
      [a.pods.length, a.requested.milliCPU, a.requested.memory, a.nonZeroMemory],
      [2, 2500, 0, 400 * 1024 * 1024],
    );
    assert.equal(s.isAssumed(q), true);
    s.forgetPod(q);
    s.removePod(p);
    assert.deepEqual([a.pods.length, a.requested.milliCPU, a.nonZeroMilliCPU], [0, 0, 0]);
  });

  it("keeps pods of a deleted node accounted until they go, and hides the node", () => {
    const s = Snapshot.of([makeNode("a")], [makePod("p", { node: "a" })]);
    s.removeNode("a");
    assert.equal(s.get("a"), undefined);
    assert.equal(s.list().length, 0);
    s.upsertNode(makeNode("a"));
    assert.equal(s.get("a")?.pods.length, 1);
  });

  it("tracks which nodes hold each image and which hold pods with anti-affinity", () => {
    const s = Snapshot.of([
      makeNode("a", { images: [{ names: ["nginx"], sizeBytes: 10 }] }),
      makeNode("b", { images: [{ names: ["nginx:latest"], sizeBytes: 10 }] }),
    ]);
    assert.deepEqual([...(s.image("nginx:latest")?.nodes ?? [])], ["a", "b"]);
    const anti = makePod("x", {
      node: "a",
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: "kubernetes.io/hostname", labelSelector: {} },
            ],
          },
        },
      },
    });
    s.upsertPod(anti);
    assert.deepEqual(
      [...s.withRequiredAntiAffinity()].map((n) => n.name),
      ["a"],
    );
    s.removePod(anti);
    assert.equal(s.withRequiredAntiAffinity().size, 0);
  });
});
