import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import { labelSelectorFromSet } from "../../api/selectors/label-selector.js";
import {
  canonicalRevisionData,
  computeHash,
  controllerRevisionName,
  fnv32,
  hashControllerRevision,
  safeEncodeString,
} from "./revision-hash.js";
import {
  CONTROLLER_REVISION_HASH_LABEL,
  chooseUpdateRevision,
  equalRevision,
  keepOfDuplicates,
  newControllerRevision,
  nextRevisionNumber,
  ownedOrOrphanRevisions,
  renameForCollision,
  revisionsToTruncate,
  sortRevisions,
} from "./revisions.js";
import { templateOfRevision, templateRevisionData } from "./template-data.js";

const owner = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  name: "web",
  namespace: "default",
  uid: "set-uid",
};

function rev(
  name: string,
  revision: number,
  data: unknown,
  extra: { controller?: string | null; created?: string; labels?: Record<string, string> } = {},
): ControllerRevision {
  const r: ControllerRevision = {
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      labels: extra.labels ?? { app: "web" },
      creationTimestamp: extra.created ?? "2024-01-01T00:00:00Z",
    },
    data,
    revision,
  };
  const controller = extra.controller === undefined ? "set-uid" : extra.controller;
  if (controller) {
    r.metadata.ownerReferences = [
      {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        name: "web",
        uid: controller,
        controller: true,
      },
    ];
  }
  return r;
}

