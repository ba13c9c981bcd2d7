import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../api/meta/types.js";
import { LastWrites } from "./newer-copy.js";

const obj = (rv: string, uid = "u"): KubeObject => ({
  apiVersion: "v1",
  kind: "X",
  metadata: { name: "x", uid, resourceVersion: rv },
});

test("LastWrites.newest: our write wins until the cache has it or something newer", () => {
  const w = new LastWrites<KubeObject>();
  w.set("k", obj("12"));
  // The cache caught up with an earlier write of ours only: ours is still newer.
  assert.equal(w.newest("k", obj("9")).metadata.resourceVersion, "12");
  assert.equal(w.newest("k", obj("12")).metadata.resourceVersion, "12");
  assert.equal(w.newest("k", obj("10")).metadata.resourceVersion, "10", "dropped once caught up");
  w.set("k", obj("20"));
  assert.equal(w.newest("k", obj("30", "other")).metadata.uid, "other", "a new object of the name");
  assert.equal(w.newest("k", obj("5")).metadata.resourceVersion, "5");
});
