/**
 * End-to-end scheduling throughput through the real API: an in-process API server (memory storage),
 * N Nodes as simulated nodes register them and P pending pods created first, then a SchedulerLoop with its own informers;
 * the clock starts once its informers have synced and stops when every pod is bound (each binding a
 * POST of pods/binding, plus its Scheduled event). Run: `npm run bench:scheduler-loop -- [pods] [nodes]`.
 */
import { ApiServer } from "../src/apiserver/server.js";
import { KubeClient } from "../src/client/client.js";
import { SharedInformerFactory } from "../src/client/informer-factory.js";
import { resources } from "../src/client/resource.js";
import { SchedulerLoop } from "../src/scheduler/loop.js";
import { simulatedNode } from "../src/simulate/node-object.js";
import { openBackend } from "../src/storage/open.js";
import { silentLogger } from "../src/util/log.js";

const podCount = Number(process.argv[2] ?? 10_000);
const nodeCount = Number(process.argv[3] ?? 5_000);

const backend = await openBackend({ type: "memory", dataDir: "" });
const server = await ApiServer.start({ backend, host: "127.0.0.1", port: 0, logger: silentLogger });
const client = new KubeClient(server.url);

async function inBatches(n: number, make: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, j) => make(i + j)));
  }
}

// The Node objects `kates simulate` registers (4 CPU, 16Gi, 110 pods), without their agents: as in
// upstream's scheduler_perf, nothing but the scheduler acts on the pods, so the figure is its own.
const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
await inBatches(nodeCount, (i) => {
  const node = simulatedNode(`sim-${i}`, i, { cpu: "4", memory: "16Gi", pods: "110" }, now);
  node.metadata.labels = {
    ...node.metadata.labels,
    "topology.kubernetes.io/zone": `zone-${i % 3}`,
  };
  return client.create(resources.nodes, node);
});
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
