import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ObjectMeta, OwnerReference } from "../../api/meta/types.js";
import { nodeOf, OwnershipGraph, type GraphNode } from "./graph.js";

const ref = (uid: string, block = false): OwnerReference => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  name: `rs-${uid}`,
  uid,
  ...(block ? { blockOwnerDeletion: true } : {}),
});
const node = (uid: string, meta: Partial<ObjectMeta> = {}): GraphNode =>
  nodeOf({ metadata: { name: uid, namespace: "ns", uid, ...meta } }, "v1", "Pod")!;
const deleting = { deletionTimestamp: "2024-01-01T00:00:00Z" };

describe("garbage collector graph: nodeOf", () => {
  it("reads deletion state from the deletionTimestamp and GC finalizers", () => {
    assert.equal(nodeOf({ metadata: { name: "x" } }, "v1", "Pod"), undefined);
    const fg = node("a", { ...deleting, finalizers: ["foregroundDeletion"] });
    assert.deepEqual([fg.beingDeleted, fg.deletingDependents, fg.orphaning], [true, true, false]);
    const or = node("b", { ...deleting, finalizers: ["orphan"] });
    assert.deepEqual([or.beingDeleted, or.deletingDependents, or.orphaning], [true, false, true]);
    const live = node("c", { finalizers: ["foregroundDeletion"] });
    assert.deepEqual([live.beingDeleted, live.deletingDependents], [false, false]);
  });
});

describe("garbage collector graph: changes and what they queue", () => {
  const cases: {
    name: string;
    steps: (g: OwnershipGraph) => string[];
    want: string[];
    check?: (g: OwnershipGraph) => void;
  }[] = [
    {
      name: "a dependent of an unobserved owner is queued, and the owner is virtual",
      steps: (g) => g.upsert(node("p", { ownerReferences: [ref("o")] })),
      want: ["p"],
      check: (g) => {
        assert.equal(g.isVirtual("o"), true);
        assert.deepEqual([...g.dependentsOf("o")], ["p"]);
      },
    },
    {
      name: "a dependent of an observed live owner is not queued",
      steps: (g) => {
        g.upsert(node("o"));
        return g.upsert(node("p", { ownerReferences: [ref("o")] }));
      },
      want: [],
    },
    {
      name: "a dependent of an owner being deleted is queued",
      steps: (g) => {
        g.upsert(node("o", deleting));
        return g.upsert(node("p", { ownerReferences: [ref("o")] }));
      },
      want: ["p"],
    },
    {
      name: "an owner entering foreground deletion queues itself and its dependents",
      steps: (g) => {
        g.upsert(node("o"));
        g.upsert(node("p", { ownerReferences: [ref("o", true)] }));
        g.upsert(node("q", { ownerReferences: [ref("o")] }));
        return g.upsert(node("o", { ...deleting, finalizers: ["foregroundDeletion"] }));
      },
      want: ["o", "p", "q"],
    },
    {
      name: "removing an owner queues its dependents; the owner turns virtual",
      steps: (g) => {
        g.upsert(node("o"));
        g.upsert(node("p", { ownerReferences: [ref("o")] }));
        return g.remove("o");
      },
      want: ["p"],
      check: (g) => assert.equal(g.isVirtual("o"), true),
    },
    {
      name: "removing a dependent queues its foreground-deleting owner and unlinks it",
      steps: (g) => {
        g.upsert(node("o", { ...deleting, finalizers: ["foregroundDeletion"] }));
        g.upsert(node("p", { ownerReferences: [ref("o", true)] }));
        return g.remove("p");
      },
      want: ["o"],
      check: (g) => assert.equal(g.dependentsOf("o").size, 0),
    },
    {
      name: "dropping a reference or its blockOwnerDeletion queues a waiting owner",
      steps: (g) => {
        g.upsert(node("o", { ...deleting, finalizers: ["foregroundDeletion"] }));
        g.upsert(node("p", { ownerReferences: [ref("o", true)] }));
        const a = g.upsert(node("p", { ownerReferences: [ref("o", false)] }));
        const b = g.upsert(node("p", { ownerReferences: [] }));
        return [...a, "|", ...b];
      },
      want: ["o", "p", "|", "o"],
      check: (g) => assert.equal(g.dependentsOf("o").size, 0),
    },
    {
      name: "removing an unknown uid queues nothing",
      steps: (g) => g.remove("nope"),
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const g = new OwnershipGraph();
      assert.deepEqual(c.steps(g).sort(), [...c.want].sort());
      c.check?.(g);
    });
  }
});
