import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StatefulSet } from "../../api/apps/v1/stateful-set.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { OwnerReference } from "../../api/meta/types.js";
import { claimOwnerRefsFor, isClaimOwnerUpToDate, podClaimIsStale } from "./retention.js";

const setRef: OwnerReference = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  name: "web",
  uid: "set-uid",
  controller: true,
  blockOwnerDeletion: true,
};
const podRef = (ordinal: number, uid = `pod-${ordinal}`): OwnerReference => ({
  apiVersion: "v1",
  kind: "Pod",
  name: `web-${ordinal}`,
  uid,
  controller: true,
  blockOwnerDeletion: true,
});

function set(whenDeleted: string, whenScaled: string): StatefulSet {
  return {
    metadata: { name: "web", namespace: "default", uid: "set-uid" },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      volumeClaimTemplates: [{ metadata: { name: "data" }, spec: {} }],
      persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled },
    },
  };
}

const pod = (ordinal: number): Pod => ({
  metadata: { name: `web-${ordinal}`, namespace: "default", uid: `pod-${ordinal}` },
});

const claim = (ordinal: number, refs: OwnerReference[] = []): PersistentVolumeClaim => ({
  metadata: {
    name: `data-web-${ordinal}`,
    namespace: "default",
    ...(refs.length ? { ownerReferences: refs } : {}),
  },
});

describe("claim owner references for the retention policy", () => {
  // Ordinal 0 is in range (replicas 1); ordinal 1 was scaled away.
  const cases: {
    whenDeleted: string;
    whenScaled: string;
    ordinal: number;
    want: OwnerReference[];
  }[] = [
    { whenDeleted: "Retain", whenScaled: "Retain", ordinal: 0, want: [] },
    { whenDeleted: "Retain", whenScaled: "Retain", ordinal: 1, want: [] },
    { whenDeleted: "Delete", whenScaled: "Retain", ordinal: 0, want: [setRef] },
    { whenDeleted: "Delete", whenScaled: "Retain", ordinal: 1, want: [setRef] },
    { whenDeleted: "Retain", whenScaled: "Delete", ordinal: 0, want: [] },
    { whenDeleted: "Retain", whenScaled: "Delete", ordinal: 1, want: [podRef(1)] },
    { whenDeleted: "Delete", whenScaled: "Delete", ordinal: 0, want: [setRef] },
    { whenDeleted: "Delete", whenScaled: "Delete", ordinal: 1, want: [podRef(1)] },
  ];
  for (const c of cases) {
    it(`whenDeleted ${c.whenDeleted}, whenScaled ${c.whenScaled}, ${c.ordinal === 0 ? "in range" : "scaled away"}`, () => {
      const s = set(c.whenDeleted, c.whenScaled);
      const p = pod(c.ordinal);
      const fixed = claimOwnerRefsFor(claim(c.ordinal, [setRef, podRef(c.ordinal)]), s, p);
      assert.deepEqual(fixed, c.want);
      assert.ok(isClaimOwnerUpToDate(claim(c.ordinal, c.want), s, p));
      // Any other combination of our two references is out of date.
      for (const other of [[], [setRef], [podRef(c.ordinal)], [setRef, podRef(c.ordinal)]]) {
        const same = JSON.stringify(other) === JSON.stringify(c.want);
        assert.equal(
          isClaimOwnerUpToDate(claim(c.ordinal, other), s, p),
          same,
          JSON.stringify(other),
        );
      }
    });
  }

  it("keeps other owners, and leaves claims with stale references alone", () => {
    const s = set("Delete", "Retain");
    const other: OwnerReference = {
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "cm",
      uid: "cm-uid",
    };
    assert.deepEqual(claimOwnerRefsFor(claim(0, [other]), s, pod(0)), [other, setRef]);
    const stale = { ...setRef, uid: "old-set" };
    assert.ok(
      isClaimOwnerUpToDate(claim(0, [stale]), s, pod(0)),
      "a stale set reference is not touched",
    );
  });

  it("adds nothing on top of another controller, but removes our references beside it", () => {
    const s = set("Delete", "Delete");
    const foreign: OwnerReference = {
      apiVersion: "x/v1",
      kind: "Other",
      name: "o",
      uid: "o",
      controller: true,
    };
    assert.ok(isClaimOwnerUpToDate(claim(0, [foreign]), s, pod(0)));
    assert.ok(!isClaimOwnerUpToDate(claim(0, [foreign, setRef]), s, pod(0)));
    assert.deepEqual(claimOwnerRefsFor(claim(0, [foreign, setRef]), s, pod(0)), [foreign]);
  });

  it("podClaimIsStale() blocks a pod whose claim names an earlier pod, only with whenScaled Delete", () => {
    const claims = new Map([["data-web-0", claim(0, [podRef(0, "old")])]]);
    const fresh: Pod = { metadata: { name: "web-0", namespace: "default" } };
    assert.ok(podClaimIsStale(set("Retain", "Delete"), fresh, claims));
    assert.ok(!podClaimIsStale(set("Delete", "Retain"), fresh, claims));
    assert.ok(!podClaimIsStale(set("Retain", "Delete"), fresh, new Map()));
  });
});
