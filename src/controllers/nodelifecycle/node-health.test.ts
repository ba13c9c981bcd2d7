import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, NodeCondition } from "../../api/core/v1/node.js";
import { observeNodeHealth, type NodeHealth } from "./node-health.js";

const T0 = Date.parse("2024-05-01T10:00:00Z");
const timings = { gracePeriodMs: 40_000, startupGracePeriodMs: 60_000 };

function node(conditions: NodeCondition[] | undefined): Node {
  return {
    metadata: { name: "n1", creationTimestamp: "2024-05-01T09:00:00Z" },
    ...(conditions ? { status: { conditions } } : {}),
  };
}

const ready = (heartbeat: string, status = "True"): NodeCondition => ({
  type: "Ready",
  status,
  reason: "KubeletReady",
  lastHeartbeatTime: heartbeat,
  lastTransitionTime: "2024-05-01T09:00:00Z",
});
const memory: NodeCondition = {
  type: "MemoryPressure",
  status: "False",
  lastHeartbeatTime: "2024-05-01T09:00:00Z",
  lastTransitionTime: "2024-05-01T09:00:00Z",
};

describe("observeNodeHealth()", () => {
  it("a node seen for the first time is alive now, whatever its heartbeat says", () => {
    const obs = observeNodeHealth(
      node([ready("2020-01-01T00:00:00Z")]),
      undefined,
      undefined,
      T0,
      timings,
    );
    assert.equal(obs.health.probeTimestamp, T0);
    assert.equal(obs.conditions, undefined);
  });

  const previous: NodeHealth = {
    readyHeartbeat: "2024-05-01T09:59:00Z",
    readyTransition: "2024-05-01T09:00:00Z",
    leaseRenewTime: "2024-05-01T09:59:00.000000Z",
    probeTimestamp: T0,
  };
  const cases: {
    name: string;
    heartbeat: string;
    lease: string | undefined;
    at: number;
    wantProbe: number;
    wantUnknown: boolean;
  }[] = [
    {
      name: "within the grace period nothing changes",
      heartbeat: "2024-05-01T09:59:00Z",
      lease: "2024-05-01T09:59:00.000000Z",
      at: T0 + 39_000,
      wantProbe: T0,
      wantUnknown: false,
    },
    {
      name: "a renewed lease is a sign of life",
      heartbeat: "2024-05-01T09:59:00Z",
      lease: "2024-05-01T10:00:30.000000Z",
      at: T0 + 50_000,
      wantProbe: T0 + 50_000,
      wantUnknown: false,
    },
    {
      name: "a moved heartbeat is a sign of life",
      heartbeat: "2024-05-01T10:00:45Z",
      lease: undefined,
      at: T0 + 50_000,
      wantProbe: T0 + 50_000,
      wantUnknown: false,
    },
    {
      name: "silence past the grace period makes the conditions Unknown",
      heartbeat: "2024-05-01T09:59:00Z",
      lease: "2024-05-01T09:59:00.000000Z",
      at: T0 + 41_000,
      wantProbe: T0,
      wantUnknown: true,
    },
    {
      name: "an older lease is no sign of life",
      heartbeat: "2024-05-01T09:59:00Z",
      lease: "2024-05-01T09:58:00.000000Z",
      at: T0 + 41_000,
      wantProbe: T0,
      wantUnknown: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const obs = observeNodeHealth(
        node([ready(c.heartbeat), memory]),
        previous,
        c.lease,
        c.at,
        timings,
      );
      assert.equal(obs.health.probeTimestamp, c.wantProbe);
      assert.equal(obs.conditions !== undefined, c.wantUnknown);
      assert.equal(obs.observedReady?.status, "True");
      assert.equal(obs.currentReady?.status, c.wantUnknown ? "Unknown" : "True");
    });
  }

  it("sets Ready and the pressure conditions Unknown with upstream's reason and message", () => {
    const obs = observeNodeHealth(
      node([ready("2024-05-01T09:59:00Z"), memory]),
      previous,
      undefined,
      T0 + 60_000,
      timings,
    );
    const byType = new Map(obs.conditions?.map((c) => [c.type, c]));
    const r = byType.get("Ready");
    assert.equal(r?.status, "Unknown");
    assert.equal(r?.reason, "NodeStatusUnknown");
    assert.equal(r?.message, "Kubelet stopped posting node status.");
    assert.equal(r?.lastHeartbeatTime, "2024-05-01T09:59:00Z", "the heartbeat stays the kubelet's");
    assert.equal(r?.lastTransitionTime, "2024-05-01T10:01:00Z");
    assert.equal(byType.get("MemoryPressure")?.reason, "NodeStatusUnknown");
    assert.equal(byType.get("DiskPressure")?.reason, "NodeStatusNeverUpdated");
    assert.equal(byType.get("DiskPressure")?.message, "Kubelet never posted node status.");
    assert.equal(byType.get("PIDPressure")?.status, "Unknown");
  });

  it("does not write again once everything is Unknown", () => {
    const first = observeNodeHealth(
      node([ready("2024-05-01T09:59:00Z")]),
      previous,
      undefined,
      T0 + 60_000,
      timings,
    );
    const again = observeNodeHealth(
      node(first.conditions),
      first.health,
      undefined,
      T0 + 65_000,
      timings,
    );
    assert.equal(again.conditions, undefined);
    assert.equal(again.observedReady?.status, "Unknown");
  });

  it("a node that never reported gets the startup grace period from its creation", () => {
    const fresh = {
      ...node(undefined),
      metadata: { name: "n1", creationTimestamp: "2024-05-01T10:00:00Z" },
    };
    const early = observeNodeHealth(fresh, undefined, undefined, T0 + 59_000, timings);
    assert.equal(early.conditions, undefined);
    const late = observeNodeHealth(fresh, early.health, undefined, T0 + 61_000, timings);
    assert.equal(
      late.conditions?.find((c) => c.type === "Ready")?.reason,
      "NodeStatusNeverUpdated",
    );
  });
});
