/** Shared by the benchmarks: a `kates server` child process and what they read about it. */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** A free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The resident memory of a process, in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/**
 * The API server alone: controllers and the scheduler run in the same process (and event loop) in
 * `kates server`, and would otherwise add their own writes (events, status) to what is measured, as
 * kube-controller-manager and kube-scheduler are separate processes upstream.
 */
const API_ONLY = process.env["BENCH_WITH_COMPONENTS"]
  ? []
  : ["--controllers", "none", "--scheduler=false"];

/**
 * Starts `kates server` (SQLite storage) on `port` with its data in `dir`, and waits until it is ready.
 * With `components`, its controllers and scheduler run too.
 */
export async function startServer(
  dir: string,
  port: number,
  opts: { components?: boolean } = {},
): Promise<ChildProcess> {
  const main = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
  // Node options for the server alone, such as `--cpu-prof --cpu-prof-dir=DIR` to profile it.
  const nodeArgs = (process.env["BENCH_SERVER_NODE_ARGS"] ?? "").split(" ").filter(Boolean);
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      main,
      "server",
      "--data-dir",
      dir,
      "--listen",
      `127.0.0.1:${port}`,
      "--log-level",
      "warn",
      ...(opts.components ? [] : API_ONLY),
    ],
    {
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return child;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("Cannot start the server for the benchmark");
}
