/**
 * The API benchmark: a real `kates server` (SQLite storage) in a child process, driven over loopback.
 * Prints pod and ConfigMap creates/s with 16 clients next to the same writes straight into the backend
 * and to a bare HTTP server, create and get latency, the time and memory to list 10,000 pods, watch
 * delivery delay to 100 watchers, and idle memory.
 * Figures only; nothing here asserts a time. Run with `npm run bench` (after `npm run build`).
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openBackend } from "../src/storage/open.js";
import { BenchClient, quantile, runConcurrent } from "./http-client.js";
import { freePort, rssMiB, startServer } from "./server.js";

const CREATES = Number(process.env["BENCH_CREATES"] ?? 20_000);
const CLIENTS = 16;
const LIST_PODS = 10_000;
const WATCHERS = 100;
const WATCH_EVENTS = 50;

function pod(namespace: string, name: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { app: "bench", shard: String(name.length % 7) } },
    spec: {
      containers: [
        {
          name: "main",
          image: "registry.example/bench/app:1.0",
          command: ["/bin/app", "--serve", "--port=8080"],
          env: [
            { name: "MODE", value: "bench" },
            { name: "LEVEL", value: "3" },
          ],
          ports: [{ containerPort: 8080, name: "http" }],
          resources: {
            requests: { cpu: "100m", memory: "64Mi" },
            limits: { cpu: "500m", memory: "128Mi" },
          },
          readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
        },
      ],
    },
  });
}

async function createNamespaces(client: BenchClient, names: string[]): Promise<void> {
  for (const name of names) {
    const r = await client.send(
      "POST",
      "/api/v1/namespaces",
      JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name } }),
    );
    if (r.status !== 201) throw new Error(`Cannot create namespace ${name}: ${r.status} ${r.body}`);
  }
}

/** Creates through the API; returns per-request latencies in ms and the total seconds. */
async function benchCreates(
  client: BenchClient,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const started = performance.now();
  await runConcurrent(CREATES, CLIENTS, async (i) => {
    const ns = i < LIST_PODS ? "bench-a" : "bench-b";
    const t0 = performance.now();
    const r = await client.send("POST", `/api/v1/namespaces/${ns}/pods`, pod(ns, `pod-${i}`));
    latencies.push(performance.now() - t0);
    if (r.status !== 201) throw new Error(`Create failed: ${r.status} ${r.body}`);
  });
  return { seconds: (performance.now() - started) / 1000, latencies };
}

/** Creates of small ConfigMaps through the API: the cost of the API path itself, without a pod's checks. */
async function benchConfigMapCreates(
  client: BenchClient,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const started = performance.now();
  await runConcurrent(CREATES, CLIENTS, async (i) => {
    const body = JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `cm-${i}`, namespace: "bench-c" },
      data: { key: "value" },
    });
    const t0 = performance.now();
    const r = await client.send("POST", "/api/v1/namespaces/bench-c/configmaps", body);
    latencies.push(performance.now() - t0);
    if (r.status !== 201) throw new Error(`Create failed: ${r.status} ${r.body}`);
  });
  return { seconds: (performance.now() - started) / 1000, latencies };
}

/** The same creates against a bare Node HTTP server that only parses and echoes them: the ceiling. */
async function benchBaseline(): Promise<number> {
  const port = await freePort();
  const child = fork(fileURLToPath(new URL("./echo-server.js", import.meta.url)), [String(port)], {
    stdio: "inherit",
  });
  await new Promise((resolve) => child.once("message", resolve));
  const client = new BenchClient(`http://127.0.0.1:${port}`, CLIENTS);
  try {
    const started = performance.now();
    await runConcurrent(CREATES, CLIENTS, async (i) => {
      await client.send("POST", "/", pod("bench-a", `pod-${i}`));
    });
    return (performance.now() - started) / 1000;
  } finally {
    client.close();
    child.kill();
  }
}

/** The same number of creates straight into a fresh SQLite backend in this process. */
async function benchRawCreates(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "kates-bench-raw-"));
  const backend = await openBackend({ type: "sqlite", dataDir: dir });
  try {
    const started = performance.now();
    await runConcurrent(CREATES, CLIENTS, async (i) => {
      await backend.create(`/registry/pods/bench-a/pod-${i}`, pod("bench-a", `pod-${i}`));
    });
    return (performance.now() - started) / 1000;
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchGets(client: BenchClient): Promise<number[]> {
  const latencies: number[] = [];
  await runConcurrent(5000, CLIENTS, async (i) => {
    const t0 = performance.now();
    const r = await client.send(
      "GET",
      `/api/v1/namespaces/bench-a/pods/pod-${(i * 7919) % LIST_PODS}`,
    );
    latencies.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`Get failed: ${r.status}`);
  });
  return latencies;
}

async function benchList(client: BenchClient): Promise<number[]> {
  const times: number[] = [];
  const bodies: string[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await client.send("GET", "/api/v1/namespaces/bench-a/pods");
    times.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`List failed: ${r.status}`);
    bodies.push(r.body);
  }
  // Parsed only once every list is timed: the garbage of parsing a 20 MB list in this process would
  // otherwise be collected while the next list arrives, and the figure would be the client's GC pauses.
  for (const body of bodies) {
    const items = (JSON.parse(body) as { items: unknown[] }).items.length;
    if (items !== LIST_PODS) throw new Error(`List returned ${items} pods, expected ${LIST_PODS}`);
  }
  return times;
}

