import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DaemonSet } from "../../api/apps/v1/daemon-set.js";
import type { Node } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import {
  daemonSetStatusCounts,
  nextDaemonSetStatus,
  planManage,
  type DaemonSetCounts,
} from "./daemon-set-logic.js";
import { makeDaemonSet, makeNode, makePod, NOW } from "./test-fixtures.js";

const SURGE = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } };
const NOSCHED = [{ key: "k", effect: "NoSchedule" }];
const NOEXEC = [{ key: "k", effect: "NoExecute" }];

interface ManageCase {
  name: string;
  ds?: DaemonSet;
  nodes: Node[];
  pods: Pod[];
  backoff?: Record<string, number>;
  createOn?: string[];
  delete?: string[];
  backoffSteps?: string[];
  reasons?: string[];
  requeueAfterMs?: number;
}

describe("planManage()", () => {
  const three = [makeNode("n1"), makeNode("n2"), makeNode("n3")];
  const cases: ManageCase[] = [
    {
      name: "creates a pod on every node without one",
      nodes: three,
      pods: [makePod("a", "n2")],
      createOn: ["n1", "n3"],
    },
    {
      name: "a pod pinned but not yet bound counts for its node",
      nodes: three,
      pods: [makePod("a", "n1", { bound: false }), makePod("b", "n2"), makePod("c", "n3")],
    },
    {
      name: "a terminating pod still occupies its node",
      nodes: [makeNode("n1")],
      pods: [makePod("a", "n1", { deleting: true })],
    },
    {
      name: "deletes pods on nodes that no longer match the node selector",
      ds: makeDaemonSet({ spec: { nodeSelector: { disk: "ssd" } } }),
      nodes: [makeNode("n1", { labels: { disk: "ssd" } }), makeNode("n2")],
      pods: [makePod("a", "n1"), makePod("b", "n2"), makePod("c", "n2", { deleting: true })],
      delete: ["b"],
    },
    {
      name: "a NoSchedule taint keeps the pod there but creates none",
      nodes: [makeNode("n1", { taints: NOSCHED }), makeNode("n2", { taints: NOSCHED })],
      pods: [makePod("a", "n1")],
    },
    {
      name: "a NoExecute taint deletes the pod",
      nodes: [makeNode("n1", { taints: NOEXEC })],
      pods: [makePod("a", "n1")],
      delete: ["a"],
    },
    {
      name: "a failed pod is deleted with an event and a back-off step",
      nodes: [makeNode("n1")],
      pods: [makePod("a", "n1", { phase: "Failed" })],
      delete: ["a"],
      backoffSteps: ["n1"],
      reasons: ["FailedDaemonPod"],
    },
    {
      name: "a failed pod in back-off waits, and the sync comes back when it ends",
      nodes: [makeNode("n1"), makeNode("n2")],
      pods: [makePod("a", "n1", { phase: "Failed" }), makePod("b", "n2", { phase: "Failed" })],
      backoff: { n1: 4000, n2: 2000 },
      requeueAfterMs: 2000,
    },
    {
      name: "a succeeded pod is deleted with a Normal event",
      nodes: [makeNode("n1")],
      pods: [makePod("a", "n1", { phase: "Succeeded" })],
      delete: ["a"],
      reasons: ["SucceededDaemonPod"],
    },
    {
      name: "without surge, extra pods go and the oldest bound one stays",
      nodes: [makeNode("n1")],
      pods: [
        makePod("young", "n1", { age: 10 }),
        makePod("old", "n1", { age: 500 }),
        makePod("unbound", "n1", { age: 900, bound: false }),
      ],
      delete: ["young", "unbound"],
    },
    {
      name: "with surge, an old ready pod stays beside a new pod not yet available",
      ds: makeDaemonSet({ strategy: SURGE }),
      nodes: [makeNode("n1")],
      pods: [
        makePod("old", "n1", { hash: "old", age: 500 }),
        makePod("new", "n1", { age: 10, ready: false }),
      ],
    },
    {
      name: "with surge, the old pod goes once the new one is available",
      ds: makeDaemonSet({ strategy: SURGE }),
      nodes: [makeNode("n1")],
      pods: [makePod("old", "n1", { hash: "old", age: 500 }), makePod("new", "n1", { age: 10 })],
      delete: ["old"],
    },
    {
      name: "with surge, an old pod that is not ready goes at once",
      ds: makeDaemonSet({ strategy: SURGE }),
      nodes: [makeNode("n1")],
      pods: [
        makePod("old", "n1", { hash: "old", age: 500, ready: false }),
        makePod("new", "n1", { age: 10, ready: false }),
      ],
      delete: ["old"],
    },
    {
      name: "with surge, a second new or old pod is extra",
      ds: makeDaemonSet({ strategy: SURGE, minReadySeconds: 300 }),
      nodes: [makeNode("n1")],
      pods: [
        makePod("old", "n1", { hash: "old", age: 500 }),
        makePod("old2", "n1", { hash: "old", age: 400 }),
        makePod("new", "n1", { age: 10 }),
        makePod("new2", "n1", { age: 5 }),
      ],
      delete: ["old2", "new2"],
    },
    {
      name: "with surge, a node whose only pod failed gets a new one at once",
      ds: makeDaemonSet({ strategy: SURGE }),
      nodes: [makeNode("n1")],
      pods: [makePod("a", "n1", { phase: "Failed" })],
      delete: ["a"],
      createOn: ["n1"],
      backoffSteps: ["n1"],
      reasons: ["FailedDaemonPod"],
    },
    {
      name: "an unbound pod for a node that is gone is deleted; a bound one is left to pod GC",
      nodes: [makeNode("n1")],
      pods: [makePod("a", "n1"), makePod("ghost", "n9", { bound: false }), makePod("bound", "n8")],
      delete: ["ghost"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const backoff = c.backoff ?? {};
      const plan = planManage({
        ds: c.ds ?? makeDaemonSet(),
        nodes: c.nodes,
        pods: c.pods,
        hash: "new",
        now: NOW,
        failedPodBackoffMs: (node) => backoff[node] ?? 0,
      });
      assert.deepEqual(plan.createOn, c.createOn ?? []);
      assert.deepEqual(plan.delete.map((p) => p.metadata.name).sort(), (c.delete ?? []).sort());
      assert.deepEqual(plan.backoffSteps, c.backoffSteps ?? []);
      assert.deepEqual(
        plan.events.map((e) => e.reason),
        c.reasons ?? [],
      );
      assert.equal(plan.requeueAfterMs, c.requeueAfterMs);
    });
  }

  it("names the failed pod and its node in the event", () => {
    const plan = planManage({
      ds: makeDaemonSet(),
      nodes: [makeNode("n1")],
      pods: [makePod("a", "n1", { phase: "Failed" })],
      hash: "new",
      now: NOW,
    });
    assert.deepEqual(plan.events[0], {
      type: "Warning",
      reason: "FailedDaemonPod",
      message: "Found failed daemon pod default/a on node n1, will try to kill it",
    });
  });
});

