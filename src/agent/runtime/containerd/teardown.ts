/**
 * Full removal of everything a node's containerd runs: every container and sandbox through the CRI, then
 * a wait for the shims of that containerd to exit (killing any that linger). For tests and `kates down`;
 * an ordinary agent restart keeps containers running.
 */
import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

import type { ContainerRuntime } from "../runtime.js";

/** Removes all containers and sandboxes; resolves once no shim of `socket` runs. */
export async function teardown(runtime: ContainerRuntime, socket: string, shimWaitMs = 10_000) {
  for (const c of await runtime.listContainers()) {
    await runtime.stopContainer(c.id, 0);
    await runtime.removeContainer(c.id);
  }
  for (const s of await runtime.listPodSandbox()) {
    await runtime.stopPodSandbox(s.id);
    await runtime.removePodSandbox(s.id);
  }

  const deadline = Date.now() + shimWaitMs;
  while ((await findShims(socket)).length > 0 && Date.now() < deadline) await sleep(100);
  const lingering = await findShims(socket);
  for (const pid of lingering) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // It exited between the scan and the kill.
    }
  }
}

/** PIDs of the containerd shims serving the containerd at `socket` (their `-address` argument). */
export async function findShims(socket: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = (await readFile(`/proc/${name}/cmdline`, "utf8")).split("\0");
    } catch {
      // The process exited while we looked.
      continue;
    }
    if (!argv[0]?.includes("containerd-shim")) continue;
    const i = argv.indexOf("-address");
    if (i >= 0 && argv[i + 1] === socket) pids.push(Number(name));
  }
  return pids;
}
