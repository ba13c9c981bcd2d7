/**
 * For tests that need root and installed system parts (network namespaces, containerd, CNI plugins):
 * when they may skip, and the clean-up they share.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Why a test that needs root and `files` cannot run here, or false when it can. `npm test`
 * (scripts/test.sh) installs those parts and sets KATES_SYSTEM_TESTS=required: there the answer is
 * always false, so a missing piece fails the test instead of skipping it.
 */
export function systemTestSkip(needs: { why: string; files?: readonly string[] }): string | false {
  if (process.env["KATES_SYSTEM_TESTS"] === "required") return false;
  if (process.getuid?.() !== 0) return `needs root (${needs.why})`;
  const missing = (needs.files ?? []).filter((f) => !existsSync(f));
  if (missing.length > 0) {
    return `missing ${missing.join(", ")} (scripts/install-system-packages.sh installs them)`;
  }
  return false;
}

/** The files a node's containerd needs: the engine, `ctr`, the CNI bridge plugin, static busybox. */
export const CONTAINERD_FILES = [
  "/usr/bin/containerd",
  "/usr/bin/ctr",
  "/usr/lib/cni/bridge",
  "/bin/busybox",
];

/** Unmounts everything mounted at or under `dir`, deepest first (what containerd leaves behind). */
export async function unmountUnder(dir: string): Promise<void> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  const points = info
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((p) => p === dir || p.startsWith(dir + "/"))
    .sort((a, b) => b.length - a.length);
  // A mount that is already gone is what we want.
  for (const p of points) await run("umount", ["-l", p]).catch(() => undefined);
}
