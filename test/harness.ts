/**
 * Test harness: a Kates API server in the test process (memory or SQLite storage), and the real kubectl
 * pointed at it with its own kubeconfig and discovery cache.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer as createNetServer } from "node:net";
import { dirname, join } from "node:path";
import { ApiServer } from "../src/apiserver/server.js";
import {
  ControllerManager,
  controllerManagerClient,
  controllerFactories,
  type ControllerFactory,
} from "../src/controllers/manager.js";
import { kubeconfigFor, writeKubeconfig } from "../src/cli/kubeconfig.js";
import { KubeClient } from "../src/client/client.js";
import { KubeScheduler, schedulerClient } from "../src/scheduler/loop.js";
import { NodeSimulator } from "../src/simulate/simulator.js";
import type { Backend } from "../src/storage/backend.js";
import { openBackend } from "../src/storage/open.js";
import { Logger } from "../src/util/log.js";

export interface TestCluster {
  server: ApiServer;
  /** The controller manager, when started with `controllers`. */
  controllers?: ControllerManager;
  /** The scheduler, when started with `scheduler: true`. */
  scheduler?: KubeScheduler;
  /** The simulated nodes (`sim-0` …), when started with `simulatedNodes`. */
  simulator?: NodeSimulator;
  backend: Backend;
  url: string;
  dir: string;
  kubeconfig: string;
  /** Runs kubectl (the dispatcher on the PATH unless `binary` says otherwise) against this server. */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  close(): Promise<void>;
}

export interface KubectlOptions {
  input?: string;
  binary?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The folder of the versioned kubectl binaries the dispatcher on the PATH runs. */
export function kubectlDir(): string {
  const onPath = execFileSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).trim();
  return dirname(realpathSync(onPath));
}

/** The path of `kubectl.1.<minor>` beside the dispatcher. */
export function versionedKubectl(minor: number): string {
  return join(kubectlDir(), `kubectl.1.${minor}`);
}

/** Starts a server on a free loopback port with a fresh store. */
export async function startCluster(
  opts: {
    storage?: "memory" | "sqlite";
    watchCacheWindow?: number;
    /** Controllers to run in a controller manager beside the server: names, or `true` for all. */
    controllers?: boolean | string[];
    /**
     * Factories that replace the named controllers, for settings tests change (a short node
     * monitor grace period, say): `{ nodelifecycle: nodeLifecycleControllerFactory({...}) }`.
     */
    controllerFactories?: Record<string, ControllerFactory>;
    /** Run the scheduler beside the server. */
    scheduler?: boolean;
    /** Simulated nodes `sim-0` … `sim-(N-1)` (4 CPU, 16Gi, 110 pods), leases renewed every 500 ms. */
    simulatedNodes?: number;
  } = {},
): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "kates-test-"));
  const backend = await openBackend({ type: opts.storage ?? "memory", dataDir: dir });
  const logger = new Logger({ level: process.env["KATES_TEST_LOG"] ? "debug" : "error" });
  const server = await ApiServer.start({
    backend,
    host: "127.0.0.1",
    port: 0,
    logger,
    ...(opts.watchCacheWindow ? { watchCacheWindow: opts.watchCacheWindow } : {}),
  });
  const kubeconfig = join(dir, "kubeconfig");
  writeKubeconfig(kubeconfig, kubeconfigFor("kates", server.url));
  const cacheDir = join(dir, "kube-cache");
  let controllers: ControllerManager | undefined;
  const client = opts.controllers ? controllerManagerClient(server.url) : undefined;
  if (client && opts.controllers) {
    controllers = new ControllerManager({
      client,
      controllers: (opts.controllers === true
        ? Object.keys(controllerFactories)
        : opts.controllers
      ).map((name) => opts.controllerFactories?.[name] ?? name),
      logger,
      retryPeriodMs: 200,
    });
    controllers.start();
  }
  const schedClient = opts.scheduler ? schedulerClient(server.url) : undefined;
  const scheduler =
    schedClient && new KubeScheduler({ client: schedClient, logger, retryPeriodMs: 200 });
  scheduler?.start();
  const simClient = opts.simulatedNodes ? new KubeClient(server.url) : undefined;
  const simulator =
    simClient &&
    new NodeSimulator({
      client: simClient,
      nodes: opts.simulatedNodes ?? 0,
      namePrefix: "sim-",
      capacity: { cpu: "4", memory: "16Gi", pods: "110" },
      leaseRenewMs: 500,
      logger,
    });
  await simulator?.start();
  return {
    server,
    ...(controllers ? { controllers } : {}),
    ...(scheduler ? { scheduler } : {}),
    ...(simulator ? { simulator } : {}),
    backend,
    url: server.url,
    dir,
    kubeconfig,
    kubectl: (args, kopts = {}) =>
      runKubectl(
        kopts.binary ?? "kubectl",
        ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir, ...args],
        kopts,
      ),
    close: async () => {
      await Promise.all([controllers?.stop(), scheduler?.stop(), simulator?.stop()]);
      client?.close();
      schedClient?.close();
      simClient?.close();
      await server.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a kubectl binary; resolves with its exit code and output, never rejects on a non-zero exit. */
export function runKubectl(
  binary: string,
  args: string[],
  opts: KubectlOptions = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      binary,
      args,
      {
        env: { ...process.env, KUBECONFIG: "", ...opts.env },
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") {
          reject(new Error(`kubectl ${args.join(" ")} failed to run: ${err.message}\n${stderr}`));
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Starts a long-running kubectl (such as `get -w`) and returns its process, output so far, and a stopper. */
export function startKubectl(
  cluster: TestCluster,
  args: string[],
): { output: () => string; stop: () => Promise<void> } {
  const cacheDir = join(cluster.dir, "kube-cache");
  const child = spawn(
    "kubectl",
    ["--kubeconfig", cluster.kubeconfig, "--cache-dir", cacheDir, ...args],
    {
      env: { ...process.env, KUBECONFIG: "" },
    },
  );
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return {
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** JSON requests to the server, for checks kubectl cannot express. */
export async function api(
  url: string,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url + path, {
    ...init,
    headers: {
      "Content-Type": "application/json",
      ...(init.headers as Record<string, string> | undefined),
    },
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (health checks answer plain text): keep the text.
  }
  return { status: res.status, body, headers: res.headers };
}
