/**
 * `ContainerdSupervisor` runs the node's own containerd as a child process: it writes the generated
 * configuration, starts `containerd --config FILE` (inside the node's network namespace when one is given,
 * through `nsenter`), waits until the CRI answers, restarts it with back-off when it dies, and stops it.
 *
 * Stopping containerd leaves containers running: their shims outlive it, as upstream intends, and a new
 * containerd on the same root finds them again. `teardown()` (teardown.ts) is what removes them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

import { silentLogger, type Logger } from "../../../util/log.js";
import { GrpcClient } from "../cri/grpc.js";
import {
  containerdLayout,
  renderContainerdConfig,
  type ContainerdConfigOptions,
  type ContainerdLayout,
} from "./config.js";

export interface ContainerdSupervisorOptions {
  /** Folder for containerd's root, state, socket, configuration and log. */
  dataDir: string;
  /** A network namespace name under /var/run/netns to run containerd (and so its pods) in. */
  netns?: string;
  containerdPath?: string;
  cniBinDir?: string;
  sandboxImage?: string;
  registryConfigDir?: string;
  /** How long start() waits for the CRI to answer. Default 60 s. */
  readyTimeoutMs?: number;
  /** First restart delay; doubles per crash up to `maxBackoffMs`. Defaults 200 ms and 10 s. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 10 s. */
  stopGraceMs?: number;
  logger?: Logger;
}

/** A run of containerd that lasted this long resets the back-off. */
const STABLE_RUN_MS = 30_000;

/** Starts, watches, restarts and stops one containerd. Not reentrant: call start() and stop() once. */
export class ContainerdSupervisor {
  readonly layout: ContainerdLayout;
  readonly #opts: ContainerdSupervisorOptions;
  readonly #log: Logger;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stopping = false;
  #backoffMs: number;
  #restartTimer: NodeJS.Timeout | undefined;
  #restarts = 0;

  constructor(opts: ContainerdSupervisorOptions) {
    this.#opts = opts;
    this.layout = containerdLayout(opts.dataDir);
    this.#log = (opts.logger ?? silentLogger).child({ component: "containerd" });
    this.#backoffMs = opts.initialBackoffMs ?? 200;
  }

  /** The CRI socket. */
  get socketPath(): string {
    return this.layout.socket;
  }

