import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ResourceDefinition } from "../../resource.js";
import {
  quotaUsage,
  resourceQuotas,
  type ResourceQuota,
  type ResourceQuotaSpec,
} from "./resource-quota.js";
import { cells, simulateCreate, simulateStatusUpdate, summarize } from "./strategy-harness.js";

const def = resourceQuotas as ResourceDefinition;

function quota(spec: ResourceQuotaSpec, status?: ResourceQuota["status"]): ResourceQuota {
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: "compute", namespace: "default", creationTimestamp: "2024-01-01T00:00:00Z" },
    spec,
    ...(status ? { status } : {}),
  };
}

describe("ResourceQuota validation", () => {
  const cases: { name: string; spec: ResourceQuotaSpec; want: string[] }[] = [
    {
      name: "compute and count caps",
      spec: { hard: { "requests.cpu": "4", pods: "10", "count/deployments.apps": "5" } },
      want: [],
    },
    {
      name: "a negative cap",
      spec: { hard: { "limits.memory": "-1Gi" } },
      want: ["FieldValueInvalid spec.hard[limits.memory]"],
    },
    {
      name: "a fractional count",
      spec: { hard: { pods: "1500m" } },
      want: ["FieldValueInvalid spec.hard[pods]"],
    },
    {
      name: "a non-standard resource",
      spec: { hard: { gpus: "1" } },
      want: ["FieldValueInvalid spec.hard[gpus]"],
    },
    { name: "an extended resource", spec: { hard: { "requests.example.com/gpu": "2" } }, want: [] },
    {
      name: "an unknown scope",
      spec: { scopes: ["Sometimes"] },
      want: ["FieldValueInvalid spec.scopes"],
    },
    {
      name: "conflicting scopes",
      spec: { hard: { pods: "1" }, scopes: ["Terminating", "NotTerminating"] },
      want: ["FieldValueInvalid spec.scopes"],
    },
    {
      name: "a BestEffort scope on compute",
      spec: { hard: { "requests.cpu": "1" }, scopes: ["BestEffort"] },
      want: ["FieldValueInvalid spec.scopes"],
    },
    {
      name: "a priority class selector",
      spec: {
        hard: { pods: "5" },
        scopeSelector: {
          matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["high"] }],
        },
      },
      want: [],
    },
    {
      name: "a selector without values",
      spec: {
        scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In" }] },
      },
      want: ["FieldValueRequired spec.scopeSelector.matchExpressions.values"],
    },
    {
      name: "a presence-only scope tested by value",
      spec: {
        scopeSelector: {
          matchExpressions: [{ scopeName: "Terminating", operator: "In", values: ["x"] }],
        },
      },
      want: ["FieldValueInvalid spec.scopeSelector.matchExpressions.operator"],
    },
    {
      name: "an unknown operator",
      spec: {
        scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "Like" }] },
      },
      want: ["FieldValueInvalid spec.scopeSelector.matchExpressions.operator"],
    },
  ];
  for (const c of cases) {
    it(`checks ${c.name}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, quota(c.spec)).errors), c.want);
    });
  }

  it("drops status on create and checks it on status writes", () => {
    const { obj } = simulateCreate(
      def,
      quota({ hard: { pods: "1" } }, { hard: { pods: "1" }, used: { pods: "1" } }),
    );
    assert.equal(obj["status"], undefined);
    const input = quota({}, { hard: { pods: "1" }, used: { pods: "-1" } });
    assert.deepEqual(summarize(simulateStatusUpdate(def, input, obj).errors), [
      "FieldValueInvalid status.used[pods]",
    ]);
  });
});

describe("ResourceQuota table", () => {
  it("splits usage into REQUEST and LIMIT, sorted by resource", () => {
    const q = quota(
      {},
      {
        hard: {
          "limits.memory": "2Gi",
          pods: "10",
          "requests.cpu": "1",
          "limits.cpu": "2",
          "requests.memory": "1Gi",
        },
        used: {
          "limits.cpu": "500m",
          "requests.cpu": "250m",
          pods: "3",
          "requests.memory": "512Mi",
        },
      },
    );
    assert.deepEqual(cells(def, q, new Date("2024-01-02T00:00:00Z")), {
      Request: "pods: 3/10, requests.cpu: 250m/1, requests.memory: 512Mi/1Gi",
      Limit: "limits.cpu: 500m/2, limits.memory: 0/2Gi",
      Age: "24h",
    });
  });

  it("prints empty columns before the controller reports", () => {
    assert.deepEqual(quotaUsage(quota({ hard: { pods: "1" } })), { request: "", limit: "" });
  });
});
