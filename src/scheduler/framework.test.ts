import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FitError } from "./fit-error.js";
import { makeNode, makePod } from "./fixtures.js";
import { numFeasibleNodesToFind, Scheduler, type ScheduleResult } from "./framework.js";
import { seededRandom } from "./random.js";
import { Snapshot } from "./snapshot.js";
import { failure } from "./status.js";

function nodeOf(r: ScheduleResult): string {
  if ("unschedulable" in r) assert.fail(r.unschedulable.message());
  return r.node;
}

function messageOf(r: ScheduleResult): string {
  if (!("unschedulable" in r)) assert.fail(`scheduled on ${r.node}`);
  return r.unschedulable.message();
}

describe("numFeasibleNodesToFind()", () => {
  const cases: [number | undefined, number, number][] = [
    [undefined, 50, 50],
    [undefined, 100, 100],
    [undefined, 1000, 420],
    [undefined, 5000, 500],
    [undefined, 6000, 300],
    [30, 1000, 300],
    [100, 1000, 1000],
    [1, 1000, 100],
  ];
  for (const [percentage, nodes, want] of cases) {
    it(`finds ${want} of ${nodes} nodes at ${percentage ?? "adaptive"}%`, () => {
      assert.equal(numFeasibleNodesToFind(percentage, nodes), want);
    });
  }
});

describe("Scheduler.schedule()", () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => makeNode(`n${i}`));

  it("stops after enough feasible nodes and resumes from where it stopped", () => {
    const snapshot = Snapshot.of(many(1000));
    const s = new Scheduler({ random: seededRandom(1) });
    const r = s.schedule(makePod("p"), snapshot);
    assert.ok("node" in r);
    assert.deepEqual([r.evaluatedNodes, r.feasibleNodes, s.nextStartNodeIndex], [420, 420, 420]);
    s.schedule(makePod("q"), snapshot);
    assert.equal(s.nextStartNodeIndex, 840);
    s.schedule(makePod("r"), snapshot);
    assert.equal(s.nextStartNodeIndex, 260);
  });

  it("counts rejected nodes among the evaluated ones", () => {
    const nodes = many(200).map((n, i) =>
      i % 2 === 0 ? makeNode(n.metadata.name!, { cpu: "100m" }) : n,
    );
    const s = new Scheduler({ random: seededRandom(1), percentageOfNodesToScore: 100 });
    const r = s.schedule(makePod("p", { cpu: "1" }), Snapshot.of(nodes));
    assert.ok("node" in r);
    assert.deepEqual([r.evaluatedNodes, r.feasibleNodes], [200, 100]);
  });

  it("picks the highest score: the least allocated node", () => {
    const snapshot = Snapshot.of(
      [makeNode("busy"), makeNode("idle")],
      [makePod("x", { node: "busy", cpu: "2", memory: "8Gi" })],
    );
    assert.equal(
      nodeOf(new Scheduler().schedule(makePod("p", { cpu: "1", memory: "1Gi" }), snapshot)),
      "idle",
    );
  });

  it("breaks ties at random, reproducibly with a seed", () => {
    const snapshot = Snapshot.of(many(5));
    const seen = new Set<string>();
    for (let seed = 0; seed < 60; seed++)
      seen.add(
        nodeOf(new Scheduler({ random: seededRandom(seed) }).schedule(makePod("p"), snapshot)),
      );
    assert.equal(seen.size, 5);
    const a = nodeOf(new Scheduler({ random: seededRandom(7) }).schedule(makePod("p"), snapshot));
    const b = nodeOf(new Scheduler({ random: seededRandom(7) }).schedule(makePod("p"), snapshot));
    assert.equal(a, b);
  });

  it("tries the nominated node first", () => {
    const snapshot = Snapshot.of(many(3));
    const pod = makePod("p");
    pod.status = { nominatedNodeName: "n2" };
    const r = new Scheduler().schedule(pod, snapshot);
    assert.deepEqual(r, { node: "n2", evaluatedNodes: 1, feasibleNodes: 1 });
  });

  it("explains why no node fits, counting reasons per node, sorted as upstream", () => {
    const nodes = [
      makeNode("a", { cpu: "1" }),
      makeNode("b", { cpu: "1" }),
      ...["c", "d", "e"].map((n) =>
        makeNode(n, {
          taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
        }),
      ),
    ];
    const r = new Scheduler().schedule(makePod("p", { cpu: "2" }), Snapshot.of(nodes));
    assert.equal(
      messageOf(r),
      "0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }.",
    );
  });

  it("reports a pre-filter rejection once, and nodes a pre-filter excluded as such", () => {
    const snapshot = Snapshot.of([makeNode("a", { cpu: "1" }), makeNode("b"), makeNode("c")]);
    const names = (values: string[]) => ({ key: "metadata.name", operator: "In", values });
    const pinned = makePod("p", {
      cpu: "2",
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [names(["a"])] }],
            },
          },
        },
      },
    });
    assert.equal(
      messageOf(new Scheduler().schedule(pinned, snapshot)),
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].",
    );
    const conflicting = makePod("q", {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [names(["a"]), names(["b"])] }],
            },
          },
        },
      },
    });
    assert.equal(
      messageOf(new Scheduler().schedule(conflicting, snapshot)),
      "0/3 nodes are available: pod affinity terms conflict.",
    );
  });

  it("says so when there are no nodes", () => {
    assert.equal(
      messageOf(new Scheduler().schedule(makePod("p"), new Snapshot())),
      "no nodes available to schedule pods",
    );
  });
});

describe("FitError.message()", () => {
  it("sorts the formatted counts as strings and appends the post-filter message", () => {
    const statuses = new Map([
      ...Array.from(
        { length: 10 },
        (_, i) =>
          [`x${i}`, failure("NodeResourcesFit", "Unschedulable", "Insufficient memory")] as const,
      ),
      [
        "y0",
        failure("NodeResourcesFit", "Unschedulable", "Insufficient cpu", "Insufficient memory"),
      ] as const,
      [
        "y1",
        failure("NodeUnschedulable", "UnschedulableAndUnresolvable", "node(s) were unschedulable"),
      ] as const,
    ]);
    const err = new FitError(12, statuses);
    err.postFilterMessage =
      "preemption: 0/12 nodes are available: 12 Preemption is not helpful for scheduling.";
    assert.equal(
      err.message(),
      "0/12 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable, 11 Insufficient memory. preemption: 0/12 nodes are available: 12 Preemption is not helpful for scheduling.",
    );
  });
});
