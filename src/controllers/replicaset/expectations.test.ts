import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from "./expectations.js";

describe("ControllerExpectations", () => {
  it("is satisfied for a key it knows nothing of", () => {
    assert.equal(new ControllerExpectations(() => 0).satisfied("ns/a"), true);
  });

  it("waits until every expected creation is observed", () => {
    const e = new ControllerExpectations(() => 0);
    e.expectCreations("ns/a", 2);
    assert.equal(e.satisfied("ns/a"), false);
    e.creationObserved("ns/a");
    assert.equal(e.satisfied("ns/a"), false);
    e.creationObserved("ns/a");
    assert.equal(e.satisfied("ns/a"), true);
  });

  it("counts only deletions of the pods it asked to delete, once each", () => {
    const e = new ControllerExpectations(() => 0);
    e.expectDeletions("ns/a", ["ns/p1", "ns/p2"]);
    e.deletionObserved("ns/a", "ns/other");
    e.deletionObserved("ns/a", "ns/p1");
    e.deletionObserved("ns/a", "ns/p1");
    assert.equal(e.satisfied("ns/a"), false);
    e.deletionObserved("ns/a", "ns/p2");
    assert.equal(e.satisfied("ns/a"), true);
  });

  it("waits for creations and deletions expected together", () => {
    const e = new ControllerExpectations(() => 0);
    e.expectChanges("ns/a", 1, ["ns/p1"]);
    e.creationObserved("ns/a");
    assert.equal(e.satisfied("ns/a"), false);
    e.deletionObserved("ns/a", "ns/p1");
    assert.equal(e.satisfied("ns/a"), true);
  });

  it("lowers creations skipped after a failed batch", () => {
    const e = new ControllerExpectations(() => 0);
    e.expectCreations("ns/a", 7);
    e.creationObserved("ns/a");
    e.creationsSkipped("ns/a", 6);
    assert.equal(e.satisfied("ns/a"), true);
  });

  it("gives up waiting after the timeout", () => {
    let now = 1000;
    const e = new ControllerExpectations(() => now);
    e.expectCreations("ns/a", 1);
    now += EXPECTATIONS_TIMEOUT_MS;
    assert.equal(e.satisfied("ns/a"), false);
    now += 1;
    assert.equal(e.satisfied("ns/a"), true);
  });

  it("forgets a deleted controller", () => {
    const e = new ControllerExpectations(() => 0);
    e.expectCreations("ns/a", 1);
    e.delete("ns/a");
    assert.equal(e.satisfied("ns/a"), true);
  });
});
