import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../api/core/v1/pod.js";
import type { Volume } from "../../api/core/v1/pod-shapes.js";
import { claim, volume } from "../../api/core/v1/volume-fixtures.js";
import {
  claimFinalizerAction,
  finalizerPatch,
  podUsesClaim,
  volumeFinalizerAction,
} from "./protection-logic.js";

const PVC = "kubernetes.io/pvc-protection";
const PV = "kubernetes.io/pv-protection";
const deleting = "2026-01-01T00:00:00Z";

describe("claimFinalizerAction()", () => {
  const withMeta = (finalizers: string[], deletionTimestamp?: string) => {
    const c = claim("c");
    c.metadata.finalizers = finalizers;
    if (deletionTimestamp) c.metadata.deletionTimestamp = deletionTimestamp;
    return c;
  };
  const cases: [string, ReturnType<typeof withMeta>, boolean, string][] = [
    ["a live claim gets the finalizer", withMeta([]), false, "add"],
    ["a live claim keeps it", withMeta([PVC]), true, "none"],
    ["a deleted claim in use keeps it", withMeta([PVC], deleting), true, "none"],
    ["a deleted claim no pod uses loses it", withMeta(["other", PVC], deleting), false, "remove"],
    ["a deleted claim without it never gets it", withMeta([], deleting), false, "none"],
  ];
  for (const [name, c, inUse, want] of cases) {
    it(name, () => assert.equal(claimFinalizerAction(c, inUse), want));
  }
});

describe("volumeFinalizerAction()", () => {
  const pv = (phase: string, finalizers: string[], deletionTimestamp?: string) => {
    const v = volume("v", {}, { phase });
    v.metadata.finalizers = finalizers;
    if (deletionTimestamp) v.metadata.deletionTimestamp = deletionTimestamp;
    return v;
  };
  it("protects every live volume, and lets a deleted one go once not Bound", () => {
    assert.equal(volumeFinalizerAction(pv("Available", [])), "add");
    assert.equal(volumeFinalizerAction(pv("Bound", [PV], deleting)), "none");
    assert.equal(volumeFinalizerAction(pv("Released", [PV], deleting)), "remove");
    assert.equal(volumeFinalizerAction(pv("Available", [PV], deleting)), "remove");
  });
});

describe("podUsesClaim()", () => {
  const pod = (phase: string, volumes: Volume[]): Pod => ({
    metadata: { name: "p", namespace: "default" },
    spec: { containers: [], volumes },
    status: { phase },
  });
  it("counts pods that have not finished and name the claim", () => {
    const uses = [{ name: "d", persistentVolumeClaim: { claimName: "c" } }];
    assert.equal(podUsesClaim(pod("Running", uses), "c"), true);
    assert.equal(podUsesClaim(pod("Pending", uses), "c"), true);
    assert.equal(podUsesClaim(pod("Succeeded", uses), "c"), false);
    assert.equal(podUsesClaim(pod("Failed", uses), "c"), false);
    assert.equal(podUsesClaim(pod("Running", uses), "other"), false);
    assert.equal(podUsesClaim(pod("Running", [{ name: "e", ephemeral: {} }]), "p-e"), true);
  });
});

describe("finalizerPatch()", () => {
  it("adds or removes one finalizer, guarded by the resourceVersion", () => {
    const obj = { metadata: { finalizers: ["a"], resourceVersion: "9" } };
    assert.deepEqual(finalizerPatch(obj, PVC, "add"), {
      metadata: { finalizers: ["a", PVC], resourceVersion: "9" },
    });
    assert.deepEqual(finalizerPatch({ metadata: { finalizers: [PVC] } }, PVC, "remove"), {
      metadata: { finalizers: null },
    });
  });
});