  /** The process ID of the running containerd, if one runs. */
  get pid(): number | undefined {
    const child = this.#child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** How many times containerd was restarted after dying. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Writes the configuration, starts containerd and resolves once its CRI answers. */
  async start(): Promise<void> {
    const { layout } = this;
    await mkdir(layout.root, { recursive: true });
    await mkdir(layout.state, { recursive: true });
    await mkdir(layout.cniConfDir, { recursive: true });
    const configOpts: ContainerdConfigOptions = { layout };
    if (this.#opts.cniBinDir) configOpts.cniBinDir = this.#opts.cniBinDir;
    if (this.#opts.sandboxImage) configOpts.sandboxImage = this.#opts.sandboxImage;
    if (this.#opts.registryConfigDir) configOpts.registryConfigDir = this.#opts.registryConfigDir;
    await writeFile(layout.configFile, renderContainerdConfig(configOpts));

    await this.#stopLeftover();
    await this.#spawn();
    await this.waitReady(this.#opts.readyTimeoutMs ?? 60_000);
  }

  /** Resolves once the CRI answers a Version call; fails after `timeoutMs`. */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const grpc = new GrpcClient(this.layout.socket);
    let lastError: unknown;
    try {
      while (Date.now() < deadline) {
        if (this.#stopping) throw new Error("Cannot wait for containerd: it is being stopped");
        try {
          // An empty VersionRequest is zero bytes: no codec needed to ask.
          await grpc.unary("/runtime.v1.RuntimeService/Version", new Uint8Array(0), {
            timeoutMs: 2000,
          });
          return;
        } catch (err) {
          lastError = err;
        }
        await sleep(100);
      }
    } finally {
      grpc.close();
    }
    throw new Error(
      `Cannot start containerd: its CRI at ${this.layout.socket} did not answer in ${timeoutMs} ms ` +
        `(see ${this.layout.logFile})`,
      { cause: lastError },
    );
  }

  /** Stops containerd: SIGTERM, then SIGKILL after the grace period. No restart follows. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;

    child.kill("SIGTERM");
    const graceMs = this.#opts.stopGraceMs ?? 10_000;
    const grace = new AbortController();
    const killed = await Promise.race([
      this.#exited.then(() => false),
      sleep(graceMs, true, { signal: grace.signal }).catch(() => false),
    ]);
    grace.abort();
    if (killed) {
      this.#log.warn("Killing containerd after the grace period", { pid: child.pid, graceMs });
      child.kill("SIGKILL");
      await this.#exited;
    }
  }

  /**
   * A containerd left running by an earlier agent (one that died without stopping it) holds the root's
   * lock, so a second one would wait forever. It is stopped; its containers live on in their shims.
   */
  async #stopLeftover(): Promise<void> {
    const pid = Number((await readFile(this.layout.pidFile, "utf8").catch(() => "")).trim());
    if (!Number.isInteger(pid) || pid <= 0) return;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.split("\0").includes(this.layout.configFile)) {
      this.#log.warn("Stopping a containerd left by an earlier run", { pid });
      await killAndWait(pid, this.#opts.stopGraceMs ?? 10_000);
    }
    await rm(this.layout.pidFile, { force: true });
  }

  async #spawn(): Promise<void> {
    const containerd = this.#opts.containerdPath ?? "containerd";
    const args = ["--config", this.layout.configFile];
    const [cmd, argv] = this.#opts.netns
      ? ["nsenter", [`--net=/var/run/netns/${this.#opts.netns}`, "--", containerd, ...args]]
      : [containerd, args];

    const log = await open(this.layout.logFile, "a");
    let child: ChildProcess;
    try {
      // nsenter without --fork execs containerd, so the child's PID is containerd's.
      child = spawn(cmd, argv, { stdio: ["ignore", log.fd, log.fd] });
    } finally {
      await log.close();
    }

    const startedAt = Date.now();
    this.#child = child;
    this.#exited = new Promise<void>((resolve) => {
      child.once("exit", (code, signal) => {
        resolve();
        this.#onExit(child, code, signal, Date.now() - startedAt);
      });
      child.once("error", (err) => {
        this.#log.error("Cannot run containerd", { err, command: cmd });
        resolve();
      });
    });
    // Written after the exit handler is in place: a containerd that dies at once is still restarted.
    if (child.pid) await writeFile(this.layout.pidFile, `${child.pid}\n`);
    this.#log.info("Started containerd", { pid: child.pid, netns: this.#opts.netns ?? "" });
  }

  #onExit(child: ChildProcess, code: number | null, signal: string | null, ranMs: number): void {
    if (this.#child !== child || this.#stopping) return;

    if (ranMs >= STABLE_RUN_MS) this.#backoffMs = this.#opts.initialBackoffMs ?? 200;
    const delayMs = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#opts.maxBackoffMs ?? 10_000);
    this.#log.warn("Containerd exited, restarting", {
      code,
      signal,
      delayMs,
      log: this.layout.logFile,
    });

    this.#restartTimer = setTimeout(() => {
      if (this.#stopping) return;
      this.#restarts++;
      this.#spawn().catch((err: unknown) => this.#log.error("Cannot restart containerd", { err }));
    }, delayMs);
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
async function killAndWait(pid: number, graceMs: number): Promise<void> {
  // A zombie counts as gone: the leftover is not our child, and its new parent may reap it late.
  const alive = () => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
      // No such process.
      return false;
    }
  };
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // It exited meanwhile.
    }
  };

  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await sleep(50);
  if (!alive()) return;
  signal("SIGKILL");
  while (alive()) await sleep(50);
}
