import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../api/meta/types.js";
import { Indexer, NAMESPACE_INDEX } from "./indexer.js";
import { Lister } from "./lister.js";

function obj(
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
  node?: string,
): KubeObject {
  return { metadata: { namespace, name, labels }, spec: node ? { nodeName: node } : {} };
}

const byNode = (o: KubeObject): string[] => {
  const node = (o["spec"] as { nodeName?: string } | undefined)?.nodeName;
  return node ? [node] : [];
};

describe("Indexer", () => {
  it("set() and delete() keep the namespace index in step", () => {
    const indexer = new Indexer();
    indexer.set(obj("a", "x"));
    indexer.set(obj("a", "y"));
    indexer.set(obj("b", "x"));
    assert.deepEqual(indexer.indexKeys(NAMESPACE_INDEX, "a").sort(), ["a/x", "a/y"]);
    assert.equal(indexer.delete("a/x")?.metadata.name, "x");
    assert.deepEqual(indexer.indexKeys(NAMESPACE_INDEX, "a"), ["a/y"]);
    indexer.delete("a/y");
    assert.deepEqual(indexer.indexValues(NAMESPACE_INDEX), ["b"]);
    assert.equal(indexer.delete("a/y"), undefined);
    assert.equal(indexer.size, 1);
  });

  it("a custom index follows an object whose indexed value changes", () => {
    const indexer = new Indexer({ byNode });
    indexer.set(obj("ns", "p", {}, "n1"));
    assert.deepEqual(
      indexer.byIndex("byNode", "n1").map((o) => o.metadata.name),
      ["p"],
    );
    const old = indexer.set(obj("ns", "p", {}, "n2"));
    assert.equal((old?.["spec"] as { nodeName: string }).nodeName, "n1");
    assert.deepEqual(indexer.byIndex("byNode", "n1"), []);
    assert.deepEqual(indexer.indexKeys("byNode", "n2"), ["ns/p"]);
    indexer.set(obj("ns", "p"));
    assert.deepEqual(indexer.indexValues("byNode"), []);
  });

  it("addIndexers() indexes objects already stored and refuses a duplicate name", () => {
    const indexer = new Indexer();
    indexer.set(obj("ns", "p", {}, "n1"));
    indexer.set({ metadata: { name: "cluster-scoped" } });
    indexer.addIndexers({ byNode });
    assert.deepEqual(indexer.indexKeys("byNode", "n1"), ["ns/p"]);
    assert.deepEqual(indexer.indexKeys(NAMESPACE_INDEX, ""), ["cluster-scoped"]);
    assert.throws(() => indexer.addIndexers({ byNode }), /already exists/);
    assert.throws(() => indexer.byIndex("nope", "x"), /no such index/);
  });
});

describe("Lister", () => {
  const indexer = new Indexer();
  indexer.set(obj("a", "web-1", { app: "web", tier: "front" }));
  indexer.set(obj("a", "db-1", { app: "db" }));
  indexer.set(obj("b", "web-2", { app: "web" }));
  const lister = new Lister(indexer);

  const cases: { namespace?: string; selector?: string; want: string[] }[] = [
    { want: ["db-1", "web-1", "web-2"] },
    { namespace: "a", want: ["db-1", "web-1"] },
    { selector: "app=web", want: ["web-1", "web-2"] },
    { namespace: "a", selector: "app in (web,db),tier!=front", want: ["db-1"] },
    { namespace: "c", want: [] },
  ];
  for (const c of cases) {
    it(`list(${c.namespace ?? "all"}, ${c.selector ?? "everything"}) finds ${c.want.join(",") || "none"}`, () => {
      assert.deepEqual(
        lister
          .list(c.namespace, c.selector)
          .map((o) => o.metadata.name)
          .sort(),
        c.want,
      );
    });
  }

  it("get() finds by namespace and name, and list() refuses a bad selector", () => {
    assert.equal(lister.get("b", "web-2")?.metadata.namespace, "b");
    assert.equal(lister.get("a", "web-2"), undefined);
    assert.throws(() => lister.list(undefined, "a in ("));
  });
});
