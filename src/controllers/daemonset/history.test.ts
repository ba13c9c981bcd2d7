import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import {
  computeHash,
  keepOfDuplicates,
  maxRevision,
  newControllerRevision,
  revisionsToTruncate,
  splitRevisions,
} from "./history.js";

function cr(
  name: string,
  revision: number,
  hash = name,
  data: unknown = { v: name },
): ControllerRevision {
  return {
    metadata: { name, labels: { "controller-revision-hash": hash } },
    revision,
    data,
  };
}

describe("computeHash()", () => {
  it("is stable, ignores key order, and uses the safe alphabet", () => {
    const a = computeHash({ spec: { x: 1, y: [1, 2] }, metadata: { labels: { app: "a" } } });
    const b = computeHash({ metadata: { labels: { app: "a" } }, spec: { y: [1, 2], x: 1 } });
    assert.equal(a, b);
    assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.notEqual(
      a,
      computeHash({ spec: { x: 2, y: [1, 2] }, metadata: { labels: { app: "a" } } }),
    );
  });

  it("changes with the collision count, and count 0 differs from none", () => {
    const v = { image: "nginx" };
    const none = computeHash(v);
    const zero = computeHash(v, 0);
    const one = computeHash(v, 1);
    assert.notEqual(none, zero);
    assert.notEqual(zero, one);
    assert.equal(one, computeHash(v, 1));
  });
});

describe("revisions", () => {
  it("newControllerRevision() names the revision after its owner and hash and labels it", () => {
    const out = newControllerRevision({
      ownerName: "ds",
      namespace: "ns",
      controllerRef: {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        name: "ds",
        uid: "u",
        controller: true,
      },
      labels: { app: "a" },
      annotations: { note: "x" },
      data: { spec: {} },
      revision: 4,
      hash: "abc",
    });
    assert.equal(out.metadata.name, "ds-abc");
    assert.deepEqual(out.metadata.labels, { app: "a", "controller-revision-hash": "abc" });
    assert.deepEqual(out.metadata.annotations, { note: "x" });
    assert.equal(out.revision, 4);
    assert.equal(out.metadata.ownerReferences?.[0]?.uid, "u");
  });

  it("splitRevisions() tells the current data from the old", () => {
    const { current, old } = splitRevisions([cr("a", 1), cr("b", 2), cr("c", 3, "c", { v: "a" })], {
      v: "a",
    });
    assert.deepEqual(
      current.map((r) => r.metadata.name),
      ["a", "c"],
    );
    assert.deepEqual(
      old.map((r) => r.metadata.name),
      ["b"],
    );
    assert.equal(maxRevision(old), 2);
    assert.equal(maxRevision([]), 0);
  });

  it("keepOfDuplicates() keeps the highest revision", () => {
    const { keep, duplicates } = keepOfDuplicates([cr("a", 3), cr("b", 5), cr("c", 1)]);
    assert.equal(keep?.metadata.name, "b");
    assert.deepEqual(
      duplicates.map((r) => r.metadata.name),
      ["a", "c"],
    );
  });

  const truncation: {
    name: string;
    old: ControllerRevision[];
    limit: number;
    live: string[];
    want: string[];
  }[] = [
    { name: "within the limit", old: [cr("a", 1), cr("b", 2)], limit: 2, live: [], want: [] },
    {
      name: "oldest first",
      old: [cr("c", 3), cr("a", 1), cr("b", 2)],
      limit: 1,
      live: [],
      want: ["a", "b"],
    },
    {
      name: "limit 0 drops all old",
      old: [cr("a", 1), cr("b", 2)],
      limit: 0,
      live: [],
      want: ["a", "b"],
    },
    {
      name: "never a revision live pods still use",
      old: [cr("a", 1), cr("b", 2), cr("c", 3)],
      limit: 1,
      live: ["a"],
      want: ["b", "c"],
    },
  ];
  for (const c of truncation) {
    it(`revisionsToTruncate(): ${c.name}`, () => {
      const got = revisionsToTruncate(c.old, c.limit, new Set(c.live));
      assert.deepEqual(
        got.map((r) => r.metadata.name),
        c.want,
      );
    });
  }
});
