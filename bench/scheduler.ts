/**
 * Micro-benchmark of the decision path: schedules 10,000 pods onto 5,000 in-memory nodes, assuming
 * each one, and prints the time and the rate. Run: `npm run bench:scheduler --  [pods] [nodes]`.
 */
import type { Node } from "../src/api/core/v1/node.js";
import type { Pod } from "../src/api/core/v1/pod.js";
import { Scheduler } from "../src/scheduler/framework.js";
import { seededRandom } from "../src/scheduler/random.js";
import { Snapshot } from "../src/scheduler/snapshot.js";

function makeNode(i: number): Node {
  const name = `node-${i}`;
  return {
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "topology.kubernetes.io/zone": `zone-${i % 3}`,
      },
    },
    status: { allocatable: { cpu: "4", memory: "16Gi", pods: "110" } },
  };
}

function makePod(i: number): Pod {
  return {
    metadata: { name: `pod-${i}`, namespace: "default", uid: `uid-${i}`, labels: { app: "bench" } },
    spec: {
      containers: [
        {
          name: "c",
          image: "registry.k8s.io/pause:3.10",
          resources: { requests: { cpu: "100m", memory: "128Mi" } },
        },
      ],
    },
  };
}

const podCount = Number(process.argv[2] ?? 10_000);
const nodeCount = Number(process.argv[3] ?? 5_000);
const snapshot = Snapshot.of(Array.from({ length: nodeCount }, (_, i) => makeNode(i)));
const pods = Array.from({ length: podCount }, (_, i) => makePod(i));
const scheduler = new Scheduler({ random: seededRandom(1) });

const started = performance.now();
let unschedulable = 0;
for (const pod of pods) {
  const r = scheduler.schedule(pod, snapshot);
  if ("node" in r) snapshot.assumePod(pod, r.node);
  else unschedulable++;
}
const ms = performance.now() - started;
console.log(
  `scheduled ${podCount - unschedulable}/${podCount} pods on ${nodeCount} nodes in ${ms.toFixed(0)} ms ` +
    `(${Math.round((podCount / ms) * 1000)} pods/s)`,
);
