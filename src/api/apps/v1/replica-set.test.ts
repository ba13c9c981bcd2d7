import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { FieldError } from "../../errors.js";
import type { TableColumn } from "../../resource.js";
import { defaultReplicaSet, replicaSets, type ReplicaSet } from "./replica-set.js";

const now = new Date("2024-05-01T12:00:00Z");

function replicaSet(mutate: (rs: ReplicaSet) => void = () => {}): ReplicaSet {
  const rs: ReplicaSet = {
    metadata: { name: "web-5d4f", namespace: "default", creationTimestamp: "2024-05-01T11:59:00Z" },
    spec: {
      selector: { matchLabels: { app: "web", "pod-template-hash": "5d4f" } },
      template: {
        metadata: { labels: { app: "web", "pod-template-hash": "5d4f" } },
        spec: { containers: [{ name: "nginx", image: "nginx" }] },
      },
    },
  };
  mutate(rs);
  defaultReplicaSet(rs);
  return rs;
}

function summary(errors: FieldError[] | undefined): string[] {
  return (errors ?? []).map((e) => `${e.type} ${e.field}`);
}

describe("replicaSets.defaults", () => {
  it("fills in one replica and the pod template's defaults", () => {
    const rs = replicaSet();
    assert.equal(rs.spec?.replicas, 1);
    assert.equal(rs.spec?.template?.spec?.dnsPolicy, "ClusterFirst");
  });

  it("keeps zero replicas", () => {
    assert.equal(replicaSet((rs) => (rs.spec!.replicas = 0)).spec?.replicas, 0);
  });
});

describe("replicaSets.validate", () => {
  it("accepts a defaulted ReplicaSet", () => {
    assert.deepEqual(replicaSets.validate?.(replicaSet()), []);
  });

  const cases: [string, (rs: ReplicaSet) => void, string[]][] = [
    ["negative replicas", (rs) => (rs.spec!.replicas = -2), ["FieldValueInvalid spec.replicas"]],
    [
      "negative minReadySeconds",
      (rs) => (rs.spec!.minReadySeconds = -1),
      ["FieldValueInvalid spec.minReadySeconds"],
    ],
    ["an empty selector", (rs) => (rs.spec!.selector = {}), ["FieldValueInvalid spec.selector"]],
    [
      "a selector expression without values",
      (rs) => (rs.spec!.selector = { matchExpressions: [{ key: "app", operator: "In" }] }),
      [
        "FieldValueRequired spec.selector.matchExpressions[0].values",
        "FieldValueInvalid spec.selector",
      ],
    ],
    [
      "template labels outside the selector",
      (rs) => (rs.spec!.template!.metadata!.labels = { app: "web" }),
      ["FieldValueInvalid spec.template.metadata.labels"],
    ],
    [
      "restartPolicy OnFailure",
      (rs) => (rs.spec!.template!.spec!.restartPolicy = "OnFailure"),
      ["FieldValueNotSupported spec.template.spec.restartPolicy"],
    ],
  ];
  for (const [what, mutate, want] of cases) {
    it(`refuses ${what}`, () => {
      const rs = replicaSet();
      mutate(rs);
      assert.deepEqual(summary(replicaSets.validate?.(rs)), want);
    });
  }
});

describe("replicaSets.validateUpdate and validateStatusUpdate", () => {
  it("refuses a changed selector", () => {
    const old = replicaSet();
    const next = structuredClone(old);
    next.spec!.selector = { matchLabels: { app: "web" } };
    assert.deepEqual(summary(replicaSets.validateUpdate?.(next, old)), [
      "FieldValueInvalid spec.selector",
    ]);
  });

  it("refuses status counts above replicas", () => {
    const rs = replicaSet(
      (x) =>
        (x.status = {
          replicas: 1,
          fullyLabeledReplicas: 2,
          readyReplicas: 1,
          availableReplicas: 1,
        }),
    );
    assert.deepEqual(summary(replicaSets.validateStatusUpdate?.(rs, rs)), [
      "FieldValueInvalid status.fullyLabeledReplicas",
    ]);
  });
});

describe("replicaSets columns", () => {
  it("shows DESIRED CURRENT READY AGE and the wide columns", () => {
    const rs = replicaSet((x) => {
      x.spec!.replicas = 3;
      x.status = { replicas: 3, readyReplicas: 1 };
    });
    const columns = replicaSets.columns as TableColumn<ReplicaSet>[];
    assert.deepEqual(
      columns.map((c) => [c.name, c.priority, c.cell(rs, now)]),
      [
        ["Desired", 0, 3],
        ["Current", 0, 3],
        ["Ready", 0, 1],
        ["Age", 0, "60s"],
        ["Containers", 1, "nginx"],
        ["Images", 1, "nginx"],
        ["Selector", 1, "app=web,pod-template-hash=5d4f"],
      ],
    );
  });
});
