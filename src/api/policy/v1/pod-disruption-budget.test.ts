import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { FieldError } from "../../errors.js";
import type { TableColumn } from "../../resource.js";
import { podDisruptionBudgets, type PodDisruptionBudget } from "./pod-disruption-budget.js";

const now = new Date("2024-05-01T12:00:00Z");

function pdb(
  spec: PodDisruptionBudget["spec"],
  status?: PodDisruptionBudget["status"],
): PodDisruptionBudget {
  const p: PodDisruptionBudget = {
    metadata: { name: "web", namespace: "default", creationTimestamp: "2024-05-01T11:59:00Z" },
  };
  if (spec) p.spec = spec;
  if (status) p.status = status;
  return p;
}

function summary(errors: FieldError[] | undefined): string[] {
  return (errors ?? []).map((e) => `${e.type} ${e.field}`);
}

describe("podDisruptionBudgets.validate", () => {
  const selector = { matchLabels: { app: "web" } };
  const cases: [string, PodDisruptionBudget["spec"], string[]][] = [
    ["minAvailable as a number", { minAvailable: 2, selector }, []],
    ["maxUnavailable as a percentage", { maxUnavailable: "20%", selector }, []],
    [
      "both minAvailable and maxUnavailable",
      { minAvailable: 1, maxUnavailable: 1, selector },
      ["FieldValueInvalid spec"],
    ],
    ["a negative minAvailable", { minAvailable: -1 }, ["FieldValueInvalid spec.minAvailable"]],
    [
      "a percentage over 100",
      { maxUnavailable: "120%" },
      ["FieldValueInvalid spec.maxUnavailable"],
    ],
    ["a malformed percentage", { minAvailable: "half" }, ["FieldValueInvalid spec.minAvailable"]],
    [
      "an unknown eviction policy",
      { minAvailable: 1, unhealthyPodEvictionPolicy: "Never" },
      ["FieldValueNotSupported spec.unhealthyPodEvictionPolicy"],
    ],
    [
      "a bad selector operator",
      {
        minAvailable: 1,
        selector: { matchExpressions: [{ key: "app", operator: "Is" as "In", values: ["x"] }] },
      },
      ["FieldValueNotSupported spec.selector.matchExpressions[0].operator"],
    ],
  ];
  for (const [what, spec, want] of cases) {
    it(`${want.length ? "refuses" : "accepts"} ${what}`, () => {
      assert.deepEqual(summary(podDisruptionBudgets.validate?.(pdb(spec))), want);
    });
  }
});

describe("podDisruptionBudgets.validateStatusUpdate", () => {
  it("refuses negative counts and malformed conditions", () => {
    const p = pdb(
      { minAvailable: 1 },
      {
        disruptionsAllowed: -1,
        currentHealthy: 1,
        desiredHealthy: 1,
        expectedPods: 1,
        conditions: [
          {
            type: "DisruptionAllowed",
            status: "True",
            reason: "SufficientPods",
            lastTransitionTime: "2024-05-01T11:59:00Z",
          },
          { type: "DisruptionAllowed", status: "Maybe", reason: "1bad" },
        ],
      },
    );
    assert.deepEqual(summary(podDisruptionBudgets.validateStatusUpdate?.(p, p)), [
      "FieldValueDuplicate status.conditions[1].type",
      "FieldValueNotSupported status.conditions[1].status",
      "FieldValueRequired status.conditions[1].lastTransitionTime",
      "FieldValueInvalid status.conditions[1].reason",
      "FieldValueInvalid status.disruptionsAllowed",
    ]);
  });
});

describe("podDisruptionBudgets columns", () => {
  it("shows MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE, with N/A for the unset one", () => {
    const columns = podDisruptionBudgets.columns as TableColumn<PodDisruptionBudget>[];
    const p = pdb(
      { minAvailable: "50%" },
      { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 },
    );
    assert.deepEqual(
      columns.map((c) => [c.name, c.cell(p, now)]),
      [
        ["Min Available", "50%"],
        ["Max Unavailable", "N/A"],
        ["Allowed Disruptions", 1],
        ["Age", "60s"],
      ],
    );
  });
});
