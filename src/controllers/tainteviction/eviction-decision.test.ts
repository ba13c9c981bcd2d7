import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Taint } from "../../api/core/v1/node.js";
import type { Toleration } from "../../api/core/v1/pod-shapes.js";
import { evictionDecision, noExecuteTaints, pendingEviction } from "./eviction-decision.js";

const unreachable: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" };
const notReady: Taint = { key: "node.kubernetes.io/not-ready", effect: "NoExecute" };
const tol = (key: string, seconds?: number, extra: Partial<Toleration> = {}): Toleration => ({
  key,
  operator: "Exists",
  effect: "NoExecute",
  ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}),
  ...extra,
});

describe("evictionDecision()", () => {
  const cases: { name: string; tolerations: Toleration[]; taints: Taint[]; want: string }[] = [
    { name: "no taints: stay", tolerations: [], taints: [], want: "stay" },
    { name: "untolerated taint: now", tolerations: [], taints: [unreachable], want: "now" },
    {
      name: "tolerated for 300 s: after 300 s",
      tolerations: [tol(unreachable.key, 300)],
      taints: [unreachable],
      want: "after 300000",
    },
    {
      name: "the shortest of the tolerations in use wins",
      tolerations: [tol(unreachable.key, 300), tol(notReady.key, 60)],
      taints: [unreachable, notReady],
      want: "after 60000",
    },
    {
      name: "an unused toleration does not count",
      tolerations: [tol(unreachable.key, 300), tol(notReady.key, 5)],
      taints: [unreachable],
      want: "after 300000",
    },
    {
      name: "tolerated for ever: stay",
      tolerations: [tol(unreachable.key)],
      taints: [unreachable],
      want: "stay",
    },
    {
      name: "zero seconds: now",
      tolerations: [tol(unreachable.key, 0)],
      taints: [unreachable],
      want: "now",
    },
    {
      name: "one of two taints untolerated: now",
      tolerations: [tol(unreachable.key, 300)],
      taints: [unreachable, { key: "x", effect: "NoExecute" }],
      want: "now",
    },
    {
      name: "a NoSchedule toleration does not tolerate NoExecute",
      tolerations: [tol(unreachable.key, undefined, { effect: "NoSchedule" })],
      taints: [unreachable],
      want: "now",
    },
    {
      name: "an empty key with Exists tolerates everything",
      tolerations: [{ operator: "Exists" }],
      taints: [unreachable, notReady],
      want: "stay",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = evictionDecision(c.tolerations, c.taints);
      assert.equal(d.kind === "after" ? `after ${d.afterMs}` : d.kind, c.want);
    });
  }

  it("noExecuteTaints() keeps only NoExecute", () => {
    assert.deepEqual(noExecuteTaints([unreachable, { key: "a", effect: "NoSchedule" }]), [
      unreachable,
    ]);
  });
});

describe("pendingEviction()", () => {
  const pod = { uid: "u1", node: "n1" };
  const started = pendingEviction(undefined, pod, [unreachable], 1000);

  it("starts a wait when there is none", () => {
    assert.deepEqual(started, {
      uid: "u1",
      node: "n1",
      taints: ["node.kubernetes.io/unreachable:NoExecute"],
      since: 1000,
    });
  });
  it("keeps the wait while a taint it began for remains", () => {
    assert.equal(pendingEviction(started, pod, [unreachable, notReady], 5000), started);
  });
  it("starts again when the taints were replaced", () => {
    assert.equal(pendingEviction(started, pod, [notReady], 5000).since, 5000);
  });
  it("starts again for another pod of the same name or another node", () => {
    assert.equal(
      pendingEviction(started, { uid: "u2", node: "n1" }, [unreachable], 5000).since,
      5000,
    );
    assert.equal(
      pendingEviction(started, { uid: "u1", node: "n2" }, [unreachable], 5000).since,
      5000,
    );
  });
});
