import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { TableColumn } from "../../resource.js";
import { leases, type Lease } from "./lease.js";

const now = new Date("2024-05-01T12:00:00Z");

function lease(spec: Lease["spec"]): Lease {
  const l: Lease = {
    metadata: {
      name: "node-1",
      namespace: "kube-node-lease",
      creationTimestamp: "2024-05-01T10:00:00Z",
    },
  };
  if (spec) l.spec = spec;
  return l;
}

describe("leases.validate", () => {
  const cases: [string, Lease["spec"], string[]][] = [
    [
      "a node heartbeat",
      {
        holderIdentity: "node-1",
        leaseDurationSeconds: 40,
        renewTime: "2024-05-01T11:59:50.000000Z",
      },
      [],
    ],
    ["no spec at all", undefined, []],
    [
      "a zero duration",
      { leaseDurationSeconds: 0 },
      ["FieldValueInvalid spec.leaseDurationSeconds"],
    ],
    ["negative transitions", { leaseTransitions: -1 }, ["FieldValueInvalid spec.leaseTransitions"]],
    ["a known strategy", { strategy: "OldestEmulationVersion" }, []],
    ["a qualified custom strategy", { strategy: "example.com/fastest" }, []],
    [
      "an unknown short strategy",
      { strategy: "Fastest" },
      ["FieldValueNotSupported spec.strategy.strategy"],
    ],
    [
      "a malformed custom strategy",
      { strategy: "example.com/" },
      ["FieldValueInvalid spec.strategy.strategy"],
    ],
    [
      "a preferred holder without strategy",
      { preferredHolder: "node-2" },
      ["FieldValueForbidden spec.preferredHolder"],
    ],
  ];
  for (const [what, spec, want] of cases) {
    it(`${want.length ? "refuses" : "accepts"} ${what}`, () => {
      assert.deepEqual(
        (leases.validate?.(lease(spec)) ?? []).map((e) => `${e.type} ${e.field}`),
        want,
      );
    });
  }
});

describe("leases definition", () => {
  it("shows HOLDER AGE, with an empty holder when there is none", () => {
    const columns = leases.columns as TableColumn<Lease>[];
    assert.deepEqual(
      columns.map((c) => [c.name, c.cell(lease({ holderIdentity: "node-1" }), now)]),
      [
        ["Holder", "node-1"],
        ["Age", "120m"],
      ],
    );
    assert.equal(columns[0]?.cell(lease({}), now), "");
  });

  it("lets holders create their lease with an update", () => {
    assert.equal(leases.allowCreateOnUpdate, true);
  });
});
