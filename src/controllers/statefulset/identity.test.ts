import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StatefulSet } from "../../api/apps/v1/stateful-set.js";
import type { Pod } from "../../api/core/v1/pod.js";
import {
  claimsFor,
  identityMatches,
  inOrdinalRange,
  isMemberOf,
  parentAndOrdinal,
  storageMatches,
} from "./identity.js";

const set: StatefulSet = {
  metadata: { name: "web", namespace: "ns", uid: "u" },
  spec: {
    replicas: 2,
    ordinals: { start: 1 },
    selector: { matchLabels: { app: "web" } },
    volumeClaimTemplates: [
      {
        metadata: { name: "data", annotations: { a: "b" } },
        spec: { accessModes: ["ReadWriteOnce"] },
      },
      { metadata: { name: "logs", labels: { app: "other", kind: "logs" } }, spec: {} },
    ],
  },
};

const named = (name: string, extra: Partial<Pod["metadata"]> = {}): Pod => ({
  metadata: { name, namespace: "ns", ...extra },
});

describe("StatefulSet pod identity", () => {
  const cases: { name: string; want: { parent: string; ordinal: number } }[] = [
    { name: "web-0", want: { parent: "web", ordinal: 0 } },
    { name: "my-web-12", want: { parent: "my-web", ordinal: 12 } },
    { name: "web", want: { parent: "", ordinal: -1 } },
    { name: "web-x", want: { parent: "", ordinal: -1 } },
    { name: "web-99999999999", want: { parent: "", ordinal: -1 } },
  ];
  for (const c of cases) {
    it(`parentAndOrdinal() reads ${c.name}`, () => {
      assert.deepEqual(parentAndOrdinal(named(c.name)), c.want);
    });
  }

  it("isMemberOf() and inOrdinalRange() follow the name and spec.ordinals.start", () => {
    assert.ok(isMemberOf(set, named("web-7")));
    assert.ok(!isMemberOf(set, named("web2-1")));
    assert.deepEqual(
      ["web-0", "web-1", "web-2", "web-3"].map((n) => inOrdinalRange(set, named(n))),
      [false, true, true, false],
    );
  });

  it("identityMatches() wants the name, namespace and both identity labels", () => {
    const labels = {
      "statefulset.kubernetes.io/pod-name": "web-1",
      "apps.kubernetes.io/pod-index": "1",
    };
    assert.ok(identityMatches(set, named("web-1", { labels })));
    assert.ok(!identityMatches(set, named("web-1", { labels, namespace: "other" })));
    assert.ok(
      !identityMatches(
        set,
        named("web-1", { labels: { ...labels, "apps.kubernetes.io/pod-index": "2" } }),
      ),
    );
    assert.ok(!identityMatches(set, named("web-1")));
  });

  it("claimsFor() names claims <template>-<set>-<ordinal> with the selector's labels on top", () => {
    const claims = claimsFor(set, 1);
    assert.deepEqual(
      claims.map((c) => [
        c.template,
        c.claim.metadata.name,
        c.claim.metadata.namespace,
        c.claim.metadata.labels,
      ]),
      [
        ["data", "data-web-1", "ns", { app: "web" }],
        ["logs", "logs-web-1", "ns", { app: "web", kind: "logs" }],
      ],
    );
    assert.deepEqual(claims[0]?.claim.metadata.annotations, { a: "b" });
    assert.deepEqual(claims[0]?.claim.spec, { accessModes: ["ReadWriteOnce"] });
  });

  it("storageMatches() wants a volume per template using the pod's claim", () => {
    const volumes = [
      { name: "data", persistentVolumeClaim: { claimName: "data-web-1" } },
      { name: "logs", persistentVolumeClaim: { claimName: "logs-web-1" } },
    ];
    assert.ok(storageMatches(set, { ...named("web-1"), spec: { containers: [], volumes } }));
    assert.ok(!storageMatches(set, { ...named("web-2"), spec: { containers: [], volumes } }));
    assert.ok(
      !storageMatches(set, {
        ...named("web-1"),
        spec: { containers: [], volumes: volumes.slice(1) },
      }),
    );
  });
});