/** Opens `WATCHERS` watches, writes `WATCH_EVENTS` objects, and returns each delivery's delay in ms. */
async function benchWatch(port: number, client: BenchClient): Promise<number[]> {
  const sentAt = new Map<string, number>();
  const delays: number[] = [];
  const streams = await Promise.all(
    Array.from(
      { length: WATCHERS },
      () =>
        new Promise<{ close: () => void }>((resolve, reject) => {
          const req = request(
            {
              host: "127.0.0.1",
              port,
              path: "/api/v1/namespaces/bench-w/configmaps?watch=true&resourceVersion=0",
            },
            (res) => {
              let buffered = "";
              res.on("data", (chunk: Buffer) => {
                buffered += chunk.toString();
                let nl: number;
                while ((nl = buffered.indexOf("\n")) >= 0) {
                  const line = buffered.slice(0, nl);
                  buffered = buffered.slice(nl + 1);
                  const name = (JSON.parse(line) as { object: { metadata: { name: string } } })
                    .object.metadata.name;
                  const t0 = sentAt.get(name);
                  if (t0 !== undefined) delays.push(performance.now() - t0);
                }
              });
              resolve({ close: () => req.destroy() });
            },
          );
          req.on("error", reject);
          req.end();
        }),
    ),
  );
  for (let i = 0; i < WATCH_EVENTS; i++) {
    const name = `event-${i}`;
    sentAt.set(name, performance.now());
    await client.send(
      "POST",
      "/api/v1/namespaces/bench-w/configmaps",
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } }),
    );
    await new Promise((r) => setTimeout(r, 20));
  }
  const deadline = Date.now() + 10_000;
  while (delays.length < WATCHERS * WATCH_EVENTS && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  for (const s of streams) s.close();
  if (delays.length < WATCHERS * WATCH_EVENTS)
    throw new Error(`Only ${delays.length} of ${WATCHERS * WATCH_EVENTS} watch events arrived`);
  return delays;
}

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kates-bench-"));
  const port = await freePort();
  const server = await startServer(dir, port);
  const client = new BenchClient(`http://127.0.0.1:${port}`, CLIENTS);
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const idle = rssMiB(server.pid!);
    await createNamespaces(client, ["bench-a", "bench-b", "bench-c", "bench-w"]);

    const creates = await benchCreates(client);
    const small = await benchConfigMapCreates(client);
    const rawSeconds = await benchRawCreates();
    const baselineSeconds = await benchBaseline();
    const apiRate = CREATES / creates.seconds;
    const rawRate = CREATES / rawSeconds;
    const baselineRate = CREATES / baselineSeconds;
    const gets = await benchGets(client);
    const lists = await benchList(client);
    const listRss = rssMiB(server.pid!);
    const watch = await benchWatch(port, client);

    const rows: [string, string, string][] = [
      ["pod creates/s through the API (16 clients)", fmt(apiRate), "target >= 3000"],
      [
        "configmap creates/s through the API (16 clients)",
        fmt(CREATES / small.seconds),
        "target >= 3000",
      ],
      [
        "configmap create latency p50 / p99 (ms)",
        `${fmt(quantile(small.latencies, 0.5))} / ${fmt(quantile(small.latencies, 0.99))}`,
        "target p99 < 20",
      ],
      ["creates/s straight into SQLite (16 writers)", fmt(rawRate), ""],
      ["ratio API (pods) / raw", (apiRate / rawRate).toFixed(2), ""],
      ["requests/s of a bare Node HTTP echo server (baseline)", fmt(baselineRate), ""],
      ["ratio API (pods) / bare HTTP", (apiRate / baselineRate).toFixed(2), ""],
      [
        "pod create latency p50 / p99 (ms)",
        `${fmt(quantile(creates.latencies, 0.5))} / ${fmt(quantile(creates.latencies, 0.99))}`,
        "target p99 < 20",
      ],
      [
        "get latency p50 / p99 (ms)",
        `${fmt(quantile(gets, 0.5))} / ${fmt(quantile(gets, 0.99))}`,
        "",
      ],
      [`list of ${LIST_PODS} pods, median of 5 (ms)`, fmt(quantile(lists, 0.5)), "target < 300"],
      [`server RSS after the lists (MiB, ${CREATES} pods stored)`, String(listRss), ""],
      [
        `watch delivery to ${WATCHERS} watchers p50 / p99 (ms)`,
        `${fmt(quantile(watch, 0.5))} / ${fmt(quantile(watch, 0.99))}`,
        "target p99 < 50",
      ],
      ["idle server RSS (MiB)", String(idle), "target < 100"],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    process.stdout.write(`Kates API benchmark (node ${process.version}, ${CREATES} creates)\n`);
    for (const [name, value, target] of rows)
      process.stdout.write(`${name.padEnd(width)}  ${value.padStart(12)}  ${target}\n`);
  } finally {
    client.close();
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
