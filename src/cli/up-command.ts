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
import { flagHelp, parseFlags, parseListen, type FlagSpec } from "./flags.js";
import { defaultKubeconfigPath, kubeconfigFor, mergeKubeconfig } from "./kubeconfig.js";
import { clusterFiles, defaultDataDir } from "./paths.js";

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

  if (runningPid(files.pid) !== undefined && (await isReady(url))) {
    finish(url, files.kubeconfig, "Kates is already running");
    return;
  }
  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  const log = openSync(files.log, "a");
  const child = spawn(
    process.execPath,
    [
      "--enable-source-maps",
      main,
      "server",
      "--data-dir",
      dataDir,
      "--listen",
      flags["listen"]!,
      "--storage",
      flags["storage"]!,
    ],
    { detached: true, stdio: ["ignore", log, log] },
  );
  closeSync(log);
  let exited: number | null | undefined;
  child.on("exit", (code) => (exited = code));
  child.unref();
  writeFileSync(files.pid, `${child.pid}\n`);

  const deadline = Date.now() + Number(flags["timeout"]) * 1000;
  while (!(await isReady(url))) {
    if (exited !== undefined) {
      rmSync(files.pid, { force: true });
      throw new Error(
        `Cannot start Kates: the server exited with code ${exited}; see ${files.log}\n${tail(files.log)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(`Cannot start Kates: not ready after ${flags["timeout"]}s; see ${files.log}`);
    }
    await sleep(100);
  }
  finish(url, files.kubeconfig, "Kates is running");
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
  const pid = runningPid(files.pid);
  if (pid === undefined) {
    rmSync(files.pid, { force: true });
    process.stdout.write("Kates is not running\n");
    return;
  }
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + Number(flags["timeout"]) * 1000;
  while (runningPid(files.pid) !== undefined) {
    if (Date.now() > deadline) {
      process.kill(pid, "SIGKILL");
      break;
    }
    await sleep(100);
  }
  rmSync(files.pid, { force: true });
  process.stdout.write("Kates stopped; its state stays in " + flags["data-dir"] + "\n");
}
