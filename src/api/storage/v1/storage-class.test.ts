import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { FieldError } from "../../errors.js";
import type { TableColumn } from "../../resource.js";
import {
  DEFAULT_CLASS_ANNOTATION,
  defaultStorageClass,
  storageClasses,
  type StorageClass,
} from "./storage-class.js";

const now = new Date("2024-05-01T12:00:00Z");

function storageClass(mutate: (sc: StorageClass) => void = () => {}): StorageClass {
  const sc: StorageClass = {
    metadata: { name: "local-path", creationTimestamp: "2024-04-30T12:00:00Z" },
    provisioner: "kates.io/local-path",
  };
  mutate(sc);
  defaultStorageClass(sc);
  return sc;
}

function summary(errors: FieldError[] | undefined): string[] {
  return (errors ?? []).map((e) => `${e.type} ${e.field}`);
}

describe("storageClasses.defaults", () => {
  it("fills in Delete and Immediate, and keeps what the client chose", () => {
    const sc = storageClass();
    assert.deepEqual([sc.reclaimPolicy, sc.volumeBindingMode], ["Delete", "Immediate"]);
    const chosen = storageClass((x) =>
      Object.assign(x, { reclaimPolicy: "Retain", volumeBindingMode: "WaitForFirstConsumer" }),
    );
    assert.deepEqual(
      [chosen.reclaimPolicy, chosen.volumeBindingMode],
      ["Retain", "WaitForFirstConsumer"],
    );
  });
});

describe("storageClasses.validate", () => {
  it("accepts a defaulted class", () => {
    assert.deepEqual(storageClasses.validate?.(storageClass()), []);
  });

  const cases: [string, (sc: StorageClass) => void, string[]][] = [
    ["a missing provisioner", (sc) => delete sc.provisioner, ["FieldValueRequired provisioner"]],
    [
      "a provisioner that is no qualified name",
      (sc) => (sc.provisioner = "a/b/c"),
      ["FieldValueInvalid provisioner"],
    ],
    [
      "reclaimPolicy Recycle",
      (sc) => (sc.reclaimPolicy = "Recycle"),
      ["FieldValueNotSupported reclaimPolicy"],
    ],
    [
      "an unknown binding mode",
      (sc) => (sc.volumeBindingMode = "Later"),
      ["FieldValueNotSupported volumeBindingMode"],
    ],
    [
      "an empty parameter key",
      (sc) => (sc.parameters = { "": "x" }),
      ["FieldValueInvalid parameters"],
    ],
    [
      "a topology term without values",
      (sc) =>
        (sc.allowedTopologies = [
          { matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: [] }] },
        ]),
      ["FieldValueRequired allowedTopologies[0].matchLabelExpressions[0].values"],
    ],
    [
      "duplicate topology terms",
      (sc) => {
        const term = {
          matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: ["a"] }],
        };
        sc.allowedTopologies = [term, structuredClone(term)];
      },
      ["FieldValueDuplicate allowedTopologies[1]"],
    ],
  ];
  for (const [what, mutate, want] of cases) {
    it(`refuses ${what}`, () => {
      const sc = storageClass();
      mutate(sc);
      assert.deepEqual(summary(storageClasses.validate?.(sc)), want);
    });
  }
});

describe("storageClasses.validateUpdate", () => {
  const cases: [string, (sc: StorageClass) => void, string[]][] = [
    ["mount options", (sc) => (sc.mountOptions = ["ro"]), []],
    ["volume expansion", (sc) => (sc.allowVolumeExpansion = true), []],
    ["parameters", (sc) => (sc.parameters = { type: "ssd" }), ["FieldValueForbidden parameters"]],
    [
      "the provisioner",
      (sc) => (sc.provisioner = "other.io/x"),
      ["FieldValueForbidden provisioner"],
    ],
    [
      "the reclaim policy",
      (sc) => (sc.reclaimPolicy = "Retain"),
      ["FieldValueForbidden reclaimPolicy"],
    ],
    [
      "the binding mode",
      (sc) => (sc.volumeBindingMode = "WaitForFirstConsumer"),
      ["FieldValueInvalid volumeBindingMode"],
    ],
  ];
  for (const [what, mutate, want] of cases) {
    it(`${want.length ? "refuses" : "allows"} changing ${what}`, () => {
      const old = storageClass();
      const next = structuredClone(old);
      mutate(next);
      assert.deepEqual(summary(storageClasses.validateUpdate?.(next, old)), want);
    });
  }
});

describe("storageClasses columns", () => {
  const columns = storageClasses.columns as TableColumn<StorageClass>[];

  it("shows NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE", () => {
    assert.deepEqual(
      columns.map((c) => [c.name, c.format ?? "", c.cell(storageClass(), now)]),
      [
        ["Name", "name", "local-path"],
        ["Provisioner", "", "kates.io/local-path"],
        ["ReclaimPolicy", "", "Delete"],
        ["VolumeBindingMode", "", "Immediate"],
        ["AllowVolumeExpansion", "", false],
        ["Age", "", "24h"],
      ],
    );
  });

  it("marks the default class, by either annotation", () => {
    const marked = storageClass(
      (sc) => (sc.metadata.annotations = { [DEFAULT_CLASS_ANNOTATION]: "true" }),
    );
    assert.equal(columns[0]?.cell(marked, now), "local-path (default)");
    const beta = storageClass(
      (sc) =>
        (sc.metadata.annotations = { "storageclass.beta.kubernetes.io/is-default-class": "true" }),
    );
    assert.equal(columns[0]?.cell(beta, now), "local-path (default)");
    const off = storageClass(
      (sc) => (sc.metadata.annotations = { [DEFAULT_CLASS_ANNOTATION]: "false" }),
    );
    assert.equal(columns[0]?.cell(off, now), "local-path");
  });
});
