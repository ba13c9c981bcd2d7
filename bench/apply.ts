/**
 * The apply benchmark: the real kubectl against a `kates server` child process (SQLite storage).
 * Prints the time to `kubectl apply -f` a 1,000-object manifest (first apply, then a no-op re-apply)
 * next to `kubectl create -f` of the same objects (the baseline: one POST each, no GET, no patch),
 * and the cost of a strategic merge patch on a large Deployment next to a plain update (PUT) of the
 * same object. Figures only; nothing here asserts a time. Run with `npm run bench:apply`.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BenchClient, quantile } from "./http-client.js";
import { freePort, startServer } from "./server.js";

const OBJECTS = Number(process.env["BENCH_OBJECTS"] ?? 1000);
const PATCHES = Number(process.env["BENCH_PATCHES"] ?? 300);
const CONTAINERS = 30;
const ENV_PER_CONTAINER = 20;

/** A manifest of `count` objects in `namespace`: ConfigMaps, Services and Deployments in turn. */
function manifest(namespace: string, count: number): string {
  const docs = [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`];
  for (let i = 1; i < count; i++) {
    const meta = `metadata:\n  name: obj-${i}\n  namespace: ${namespace}\n  labels: {app: a${i % 10}}\n`;
    if (i % 3 === 0) {
      docs.push(
        `apiVersion: v1\nkind: ConfigMap\n${meta}data:\n  key: value-${i}\n  other: "${i}"\n`,
      );
    } else if (i % 3 === 1) {
      docs.push(
        `apiVersion: v1\nkind: Service\n${meta}spec:\n  selector: {app: a${i % 10}}\n  ports:\n  - port: 80\n    targetPort: 8080\n`,
      );
    } else {
      docs.push(
        `apiVersion: apps/v1\nkind: Deployment\n${meta}spec:\n  replicas: 2\n  selector:\n    matchLabels: {app: a${i % 10}}\n  template:\n    metadata:\n      labels: {app: a${i % 10}}\n    spec:\n      containers:\n      - name: main\n        image: registry.example/app:${i}\n        ports:\n        - containerPort: 8080\n        env:\n        - {name: MODE, value: bench}\n`,
      );
    }
  }
  return docs.join("---\n");
}

/** The wall time of a kubectl run, and the part of it spent waiting for the server's answers. */
interface KubectlTime {
  seconds: number;
  serverSeconds: number;
}

/** Runs kubectl with -v=6, whose log gives every request's round trip, and times it. */
function kubectl(kubeconfig: string, cacheDir: string, args: string[]): Promise<KubectlTime> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      "kubectl",
      ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir, "-v=6", ...args],
      { env: { ...process.env, KUBECONFIG: "" }, maxBuffer: 256 * 1024 * 1024, timeout: 900_000 },
      (err, _stdout, stderr) => {
        if (err) {
          reject(new Error(`kubectl ${args.join(" ")} failed: ${stderr.slice(-2000)}`));
          return;
        }
        let ms = 0;
        for (const m of stderr.matchAll(/milliseconds=(\d+)/g)) ms += Number(m[1]);
        resolve({ seconds: (performance.now() - started) / 1000, serverSeconds: ms / 1000 });
      },
    );
  });
}

const timeRow = (t: KubectlTime): string => `${fmt(t.seconds)} (${fmt(t.serverSeconds)})`;

/** A Deployment with many containers, each with many env vars: a large object to patch. */
function largeDeployment(image: string): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "large", namespace: "bench-patch" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "large" } },
      template: {
        metadata: { labels: { app: "large" } },
        spec: {
          containers: Array.from({ length: CONTAINERS }, (_, c) => ({
            name: `c${c}`,
            image: c === 0 ? image : `registry.example/side-${c}:1.0`,
            ports: [{ containerPort: 8000 + c }],
            env: Array.from({ length: ENV_PER_CONTAINER }, (_, e) => ({
              name: `VAR_${e}`,
              value: `value-${c}-${e}`,
            })),
          })),
        },
      },
    },
  };
}

/** Per-request latencies (ms) of PATCHes changing the first container's image, one at a time. */
async function benchPatches(client: BenchClient): Promise<number[]> {
  const path = "/apis/apps/v1/namespaces/bench-patch/deployments/large";
  const latencies: number[] = [];
  for (let i = 0; i < PATCHES; i++) {
    // kubectl apply's shape of patch: the order of the containers plus the one that changed.
    const patch = JSON.stringify({
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": Array.from({ length: CONTAINERS }, (_, c) => ({
              name: `c${c}`,
            })),
            containers: [{ name: "c0", image: `registry.example/main:${i}` }],
          },
        },
      },
    });
    const t0 = performance.now();
    const r = await client.send("PATCH", path, patch, "application/strategic-merge-patch+json");
    latencies.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`Patch failed: ${r.status} ${r.body}`);
  }
  return latencies;
}

/** Per-request latencies (ms) of PUTs of the whole object with the first container's image changed. */
async function benchUpdates(client: BenchClient): Promise<number[]> {
  const path = "/apis/apps/v1/namespaces/bench-patch/deployments/large";
  const latencies: number[] = [];
  for (let i = 0; i < PATCHES; i++) {
    const body = JSON.stringify(largeDeployment(`registry.example/main:put-${i}`));
    const t0 = performance.now();
    const r = await client.send("PUT", path, body);
    latencies.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`Update failed: ${r.status} ${r.body}`);
  }
  return latencies;
}

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kates-bench-apply-"));
  const port = await freePort();
  const server = await startServer(dir, port);
  const client = new BenchClient(`http://127.0.0.1:${port}`, 1);
  const kubeconfig = join(dir, "kubeconfig");
  const cacheDir = join(dir, "kube-cache");
  try {
    const applyFile = join(dir, "apply.yaml");
    const createFile = join(dir, "create.yaml");
    writeFileSync(applyFile, manifest("bench-apply", OBJECTS));
    writeFileSync(createFile, manifest("bench-create", OBJECTS));
    // Warm kubectl's discovery and OpenAPI caches, so each figure is the objects' cost only.
    await kubectl(kubeconfig, cacheDir, ["apply", "--dry-run=client", "-f", applyFile]);

    const created = await kubectl(kubeconfig, cacheDir, ["create", "-f", createFile]);
    const firstApply = await kubectl(kubeconfig, cacheDir, ["apply", "-f", applyFile]);
    const reApply = await kubectl(kubeconfig, cacheDir, ["apply", "-f", applyFile]);
    const ssa = await kubectl(kubeconfig, cacheDir, ["apply", "--server-side", "-f", createFile]);

    await client.send(
      "POST",
      "/api/v1/namespaces",
      JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "bench-patch" } }),
    );
    const large = JSON.stringify(largeDeployment("registry.example/main:0"));
    const r = await client.send("POST", "/apis/apps/v1/namespaces/bench-patch/deployments", large);
    if (r.status !== 201) throw new Error(`Cannot create the large Deployment: ${r.body}`);
    const updates = await benchUpdates(client);
    const patches = await benchPatches(client);

    const rows: [string, string][] = [
      [
        `kubectl create -f, ${OBJECTS} objects (baseline), s (server round trips)`,
        timeRow(created),
      ],
      [`kubectl apply -f, ${OBJECTS} objects, first apply, s (server)`, timeRow(firstApply)],
      ["ratio first apply / create", (firstApply.seconds / created.seconds).toFixed(2)],
      [`kubectl apply -f, ${OBJECTS} objects, no-op re-apply, s (server)`, timeRow(reApply)],
      ["ratio no-op re-apply / create", (reApply.seconds / created.seconds).toFixed(2)],
      ["kubectl apply --server-side of the created objects, s (server)", timeRow(ssa)],
      [
        `PUT of a ${Math.round(large.length / 1024)} KiB Deployment, mean / p99 (ms)`,
        `${fmt(mean(updates))} / ${fmt(quantile(updates, 0.99))}`,
      ],
      [
        "strategic merge patch of the same, mean / p99 (ms)",
        `${fmt(mean(patches))} / ${fmt(quantile(patches, 0.99))}`,
      ],
      ["ratio patch / PUT (means)", (mean(patches) / mean(updates)).toFixed(2)],
    ];
    const width = Math.max(...rows.map((row) => row[0].length));
    process.stdout.write(`Kates apply benchmark (node ${process.version})\n`);
    for (const [name, value] of rows)
      process.stdout.write(`${name.padEnd(width)}  ${value.padStart(14)}\n`);
  } finally {
    client.close();
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
