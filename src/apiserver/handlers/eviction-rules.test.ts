import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../api/core/v1/pod.js";
import { StatusError } from "../../api/errors.js";
import type { PodDisruptionBudget } from "../../api/policy/v1/pod-disruption-budget.js";
import { BUDGET_VIOLATION_MESSAGE, planEviction, spendDisruption } from "./eviction-rules.js";

function pod(phase: string, ready: boolean, extra: Partial<Pod["metadata"]> = {}): Pod {
  return {
    metadata: { name: "p", namespace: "ns", labels: { app: "web" }, ...extra },
    status: { phase, conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  };
}

function budget(
  name: string,
  status: PodDisruptionBudget["status"] = {},
  spec: PodDisruptionBudget["spec"] = { selector: { matchLabels: { app: "web" } } },
): PodDisruptionBudget {
  return {
    metadata: { name, namespace: "ns", generation: 1 },
    spec,
    status: { observedGeneration: 1, ...status },
  };
}

describe("planEviction()", () => {
  const cases: {
    name: string;
    pod: Pod;
    budgets: PodDisruptionBudget[];
    want: string;
  }[] = [
    { name: "no budget: delete", pod: pod("Running", true), budgets: [], want: "delete" },
    {
      name: "pending pods ignore budgets, pinned to their version",
      pod: pod("Pending", false),
      budgets: [budget("a")],
      want: "delete guarded by retry",
    },
    {
      name: "finished pods ignore budgets",
      pod: pod("Succeeded", false),
      budgets: [budget("a")],
      want: "delete",
    },
    {
      name: "pods being deleted ignore budgets",
      pod: pod("Running", true, { deletionTimestamp: "2024-01-01T00:00:00Z" }),
      budgets: [budget("a"), budget("b")],
      want: "delete",
    },
    {
      name: "a ready pod spends",
      pod: pod("Running", true),
      budgets: [budget("a")],
      want: "spend a",
    },
    {
      name: "a budget of another selector is not asked",
      pod: pod("Running", true),
      budgets: [budget("a", {}, { selector: { matchLabels: { app: "db" } } })],
      want: "delete",
    },
    {
      name: "an empty selector selects every pod",
      pod: pod("Running", true),
      budgets: [budget("a", {}, { selector: {} })],
      want: "spend a",
    },
    {
      name: "a budget without a selector selects nothing",
      pod: pod("Running", true),
      budgets: [budget("a", {}, {})],
      want: "delete",
    },
    {
      name: "unready pod of a healthy budget goes without spending, guarded",
      pod: pod("Running", false),
      budgets: [budget("a", { currentHealthy: 2, desiredHealthy: 2 })],
      want: "delete guarded by budget",
    },
    {
      name: "unready pod of an unhealthy budget must spend",
      pod: pod("Running", false),
      budgets: [budget("a", { currentHealthy: 1, desiredHealthy: 2 })],
      want: "spend a",
    },
    {
      name: "AlwaysAllow lets unready pods go",
      pod: pod("Running", false),
      budgets: [
        budget(
          "a",
          { currentHealthy: 0, desiredHealthy: 2 },
          {
            selector: {},
            unhealthyPodEvictionPolicy: "AlwaysAllow",
          },
        ),
      ],
      want: "delete guarded by budget",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planEviction(c.pod, c.budgets);
      const got =
        plan.action === "spend"
          ? `spend ${plan.budget.metadata.name}`
          : plan.guard === "none"
            ? "delete"
            : `delete guarded by ${plan.guard}`;
      assert.equal(got, c.want);
    });
  }

  it("refuses a pod two budgets select with a 500", () => {
    assert.throws(
      () => planEviction(pod("Running", true), [budget("a"), budget("b")]),
      (err: unknown) =>
        err instanceof StatusError &&
        err.code === 500 &&
        err.status.reason === undefined &&
        err.message ===
          "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
    );
  });
});

describe("spendDisruption()", () => {
  const now = "2024-05-01T10:00:00Z";

  it("decrements, records the pod, and reports InsufficientPods at zero", () => {
    const status = spendDisruption(
      budget("a", { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2 }),
      "p",
      now,
    );
    assert.equal(status.disruptionsAllowed, 0);
    assert.deepEqual(status.disruptedPods, { p: now });
    const cond = status.conditions?.find((c) => c.type === "DisruptionAllowed");
    assert.equal(cond?.status, "False");
    assert.equal(cond?.reason, "InsufficientPods");
  });

  it("keeps the condition while disruptions remain", () => {
    const status = spendDisruption(budget("a", { disruptionsAllowed: 2 }), "p", now);
    assert.equal(status.disruptionsAllowed, 1);
    assert.equal(status.conditions, undefined);
  });

  const refusals: { name: string; b: PodDisruptionBudget; code: number; cause?: string }[] = [
    {
      name: "no disruption allowed: 429 with the DisruptionBudget cause",
      b: budget("a", { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 }),
      code: 429,
      cause: "The disruption budget a needs 2 healthy pods and has 2 currently",
    },
    {
      name: "a budget the controller has not seen yet: 429",
      b: {
        ...budget("a", { disruptionsAllowed: 3 }),
        metadata: { name: "a", namespace: "ns", generation: 2 },
      },
      code: 429,
      cause: "The disruption budget a is still being processed by the server.",
    },
    { name: "negative allowance: 403", b: budget("a", { disruptionsAllowed: -1 }), code: 403 },
  ];
  for (const r of refusals) {
    it(r.name, () => {
      assert.throws(
        () => spendDisruption(r.b, "p", now),
        (err: unknown) => {
          assert.ok(err instanceof StatusError);
          assert.equal(err.code, r.code);
          if (r.code === 429) {
            assert.equal(err.message, BUDGET_VIOLATION_MESSAGE);
            assert.deepEqual(err.status.details?.causes, [
              { type: "DisruptionBudget", message: r.cause },
            ]);
          }
          return true;
        },
      );
    });
  }
});
