import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DaemonSetUpdateStrategy } from "../../api/apps/v1/daemon-set.js";
import type { Node } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { planRollingUpdate, rollingLimits } from "./rolling-update.js";
import { makeDaemonSet, makeNode, makePod, NOW } from "./test-fixtures.js";

function rolling(
  maxUnavailable: number | string,
  maxSurge: number | string = 0,
): DaemonSetUpdateStrategy {
  return { type: "RollingUpdate", rollingUpdate: { maxUnavailable, maxSurge } };
}

const nodes = (n: number): Node[] => Array.from({ length: n }, (_, i) => makeNode(`n${i + 1}`));

interface Case {
  name: string;
  strategy: DaemonSetUpdateStrategy;
  nodes: Node[];
  pods: Pod[];
  minReadySeconds?: number;
  createOn?: string[];
  delete?: string[];
}

describe("planRollingUpdate()", () => {
  const cases: Case[] = [
    {
      name: "maxUnavailable 1: deletes one old available pod",
      strategy: rolling(1),
      nodes: nodes(3),
      pods: [
        makePod("a", "n1", { hash: "old" }),
        makePod("b", "n2", { hash: "old" }),
        makePod("c", "n3", { hash: "old" }),
      ],
      delete: ["a"],
    },
    {
      name: "maxUnavailable 2 of 3",
      strategy: rolling(2),
      nodes: nodes(3),
      pods: [
        makePod("a", "n1", { hash: "old" }),
        makePod("b", "n2", { hash: "old" }),
        makePod("c", "n3", { hash: "old" }),
      ],
      delete: ["a", "b"],
    },
    {
      name: "a node waiting for its new pod uses up the budget",
      strategy: rolling(1),
      nodes: nodes(3),
      pods: [makePod("b", "n2", { hash: "old" }), makePod("c", "n3", { hash: "old" })],
    },
    {
      name: "a new pod not yet available uses up the budget",
      strategy: rolling(1),
      nodes: nodes(3),
      pods: [
        makePod("a", "n1", { ready: false }),
        makePod("b", "n2", { hash: "old" }),
        makePod("c", "n3", { hash: "old" }),
      ],
    },
    {
      name: "a new available pod frees the budget for the next node",
      strategy: rolling(1),
      nodes: nodes(3),
      pods: [
        makePod("a", "n1"),
        makePod("b", "n2", { hash: "old" }),
        makePod("c", "n3", { hash: "old" }),
      ],
      delete: ["b"],
    },
    {
      name: "minReadySeconds: a ready new pod is not available yet",
      strategy: rolling(1),
      minReadySeconds: 300,
      nodes: nodes(2),
      pods: [
        makePod("a", "n1", { readyFor: 10 }),
        makePod("b", "n2", { hash: "old", readyFor: 900 }),
      ],
    },
    {
      name: "unavailable old pods are replaced whatever the budget",
      strategy: rolling(1),
      nodes: nodes(3),
      pods: [
        makePod("a", "n1", { hash: "old", ready: false }),
        makePod("b", "n2", { hash: "old", ready: false }),
        makePod("c", "n3", { hash: "old" }),
      ],
      delete: ["a", "b"],
    },
    {
      name: "a percentage is rounded up",
      strategy: rolling("30%"),
      nodes: nodes(4),
      pods: [
        makePod("a", "n1", { hash: "old" }),
        makePod("b", "n2", { hash: "old" }),
        makePod("c", "n3", { hash: "old" }),
        makePod("d", "n4", { hash: "old" }),
      ],
      delete: ["a", "b"],
    },
    {
      name: "a node with extra pods is left to the create-and-delete step and counts as unavailable",
      strategy: rolling(1),
      nodes: nodes(2),
      pods: [
        makePod("a", "n1", { hash: "old" }),
        makePod("a2", "n1", { hash: "old" }),
        makePod("b", "n2", { hash: "old" }),
      ],
    },
    {
      name: "terminating pods are not counted",
      strategy: rolling(1),
      nodes: nodes(2),
      pods: [
        makePod("a", "n1", { hash: "old" }),
        makePod("gone", "n1", { deleting: true }),
        makePod("b", "n2"),
      ],
      delete: ["a"],
    },
    {
      name: "surge 1: starts one new pod beside an old one",
      strategy: rolling(0, 1),
      nodes: nodes(3),
      pods: [
        makePod("a", "n1", { hash: "old" }),
        makePod("b", "n2", { hash: "old" }),
        makePod("c", "n3", { hash: "old" }),
      ],
      createOn: ["n1"],
    },
    {
      name: "surge: a surging node not yet available uses up maxSurge",
      strategy: rolling(0, 1),
      nodes: nodes(3),
      pods: [
        makePod("a", "n1", { hash: "old" }),
        makePod("a-new", "n1", { ready: false }),
        makePod("b", "n2", { hash: "old" }),
        makePod("c", "n3", { hash: "old" }),
      ],
    },
    {
      name: "surge: the old pod goes once the new one beside it is available, and the next node surges",
      strategy: rolling(0, 1),
      nodes: nodes(3),
      pods: [
        makePod("a", "n1", { hash: "old" }),
        makePod("a-new", "n1"),
        makePod("b", "n2", { hash: "old" }),
        makePod("c", "n3", { hash: "old" }),
      ],
      delete: ["a"],
      createOn: ["n2"],
    },
    {
      name: "surge: an unavailable old pod gets its new pod at once, beyond maxSurge",
      strategy: rolling(0, 1),
      nodes: nodes(3),
      pods: [
        makePod("a", "n1", { hash: "old", ready: false }),
        makePod("b", "n2", { hash: "old", ready: false }),
        makePod("c", "n3", { hash: "old" }),
      ],
      createOn: ["n1", "n2", "n3"],
    },
    {
      name: "surge: an old pod on a node that no longer qualifies goes once others are available",
      strategy: rolling(0, 1),
      nodes: [
        makeNode("n1"),
        makeNode("n2"),
        makeNode("n3", { taints: [{ key: "k", effect: "NoSchedule" }] }),
      ],
      pods: [makePod("a", "n1"), makePod("b", "n2"), makePod("c", "n3", { hash: "old" })],
      delete: ["c"],
    },
    {
      name: "surge: it stays while the others are not all available",
      strategy: rolling(0, 1),
      nodes: [
        makeNode("n1"),
        makeNode("n2"),
        makeNode("n3", { taints: [{ key: "k", effect: "NoSchedule" }] }),
      ],
      pods: [
        makePod("a", "n1"),
        makePod("b", "n2", { ready: false }),
        makePod("c", "n3", { hash: "old" }),
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ds = makeDaemonSet({
        strategy: c.strategy,
        ...(c.minReadySeconds ? { minReadySeconds: c.minReadySeconds } : {}),
      });
      const plan = planRollingUpdate({ ds, nodes: c.nodes, pods: c.pods, hash: "new", now: NOW });
      assert.deepEqual(plan.createOn, c.createOn ?? []);
      assert.deepEqual(plan.delete.map((p) => p.metadata.name).sort(), (c.delete ?? []).sort());
    });
  }
});

describe("rollingLimits()", () => {
  it("scales against the nodes that should run the pod and falls back to one unavailable", () => {
    const ds = makeDaemonSet({ strategy: rolling("50%", 0) });
    assert.deepEqual(rollingLimits(ds, nodes(3)), { maxSurge: 0, maxUnavailable: 2, desired: 3 });
    const zero = makeDaemonSet({ strategy: rolling(0, 0) });
    assert.deepEqual(rollingLimits(zero, nodes(2)), { maxSurge: 0, maxUnavailable: 1, desired: 2 });
    const surge = makeDaemonSet({ strategy: rolling(0, "10%") });
    assert.deepEqual(rollingLimits(surge, nodes(3)), {
      maxSurge: 1,
      maxUnavailable: 0,
      desired: 3,
    });
    assert.deepEqual(rollingLimits(ds, []), { maxSurge: 0, maxUnavailable: 0, desired: 0 });
  });
});
