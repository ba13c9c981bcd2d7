/** Integration: simulated nodes beside an in-process server with the scheduler and controllers. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Pod } from "../api/core/v1/pod.js";
import { KubeClient } from "../client/client.js";
import { isNotFound } from "../client/api-error.js";
import { resources } from "../client/resource.js";
import { eventually, startCluster, type TestCluster } from "../../test/harness.js";
import { NodeSimulator } from "./simulator.js";

const capacity = { cpu: "4", memory: "16Gi", pods: "110" };

function deployment(name: string, replicas: number): any {
  return {
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "c", image: "nginx" }] },
      },
    },
  };
}

function barePod(
  name: string,
  restartPolicy: string,
  annotations: Record<string, string> = {},
): any {
  return {
    metadata: { name, namespace: "default", annotations },
    spec: { restartPolicy, containers: [{ name: "c", image: "busybox" }] },
  };
}

describe("NodeSimulator", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  let sim: NodeSimulator;
  const podsOf = async (selector: string): Promise<Pod[]> =>
    (await client.list<Pod>(resources.pods, { namespace: "default", labelSelector: selector }))
      .items;
  const phase = async (name: string): Promise<string | undefined> =>
    (await client.get<Pod>(resources.pods, name, { namespace: "default" })).status?.phase;

  before(async () => {
    cluster = await startCluster({ scheduler: true, controllers: ["replicaset", "deployment"] });
    client = new KubeClient(cluster.url);
    sim = new NodeSimulator({ client, nodes: 3, namePrefix: "sim-", capacity, leaseRenewMs: 500 });
    await sim.start();
  });
  after(async () => {
    await sim.stop();
    client.close();
    await cluster.close();
  });

  it("registers Ready nodes with labels, capacity, addresses and renewed leases", async () => {
    const node = await client.get<any>(resources.nodes, "sim-1");
    assert.equal(node.metadata.labels["kates.dev/simulated"], "true");
    assert.equal(node.metadata.labels["kubernetes.io/hostname"], "sim-1");
    assert.equal(node.status.capacity.memory, "16Gi");
    assert.equal(node.status.conditions.find((c: any) => c.type === "Ready").status, "True");
    assert.deepEqual(node.status.addresses[0], { type: "InternalIP", address: "172.16.0.2" });
    const first = await client.get<any>(resources.leases, "sim-1", {
      namespace: "kube-node-lease",
    });
    assert.equal(first.spec.holderIdentity, "sim-1");
    assert.equal(first.spec.leaseDurationSeconds, 40);
    await eventually(
      async () => {
        const l = await client.get<any>(resources.leases, "sim-1", {
          namespace: "kube-node-lease",
        });
        return l.spec.renewTime !== first.spec.renewTime;
      },
      5000,
      "lease renewed",
    );
  });

  it("brings a Deployment's pods to Running and Ready", async () => {
    await client.create(resources.deployments, deployment("web", 6));
    await eventually(
      async () => {
        const pods = await podsOf("app=web");
        return (
          pods.length === 6 &&
          pods.every(
            (p) =>
              p.status?.phase === "Running" &&
              p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
          )
        );
      },
      20_000,
      "6 pods Running and Ready",
    );
    const pods = await podsOf("app=web");
    assert.equal(new Set(pods.map((p) => p.status?.podIP)).size, 6, "distinct pod IPs");
    await eventually(
      async () => {
        const d = await client.get<any>(resources.deployments, "web", { namespace: "default" });
        return d.status?.readyReplicas === 6 && d.status?.availableReplicas === 6;
      },
      20_000,
      "deployment available",
    );
  });

  it("runs a Never pod to Succeeded and an exit-code pod to Failed", async () => {
    await client.create(resources.pods, barePod("job-ok", "Never"));
    await client.create(
      resources.pods,
      barePod("job-bad", "Never", { "kates.dev/simulate-exit-code": "7" }),
    );
    await eventually(
      async () => (await phase("job-ok")) === "Succeeded",
      10_000,
      "job-ok Succeeded",
    );
    await eventually(async () => (await phase("job-bad")) === "Failed", 10_000, "job-bad Failed");
    const bad = await client.get<Pod>(resources.pods, "job-bad", { namespace: "default" });
    assert.equal(bad.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 7);
  });

  it("completes the graceful deletion of a running pod", async () => {
    await client.create(resources.pods, barePod("gone", "Always"));
    await eventually(async () => (await phase("gone")) === "Running", 10_000, "gone Running");
    await client.delete(resources.pods, "gone", { namespace: "default" });
    await eventually(
      async () => {
        try {
          await client.get(resources.pods, "gone", { namespace: "default" });
          return false;
        } catch (err) {
          return isNotFound(err);
        }
      },
      10_000,
      "pod removed",
    );
  });
});
