/**
 * The worker thread of `kates server` that runs the controller manager and the scheduler. They talk to
 * the API only over HTTP, so a thread of their own gives them the machine's second core and keeps their
 * informers, queues and decisions off the API server's event loop (see components.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { ControllerManager, controllerManagerClient } from "../controllers/manager.js";
import { controllersWithSettings } from "../controllers/settings.js";
import { KubeScheduler, schedulerClient } from "../scheduler/loop.js";
import { Logger } from "../util/log.js";
import type { ComponentsOptions } from "./components.js";

const opts = workerData as ComponentsOptions;
const log = new Logger({ level: opts.level });

const client = opts.controllers.length > 0 ? controllerManagerClient(opts.url) : undefined;
const controllers =
  client &&
  new ControllerManager({
    client,
    controllers: controllersWithSettings(opts.controllers, opts.settings ?? {}),
    logger: log,
  });
const schedClient = opts.scheduler ? schedulerClient(opts.url) : undefined;
const scheduler = schedClient && new KubeScheduler({ client: schedClient, logger: log });
controllers?.start();
scheduler?.start();

parentPort?.once("message", (message: "stop") => {
  if (message !== "stop") return;
  void (async () => {
    // Stopping releases the leases, so another server can take over at once.
    await Promise.all([controllers?.stop(), scheduler?.stop()]);
    client?.close();
    schedClient?.close();
    parentPort?.postMessage("stopped");
  })();
});
