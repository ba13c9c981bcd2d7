/**
 * The controller manager: runs a set of controllers behind one Lease-based leader election, as upstream's
 * kube-controller-manager does with its `kube-system/kube-controller-manager` lease. Only the leader runs
 * controllers; when leadership is lost every controller stops, its informers are dropped, and the manager
 * campaigns again with fresh caches (upstream exits instead; here the process is the API server too).
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { KubeClient } from "../client/client.js";
import { SharedInformerFactory } from "../client/informer-factory.js";
import { stripManagedFields } from "../client/informer.js";
import { LeaderElector } from "../client/leader-elector.js";
import { silentLogger, type Logger } from "../util/log.js";
import { newGarbageCollector } from "./garbagecollector/controller.js";
import { newDaemonSetController } from "./daemonset/controller.js";
import { newCronJobController } from "./cronjob/controller.js";
import { newDeploymentController } from "./deployment/controller.js";
import { newEndpointsController } from "./endpoints/endpoints-controller.js";
import { newEndpointSliceController } from "./endpoints/endpointslice-controller.js";
import { newEndpointSliceMirroringController } from "./endpoints/endpointslicemirroring-controller.js";
import { newJobController } from "./job/controller.js";
import { newTtlAfterFinishedController } from "./job/ttl-after-finished.js";
import { newDisruptionController } from "./disruption/controller.js";
import { newNamespaceController } from "./namespace/controller.js";
import { newNodeLifecycleController } from "./nodelifecycle/controller.js";
import {
  newReplicaSetController,
  newReplicationControllerController,
} from "./replicaset/controller.js";
import { newPodGCController } from "./podgc/controller.js";
import { newServiceAccountController } from "./serviceaccount/controller.js";
import { newStatefulSetController } from "./statefulset/controller.js";
import { newTaintEvictionController } from "./tainteviction/controller.js";
import { newPersistentVolumeBinder } from "./volume/controller.js";
import { newLocalPathProvisioner } from "./volume/local-path.js";
import {
  newClaimProtectionController,
  newVolumeProtectionController,
} from "./volume/protection.js";

/** A controller: named, and running until `signal` aborts (its informers are started by the manager). */
export interface Controller {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

/** What a controller is built from: the API client and the informer factory it shares with the others. */
export interface ControllerContext {
  client: KubeClient;
  informers: SharedInformerFactory;
  logger: Logger;
}

/** Builds a controller; registers its informer handlers before the factory starts. */
export type ControllerFactory = (ctx: ControllerContext) => Controller;

/** Every controller the manager knows, by the name `--controllers` uses. */
export const controllerFactories: Readonly<Record<string, ControllerFactory>> = {
  garbagecollector: newGarbageCollector,
  namespace: newNamespaceController,
  serviceaccount: newServiceAccountController,
  replicaset: newReplicaSetController,
  replicationcontroller: newReplicationControllerController,
  deployment: newDeploymentController,
  endpoint: newEndpointsController,
  endpointslice: newEndpointSliceController,
  endpointslicemirroring: newEndpointSliceMirroringController,
  daemonset: newDaemonSetController,
  statefulset: newStatefulSetController,
  job: newJobController,
  "ttl-after-finished": newTtlAfterFinishedController,
  cronjob: newCronJobController,
  disruption: newDisruptionController,
  nodelifecycle: newNodeLifecycleController,
  "taint-eviction-controller": newTaintEvictionController,
  podgc: newPodGCController,
  "persistentvolume-binder": newPersistentVolumeBinder,
  "local-path-provisioner": newLocalPathProvisioner,
  "pvc-protection": newClaimProtectionController,
  "pv-protection": newVolumeProtectionController,
};

/** The lease the controller manager elects its leader on. */
export const CONTROLLER_MANAGER_LEASE = {
  namespace: "kube-system",
  name: "kates-controller-manager",
};

/**
 * Parses a `--controllers` value: `all` (or `*`), `none`, or a comma list of names where `*` stands for
 * every controller and `-name` removes one, as upstream's flag. Throws on unknown names.
 */
export function parseControllers(value: string, known: readonly string[]): string[] {
  const trimmed = value.trim();
  if (trimmed === "none" || trimmed === "") return [];
  const chosen = new Set<string>();
  const removed = new Set<string>();
  for (const raw of trimmed.split(",")) {
    const item = raw.trim();
    if (item === "all" || item === "*") for (const name of known) chosen.add(name);
    else {
      const name = item.startsWith("-") ? item.slice(1) : item;
      if (!known.includes(name)) {
        throw new Error(
          `Unknown controller ${JSON.stringify(name)}: use all, none, or a comma list of ${known.join(", ")}`,
        );
      }
      if (item.startsWith("-")) removed.add(name);
      else chosen.add(name);
    }
  }
  return known.filter((name) => chosen.has(name) && !removed.has(name));
}

/** Options of a controller manager. */
export interface ControllerManagerOptions {
  client: KubeClient;
  /** Names from `controllerFactories`, or ready factories (tests). */
  controllers: readonly (string | ControllerFactory)[];
  logger?: Logger;
  /** This candidate's identity; host name plus a random suffix by default. */
  identity?: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

/** Runs controllers while it holds the controller manager lease. */
export class ControllerManager {
  readonly #opts: ControllerManagerOptions;
  readonly #log: Logger;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #elector: LeaderElector | undefined;

