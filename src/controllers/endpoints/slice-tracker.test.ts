import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EndpointSlice } from "../../api/discovery/v1/endpoint-slice.js";
import { SliceTracker, serviceKeyOfSlice } from "./slice-tracker.js";

function slice(name: string, generation: number, service = "web"): EndpointSlice {
  return {
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      generation,
      labels: { "kubernetes.io/service-name": service },
    },
    addressType: "IPv4",
    endpoints: [],
  };
}

describe("SliceTracker", () => {
  it("names the service of a slice from its label", () => {
    assert.equal(serviceKeyOfSlice(slice("a", 1)), "default/web");
    assert.equal(serviceKeyOfSlice({ metadata: { name: "x" } }), undefined);
  });

  it("knows nothing of slices it did not write", () => {
    const t = new SliceTracker();
    assert.equal(t.has(slice("a", 1)), false);
    assert.equal(t.shouldSync(slice("a", 1)), true);
    assert.equal(t.isStale("default/web", [slice("a", 1)]), false);
  });

  it("sees its own write echoed back, and someone else's newer one", () => {
    const t = new SliceTracker();
    t.update(slice("a", 2));
    assert.equal(t.shouldSync(slice("a", 2)), false);
    assert.equal(t.shouldSync(slice("a", 3)), true);
  });

  it("calls the cache stale while it lacks our writes or still holds our deletions", () => {
    const t = new SliceTracker();
    t.update(slice("a", 2));
    assert.equal(t.isStale("default/web", []), true, "created slice not seen yet");
    assert.equal(t.isStale("default/web", [slice("a", 1)]), true, "older generation");
    assert.equal(t.isStale("default/web", [slice("a", 2)]), false);
    t.expectDeletion(slice("a", 2));
    assert.equal(t.isStale("default/web", [slice("a", 2)]), true, "deleted slice still cached");
    assert.equal(t.isStale("default/web", []), false);
  });

  it("tells expected deletions from unexpected ones", () => {
    const t = new SliceTracker();
    t.update(slice("a", 1));
    t.update(slice("b", 1));
    t.expectDeletion(slice("a", 1));
    assert.equal(t.handleDeletion(slice("a", 1)), true);
    assert.equal(t.handleDeletion(slice("b", 1)), false);
    assert.equal(t.has(slice("b", 1)), false);
  });

  it("forgets a service", () => {
    const t = new SliceTracker();
    t.update(slice("a", 1));
    t.deleteService("default/web");
    assert.equal(t.isStale("default/web", []), false);
  });
});
