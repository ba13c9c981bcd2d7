import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../api/core/v1/pod.js";
import type { IntOrString } from "../../api/int-or-string.js";
import type { PodDisruptionBudget } from "../../api/policy/v1/pod-disruption-budget.js";
import { DELETION_TIMEOUT_MS, syncBudget, type ScaleFinder } from "./budget-status.js";

const NOW = Date.parse("2024-05-01T10:00:00Z");

function pod(
  name: string,
  opts: { ready?: boolean; owner?: string; deleting?: boolean } = {},
): Pod {
  const owner = opts.owner ?? "rs-a";
  return {
    metadata: {
      name,
      namespace: "ns",
      ...(owner === "none"
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: "apps/v1",
                kind: "ReplicaSet",
                name: owner,
                uid: owner,
                controller: true,
              },
            ],
          }),
      ...(opts.deleting ? { deletionTimestamp: "2024-05-01T09:59:00Z" } : {}),
    },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }],
    },
  };
}

function budget(
  spec: { minAvailable?: IntOrString; maxUnavailable?: IntOrString },
  disruptedPods?: Record<string, string>,
): PodDisruptionBudget {
  return {
    metadata: { name: "b", namespace: "ns", generation: 3 },
    spec: { ...spec, selector: {} },
    ...(disruptedPods ? { status: { disruptedPods } } : {}),
  };
}

/** rs-a has 4 replicas, rs-b 2; anything else is unknown. */
const scales: ScaleFinder = (ref) =>
  ref.uid === "rs-a"
    ? { uid: "rs-a", replicas: 4 }
    : ref.uid === "rs-b"
      ? { uid: "rs-b", replicas: 2 }
      : undefined;

const four = [pod("p1"), pod("p2"), pod("p3"), pod("p4")];

describe("syncBudget()", () => {
  const cases: {
    name: string;
    budget: PodDisruptionBudget;
    pods: Pod[];
    want: { expected: number; desired: number; healthy: number; allowed: number };
  }[] = [
    {
      name: "integer minAvailable counts the selected pods",
      budget: budget({ minAvailable: 2 }),
      pods: four,
      want: { expected: 4, desired: 2, healthy: 4, allowed: 2 },
    },
    {
      name: "percentage minAvailable scales against the controller, rounding up",
      budget: budget({ minAvailable: "50%" }),
      pods: [pod("p1"), pod("p2"), pod("p3")],
      want: { expected: 4, desired: 2, healthy: 3, allowed: 1 },
    },
    {
      name: "integer maxUnavailable subtracts from the controllers' replicas",
      budget: budget({ maxUnavailable: 1 }),
      pods: [...four, pod("q1", { owner: "rs-b" }), pod("q2", { owner: "rs-b" })],
      want: { expected: 6, desired: 5, healthy: 6, allowed: 1 },
    },
    {
      name: "percentage maxUnavailable rounds the unavailable count up",
      budget: budget({ maxUnavailable: "30%" }),
      pods: four,
      want: { expected: 4, desired: 2, healthy: 4, allowed: 2 },
    },
    {
      name: "unready and terminating pods are not healthy",
      budget: budget({ minAvailable: 2 }),
      pods: [pod("p1"), pod("p2", { ready: false }), pod("p3", { deleting: true })],
      want: { expected: 3, desired: 2, healthy: 1, allowed: 0 },
    },
    {
      name: "a recent eviction counts as unhealthy",
      budget: budget({ minAvailable: 2 }, { p1: "2024-05-01T09:59:30Z" }),
      pods: four,
      want: { expected: 4, desired: 2, healthy: 3, allowed: 1 },
    },
    {
      name: "an eviction past its timeout counts no longer",
      budget: budget({ minAvailable: 2 }, { p1: "2024-05-01T09:50:00Z" }),
      pods: four,
      want: { expected: 4, desired: 2, healthy: 4, allowed: 2 },
    },
    {
      name: "no pods: nothing allowed",
      budget: budget({ maxUnavailable: 0 }),
      pods: [],
      want: { expected: 0, desired: 0, healthy: 0, allowed: 0 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { status, error } = syncBudget(c.budget, c.pods, scales, NOW);
      assert.equal(error, undefined);
      assert.deepEqual(
        {
          expected: status.expectedPods,
          desired: status.desiredHealthy,
          healthy: status.currentHealthy,
          allowed: status.disruptionsAllowed,
        },
        c.want,
      );
      assert.equal(status.observedGeneration, 3);
      const cond = status.conditions?.find((x) => x.type === "DisruptionAllowed");
      assert.equal(cond?.status, c.want.allowed > 0 ? "True" : "False");
      assert.equal(cond?.reason, c.want.allowed > 0 ? "SufficientPods" : "InsufficientPods");
    });
  }

  it("keeps live disruptions, drops expired ones and those of deleted pods, and rechecks at the deadline", () => {
    const recent = "2024-05-01T09:59:30Z";
    const b = budget(
      { minAvailable: 1 },
      { p1: recent, p2: "2024-05-01T09:00:00Z", gone: recent, p3: recent },
    );
    const sync = syncBudget(b, [pod("p1"), pod("p2"), pod("p3", { deleting: true })], scales, NOW);
    assert.deepEqual(sync.status.disruptedPods, { p1: recent });
    assert.equal(sync.recheckAt, Date.parse(recent) + DELETION_TIMEOUT_MS);
  });

  it("leaves unmanaged pods out of the scale and warns about them", () => {
    const sync = syncBudget(
      budget({ maxUnavailable: 1 }),
      [pod("p1"), pod("lone", { owner: "none" })],
      scales,
      NOW,
    );
    assert.equal(sync.error, undefined);
    assert.equal(sync.status.expectedPods, 4);
    assert.equal(sync.status.currentHealthy, 2);
    assert.deepEqual(
      sync.events.map((e) => e.reason),
      ["UnmanagedPods"],
    );
  });

  it("warns on pods whose eviction ran out without their deletion", () => {
    const sync = syncBudget(
      budget({ minAvailable: 1 }, { p1: "2024-05-01T09:00:00Z" }),
      four,
      scales,
      NOW,
    );
    const e = sync.events.find((x) => x.reason === "NotDeleted");
    assert.equal(e?.pod?.metadata.name, "p1");
    assert.equal(e?.message, "Pod was expected by PDB ns/b to be deleted but it wasn't");
  });

  it("fails safe when the controller is unknown", () => {
    const sync = syncBudget(
      budget({ minAvailable: "50%" }),
      [pod("x", { owner: "rs-zzz" })],
      scales,
      NOW,
    );
    assert.equal(sync.error, 'found no controllers for pod "x"');
    assert.deepEqual(
      sync.events.map((e) => e.reason),
      ["CalculateExpectedPodCountFailed"],
    );
    const cond = sync.status.conditions?.find((x) => x.type === "DisruptionAllowed");
    assert.equal(cond?.reason, "SyncFailed");
    assert.equal(cond?.message, 'found no controllers for pod "x"');
  });

  it("reports NoPods when the selector matches nothing", () => {
    const sync = syncBudget(budget({ minAvailable: 1 }), [], scales, NOW);
    assert.deepEqual(sync.events, [
      { type: "Normal", reason: "NoPods", message: "No matching pods found" },
    ]);
  });
});
