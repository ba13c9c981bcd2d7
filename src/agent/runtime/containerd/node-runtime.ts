/**
 * `startContainerdRuntime()`: everything a node needs before its first pod, in order: its own containerd
 * (supervised), the local busybox and pause images imported, and a CRI client to it.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { ensureLocalImages, PAUSE_IMAGE_NAME } from "../../images/local-images.js";
import { CriRuntime } from "../cri/client.js";
import { importImages } from "./import.js";
import { ContainerdSupervisor, type ContainerdSupervisorOptions } from "./supervisor.js";

const run = promisify(execFile);

export interface ContainerdRuntime {
  supervisor: ContainerdSupervisor;
  runtime: CriRuntime;
  /** The image archives imported by this start (empty when all were present already). */
  imported: string[];
}

/**
 * Starts containerd under `opts.dataDir` and imports the local images. With a network namespace, its
 * loopback is brought up first: containerd's streaming server listens on 127.0.0.1 there.
 */
export async function startContainerdRuntime(
  opts: ContainerdSupervisorOptions & { imageCacheDir?: string },
): Promise<ContainerdRuntime> {
  if (opts.netns) {
    await run("ip", ["-n", opts.netns, "link", "set", "lo", "up"]).catch((err: unknown) => {
      throw new Error(
        `Cannot start containerd in network namespace ${opts.netns}: ${String(err)}`,
        {
          cause: err,
        },
      );
    });
  }
  const pauseImage = opts.sandboxImage ?? PAUSE_IMAGE_NAME;
  const supervisor = new ContainerdSupervisor({ ...opts, sandboxImage: pauseImage });
  await supervisor.start();

  try {
    const archives = await ensureLocalImages({
      cacheDir: opts.imageCacheDir ?? path.join(opts.dataDir, "images"),
      pauseImage,
    });
    const imported = await importImages(supervisor.socketPath, archives);
    return { supervisor, runtime: new CriRuntime({ socketPath: supervisor.socketPath }), imported };
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
}