  constructor(opts: ControllerManagerOptions) {
    this.#opts = opts;
    this.#log = opts.logger ?? silentLogger;
  }

  /** Whether this manager currently leads (and so runs its controllers). */
  isLeader(): boolean {
    return this.#elector?.isLeader() ?? false;
  }

  /** Starts campaigning; controllers run whenever this manager leads, until `stop()`. */
  start(): void {
    if (this.#running || this.#opts.controllers.length === 0) return;
    const { client } = this.#opts;
    const identity = this.#opts.identity ?? `${hostname()}_${randomBytes(8).toString("hex")}`;
    this.#elector = new LeaderElector(client, {
      ...CONTROLLER_MANAGER_LEASE,
      identity,
      ...(this.#opts.leaseDurationSeconds !== undefined
        ? { leaseDurationSeconds: this.#opts.leaseDurationSeconds }
        : {}),
      ...(this.#opts.renewDeadlineMs !== undefined
        ? { renewDeadlineMs: this.#opts.renewDeadlineMs }
        : {}),
      ...(this.#opts.retryPeriodMs !== undefined
        ? { retryPeriodMs: this.#opts.retryPeriodMs }
        : {}),
      onStartedLeading: (signal) => this.#lead(signal),
      onNewLeader: (leader) => this.#log.info("Controller manager leader", { leader }),
      onError: (err) => this.#log.debug("Leader election attempt failed", { err }),
    });
    const elector = this.#elector;
    const signal = this.#stop.signal;
    this.#running = (async () => {
      while (!signal.aborted) await elector.run(signal);
    })();
  }

  /** Stops the controllers and gives up the lease. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
    await this.#leading;
  }

  #leading: Promise<void> = Promise.resolve();

  #lead(signal: AbortSignal): Promise<void> {
    const run = async (): Promise<void> => {
      const informers = new SharedInformerFactory(this.#opts.client, {
        onError: (err) => this.#log.debug("Informer error", { err }),
        transform: stripManagedFields,
      });
      const ctx: ControllerContext = { client: this.#opts.client, informers, logger: this.#log };
      const controllers = this.#opts.controllers.map((c) => {
        const factory = typeof c === "string" ? controllerFactories[c] : c;
        if (!factory) throw new Error(`Unknown controller ${JSON.stringify(c)}`);
        return factory(ctx);
      });
      informers.start();
      try {
        if (!(await informers.waitForSync(signal))) return;
        this.#log.info("Starting controllers", { controllers: controllers.map((c) => c.name) });
        await Promise.all(
          controllers.map((c) =>
            c.run(signal).catch((err: unknown) => {
              this.#log.error("Controller failed", { controller: c.name, err });
            }),
          ),
        );
      } finally {
        await informers.stop();
      }
    };
    this.#leading = run();
    return this.#leading;
  }
}

/** A client of a server's own loopback URL, as the controller manager inside `kates server` uses. */
export function controllerManagerClient(url: string): KubeClient {
  return new KubeClient(url, {
    userAgent: "kates-controller-manager",
    fieldManager: "kates-controller-manager",
  });
}
