/**
 * Imports OCI image archives into a containerd's CRI namespace (`k8s.io`) with `ctr`, skipping archives
 * whose every name is already there.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

import type { LocalImageArchive } from "../../images/local-images.js";

const execFileAsync = promisify(execFile);

/** The containerd namespace the CRI plugin keeps its images and containers in. */
export const CRI_NAMESPACE = "k8s.io";

/** The image names in the CRI namespace of the containerd at `socket`. */
export async function listImageNames(socket: string, ctrPath = "ctr"): Promise<Set<string>> {
  const { stdout } = await ctr(ctrPath, socket, ["images", "ls", "-q"]);
  return new Set(stdout.split("\n").filter((l) => l.length > 0));
}

/** Imports each archive whose names are not all present; returns the files imported. */
export async function importImages(
  socket: string,
  archives: readonly LocalImageArchive[],
  ctrPath = "ctr",
): Promise<string[]> {
  const present = await listImageNames(socket, ctrPath);
  const imported: string[] = [];
  for (const a of archives) {
    if (a.names.every((n) => present.has(n))) continue;
    await ctr(ctrPath, socket, ["images", "import", a.file]);
    imported.push(a.file);
  }
  return imported;
}

async function ctr(ctrPath: string, socket: string, args: string[]) {
  try {
    return await execFileAsync(
      ctrPath,
      ["--address", socket, "--namespace", CRI_NAMESPACE, ...args],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? "";
    throw new Error(`Cannot run ctr ${args.join(" ")}: ${stderr || String(err)}`, { cause: err });
  }
}
