/**
 * End-to-end scheduling throughput through the real API: an in-process API server (memory storage),
 * N hand-made Nodes and P pending pods created first, then a SchedulerLoop with its own informers;
 * the clock starts once its informers have synced and stops when every pod is bound (each binding a
 * POST of pods/binding, plus its Scheduled event). Run: `npm run bench:scheduler-loop -- [pods] [nodes]`.
 */
import { ApiServer } from "../src/apiserver/server.js";
import { KubeClient } from "../src/client/client.js";
import { SharedInformerFactory } from "../src/client/informer-factory.js";
import { resources } from "../src/client/resource.js";
import { SchedulerLoop } from "../src/scheduler/loop.js";
import { openBackend } from "../src/storage/open.js";
import { silentLogger } from "../src/util/log.js";

const podCount = Number(process.argv[2] ?? 1_000);
const nodeCount = Number(process.argv[3] ?? 100);

const backend = await openBackend({ type: "memory", dataDir: "" });
const server = await ApiServer.start({ backend, host: "127.0.0.1", port: 0, logger: silentLogger });
const client = new KubeClient(server.url);

async function inBatches(n: number, make: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, j) => make(i + j)));
  }
}

await inBatches(nodeCount, (i) =>
  client.create(resources.nodes, {
    metadata: { name: `node-${i}`, labels: { "topology.kubernetes.io/zone": `zone-${i % 3}` } },
    status: {
      capacity: { cpu: "32", memory: "64Gi", pods: "110" },
      allocatable: { cpu: "32", memory: "64Gi", pods: "110" },
      conditions: [{ type: "Ready", status: "True" }],
    },
  } as never),
);
await inBatches(podCount, (i) =>
  client.create(
    resources.pods,
    {
      metadata: { name: `pod-${i}`, labels: { app: "bench" } },
      spec: {
        containers: [
          { name: "c", image: "pause", resources: { requests: { cpu: "100m", memory: "128Mi" } } },
        ],
      },
    } as never,
    { namespace: "default" },
  ),
);

const schedClient = new KubeClient(server.url, { userAgent: "kube-scheduler" });
const informers = new SharedInformerFactory(schedClient);
const loop = new SchedulerLoop({ client: schedClient, informers });
informers.start();
await informers.waitForSync();
const stop = new AbortController();
const started = performance.now();
const running = loop.run(stop.signal);
while (loop.bound < podCount) await new Promise((r) => setTimeout(r, 5));
const seconds = (performance.now() - started) / 1000;
console.log(
  `bound ${loop.bound} pods on ${nodeCount} nodes through the API in ${seconds.toFixed(2)} s ` +
    `(${Math.round(podCount / seconds)} pods/s)`,
);
stop.abort();
await running;
await informers.stop();
schedClient.close();
client.close();
await server.close();
await backend.close();
