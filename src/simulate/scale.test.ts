/** A rough figure, printed, never asserted on time: a 1,000-replica Deployment on 100 simulated nodes. */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Pod } from "../api/core/v1/pod.js";
import { KubeClient } from "../client/client.js";
import { resources } from "../client/resource.js";
import { eventually, startCluster } from "../../test/harness.js";
import { NodeSimulator } from "./simulator.js";

it("brings 1,000 replicas to Running on 100 simulated nodes (prints the time)", async () => {
  const cluster = await startCluster({
    scheduler: true,
    controllers: ["replicaset", "deployment"],
  });
  const client = new KubeClient(cluster.url);
  const sim = new NodeSimulator({
    client,
    nodes: 100,
    namePrefix: "n",
    capacity: { cpu: "32", memory: "64Gi", pods: "110" },
  });
  try {
    await sim.start();
    const t0 = Date.now();
    await client.create(resources.deployments, {
      metadata: { name: "big", namespace: "default" },
      spec: {
        replicas: 1000,
        selector: { matchLabels: { app: "big" } },
        template: {
          metadata: { labels: { app: "big" } },
          spec: { containers: [{ name: "c", image: "nginx" }] },
        },
      },
    } as any);
    await eventually(
      async () => {
        const pods = (
          await client.list<Pod>(resources.pods, { namespace: "default", labelSelector: "app=big" })
        ).items;
        return pods.filter((p) => p.status?.phase === "Running").length === 1000;
      },
      300_000,
      "1000 pods Running",
    );
    const s = (Date.now() - t0) / 1000;
    process.stdout.write(
      `# 1000 replicas Running on 100 simulated nodes in ${s.toFixed(1)} s (${(1000 / s).toFixed(0)} pods/s)\n`,
    );
    assert.ok(s > 0);
  } finally {
    await sim.stop();
    client.close();
    await cluster.close();
  }
});
