import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { TableColumn } from "../../resource.js";
import {
  controllerOf,
  controllerRevisions,
  type ControllerRevision,
} from "./controller-revision.js";

const now = new Date("2024-05-01T12:00:00Z");

function revision(mutate: (cr: ControllerRevision) => void = () => {}): ControllerRevision {
  const cr: ControllerRevision = {
    metadata: {
      name: "db-7f9c",
      namespace: "default",
      creationTimestamp: "2024-05-01T11:58:00Z",
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "StatefulSet", name: "db", uid: "u1", controller: true },
      ],
    },
    data: { spec: { template: { metadata: { labels: { app: "db" } } } } },
    revision: 2,
  };
  mutate(cr);
  return cr;
}

describe("controllerRevisions.validate", () => {
  const cases: [string, (cr: ControllerRevision) => void, string[]][] = [
    ["a complete revision", () => {}, []],
    ["missing data", (cr) => delete cr.data, ["FieldValueRequired data"]],
    ["a negative revision", (cr) => (cr.revision = -1), ["FieldValueInvalid revision"]],
  ];
  for (const [what, mutate, want] of cases) {
    it(`${want.length ? "refuses" : "accepts"} ${what}`, () => {
      const errors = controllerRevisions.validate?.(revision(mutate)) ?? [];
      assert.deepEqual(
        errors.map((e) => `${e.type} ${e.field}`),
        want,
      );
    });
  }
});

describe("controllerRevisions.validateUpdate", () => {
  it("refuses changed data and allows a new revision number", () => {
    const old = revision();
    const renumbered = revision((cr) => (cr.revision = 5));
    assert.deepEqual(controllerRevisions.validateUpdate?.(renumbered, old), []);
    const changed = revision((cr) => (cr.data = { spec: {} }));
    assert.deepEqual(
      controllerRevisions.validateUpdate?.(changed, old)?.map((e) => e.field),
      ["data"],
    );
  });
});

describe("controllerRevisions columns", () => {
  it("shows CONTROLLER REVISION AGE", () => {
    const columns = controllerRevisions.columns as TableColumn<ControllerRevision>[];
    assert.deepEqual(
      columns.map((c) => [c.name, c.cell(revision(), now)]),
      [
        ["Controller", "statefulset.apps/db"],
        ["Revision", 2],
        ["Age", "2m"],
      ],
    );
  });

  it("names core-group owners without a group, and <none> without a controller", () => {
    const coreOwned = revision((cr) => {
      cr.metadata.ownerReferences = [
        { apiVersion: "v1", kind: "Pod", name: "p", uid: "u", controller: true },
      ];
    });
    assert.equal(controllerOf(coreOwned), "pod/p");
    assert.equal(controllerOf(revision((cr) => (cr.metadata.ownerReferences = []))), "<none>");
  });
});
