import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { FieldError } from "../../errors.js";
import type { TableColumn } from "../../resource.js";
import {
  daemonSets,
  defaultDaemonSet,
  TEMPLATE_GENERATION_ANNOTATION,
  type DaemonSet,
} from "./daemon-set.js";

const now = new Date("2024-05-01T12:00:00Z");

function daemonSet(mutate: (ds: DaemonSet) => void = () => {}): DaemonSet {
  const ds: DaemonSet = {
    metadata: {
      name: "agent",
      namespace: "kube-system",
      creationTimestamp: "2024-04-21T12:00:00Z",
    },
    spec: {
      selector: { matchLabels: { app: "agent" } },
      template: {
        metadata: { labels: { app: "agent" } },
        spec: { containers: [{ name: "agent", image: "agent:1" }] },
      },
    },
  };
  mutate(ds);
  defaultDaemonSet(ds);
  return ds;
}

function summary(errors: FieldError[] | undefined): string[] {
  return (errors ?? []).map((e) => `${e.type} ${e.field}`);
}

describe("daemonSets.defaults", () => {
  it("fills in a rolling update of one node at a time without surge, and 10 revisions", () => {
    const spec = daemonSet().spec;
    assert.deepEqual(spec?.updateStrategy, {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    assert.equal(spec?.revisionHistoryLimit, 10);
  });

  it("adds nothing to OnDelete", () => {
    const spec = daemonSet((ds) => (ds.spec!.updateStrategy = { type: "OnDelete" })).spec;
    assert.deepEqual(spec?.updateStrategy, { type: "OnDelete" });
  });
});

describe("daemonSets.validate", () => {
  it("accepts a defaulted DaemonSet", () => {
    assert.deepEqual(daemonSets.validate?.(daemonSet()), []);
  });

  const cases: [string, (ds: DaemonSet) => void, string[]][] = [
    [
      "maxSurge and maxUnavailable both set",
      (ds) =>
        (ds.spec!.updateStrategy = {
          type: "RollingUpdate",
          rollingUpdate: { maxUnavailable: 1, maxSurge: "10%" },
        }),
      ["FieldValueInvalid spec.updateStrategy.rollingUpdate.maxSurge"],
    ],
    [
      "maxSurge and maxUnavailable both zero",
      (ds) =>
        (ds.spec!.updateStrategy = {
          type: "RollingUpdate",
          rollingUpdate: { maxUnavailable: 0, maxSurge: "0%" },
        }),
      ["FieldValueRequired spec.updateStrategy.rollingUpdate.maxUnavailable"],
    ],
    [
      "maxSurge over 100%",
      (ds) =>
        (ds.spec!.updateStrategy = {
          type: "RollingUpdate",
          rollingUpdate: { maxUnavailable: 0, maxSurge: "101%" },
        }),
      ["FieldValueInvalid spec.updateStrategy.rollingUpdate.maxSurge"],
    ],
    [
      "an unknown strategy",
      (ds) => (ds.spec!.updateStrategy = { type: "Replace" }),
      ["FieldValueNotSupported spec.updateStrategy"],
    ],
    ["an empty selector", (ds) => (ds.spec!.selector = {}), ["FieldValueInvalid spec.selector"]],
    [
      "a missing selector, which selects nothing",
      (ds) => delete ds.spec!.selector,
      ["FieldValueInvalid spec.template.metadata.labels"],
    ],
    [
      "restartPolicy OnFailure",
      (ds) => (ds.spec!.template!.spec!.restartPolicy = "OnFailure"),
      ["FieldValueNotSupported spec.template.spec.restartPolicy"],
    ],
    [
      "a negative revision limit",
      (ds) => (ds.spec!.revisionHistoryLimit = -1),
      ["FieldValueInvalid spec.revisionHistoryLimit"],
    ],
  ];
  for (const [what, mutate, want] of cases) {
    it(`refuses ${what}`, () => {
      const ds = daemonSet();
      mutate(ds);
      assert.deepEqual(summary(daemonSets.validate?.(ds)), want);
    });
  }
});

describe("daemonSets template generation", () => {
  it("starts at 1 on create, whatever the client sent", () => {
    const ds = daemonSet(
      (x) => (x.metadata.annotations = { [TEMPLATE_GENERATION_ANNOTATION]: "7" }),
    );
    daemonSets.prepareForCreate?.(ds);
    assert.equal(ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION], "1");
  });

  it("moves only when the template changes", () => {
    const old = daemonSet();
    daemonSets.prepareForCreate?.(old);

    const scaled = structuredClone(old);
    scaled.spec!.minReadySeconds = 5;
    delete scaled.metadata.annotations;
    daemonSets.prepareForUpdate?.(scaled, old);
    assert.equal(scaled.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION], "1");

    const changed = structuredClone(old);
    changed.spec!.template!.spec!.containers![0]!.image = "agent:2";
    daemonSets.prepareForUpdate?.(changed, old);
    assert.equal(changed.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION], "2");
  });
});

describe("daemonSets.validateUpdate", () => {
  it("refuses a changed selector", () => {
    const old = daemonSet();
    const next = structuredClone(old);
    next.spec!.selector = { matchLabels: { app: "agent", v: "2" } };
    assert.deepEqual(summary(daemonSets.validateUpdate?.(next, old)), [
      "FieldValueInvalid spec.selector",
    ]);
  });
});

describe("daemonSets columns", () => {
  it("shows DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE and the wide columns", () => {
    const ds = daemonSet((x) => {
      x.spec!.template!.spec!.nodeSelector = { "kubernetes.io/os": "linux" };
      x.status = {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 2,
        numberMisscheduled: 0,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
      };
    });
    const columns = daemonSets.columns as TableColumn<DaemonSet>[];
    assert.deepEqual(
      columns.map((c) => [c.name, c.priority, c.cell(ds, now)]),
      [
        ["Desired", 0, 3],
        ["Current", 0, 3],
        ["Ready", 0, 2],
        ["Up-to-date", 0, 3],
        ["Available", 0, 2],
        ["Node Selector", 0, "kubernetes.io/os=linux"],
        ["Age", 0, "10d"],
        ["Containers", 1, "agent"],
        ["Images", 1, "agent:1"],
        ["Selector", 1, "app=agent"],
      ],
    );
  });

  it("shows <none> for a template without a node selector", () => {
    const column = (daemonSets.columns as TableColumn<DaemonSet>[]).find(
      (c) => c.name === "Node Selector",
    );
    assert.equal(column?.cell(daemonSet(), now), "<none>");
  });
});
