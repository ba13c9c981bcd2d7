/**
 * The control plane at scale: a real `kates server` (SQLite, controllers and scheduler on) and
 * `kates simulate` with thousands of nodes, each in its own process. Prints the time for the nodes to
 * be Ready, for a 10,000-replica Deployment to be fully available, for more Deployments to bring the
 * cluster to 50,000 pods, the server's memory with every node renewing its lease, and the latency of
 * mutating calls (ConfigMap create, update, delete) made while all of that churns. Figures only.
 * Run: `npm run bench:cluster` (after `npm run build`); BENCH_NODES, BENCH_REPLICAS and BENCH_PODS
 * scale it down (defaults 5000, 10000, 50000).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BenchClient, quantile } from "./http-client.js";
import { freePort, rssMiB, startServer } from "./server.js";

const NODES = Number(process.env["BENCH_NODES"] ?? 5000);
const REPLICAS = Number(process.env["BENCH_REPLICAS"] ?? 10_000);
const TOTAL_PODS = Number(process.env["BENCH_PODS"] ?? 50_000);
/** Mutating calls per second of the latency probe: a steady user beside the churn. */
const PROBE_RATE = 20;
/** How long the steady state (every lease renewing, nothing else changing) is watched. */
const STEADY_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function deployment(name: string, replicas: number): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: "app",
              image: "registry.example/bench/app:1.0",
              resources: { requests: { cpu: "10m", memory: "16Mi" } },
            },
          ],
        },
      },
    },
  });
}

/** Mutating calls at PROBE_RATE per second until stopped; their latencies, in ms. */
class LatencyProbe {
  readonly latencies: number[] = [];
  readonly #client: BenchClient;
  #stopped = false;
  #done: Promise<void>;

  constructor(url: string) {
    this.#client = new BenchClient(url, 4);
    this.#done = this.#run();
  }

  async #run(): Promise<void> {
    const path = "/api/v1/namespaces/default/configmaps";
    for (let i = 0; !this.#stopped; i++) {
      const name = `probe-${i}`;
      const body = (v: string, rv?: string): string =>
        JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name, ...(rv ? { resourceVersion: rv } : {}) },
          data: { v },
        });
      const created = await this.#timed("POST", path, body("1"), 201);
      const rv = (JSON.parse(created) as { metadata: { resourceVersion: string } }).metadata
        .resourceVersion;
      await this.#timed("PUT", `${path}/${name}`, body("2", rv), 200);
      await this.#timed("DELETE", `${path}/${name}`, undefined, 200);
    }
  }

  async #timed(method: string, path: string, body: string | undefined, want: number) {
    const t0 = performance.now();
    const r = await this.#client.send(method, path, body);
    this.latencies.push(performance.now() - t0);
    if (r.status !== want) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
    await sleep(1000 / PROBE_RATE);
    return r.body;
  }

  async stop(): Promise<number[]> {
    this.#stopped = true;
    await this.#done;
    this.#client.close();
    return this.latencies;
  }
}

