/** `kates up` and `kates down`: a local cluster in the background, and stopping it. */
import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { fileURLToPath } from "node:url";
import { flagHelp, parseFlags, parseListen, UsageError, type FlagSpec } from "./flags.js";
import { defaultKubeconfigPath, kubeconfigFor, mergeKubeconfig } from "./kubeconfig.js";
import { clusterFiles, defaultDataDir } from "./paths.js";

/** Simulated nodes of `kates up` are named `sim-0` … `sim-(N-1)`. */
const SIMULATED_PREFIX = "sim-";

export const upFlags: Record<string, FlagSpec> = {
  "data-dir": {
    description: "Folder of the cluster's state, logs and kubeconfig",
    default: defaultDataDir(),
    env: "KATES_DATA_DIR",
  },
  listen: {
    description: "Address and port of the API",
    default: "127.0.0.1:6443",
    env: "KATES_LISTEN",
  },
  storage: {
    description: "Storage backend: sqlite or memory",
    default: "sqlite",
    env: "KATES_STORAGE",
  },
  "simulated-nodes": {
    description: "Simulated nodes to add (sim-0 …): they take pods and run nothing",
    default: "0",
    env: "KATES_SIMULATED_NODES",
  },
  timeout: { description: "Seconds to wait for the cluster to be ready", default: "60" },
};

export const downFlags: Record<string, FlagSpec> = {
  "data-dir": {
    description: "Folder of the cluster to stop",
    default: defaultDataDir(),
    env: "KATES_DATA_DIR",
  },
  timeout: { description: "Seconds to wait for a graceful stop before killing", default: "30" },
};

export const upHelp = `Usage: kates up [flags]\n\nStarts a local cluster in the background and returns when it is ready.\n\n${flagHelp(upFlags)}`;
export const downHelp = `Usage: kates down [flags]\n\nStops the local cluster; its state stays in the data folder.\n\n${flagHelp(downFlags)}`;

function runningPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    // No such process: the cluster stopped without `kates down` (a crash or a reboot).
    return undefined;
  }
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    // Not listening yet.
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runUp(args: string[]): Promise<void> {
  const flags = parseFlags(args, upFlags);
  const dataDir = flags["data-dir"]!;
  const files = clusterFiles(dataDir);
  const { host, port } = parseListen(flags["listen"]!);
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  mkdirSync(dataDir, { recursive: true });

  const simulated = Number(flags["simulated-nodes"]);
  if (!Number.isInteger(simulated) || simulated < 0 || simulated > 32768) {
    throw new UsageError(
      `Cannot use --simulated-nodes ${JSON.stringify(flags["simulated-nodes"])}: use 0 to 32768`,
    );
  }
  const deadline = Date.now() + Number(flags["timeout"]) * 1000;
  const alreadyRunning = runningPid(files.pid) !== undefined && (await isReady(url));
  if (!alreadyRunning) {
    const server = startDetached(
      [
        "server",
        "--data-dir",
        dataDir,
        "--listen",
        flags["listen"]!,
        "--storage",
        flags["storage"]!,
      ],
      files.pid,
      files.log,
    );
    await waitUntil(() => isReady(url), {
      process: server,
      what: "the server",
      deadline,
      pid: files.pid,
      log: files.log,
    });
  }
  if (simulated > 0 && runningPid(files.simulatePid) === undefined) {
    const sim = startDetached(
      [
        "simulate",
        "--kubeconfig",
        files.kubeconfig,
        "--nodes",
        String(simulated),
        "--name-prefix",
        SIMULATED_PREFIX,
      ],
      files.simulatePid,
      files.simulateLog,
    );
    await waitUntil(() => simulatedNodesReady(url, simulated), {
      process: sim,
      what: "the simulated nodes",
      deadline,
      pid: files.simulatePid,
      log: files.simulateLog,
    });
  }
  const nodes = simulated > 0 ? ` with ${simulated} simulated node${simulated > 1 ? "s" : ""}` : "";
  finish(url, files.kubeconfig, `Kates is ${alreadyRunning ? "already " : ""}running${nodes}`);
}

/** A detached child: its pid is in `pidFile`, its output in `logFile`; `exited` once it has ended. */
interface Detached {
  exited: number | null | undefined;
}

/** Starts `kates ARGS` in the background, outliving this process. */
function startDetached(args: string[], pidFile: string, logFile: string): Detached {
  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  const log = openSync(logFile, "a");
  const child = spawn(process.execPath, ["--enable-source-maps", main, ...args], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const state: Detached = { exited: undefined };
  child.on("exit", (code) => (state.exited = code));
  child.unref();
  writeFileSync(pidFile, `${child.pid}\n`);
  return state;
}

/** Polls `check` until it holds; throws, naming the log, if the process ends or time runs out. */
async function waitUntil(
  check: () => Promise<boolean>,
  opts: { process: Detached; what: string; deadline: number; pid: string; log: string },
): Promise<void> {
  while (!(await check())) {
    if (opts.process.exited !== undefined) {
      rmSync(opts.pid, { force: true });
      throw new Error(
        `Cannot start Kates: ${opts.what} exited with code ${opts.process.exited}; see ${opts.log}\n${tail(opts.log)}`,
      );
    }
    if (Date.now() > opts.deadline) {
      throw new Error(`Cannot start Kates: ${opts.what} not ready in time; see ${opts.log}`);
    }
    await sleep(100);
  }
}

/** Whether `sim-0` … `sim-(count-1)` are all registered and Ready. */
async function simulatedNodesReady(url: string, count: number): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v1/nodes?labelSelector=kates.dev%2Fsimulated%3Dtrue`, {
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) return false;
    const list = (await res.json()) as {
      items: {
        metadata: { name: string };
        status?: { conditions?: { type: string; status: string }[] };
      }[];
    };
    const ready = new Set(
      list.items
        .filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
        .map((n) => n.metadata.name),
    );
    return Array.from({ length: count }, (_, i) => `${SIMULATED_PREFIX}${i}`).every((name) =>
      ready.has(name),
    );
  } catch {
    // The server is busy or restarting: look again.
    return false;
  }
}

function finish(url: string, kubeconfig: string, headline: string): void {
  const userConfig = defaultKubeconfigPath();
  mergeKubeconfig(userConfig, kubeconfigFor("kates", url));
  process.stdout.write(
    `${headline} at ${url}\nkubeconfig: ${kubeconfig}\nkubectl context "kates" set as current in ${userConfig}\n`,
  );
}

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    // No log to show; the error message already names the file.
    return "";
  }
}

export async function runDown(args: string[]): Promise<void> {
  const flags = parseFlags(args, downFlags);
  const files = clusterFiles(flags["data-dir"]!);
  const timeoutMs = Number(flags["timeout"]) * 1000;
  // The nodes go first, so that the server does not see them stop posting status.
  await stopProcess(files.simulatePid, timeoutMs);
  if (!(await stopProcess(files.pid, timeoutMs))) {
    process.stdout.write("Kates is not running\n");
    return;
  }
  process.stdout.write("Kates stopped; its state stays in " + flags["data-dir"] + "\n");
}

/** Stops the process `pidFile` names: SIGTERM, then SIGKILL after `timeoutMs`. False if none ran. */
async function stopProcess(pidFile: string, timeoutMs: number): Promise<boolean> {
  const pid = runningPid(pidFile);
  if (pid === undefined) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (runningPid(pidFile) !== undefined) {
    if (Date.now() > deadline) {
      process.kill(pid, "SIGKILL");
      break;
    }
    await sleep(100);
  }
  rmSync(pidFile, { force: true });
  return true;
}
