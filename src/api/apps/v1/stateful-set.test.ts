import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { FieldError } from "../../errors.js";
import type { TableColumn } from "../../resource.js";
import { defaultStatefulSet, statefulSets, type StatefulSet } from "./stateful-set.js";

const now = new Date("2024-05-01T12:00:00Z");

function statefulSet(mutate: (sts: StatefulSet) => void = () => {}): StatefulSet {
  const sts: StatefulSet = {
    metadata: { name: "db", namespace: "default", creationTimestamp: "2024-04-30T12:00:00Z" },
    spec: {
      serviceName: "db",
      selector: { matchLabels: { app: "db" } },
      template: {
        metadata: { labels: { app: "db" } },
        spec: { containers: [{ name: "postgres", image: "postgres:16" }] },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
        },
      ],
    },
  };
  mutate(sts);
  defaultStatefulSet(sts);
  return sts;
}

function summary(errors: FieldError[] | undefined): string[] {
  return (errors ?? []).map((e) => `${e.type} ${e.field}`);
}

describe("statefulSets.defaults", () => {
  it("fills in upstream's defaults", () => {
    const spec = statefulSet().spec;
    assert.equal(spec?.replicas, 1);
    assert.equal(spec?.podManagementPolicy, "OrderedReady");
    assert.deepEqual(spec?.updateStrategy, {
      type: "RollingUpdate",
      rollingUpdate: { partition: 0 },
    });
    assert.equal(spec?.revisionHistoryLimit, 10);
    assert.deepEqual(spec?.persistentVolumeClaimRetentionPolicy, {
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
  });

  it("gives claim templates a claim's defaults", () => {
    const claim = statefulSet().spec?.volumeClaimTemplates?.[0];
    assert.equal(claim?.spec?.volumeMode, "Filesystem");
    assert.deepEqual(claim?.status, { phase: "Pending" });
  });

  it("adds no rolling update to OnDelete, nor a partition to an explicit strategy without one", () => {
    assert.deepEqual(
      statefulSet((s) => (s.spec!.updateStrategy = { type: "OnDelete" })).spec?.updateStrategy,
      {
        type: "OnDelete",
      },
    );
    assert.deepEqual(
      statefulSet((s) => (s.spec!.updateStrategy = { type: "RollingUpdate" })).spec?.updateStrategy,
      { type: "RollingUpdate" },
    );
  });
});

describe("statefulSets.validate", () => {
  it("accepts a defaulted StatefulSet", () => {
    assert.deepEqual(statefulSets.validate?.(statefulSet()), []);
  });

  const cases: [string, (s: StatefulSet) => void, string[]][] = [
    [
      "an unknown pod management policy",
      (s) => (s.spec!.podManagementPolicy = "Random"),
      ["FieldValueInvalid spec.podManagementPolicy"],
    ],
    [
      "a rolling update under OnDelete",
      (s) => (s.spec!.updateStrategy = { type: "OnDelete", rollingUpdate: { partition: 1 } }),
      ["FieldValueInvalid spec.updateStrategy.rollingUpdate"],
    ],
    [
      "a negative partition and a zero maxUnavailable",
      (s) =>
        (s.spec!.updateStrategy = {
          type: "RollingUpdate",
          rollingUpdate: { partition: -1, maxUnavailable: 0 },
        }),
      [
        "FieldValueInvalid spec.updateStrategy.rollingUpdate.partition",
        "FieldValueInvalid spec.updateStrategy.rollingUpdate.maxUnavailable",
      ],
    ],
    [
      "an unknown retention policy",
      (s) =>
        (s.spec!.persistentVolumeClaimRetentionPolicy = {
          whenDeleted: "Keep",
          whenScaled: "Delete",
        }),
      ["FieldValueNotSupported spec.persistentVolumeClaimRetentionPolicy.whenDeleted"],
    ],
    [
      "a negative ordinal start",
      (s) => (s.spec!.ordinals = { start: -1 }),
      ["FieldValueInvalid spec.ordinals.start"],
    ],
    ["an empty selector", (s) => (s.spec!.selector = {}), ["FieldValueInvalid spec.selector"]],
    [
      "restartPolicy Never",
      (s) => (s.spec!.template!.spec!.restartPolicy = "Never"),
      ["FieldValueNotSupported spec.template.spec.restartPolicy"],
    ],
    [
      "an invalid template label, at upstream's path",
      (s) => {
        s.spec!.template!.metadata!.labels = { app: "db", "bad key!": "x" };
      },
      ["FieldValueInvalid spec.template.labels"],
    ],
  ];
  for (const [what, mutate, want] of cases) {
    it(`refuses ${what}`, () => {
      const s = statefulSet();
      mutate(s);
      assert.deepEqual(summary(statefulSets.validate?.(s)), want);
    });
  }

  it("takes names that are DNS labels only", () => {
    assert.deepEqual(statefulSets.checkName?.("db-1"), []);
    assert.ok((statefulSets.checkName?.("db.example") ?? []).length > 0);
  });
});

describe("statefulSets.validateUpdate", () => {
  const cases: [string, (s: StatefulSet) => void, boolean][] = [
    ["replicas", (s) => (s.spec!.replicas = 4), true],
    ["the template", (s) => (s.spec!.template!.spec!.containers![0]!.image = "postgres:17"), true],
    ["the update strategy", (s) => (s.spec!.updateStrategy = { type: "OnDelete" }), true],
    ["minReadySeconds", (s) => (s.spec!.minReadySeconds = 5), true],
    ["ordinals", (s) => (s.spec!.ordinals = { start: 1 }), true],
    [
      "the retention policy",
      (s) =>
        (s.spec!.persistentVolumeClaimRetentionPolicy = {
          whenDeleted: "Delete",
          whenScaled: "Retain",
        }),
      true,
    ],
    ["the service name", (s) => (s.spec!.serviceName = "other"), false],
    ["the selector", (s) => (s.spec!.selector = { matchLabels: { app: "db", x: "y" } }), false],
    ["the claim templates", (s) => (s.spec!.volumeClaimTemplates = []), false],
    ["the pod management policy", (s) => (s.spec!.podManagementPolicy = "Parallel"), false],
    ["the revision history limit", (s) => (s.spec!.revisionHistoryLimit = 3), false],
  ];
  for (const [what, mutate, allowed] of cases) {
    it(`${allowed ? "allows" : "forbids"} changing ${what}`, () => {
      const old = statefulSet();
      const next = structuredClone(old);
      mutate(next);
      assert.deepEqual(
        summary(statefulSets.validateUpdate?.(next, old)),
        allowed ? [] : ["FieldValueForbidden spec"],
      );
    });
  }
});

describe("statefulSets.validateStatusUpdate", () => {
  it("refuses more available than ready pods", () => {
    const s = statefulSet(
      (x) => (x.status = { replicas: 3, readyReplicas: 1, availableReplicas: 2 }),
    );
    assert.deepEqual(summary(statefulSets.validateStatusUpdate?.(s, s)), [
      "FieldValueInvalid status.availableReplicas",
    ]);
  });
});

describe("statefulSets columns", () => {
  it("shows READY AGE and the wide columns", () => {
    const s = statefulSet((x) => {
      x.spec!.replicas = 3;
      x.status = { replicas: 3, readyReplicas: 2 };
    });
    const columns = statefulSets.columns as TableColumn<StatefulSet>[];
    assert.deepEqual(
      columns.map((c) => [c.name, c.priority, c.cell(s, now)]),
      [
        ["Ready", 0, "2/3"],
        ["Age", 0, "24h"],
        ["Containers", 1, "postgres"],
        ["Images", 1, "postgres:16"],
      ],
    );
  });
});