describe("revision hashing", () => {
  it("fnv32() computes FNV-1 and FNV-1a as their published test vectors", () => {
    assert.equal(fnv32([""]), 0x811c9dc5);
    assert.equal(fnv32(["a"]), 0x050c5d7e);
    assert.equal(fnv32(["foobar"]), 0x31f0b262);
    assert.equal(fnv32(["a"], "fnv1a"), 0xe40c292c);
    assert.equal(fnv32(["foobar"], "fnv1a"), 0xbf9cf968);
    assert.equal(fnv32(["foo", "bar"]), fnv32(["foobar"]), "parts are one byte stream");
  });

  it("safeEncodeString() spells digits in the alphabet without vowels", () => {
    // Each character's code modulo the alphabet's 27 letters: "0" is 48, so the 21st letter.
    assert.equal(safeEncodeString("0123456789"), "456789bcdf");
    assert.match(safeEncodeString(String(0xffffffff)), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it("hashControllerRevision() ignores key order and depends on the collision count", () => {
    const a = { spec: { template: { b: 1, a: [{ y: 2, x: 1 }] } } };
    const b = { spec: { template: { a: [{ x: 1, y: 2 }], b: 1 } } };
    assert.equal(canonicalRevisionData(a), canonicalRevisionData(b));
    assert.equal(hashControllerRevision(a, 0), hashControllerRevision(b, 0));
    assert.notEqual(hashControllerRevision(a, 0), hashControllerRevision(a, 1));
    assert.notEqual(hashControllerRevision(a, 0), hashControllerRevision(a));
    assert.notEqual(hashControllerRevision(a), hashControllerRevision({ other: true }));
  });

  it("computeHash() is stable, ignores key order, and uses the safe alphabet", () => {
    const a = computeHash({ spec: { x: 1, y: [1, 2] }, metadata: { labels: { app: "a" } } });
    const b = computeHash({ metadata: { labels: { app: "a" } }, spec: { y: [1, 2], x: 1 } });
    assert.equal(a, b);
    assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.notEqual(
      a,
      computeHash({ spec: { x: 2, y: [1, 2] }, metadata: { labels: { app: "a" } } }),
    );
  });

  it("computeHash() changes with the collision count, and count 0 differs from none", () => {
    const v = { image: "nginx" };
    const none = computeHash(v);
    const zero = computeHash(v, 0);
    const one = computeHash(v, 1);
    assert.notEqual(none, zero);
    assert.notEqual(zero, one);
    assert.equal(one, computeHash(v, 1));
  });

  it("controllerRevisionName() cuts long owner names to fit 253 characters", () => {
    assert.equal(controllerRevisionName("web", "abc"), "web-abc");
    const name = controllerRevisionName("x".repeat(300), "h".repeat(10));
    assert.equal(name.length, 223 + 1 + 10);
  });
});

describe("newControllerRevision()", () => {
  it("makes a revision controlled by its owner, named and labelled by its hash", () => {
    const data = { spec: { template: { $patch: "replace" } } };
    const r = newControllerRevision({
      owner,
      templateLabels: { app: "web" },
      annotations: { "kubernetes.io/change-cause": "v2" },
      data,
      revision: 4,
      collisionCount: 0,
    });
    const hash = hashControllerRevision(data, 0);
    assert.equal(r.metadata.name, `web-${hash}`);
    assert.equal(r.metadata.namespace, "default");
    assert.deepEqual(r.metadata.labels, { app: "web", [CONTROLLER_REVISION_HASH_LABEL]: hash });
    assert.deepEqual(r.metadata.annotations, { "kubernetes.io/change-cause": "v2" });
    assert.deepEqual(r.metadata.ownerReferences, [
      {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        name: "web",
        uid: "set-uid",
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.equal(r.revision, 4);
    const named = newControllerRevision({
      owner,
      data,
      revision: 1,
      hash: "h1",
      hashLabel: "controller-revision-hash",
    });
    assert.equal(named.metadata.name, "web-h1");
    assert.deepEqual(named.metadata.labels, { "controller-revision-hash": "h1" });
    const renamed = renameForCollision(r, "web", 1);
    assert.equal(renamed.metadata.name, `web-${hashControllerRevision(data, 1)}`);
    assert.equal(
      renamed.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL],
      hashControllerRevision(data, 1),
    );
  });
});

describe("keepOfDuplicates()", () => {
  it("keeps the highest-numbered revision, the later one among equal numbers", () => {
    const { keep, duplicates } = keepOfDuplicates([rev("a", 3, 1), rev("b", 5, 1), rev("c", 1, 1)]);
    assert.equal(keep?.metadata.name, "b");
    assert.deepEqual(
      duplicates.map((r) => r.metadata.name),
      ["a", "c"],
    );
    assert.equal(keepOfDuplicates([rev("x", 2, 1), rev("y", 2, 1)]).keep?.metadata.name, "y");
    assert.deepEqual(keepOfDuplicates([]), { keep: undefined, duplicates: [] });
  });
});

describe("history order and equality", () => {
  it("sortRevisions() orders by number, then creation time, then name", () => {
    const sorted = sortRevisions([
      rev("c", 2, 1),
      rev("b", 1, 1, { created: "2024-01-02T00:00:00Z" }),
      rev("z", 1, 1),
      rev("a", 1, 1),
    ]);
    assert.deepEqual(
      sorted.map((r) => r.metadata.name),
      ["a", "z", "b", "c"],
    );
  });

  it("equalRevision() compares data whatever the names and hashes", () => {
    assert.ok(equalRevision(rev("a", 1, { x: 1, y: 2 }), rev("b", 5, { y: 2, x: 1 })));
    assert.ok(!equalRevision(rev("a", 1, { x: 1 }), rev("a", 1, { x: 2 })));
    assert.ok(!equalRevision(rev("a", 1, 1), undefined));
    assert.ok(equalRevision(undefined, undefined));
  });

  it("nextRevisionNumber() is one past the highest", () => {
    assert.equal(nextRevisionNumber([]), 1);
    assert.equal(nextRevisionNumber([rev("a", 3, 1), rev("b", 7, 2), rev("c", 5, 3)]), 8);
  });
});

describe("chooseUpdateRevision()", () => {
  const r1 = rev("web-1", 1, { t: 1 });
  const r2 = rev("web-2", 2, { t: 2 });
  const cases: {
    name: string;
    history: ControllerRevision[];
    data: unknown;
    want: { action: string; name: string; to?: number };
  }[] = [
    {
      name: "an empty history creates",
      history: [],
      data: { t: 1 },
      want: { action: "create", name: "new" },
    },
    {
      name: "the newest equal is reused",
      history: [r1, r2],
      data: { t: 2 },
      want: { action: "reuse", name: "web-2" },
    },
    {
      name: "an older equal is renumbered (rollback)",
      history: [r1, r2],
      data: { t: 1 },
      want: { action: "renumber", name: "web-1", to: 3 },
    },
    {
      name: "new data creates",
      history: [r1, r2],
      data: { t: 3 },
      want: { action: "create", name: "new" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const candidate = rev("new", nextRevisionNumber(c.history), c.data);
      const choice = chooseUpdateRevision(sortRevisions(c.history), candidate);
      assert.equal(choice.action, c.want.action);
      assert.equal(choice.revision.metadata.name, c.want.name);
      if (choice.action === "renumber") assert.equal(choice.to, c.want.to);
    });
  }
});

describe("revisionsToTruncate()", () => {
  const history = [1, 2, 3, 4, 5].map((n) => rev(`r${n}`, n, n));
  const cases: { name: string; live: string[]; limit: number; want: string[] }[] = [
    { name: "within the limit keeps all", live: ["r5"], limit: 4, want: [] },
    { name: "deletes the oldest beyond the limit", live: ["r5"], limit: 2, want: ["r1", "r2"] },
    { name: "never deletes live revisions", live: ["r1", "r5"], limit: 1, want: ["r2", "r3"] },
    {
      name: "a limit of 0 keeps only live ones",
      live: ["r4", "r5"],
      limit: 0,
      want: ["r1", "r2", "r3"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = revisionsToTruncate(history, new Set(c.live), c.limit);
      assert.deepEqual(
        out.map((r) => r.metadata.name),
        c.want,
      );
    });
  }
});

describe("finding revisions", () => {
  const selector = labelSelectorFromSet({ app: "web" });
  const mine = rev("mine", 1, 1);
  const orphan = rev("orphan", 2, 2, { controller: null });
  const theirs = rev("theirs", 3, 3, { controller: "other-uid" });
  const unmatched = rev("unmatched", 4, 4, { labels: { app: "db" } });

  it("ownedOrOrphanRevisions() lists matching revisions the owner controls or nobody does", () => {
    const out = ownedOrOrphanRevisions(owner, [mine, orphan, theirs, unmatched], selector);
    assert.deepEqual(
      out.map((r) => r.metadata.name),
      ["mine", "orphan"],
    );
  });
});

describe("template revision data", () => {
  it("templateRevisionData() is a replace patch of the template with sorted keys", () => {
    const data = templateRevisionData({
      spec: { containers: [{ name: "c", image: "i" }] },
      metadata: { labels: { b: "2", a: "1" } },
    });
    assert.equal(
      JSON.stringify(data),
      '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"a":"1","b":"2"}},"spec":{"containers":[{"image":"i","name":"c"}]}}}}',
    );
  });

  it("templateOfRevision() gives the template back without the directive", () => {
    const template = { metadata: { labels: { a: "1" } }, spec: { containers: [] } };
    const r = rev("r", 1, templateRevisionData(template));
    assert.deepEqual(templateOfRevision(r), {
      metadata: { creationTimestamp: null, labels: { a: "1" } },
      spec: { containers: [] },
    });
    assert.throws(() => templateOfRevision(rev("bad", 1, { other: 1 })), /holds no spec.template/);
  });
});
