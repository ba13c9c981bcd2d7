import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import {
  failedStatus,
  missingNodeNames,
  ORPHAN_CONDITION,
  terminatedPodsToDelete,
  terminatingOnOutOfServiceNodes,
  unscheduledTerminatingPods,
} from "./pod-gc-logic.js";

function pod(
  name: string,
  opts: {
    phase?: string;
    created?: string;
    node?: string;
    deleting?: boolean;
    reason?: string;
  } = {},
): Pod {
  return {
    metadata: {
      name,
      namespace: "ns",
      uid: name,
      creationTimestamp: opts.created ?? "2024-05-01T10:00:00Z",
      ...(opts.deleting ? { deletionTimestamp: "2024-05-01T11:00:00Z" } : {}),
    },
    spec: { containers: [], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: { phase: opts.phase ?? "Running", ...(opts.reason ? { reason: opts.reason } : {}) },
  };
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name ?? "");

describe("terminatedPodsToDelete()", () => {
  const pods = [
    pod("new-done", { phase: "Succeeded", created: "2024-05-01T10:03:00Z" }),
    pod("old-failed", { phase: "Failed", created: "2024-05-01T10:01:00Z" }),
    pod("running", { created: "2024-05-01T09:00:00Z" }),
    pod("mid-done", { phase: "Succeeded", created: "2024-05-01T10:02:00Z" }),
    pod("evicted", { phase: "Failed", created: "2024-05-01T10:09:00Z", reason: "Evicted" }),
  ];
  const cases: { threshold: number; want: string[] }[] = [
    { threshold: 4, want: [] },
    { threshold: 3, want: ["evicted"] },
    { threshold: 1, want: ["evicted", "old-failed", "mid-done"] },
    { threshold: 0, want: [] },
  ];
  for (const c of cases) {
    it(`threshold ${c.threshold}: ${c.want.join(", ") || "nothing"}`, () => {
      assert.deepEqual(names(terminatedPodsToDelete(pods, c.threshold)), c.want);
    });
  }
});

describe("orphans and terminating pods", () => {
  it("missingNodeNames() names the nodes the cache lacks", () => {
    const pods = [pod("a", { node: "n1" }), pod("b", { node: "gone" }), pod("c")];
    assert.deepEqual([...missingNodeNames(pods, (n) => n === "n1")], ["gone"]);
  });

  it("unscheduledTerminatingPods() finds deleted pods that never had a node", () => {
    const pods = [pod("a", { deleting: true }), pod("b", { deleting: true, node: "n1" }), pod("c")];
    assert.deepEqual(names(unscheduledTerminatingPods(pods)), ["a"]);
  });

  it("terminatingOnOutOfServiceNodes() needs a not-ready node with the out-of-service taint", () => {
    const node = (name: string, ready: string, tainted: boolean): Node => ({
      metadata: { name },
      spec: tainted
        ? { taints: [{ key: "node.kubernetes.io/out-of-service", effect: "NoExecute" }] }
        : {},
      status: { conditions: [{ type: "Ready", status: ready }] },
    });
    const nodes = new Map([
      ["oos", node("oos", "Unknown", true)],
      ["down", node("down", "Unknown", false)],
      ["ready", node("ready", "True", true)],
    ]);
    const pods = [
      pod("a", { node: "oos", deleting: true }),
      pod("b", { node: "oos" }),
      pod("c", { node: "down", deleting: true }),
      pod("d", { node: "ready", deleting: true }),
    ];
    assert.deepEqual(names(terminatingOnOutOfServiceNodes(pods, (n) => nodes.get(n))), ["a"]);
  });
});

describe("failedStatus()", () => {
  const now = "2024-05-01T12:00:00Z";
  it("marks a running pod Failed with the DisruptionTarget condition", () => {
    const status = failedStatus(pod("a", { node: "gone" }), ORPHAN_CONDITION, now);
    assert.equal(status?.phase, "Failed");
    assert.deepEqual(status?.conditions, [
      {
        type: "DisruptionTarget",
        status: "True",
        reason: "DeletionByPodGC",
        message: "PodGC: node no longer exists",
        lastTransitionTime: now,
      },
    ]);
  });
  it("leaves a finished pod without condition alone", () => {
    assert.equal(failedStatus(pod("a", { phase: "Succeeded" }), undefined, now), undefined);
  });
});
