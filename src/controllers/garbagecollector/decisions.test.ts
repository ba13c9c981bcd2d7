import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OwnerReference } from "../../api/meta/types.js";
import {
  blockingDependents,
  decideDependent,
  ownerState,
  unblocked,
  withoutFinalizer,
  withoutOwners,
  type DependentDecision,
  type OwnerState,
} from "./decisions.js";
import { nodeOf, OwnershipGraph } from "./graph.js";

const ref = (uid: string, block = false): OwnerReference => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  name: `rs-${uid}`,
  uid,
  ...(block ? { blockOwnerDeletion: true } : {}),
});

describe("garbage collector decisions: ownerState", () => {
  it("tells dangling, waiting and solid owners apart by uid and foreground mark", () => {
    assert.equal(ownerState(ref("a"), undefined), "dangling");
    assert.equal(ownerState(ref("a"), { uid: "b", deletingDependents: false }), "dangling");
    assert.equal(ownerState(ref("a"), { uid: "a", deletingDependents: true }), "waiting");
    assert.equal(ownerState(ref("a"), { uid: "a", deletingDependents: false }), "solid");
  });
});

describe("garbage collector decisions: decideDependent", () => {
  const cases: {
    name: string;
    owners: OwnerReference[];
    states: Record<string, OwnerState>;
    hasDependents?: boolean;
    finalizers?: string[];
    want: DependentDecision;
  }[] = [
    {
      name: "a solid owner keeps it",
      owners: [ref("a")],
      states: { a: "solid" },
      want: { action: "keep" },
    },
    {
      name: "a solid owner keeps it but dangling and waiting references go",
      owners: [ref("a"), ref("b"), ref("c")],
      states: { a: "dangling", b: "solid", c: "waiting" },
      want: { action: "removeOwnerReferences", uids: ["a", "c"] },
    },
    {
      name: "all owners dangling: background delete",
      owners: [ref("a"), ref("b")],
      states: { a: "dangling", b: "dangling" },
      want: { action: "delete", policy: "Background", unblock: [] },
    },
    {
      name: "an owner not looked up keeps it",
      owners: [ref("a"), ref("b")],
      states: { a: "dangling" },
      want: { action: "keep" },
    },
    {
      name: "a waiting owner and no dependents: deleted with its own policy",
      owners: [ref("a", true)],
      states: { a: "waiting" },
      want: { action: "delete", policy: "Background", unblock: [] },
    },
    {
      name: "a waiting owner and dependents of its own: foreground, unblocking the owner",
      owners: [ref("a", true), ref("b")],
      states: { a: "waiting", b: "dangling" },
      hasDependents: true,
      want: { action: "delete", policy: "Foreground", unblock: ["a"] },
    },
    {
      name: "its own orphan finalizer asks for Orphan",
      owners: [ref("a")],
      states: { a: "dangling" },
      finalizers: ["orphan"],
      want: { action: "delete", policy: "Orphan", unblock: [] },
    },
    {
      name: "its own foregroundDeletion finalizer asks for Foreground",
      owners: [ref("a")],
      states: { a: "dangling" },
      finalizers: ["foregroundDeletion"],
      want: { action: "delete", policy: "Foreground", unblock: [] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        decideDependent(
          c.owners,
          new Map(Object.entries(c.states)),
          c.hasDependents ?? false,
          c.finalizers ?? [],
        ),
        c.want,
      );
    });
  }
});

describe("garbage collector decisions: blockingDependents", () => {
  it("lists only dependents whose reference to the owner blocks it", () => {
    const g = new OwnershipGraph();
    const pod = (uid: string, owners: OwnerReference[]) =>
      nodeOf({ metadata: { name: uid, uid, ownerReferences: owners } }, "v1", "Pod")!;
    g.upsert(pod("p", [ref("o", true)]));
    g.upsert(pod("q", [ref("o")]));
    g.upsert(pod("r", [ref("o"), ref("x", true)]));
    assert.deepEqual(
      blockingDependents(g, "o").map((n) => n.uid),
      ["p"],
    );
  });
});

describe("garbage collector decisions: metadata edits", () => {
  const cases: { name: string; got: unknown; want: unknown }[] = [
    {
      name: "withoutOwners drops the named references",
      got: withoutOwners([ref("a"), ref("b")], ["a"]),
      want: [ref("b")],
    },
    {
      name: "withoutOwners: nothing to drop",
      got: withoutOwners([ref("a")], ["z"]),
      want: undefined,
    },
    { name: "withoutOwners: no references", got: withoutOwners(undefined, ["a"]), want: undefined },
    {
      name: "unblocked clears blockOwnerDeletion on the named references only",
      got: unblocked([ref("a", true), ref("b", true)], ["a"]),
      want: [{ ...ref("a"), blockOwnerDeletion: false }, ref("b", true)],
    },
    { name: "unblocked: nothing blocks", got: unblocked([ref("a")], ["a"]), want: undefined },
    {
      name: "withoutFinalizer drops one finalizer",
      got: withoutFinalizer(["x", "orphan"], "orphan"),
      want: ["x"],
    },
    { name: "withoutFinalizer: absent", got: withoutFinalizer(["x"], "orphan"), want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.got, c.want));
});
