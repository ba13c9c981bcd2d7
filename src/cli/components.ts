/**
 * Starts the controller manager and the scheduler of `kates server` in a worker thread (components-
 * worker.ts). Node runs JavaScript on one thread per isolate: in the API server's own event loop their
 * informer events, queues and decisions would take turns with request handling (the pod-create
 * benchmark lost more than half its throughput that way), and the second core would sit idle.
 */
import { Worker } from "node:worker_threads";
import type { ControllerSettings } from "../controllers/settings.js";
import type { Level, Logger } from "../util/log.js";
import { workerExecArgv } from "../util/worker-options.js";

/** What the worker runs, and against which API server. */
export interface ComponentsOptions {
  url: string;
  controllers: string[];
  /** Settings of individual controllers (flags of `kates server`). */
  settings?: ControllerSettings;
  scheduler: boolean;
  level: Level;
}

/** The running components; `stop()` stops them (releasing their leases) and ends the thread. */
export interface Components {
  stop(): Promise<void>;
}

const WORKER_URL = new URL("./components-worker.js", import.meta.url);
/** A worker that died is started again after this long, as a supervisor would restart a process. */
const RESTART_DELAY_MS = 1000;
/** How long stopping may take before the thread is ended regardless. */
const STOP_TIMEOUT_MS = 10_000;

/** Starts the components, or nothing when none is asked for. */
export function startComponents(opts: ComponentsOptions, log: Logger): Components {
  if (opts.controllers.length === 0 && !opts.scheduler) return { stop: async () => {} };
  let stopping = false;
  let worker = start();

  function start(): Worker {
    const w = new Worker(WORKER_URL, { workerData: opts, execArgv: workerExecArgv() });
    w.on("error", (err) => log.error("Controllers and scheduler failed", { err }));
    w.on("exit", (code) => {
      if (stopping) return;
      log.error("Controllers and scheduler stopped; starting them again", { code });
      setTimeout(() => {
        if (!stopping) worker = start();
      }, RESTART_DELAY_MS).unref();
    });
    return w;
  }

  return {
    stop: async () => {
      stopping = true;
      const stopped = new Promise<void>((resolve) => {
        worker.once("message", () => resolve());
        worker.once("exit", () => resolve());
        setTimeout(resolve, STOP_TIMEOUT_MS).unref();
      });
      worker.postMessage("stop");
      await stopped;
      await worker.terminate();
    },
  };
}