describe("daemonSetStatusCounts()", () => {
  const zero: DaemonSetCounts = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
  const cases: {
    name: string;
    ds?: DaemonSet;
    nodes: Node[];
    pods: Pod[];
    want: Partial<DaemonSetCounts>;
  }[] = [
    { name: "no nodes", nodes: [], pods: [], want: {} },
    {
      name: "every node with a ready pod of the current revision",
      nodes: [makeNode("n1"), makeNode("n2")],
      pods: [makePod("a", "n1"), makePod("b", "n2")],
      want: {
        desiredNumberScheduled: 2,
        currentNumberScheduled: 2,
        numberReady: 2,
        updatedNumberScheduled: 2,
        numberAvailable: 2,
      },
    },
    {
      name: "a node without a pod is unavailable; a not-ready pod counts as scheduled only",
      nodes: [makeNode("n1"), makeNode("n2"), makeNode("n3")],
      pods: [makePod("a", "n1"), makePod("b", "n2", { ready: false, hash: "old" })],
      want: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 2,
        numberReady: 1,
        updatedNumberScheduled: 1,
        numberAvailable: 1,
        numberUnavailable: 2,
      },
    },
    {
      name: "ready but not for minReadySeconds is not available",
      ds: makeDaemonSet({ minReadySeconds: 120 }),
      nodes: [makeNode("n1"), makeNode("n2")],
      pods: [makePod("a", "n1", { readyFor: 60 }), makePod("b", "n2", { readyFor: 600 })],
      want: {
        desiredNumberScheduled: 2,
        currentNumberScheduled: 2,
        numberReady: 2,
        updatedNumberScheduled: 2,
        numberAvailable: 1,
        numberUnavailable: 1,
      },
    },
    {
      name: "a pod on a node that should not run it is misscheduled",
      nodes: [makeNode("n1"), makeNode("n2", { taints: NOSCHED })],
      pods: [makePod("a", "n1"), makePod("b", "n2")],
      want: {
        desiredNumberScheduled: 1,
        currentNumberScheduled: 1,
        numberMisscheduled: 1,
        numberReady: 1,
        updatedNumberScheduled: 1,
        numberAvailable: 1,
      },
    },
    {
      name: "the oldest pod of a node is the one judged",
      nodes: [makeNode("n1")],
      pods: [
        makePod("new", "n1", { age: 5, ready: false }),
        makePod("old", "n1", { age: 50, hash: "old" }),
      ],
      want: {
        desiredNumberScheduled: 1,
        currentNumberScheduled: 1,
        numberReady: 1,
        numberAvailable: 1,
      },
    },
    {
      name: "a pod of the current template generation counts as updated without the hash",
      ds: makeDaemonSet({ generation: 4 }),
      nodes: [makeNode("n1")],
      pods: [
        (() => {
          const p = makePod("a", "n1", { hash: "other" });
          p.metadata.labels!["pod-template-generation"] = "4";
          return p;
        })(),
      ],
      want: {
        desiredNumberScheduled: 1,
        currentNumberScheduled: 1,
        numberReady: 1,
        updatedNumberScheduled: 1,
        numberAvailable: 1,
      },
    },
    {
      name: "finished pods being deleted do not count",
      nodes: [makeNode("n1")],
      pods: [makePod("a", "n1", { phase: "Failed", deleting: true })],
      want: { desiredNumberScheduled: 1, numberUnavailable: 1 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = daemonSetStatusCounts({
        ds: c.ds ?? makeDaemonSet(),
        nodes: c.nodes,
        pods: c.pods,
        hash: "new",
        now: NOW,
      });
      assert.deepEqual(got, { ...zero, ...c.want });
    });
  }
});

describe("nextDaemonSetStatus()", () => {
  const counts: DaemonSetCounts = {
    desiredNumberScheduled: 1,
    currentNumberScheduled: 1,
    numberMisscheduled: 0,
    numberReady: 1,
    updatedNumberScheduled: 1,
    numberAvailable: 1,
    numberUnavailable: 0,
  };

  it("writes nothing when the counts are the same and the generation observed", () => {
    const ds = makeDaemonSet();
    ds.status = { ...counts, observedGeneration: 1 };
    assert.equal(nextDaemonSetStatus(ds, counts, true), undefined);
  });

  it("observes the generation and keeps the collision count", () => {
    const ds = makeDaemonSet({ generation: 3 });
    ds.status = { ...counts, observedGeneration: 2, collisionCount: 1 };
    assert.deepEqual(nextDaemonSetStatus(ds, counts, true), {
      ...counts,
      observedGeneration: 3,
      collisionCount: 1,
    });
  });

  it("keeps the old observed generation while expectations are pending", () => {
    const ds = makeDaemonSet({ generation: 3 });
    ds.status = { observedGeneration: 2 };
    assert.equal(nextDaemonSetStatus(ds, counts, false)?.observedGeneration, 2);
  });
});
