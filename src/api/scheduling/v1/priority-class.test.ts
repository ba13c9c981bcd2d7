import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { TableColumn } from "../../resource.js";
import {
  defaultPriorityClass,
  priorityClasses,
  validateSingleGlobalDefault,
  type PriorityClass,
} from "./priority-class.js";

const now = new Date("2024-05-01T12:00:00Z");

function priorityClass(name: string, fields: Partial<PriorityClass> = {}): PriorityClass {
  const pc: PriorityClass = {
    metadata: { name, creationTimestamp: "2024-05-01T11:00:00Z" },
    value: 1000,
    ...fields,
  };
  defaultPriorityClass(pc);
  return pc;
}

function withoutValue(pc: PriorityClass): PriorityClass {
  delete pc.value;
  return pc;
}

describe("priorityClasses.defaults", () => {
  it("fills in PreemptLowerPriority and keeps Never", () => {
    assert.equal(priorityClass("high").preemptionPolicy, "PreemptLowerPriority");
    assert.equal(priorityClass("batch", { preemptionPolicy: "Never" }).preemptionPolicy, "Never");
  });
});

describe("priorityClasses.validate", () => {
  const cases: [string, PriorityClass, string[]][] = [
    ["a user class", priorityClass("high"), []],
    ["the largest user value", priorityClass("top", { value: 1_000_000_000 }), []],
    ["a negative value", priorityClass("low", { value: -10 }), []],
    [
      "a user value above one billion",
      priorityClass("too-high", { value: 1_000_000_001 }),
      ["FieldValueForbidden value"],
    ],
    [
      "a system class as defined",
      priorityClass("system-node-critical", { value: 2_000_001_000 }),
      [],
    ],
    [
      "a system class with another value",
      priorityClass("system-cluster-critical", { value: 5 }),
      ["FieldValueForbidden metadata.name"],
    ],
    [
      "an unknown system- name",
      priorityClass("system-mine", { value: 5 }),
      ["FieldValueForbidden metadata.name"],
    ],
    ["a missing value", withoutValue(priorityClass("novalue")), ["FieldValueRequired value"]],
    [
      "an unknown preemption policy",
      priorityClass("p", { preemptionPolicy: "Always" }),
      ["FieldValueNotSupported preemptionPolicy"],
    ],
  ];
  for (const [what, pc, want] of cases) {
    it(`${want.length ? "refuses" : "accepts"} ${what}`, () => {
      assert.deepEqual(
        (priorityClasses.validate?.(pc) ?? []).map((e) => `${e.type} ${e.field}`),
        want,
      );
    });
  }

  it("says why a system- name is refused", () => {
    const [error] =
      priorityClasses.validate?.(priorityClass("system-cluster-critical", { value: 5 })) ?? [];
    assert.match(
      error?.detail ?? "",
      /reserved for system use only.*value of system-cluster-critical PriorityClass must be 2000000000/,
    );
  });
});

describe("priorityClasses.validateUpdate", () => {
  it("refuses a new value or preemption policy and allows a new description", () => {
    const old = priorityClass("high");
    const summary = (pc: PriorityClass): string[] =>
      (priorityClasses.validateUpdate?.(pc, old) ?? []).map((e) => `${e.type} ${e.field}`);
    assert.deepEqual(summary({ ...old, description: "for web" }), []);
    assert.deepEqual(summary({ ...old, value: 2000 }), ["FieldValueForbidden value"]);
    assert.deepEqual(summary({ ...old, preemptionPolicy: "Never" }), [
      "FieldValueInvalid preemptionPolicy",
    ]);
  });
});

describe("validateSingleGlobalDefault()", () => {
  it("refuses a second global default but not the same class again", () => {
    const current = priorityClass("default-a", { globalDefault: true });
    assert.equal(
      validateSingleGlobalDefault(priorityClass("default-b", { globalDefault: true }), [current])
        .length,
      1,
    );
    assert.deepEqual(validateSingleGlobalDefault(current, [current]), []);
    assert.deepEqual(validateSingleGlobalDefault(priorityClass("plain"), [current]), []);
  });
});

describe("priorityClasses columns", () => {
  it("shows VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY", () => {
    const columns = priorityClasses.columns as TableColumn<PriorityClass>[];
    assert.deepEqual(
      columns.map((c) => [
        c.name,
        c.priority,
        c.cell(priorityClass("high", { globalDefault: true }), now),
      ]),
      [
        ["Value", 0, 1000],
        ["Global-Default", 0, true],
        ["Age", 0, "60m"],
        ["PreemptionPolicy", 0, "PreemptLowerPriority"],
      ],
    );
  });
});