async function getJson<T>(client: BenchClient, path: string): Promise<T> {
  const r = await client.send("GET", path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

async function readyNodes(client: BenchClient): Promise<number> {
  type NodeList = { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
  const list = await getJson<NodeList>(client, "/api/v1/nodes");
  return list.items.filter((n) =>
    n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  ).length;
}

/** Seconds until every Deployment named is fully available. */
async function untilAvailable(client: BenchClient, names: string[], want: number): Promise<void> {
  for (;;) {
    let available = 0;
    for (const name of names) {
      const d = await getJson<{ status?: { availableReplicas?: number } }>(
        client,
        `/apis/apps/v1/namespaces/default/deployments/${name}`,
      );
      available += d.status?.availableReplicas ?? 0;
    }
    if (available >= want) return;
    await sleep(250);
  }
}

function startSimulator(kubeconfig: string): ChildProcess {
  const main = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
  return spawn(
    process.execPath,
    [main, "simulate", "--kubeconfig", kubeconfig, "--nodes", String(NODES), "--log-level", "warn"],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
}

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const p99 = (xs: number[]): string => `${fmt(quantile(xs, 0.5))} / ${fmt(quantile(xs, 0.99))}`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kates-bench-cluster-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer(dir, port, { components: true });
  const client = new BenchClient(url, 4);
  let sim: ChildProcess | undefined;
  try {
    const idleRss = rssMiB(server.pid!);
    let t0 = performance.now();
    sim = startSimulator(join(dir, "kubeconfig"));
    while ((await readyNodes(client)) < NODES) await sleep(500);
    const nodesSeconds = (performance.now() - t0) / 1000;
    const nodesRss = rssMiB(server.pid!);

    const rolloutProbe = new LatencyProbe(url);
    t0 = performance.now();
    const r = await client.send(
      "POST",
      "/apis/apps/v1/namespaces/default/deployments",
      deployment("big", REPLICAS),
    );
    if (r.status !== 201) throw new Error(`Cannot create the Deployment: ${r.status} ${r.body}`);
    await untilAvailable(client, ["big"], REPLICAS);
    const rolloutSeconds = (performance.now() - t0) / 1000;
    const rolloutLatencies = await rolloutProbe.stop();

    const fillProbe = new LatencyProbe(url);
    const more: string[] = [];
    t0 = performance.now();
    for (let left = TOTAL_PODS - REPLICAS; left > 0; left -= REPLICAS) {
      const name = `more-${more.length}`;
      more.push(name);
      const res = await client.send(
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        deployment(name, Math.min(left, REPLICAS)),
      );
      if (res.status !== 201) throw new Error(`Cannot create ${name}: ${res.status} ${res.body}`);
    }
    await untilAvailable(client, more, TOTAL_PODS - REPLICAS);
    const fillSeconds = (performance.now() - t0) / 1000;
    const fillLatencies = await fillProbe.stop();

    const steadyProbe = new LatencyProbe(url);
    await sleep(STEADY_MS);
    const steadyLatencies = await steadyProbe.stop();
    const fullRss = rssMiB(server.pid!);
    const simRss = rssMiB(sim.pid!);

    const rows: [string, string, string][] = [
      [`${NODES} simulated nodes registered and Ready (s)`, fmt(nodesSeconds), ""],
      [`${REPLICAS}-replica Deployment fully available (s)`, fmt(rolloutSeconds), "target < 30"],
      ["  pods available per second", fmt(REPLICAS / rolloutSeconds), ""],
      [
        "  mutating call latency p50 / p99 meanwhile (ms)",
        p99(rolloutLatencies),
        "target p99 < 100",
      ],
      [
        `${TOTAL_PODS - REPLICAS} more pods in ${more.length} Deployments available (s)`,
        fmt(fillSeconds),
        "",
      ],
      ["  mutating call latency p50 / p99 meanwhile (ms)", p99(fillLatencies), "target p99 < 100"],
      [
        `mutating call latency p50 / p99, ${TOTAL_PODS} pods, leases renewing (ms)`,
        p99(steadyLatencies),
        "target p99 < 100",
      ],
      ["server RSS idle / with the nodes (MiB)", `${idleRss} / ${nodesRss}`, ""],
      [
        `server RSS with ${NODES} nodes and ${TOTAL_PODS} pods (MiB)`,
        String(fullRss),
        "target < 4096",
      ],
      [`simulator RSS, ${NODES} nodes (MiB)`, String(simRss), ""],
    ];
    const width = Math.max(...rows.map((row) => row[0].length));
    process.stdout.write(`Kates cluster benchmark (node ${process.version})\n`);
    for (const [name, value, target] of rows)
      process.stdout.write(`${name.padEnd(width)}  ${value.padStart(12)}  ${target}\n`);
  } finally {
    client.close();
    sim?.kill("SIGTERM");
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
