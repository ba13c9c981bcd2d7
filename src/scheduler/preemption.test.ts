import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../api/core/v1/pod.js";
import type { PodDisruptionBudget } from "../api/policy/v1/pod-disruption-budget.js";
import { makeNode, makePod } from "./fixtures.js";
import { Scheduler } from "./framework.js";
import { preempt, type PreemptionResult } from "./preemption.js";
import { seededRandom } from "./random.js";
import { Snapshot } from "./snapshot.js";
import type { Node } from "../api/core/v1/node.js";

function run(
  nodes: Node[],
  pods: Pod[],
  pod: Pod,
  pdbs: PodDisruptionBudget[] = [],
): { result: PreemptionResult; message: string } {
  const snapshot = Snapshot.of(nodes, pods);
  const scheduler = new Scheduler({ random: seededRandom(3) });
  const r = scheduler.schedule(pod, snapshot);
  if (!("unschedulable" in r)) assert.fail(`scheduled on ${r.node}`);
  const result = preempt(scheduler, pod, snapshot, r.unschedulable, {
    pdbs,
    now: Date.parse("2025-01-01T00:00:00Z"),
  });
  if ("message" in result) r.unschedulable.postFilterMessage = result.message;
  return { result, message: r.unschedulable.message() };
}

function victims(r: PreemptionResult): [string, string[]] {
  if ("message" in r) assert.fail(r.message);
  return [r.nominatedNode, r.victims.map((v) => v.metadata.name!)];
}

const onNode = (
  name: string,
  node: string,
  priority: number,
  cpu = "1",
  extra: Partial<Parameters<typeof makePod>[1]> = {},
) => makePod(name, { node, priority, cpu, ...extra });

describe("preempt()", () => {
  it("evicts only as many of the lowest-priority pods as needed", () => {
    const r = run(
      [makeNode("a", { cpu: "3" })],
      [onNode("p1", "a", 1), onNode("p2", "a", 2), onNode("p3", "a", 3)],
      makePod("hi", { priority: 10, cpu: "1" }),
    );
    assert.deepEqual(victims(r.result), ["a", ["p1"]]);
  });

  it("never evicts pods of equal or higher priority", () => {
    const r = run(
      [
        makeNode("a", { cpu: "1" }),
        makeNode("b", { cpu: "1", taints: [{ key: "t", effect: "NoSchedule" }] }),
      ],
      [onNode("same", "a", 10)],
      makePod("hi", { priority: 10, cpu: "1" }),
    );
    assert.ok("message" in r.result);
    assert.equal(
      r.message,
      "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {t: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    );
  });

  it("reports the filter reasons of nodes where evicting everything is not enough", () => {
    const r = run(
      [makeNode("a", { cpu: "1" })],
      [onNode("lo", "a", 1, "500m")],
      makePod("hi", { priority: 10, cpu: "2" }),
    );
    assert.equal(
      r.message,
      "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.",
    );
  });

  it("prefers the node whose victims break no PodDisruptionBudget", () => {
    const pdb: PodDisruptionBudget = {
      metadata: { name: "db", namespace: "default" },
      spec: { selector: { matchLabels: { app: "db" } } },
      status: { disruptionsAllowed: 0 },
    };
    const r = run(
      [makeNode("a", { cpu: "1" }), makeNode("b", { cpu: "1" })],
      [
        onNode("db-0", "a", 1, "1", { labels: { app: "db" } }),
        onNode("web-0", "b", 5, "1", { labels: { app: "web" } }),
      ],
      makePod("hi", { priority: 10, cpu: "1" }),
      [pdb],
    );
    assert.deepEqual(victims(r.result), ["b", ["web-0"]]);
  });

  it("picks the node with the lowest highest-priority victim, then the smaller sum, then fewer victims", () => {
    const cases: { pods: Pod[]; want: string }[] = [
      { pods: [onNode("a1", "a", 5), onNode("b1", "b", 3)], want: "b" },
      {
        pods: [
          onNode("a1", "a", 3, "500m"),
          onNode("a2", "a", 3, "500m"),
          onNode("b1", "b", 3, "500m"),
          onNode("b2", "b", 1, "500m"),
        ],
        want: "b",
      },
      {
        pods: [onNode("a1", "a", 3, "500m"), onNode("a2", "a", 3, "500m"), onNode("b1", "b", 3)],
        want: "b",
      },
    ];
    for (const tc of cases) {
      const r = run(
        [makeNode("a", { cpu: "1" }), makeNode("b", { cpu: "1" })],
        tc.pods,
        makePod("hi", { priority: 10, cpu: "1" }),
      );
      assert.equal(victims(r.result)[0], tc.want);
    }
  });

  it("breaks the remaining tie by the latest start of the top-priority victims", () => {
    const r = run(
      [makeNode("a", { cpu: "1" }), makeNode("b", { cpu: "1" })],
      [
        onNode("old", "a", 1, "1", { startTime: "2024-01-01T00:00:00Z" }),
        onNode("new", "b", 1, "1", { startTime: "2024-06-01T00:00:00Z" }),
      ],
      makePod("hi", { priority: 10, cpu: "1" }),
    );
    assert.deepEqual(victims(r.result), ["b", ["new"]]);
  });

  it("frees an anti-affinity conflict by evicting the conflicting pod", () => {
    const anti = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "w" } } },
          ],
        },
      },
    };
    const r = run(
      [makeNode("a")],
      [onNode("w0", "a", 1, "100m", { labels: { app: "w" } }), onNode("other", "a", 1, "100m")],
      makePod("hi", { priority: 10, labels: { app: "w" }, spec: anti }),
    );
    assert.deepEqual(victims(r.result), ["a", ["w0"]]);
  });

  it("refuses pods with preemptionPolicy Never", () => {
    const r = run(
      [makeNode("a", { cpu: "1" })],
      [onNode("lo", "a", 1)],
      makePod("hi", { priority: 10, cpu: "1", spec: { preemptionPolicy: "Never" } }),
    );
    assert.equal(
      r.message,
      "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.",
    );
  });
});
