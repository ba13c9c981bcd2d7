import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../api/core/v1/pod.js";
import { podsToDelete, sortPodsForDeletion } from "./pod-deletion-order.js";
import { podDeletionCost } from "./pod-state.js";

const NOW = Date.parse("2024-06-01T12:00:00Z");
const ago = (seconds: number): string =>
  new Date(NOW - seconds * 1000).toISOString().replace(".000Z", "Z");

interface PodOpts {
  node?: string;
  phase?: string;
  ready?: boolean;
  readyAgo?: number;
  cost?: string;
  restarts?: number;
  createdAgo?: number;
  uid?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  const p: Pod = {
    metadata: {
      name,
      namespace: "default",
      uid: o.uid ?? `uid-${name}`,
      creationTimestamp: ago(o.createdAgo ?? 1000),
    },
    spec: o.node === undefined ? {} : { nodeName: o.node },
    status: {
      phase: o.phase ?? "Running",
      conditions: [
        {
          type: "Ready",
          status: (o.ready ?? true) ? "True" : "False",
          lastTransitionTime: ago(o.readyAgo ?? 900),
        },
      ],
      containerStatuses: [{ name: "c", restartCount: o.restarts ?? 0 }],
    },
  };
  if (o.cost !== undefined)
    p.metadata.annotations = { "controller.kubernetes.io/pod-deletion-cost": o.cost };
  return p;
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name ?? "");

describe("sortPodsForDeletion()", () => {
  const cases: { name: string; pods: Pod[]; related?: Pod[]; first: string }[] = [
    {
      name: "puts an unscheduled pod before a scheduled one",
      pods: [
        pod("scheduled", { node: "n1", phase: "Pending" }),
        pod("unscheduled", { phase: "Running" }),
      ],
      first: "unscheduled",
    },
    {
      name: "puts Pending before Unknown before Running",
      pods: [
        pod("running", { node: "n1" }),
        pod("unknown", { node: "n1", phase: "Unknown" }),
        pod("pending", { node: "n1", phase: "Pending" }),
      ],
      first: "pending",
    },
    {
      name: "puts a not-ready pod before a ready one",
      pods: [pod("ready", { node: "n1" }), pod("not-ready", { node: "n1", ready: false })],
      first: "not-ready",
    },
    {
      name: "puts a lower deletion cost first, before the node rank",
      pods: [pod("cheap", { node: "n1", cost: "-5" }), pod("crowded", { node: "n2" })],
      related: [pod("crowded", { node: "n2" }), pod("x", { node: "n2" }), pod("y", { node: "n2" })],
      first: "cheap",
    },
    {
      name: "puts a pod on a node crowded with related pods first",
      pods: [pod("alone", { node: "n1" }), pod("crowded", { node: "n2" })],
      related: [
        pod("alone", { node: "n1" }),
        pod("crowded", { node: "n2" }),
        pod("x", { node: "n2" }),
      ],
      first: "crowded",
    },
    {
      name: "puts the more recently ready pod first when their ages differ by a power of two",
      pods: [
        pod("old-ready", { node: "n1", readyAgo: 4000 }),
        pod("new-ready", { node: "n1", readyAgo: 10 }),
      ],
      first: "new-ready",
    },
    {
      name: "puts the pod with more restarts first",
      pods: [pod("calm", { node: "n1", restarts: 0 }), pod("crashy", { node: "n1", restarts: 7 })],
      first: "crashy",
    },
    {
      name: "puts the newer pod first",
      pods: [
        pod("old", { node: "n1", createdAgo: 100000 }),
        pod("new", { node: "n1", createdAgo: 5 }),
      ],
      first: "new",
    },
    {
      name: "breaks a tie within one logarithmic bucket by UID",
      pods: [
        pod("b", { node: "n1", createdAgo: 1000, uid: "b" }),
        pod("a", { node: "n1", createdAgo: 1010, uid: "a" }),
      ],
      first: "a",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(
        sortPodsForDeletion(c.pods, c.related ?? c.pods, NOW)[0]?.metadata.name,
        c.first,
      );
      // The order must not depend on the input order.
      const reversed = [...c.pods].reverse();
      assert.equal(
        sortPodsForDeletion(reversed, c.related ?? c.pods, NOW)[0]?.metadata.name,
        c.first,
      );
    });
  }

  it("orders a mixed set by every rule in turn", () => {
    const pods = [
      pod("ready-old", { node: "n1", createdAgo: 50000 }),
      pod("running-not-ready", { node: "n1", ready: false }),
      pod("pending", { node: "n1", phase: "Pending", ready: false }),
      pod("unscheduled", { phase: "Pending", ready: false }),
      pod("ready-new", { node: "n1", createdAgo: 5, readyAgo: 900 }),
    ];
    assert.deepEqual(names(sortPodsForDeletion(pods, pods, NOW)), [
      "unscheduled",
      "pending",
      "running-not-ready",
      "ready-new",
      "ready-old",
    ]);
  });
});

describe("podsToDelete()", () => {
  const pods = [pod("a", { node: "n1" }), pod("b", { node: "n1", ready: false }), pod("c")];
  it("returns the first pods in deletion order", () => {
    assert.deepEqual(names(podsToDelete(pods, pods, 2, NOW)), ["c", "b"]);
  });
  it("returns nothing for a count of zero and everything for a count past the length", () => {
    assert.deepEqual(podsToDelete(pods, pods, 0, NOW), []);
    assert.equal(podsToDelete(pods, pods, 5, NOW).length, 3);
  });
});

describe("podDeletionCost()", () => {
  const cases: [string | undefined, number][] = [
    [undefined, 0],
    ["10", 10],
    ["-10", -10],
    ["0", 0],
    ["+10", 0],
    ["008", 0],
    ["-007", -7],
    ["1.5", 0],
    ["2147483647", 2147483647],
    ["2147483648", 0],
    ["abc", 0],
  ];
  for (const [text, want] of cases) {
    it(`reads ${JSON.stringify(text)} as ${want}`, () => {
      const p = pod("p");
      if (text !== undefined)
        p.metadata.annotations = { "controller.kubernetes.io/pod-deletion-cost": text };
      assert.equal(podDeletionCost(p), want);
    });
  }
});
