import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually, startCluster, type TestCluster } from "../../test/harness.js";
import type { Pod } from "../api/core/v1/pod.js";
import { KubeClient } from "../client/client.js";
import { resources } from "../client/resource.js";

const NS = { namespace: "default" };

function node(name: string, cpu: string): never {
  return {
    metadata: { name, labels: { pool: name } },
    status: {
      capacity: { cpu, memory: "4Gi", pods: "110" },
      allocatable: { cpu, memory: "4Gi", pods: "110" },
      conditions: [{ type: "Ready", status: "True" }],
    },
  } as never;
}

function pod(name: string, cpu: string, spec: Record<string, unknown> = {}): never {
  return {
    metadata: { name },
    spec: {
      containers: [{ name: "c", image: "pause", resources: { requests: { cpu } } }],
      ...spec,
    },
  } as never;
}

describe("SchedulerLoop against an in-process API server", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  const nodeOf = async (name: string): Promise<string | undefined> =>
    (await client.get<Pod>(resources.pods, name, NS)).spec?.nodeName;
  const reasonOf = async (name: string): Promise<string | undefined> =>
    (await client.get<Pod>(resources.pods, name, NS)).status?.conditions?.find(
      (c) => c.type === "PodScheduled",
    )?.reason;

  before(async () => {
    cluster = await startCluster({ scheduler: true });
    client = new KubeClient(cluster.url);
    await eventually(() => cluster.scheduler?.isLeader() ?? false, 10_000, "leadership");
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  it("counts assumed pods at once: 2 of 3 one-CPU pods fit a two-CPU node", async () => {
    await client.create(resources.nodes, node("a", "2"));
    const only = { nodeSelector: { pool: "a" } };
    await Promise.all(
      ["a1", "a2", "a3"].map((n) => client.create(resources.pods, pod(n, "1", only), NS)),
    );
    await eventually(
      async () => {
        const bound = await Promise.all(["a1", "a2", "a3"].map(nodeOf));
        const unschedulable = await Promise.all(["a1", "a2", "a3"].map(reasonOf));
        return (
          bound.filter((n) => n === "a").length === 2 &&
          unschedulable.filter((r) => r === "Unschedulable").length === 1
        );
      },
      10_000,
      "two bound, one unschedulable",
    );
  });

  it("retries an unschedulable pod when a bound pod is deleted", async () => {
    const names = ["a1", "a2", "a3"];
    const nodes = await Promise.all(names.map(nodeOf));
    const waiting = names[nodes.indexOf(undefined)]!;
    const victim = names[nodes.indexOf("a")]!;
    await client.delete(resources.pods, victim, { ...NS, gracePeriodSeconds: 0 });
    await eventually(async () => (await nodeOf(waiting)) === "a", 10_000, "pending pod bound");
  });

  it("leaves pods of other schedulers and gated pods alone", async () => {
    await client.create(resources.nodes, node("b", "4"));
    const onB = { nodeSelector: { pool: "b" } };
    await client.create(resources.pods, pod("other", "1", { ...onB, schedulerName: "mine" }), NS);
    await client.create(
      resources.pods,
      pod("gated", "1", { ...onB, schedulingGates: [{ name: "wait" }] }),
      NS,
    );
    await client.create(resources.pods, pod("mine", "1", onB), NS);
    await eventually(async () => (await nodeOf("mine")) === "b", 10_000, "default pod bound");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await nodeOf("other"), undefined);
    assert.equal(await nodeOf("gated"), undefined);
    assert.equal(await reasonOf("gated"), "SchedulingGated");
    await client.patch(
      resources.pods,
      "gated",
      { spec: { schedulingGates: null } },
      {
        ...NS,
        type: "merge",
      },
    );
    await eventually(async () => (await nodeOf("gated")) === "b", 10_000, "ungated pod bound");
  });
});
