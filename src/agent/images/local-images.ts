/**
 * The images every Kates node has without a registry, built from the machine's static busybox:
 * `busybox` (the whole userland: the binary and a link per applet) and the pause image the CRI uses for
 * sandboxes (the same layer, running `sleep` forever). Archives are cached under a data folder, keyed by
 * the busybox binary, so a node builds them once.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

import { buildLayer, buildOciArchive, type ImageDefinition, type Layer } from "./oci-image.js";
import type { TarEntry } from "./tar.js";

const execFileAsync = promisify(execFile);

export const BUSYBOX_IMAGE_NAMES = [
  "docker.io/library/busybox:1.35",
  "docker.io/library/busybox:latest",
];
export const PAUSE_IMAGE_NAME = "kates.local/pause:1";

/** Bump when the image contents change, so cached archives are rebuilt. */
const BUILD_FORMAT = "1";

const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** One archive ready for import: the file and the names in it. */
export interface LocalImageArchive {
  file: string;
  names: string[];
}

export interface LocalImagesOptions {
  /** Folder for the cached archives. */
  cacheDir: string;
  /** The static busybox binary. Default `/bin/busybox` (package busybox-static). */
  busyboxPath?: string;
  pauseImage?: string;
}

/** Builds (or finds in the cache) the busybox and pause image archives. */
export async function ensureLocalImages(opts: LocalImagesOptions): Promise<LocalImageArchive[]> {
  const busyboxPath = opts.busyboxPath ?? "/bin/busybox";
  const binary = await readFile(busyboxPath).catch((err: unknown) => {
    throw new Error(
      `Cannot build the local images: cannot read ${busyboxPath} (install busybox-static)`,
      {
        cause: err,
      },
    );
  });
  const pauseName = opts.pauseImage ?? PAUSE_IMAGE_NAME;
  const key = createHash("sha256")
    .update(`${BUILD_FORMAT}\0${pauseName}\0`)
    .update(binary)
    .digest("hex")
    .slice(0, 16);
  const dir = path.join(opts.cacheDir, key);
  const archives: LocalImageArchive[] = [
    { file: path.join(dir, "busybox.oci.tar"), names: BUSYBOX_IMAGE_NAMES },
    { file: path.join(dir, "pause.oci.tar"), names: [pauseName] },
  ];
  if (await allExist(archives.map((a) => a.file))) return archives;

  const layer = buildLayer(busyboxRootfs(binary, await listApplets(busyboxPath)));
  const [busybox, pause] = localImageDefinitions(layer, pauseName);
  await mkdir(dir, { recursive: true });
  await writeAtomically(archives[0]!.file, buildOciArchive([busybox]));
  await writeAtomically(archives[1]!.file, buildOciArchive([pause]));
  return archives;
}

/** The two image definitions over one busybox layer. */
export function localImageDefinitions(
  layer: Layer,
  pauseName: string,
): [ImageDefinition, ImageDefinition] {
  return [
    { names: BUSYBOX_IMAGE_NAMES, layers: [layer], config: { Env: [PATH_ENV], Cmd: ["sh"] } },
    {
      names: [pauseName],
      layers: [layer],
      // The longest sleep busybox takes: the sandbox only holds namespaces until it is killed.
      config: { Env: [PATH_ENV], Entrypoint: ["/bin/sleep", "2147483647"] },
    },
  ];
}

/** The applets of a busybox binary, from `busybox --list`. */
export async function listApplets(busyboxPath: string): Promise<string[]> {
  const { stdout } = await execFileAsync(busyboxPath, ["--list"]);
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^[\w.[-]+$/.test(l) && l !== "busybox");
}

/** The root filesystem entries: the usual top folders, passwd and group, busybox and its links. */
export function busyboxRootfs(binary: Uint8Array, applets: readonly string[]): TarEntry[] {
  const entries: TarEntry[] = [];
  for (const d of ["bin", "dev", "etc", "home", "proc", "sys", "usr", "usr/bin", "usr/sbin", "var"])
    entries.push({ type: "dir", path: d });
  entries.push({ type: "dir", path: "root", mode: 0o700 });
  entries.push({ type: "dir", path: "tmp", mode: 0o1777 });
  entries.push({
    type: "file",
    path: "etc/passwd",
    data: Buffer.from(
      "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n",
    ),
  });
  entries.push({
    type: "file",
    path: "etc/group",
    data: Buffer.from("root:x:0:\nnogroup:x:65534:\n"),
  });
  entries.push({ type: "file", path: "bin/busybox", data: binary, mode: 0o755 });
  for (const applet of [...new Set(applets)].sort())
    entries.push({ type: "symlink", path: `bin/${applet}`, target: "busybox" });
  return entries;
}

async function allExist(files: string[]): Promise<boolean> {
  for (const f of files) {
    const ok = await stat(f).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!ok) return false;
  }
  return true;
}

async function writeAtomically(file: string, data: Buffer): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}
