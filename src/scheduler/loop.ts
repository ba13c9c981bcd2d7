/**
 * The scheduler as a running component: informers feed the Snapshot and the SchedulingQueue, one
 * loop takes pods from the queue and runs a scheduling cycle each, and bindings are written in the
 * background through the pods' `binding` subresource after the pod is assumed in the snapshot, so
 * the next cycle never waits for the write. Failures become a FailedScheduling event and the
 * PodScheduled=False condition; preemption nominates a node and deletes the victims.
 * `KubeScheduler` runs the loop while it holds the `kube-system/kube-scheduler` lease.
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Node } from "../api/core/v1/node.js";
import type { PersistentVolume } from "../api/core/v1/persistent-volume.js";
import type { PersistentVolumeClaim } from "../api/core/v1/persistent-volume-claim.js";
import type { Pod } from "../api/core/v1/pod.js";
import type { StorageClass } from "../api/storage/v1/storage-class.js";
import type { PodDisruptionBudget } from "../api/policy/v1/pod-disruption-budget.js";
import { isConflict, isNotFound } from "../client/api-error.js";
import { KubeClient } from "../client/client.js";
import { realClock, type Clock } from "../client/clock.js";
import { EventRecorder } from "../client/event-recorder.js";
import { SharedInformerFactory } from "../client/informer-factory.js";
import { stripManagedFields } from "../client/informer.js";
import type { Informer } from "../client/informer.js";
import { LeaderElector } from "../client/leader-elector.js";
import { resources } from "../client/resource.js";
import { silentLogger, type Logger } from "../util/log.js";
import { DEFAULT_FILTERS, Scheduler } from "./framework.js";
import { podKey } from "./pod-info.js";
import {
  volumeBindingFilter,
  withVolumeBinding,
  type VolumeListers,
} from "./plugins/volume-binding.js";
import { preempt } from "./preemption.js";
import { SchedulingQueue, type QueuedPod } from "./queue.js";
import { Snapshot } from "./snapshot.js";
import { PodVolumeBinder, PreBindError } from "./volume-binder.js";
import { errorMessage } from "../util/error-message.js";

/** The scheduler name pods ask for by default, and the events' reporting component. */
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

/** The lease the scheduler elects its leader on, as upstream's kube-scheduler. */
export const SCHEDULER_LEASE = { namespace: "kube-system", name: "kube-scheduler" };

/** Options of a scheduling loop. */
export interface SchedulerLoopOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  logger?: Logger;
  clock?: Clock;
  scheduler?: Scheduler;
}

/** Informers, queue, cycles and bindings of one scheduler; build before `informers.start()`. */
export class SchedulerLoop {
  readonly snapshot = new Snapshot();
  readonly queue: SchedulingQueue;
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #recorder: EventRecorder;
  readonly #pods: Informer<Pod>;
  readonly #pdbs: Informer<PodDisruptionBudget>;
  readonly #volumeBinder: PodVolumeBinder;
  /** Aborts when the loop stops: bindings waiting for volumes give up. */
  #signal: AbortSignal = new AbortController().signal;
  /** Bindings being written, awaited on stop. */
  readonly #binding = new Set<Promise<void>>();
  /** Pods bound by this loop since it started, for benchmarks and tests. */
  bound = 0;

  constructor(opts: SchedulerLoopOptions) {
    this.#client = opts.client;
    this.#log = opts.logger ?? silentLogger;
    this.#clock = opts.clock ?? realClock;
    const listers = volumeListers(opts.informers, () => this.queue.moveAllToActiveOrBackoff());
    this.#volumeBinder = new PodVolumeBinder({
      client: opts.client,
      listers,
      node: (name) => this.snapshot.get(name)?.node,
    });
    this.#scheduler =
      opts.scheduler ??
      new Scheduler({ filters: withVolumeBinding(DEFAULT_FILTERS, volumeBindingFilter(listers)) });
    this.queue = new SchedulingQueue(this.#clock);
    this.#recorder = new EventRecorder(opts.client, {
      component: DEFAULT_SCHEDULER_NAME,
      clock: this.#clock,
      onError: (err) => this.#log.debug("Event not recorded", { err }),
    });
    const nodes = opts.informers.informerFor<Node>(resources.nodes);
    nodes.addEventHandler({
      onAdd: (node) => {
        this.snapshot.upsertNode(node);
        this.queue.moveAllToActiveOrBackoff();
      },
      onUpdate: (old, node) => {
        this.snapshot.upsertNode(node);
        if (mayMakeRoom(old, node)) this.queue.moveAllToActiveOrBackoff();
      },
      onDelete: (node) => this.snapshot.removeNode(node.metadata.name ?? ""),
    });
    this.#pods = opts.informers.informerFor<Pod>(resources.pods);
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#podChanged(pod),
      onUpdate: (_old, pod) => this.#podChanged(pod),
      onDelete: (pod) => {
        this.queue.delete(podKey(pod));
        if (this.snapshot.nodeOf(pod) !== undefined) {
          this.snapshot.removePod(pod);
          this.queue.moveAllToActiveOrBackoff();
        }
      },
    });
    const namespaces = opts.informers.informerFor(resources.namespaces);
    namespaces.addEventHandler({
      onAdd: (ns) => this.snapshot.setNamespaceLabels(ns.metadata.name ?? "", ns.metadata.labels),
      onUpdate: (_old, ns) =>
        this.snapshot.setNamespaceLabels(ns.metadata.name ?? "", ns.metadata.labels),
      onDelete: (ns) => this.snapshot.setNamespaceLabels(ns.metadata.name ?? "", undefined),
    });
    this.#pdbs = opts.informers.informerFor<PodDisruptionBudget>(resources.podDisruptionBudgets);
  }

  #podChanged(pod: Pod): void {
    const key = podKey(pod);
    if (pod.spec?.nodeName) {
      this.queue.delete(key);
      this.snapshot.upsertPod(pod);
      return;
    }
    if (!responsibleFor(pod)) return;
    // Gated pods wait outside the queue until their gates are removed (an update brings them in).
    if (pod.metadata.deletionTimestamp || pod.spec?.schedulingGates?.length) {
      this.queue.delete(key);
      return;
    }
    // An assumed pod whose binding the informer has not reported yet is not queued again.
    if (this.snapshot.isAssumed(pod)) return;
    if (this.queue.has(key)) this.queue.update(pod);
    else this.queue.add(pod);
  }

  /** Schedules pods until `signal` aborts, then waits for the bindings in flight. */
  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    const ticker = setInterval(() => this.queue.flush(), 1000);
    const close = (): void => this.queue.close();
    signal.addEventListener("abort", close, { once: true });
    let cycles = 0;
    try {
      for (;;) {
        const qp = await this.queue.pop();
        if (!qp || signal.aborted) break;
        try {
          this.#cycle(qp);
        } catch (err) {
          this.#log.error("Scheduling cycle failed", { pod: nameOf(qp.pod), err });
          this.queue.requeueBackoff(qp);
        }
        // Let informer events and binding answers in between cycles, not only when the queue empties.
        if (++cycles % 16 === 0) await yieldToIo();
      }
    } finally {
      clearInterval(ticker);
      signal.removeEventListener("abort", close);
      await Promise.all(this.#binding);
      await this.#recorder.flush();
      await this.#recorder.stop();
    }
  }

  /** One scheduling cycle: decide, then assume and bind, or report why the pod does not fit. */
  #cycle(qp: QueuedPod): void {
    const { namespace = "default", name = "" } = qp.pod.metadata;
    const pod = this.#pods.lister.get(namespace, name);
    // Bound, deleted or replaced meanwhile: nothing to do.
    if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp || podKey(pod) !== qp.key) {
      this.queue.done(qp.key);
      return;
    }
    qp.pod = pod;
    const result = this.#scheduler.schedule(pod, this.snapshot);
    if ("node" in result) {
      this.snapshot.assumePod(pod, result.node);
      const binding = this.#bind(qp, result.node);
      this.#binding.add(binding);
      void binding.finally(() => this.#binding.delete(binding));
      return;
    }
    const fitError = result.unschedulable;
    let nominated: string | undefined;
    const outcome = preempt(this.#scheduler, pod, this.snapshot, fitError, {
      pdbs: this.#pdbs.lister.list(),
      now: this.#clock.now(),
    });
    if ("nominatedNode" in outcome) {
      nominated = outcome.nominatedNode;
      for (const victim of outcome.victims) this.#evict(victim, pod, nominated);
    } else fitError.postFilterMessage = outcome.message;
    const message = fitError.message();
    this.#recorder.event(pod, "Warning", "FailedScheduling", message);
    void this.#markUnschedulable(pod, message, nominated);
    this.queue.requeueUnschedulable(qp);
  }

  async #bind(qp: QueuedPod, node: string): Promise<void> {
    const pod = qp.pod;
    const { namespace = "default", name = "", uid } = pod.metadata;
    try {
      await this.#volumeBinder.bind(
        pod,
        node,
        this.#signal,
        () => this.#pods.lister.get(namespace, name)?.metadata.uid !== uid,
      );
      await this.#client.post(
        resources.pods,
        name,
        "binding",
        {
          apiVersion: "v1",
          kind: "Binding",
          metadata: { name, namespace, ...(uid ? { uid } : {}) },
          target: { kind: "Node", name: node },
        },
        { namespace },
      );
      this.queue.done(qp.key);
      this.bound++;
      this.#recorder.event(
        pod,
        "Normal",
        "Scheduled",
        `Successfully assigned ${namespace}/${name} to ${node}`,
      );
    } catch (err) {
      this.snapshot.forgetPod(pod);
      if (isNotFound(err) || (isConflict(err) && /already assigned/.test(String(err)))) {
        this.queue.done(qp.key);
        return;
      }
      this.#log.info("Binding failed", { pod: `${namespace}/${name}`, node, err });
      const message =
        err instanceof PreBindError ? err.message : `Binding rejected: ${errorMessage(err)}`;
      this.#recorder.event(pod, "Warning", "FailedScheduling", message);
      this.queue.requeueBackoff(qp);
    }
  }

  /** Deletes a preemption victim, with a Preempted event on it. */
  #evict(victim: Pod, preemptor: Pod, node: string): void {
    const { namespace = "default", name = "" } = victim.metadata;
    this.#recorder.event(
      victim,
      "Normal",
      "Preempted",
      `Preempted by pod ${preemptor.metadata.uid ?? ""} on node ${node}`,
    );
    this.#client.delete(resources.pods, name, { namespace }).catch((err: unknown) => {
      if (!isNotFound(err))
        this.#log.info("Preemption failed", { pod: `${namespace}/${name}`, err });
    });
  }

  /** Sets PodScheduled=False (Unschedulable) and the nominated node, when they change. */
  async #markUnschedulable(
    pod: Pod,
    message: string,
    nominated: string | undefined,
  ): Promise<void> {
    const current = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    const sameCondition =
      current?.status === "False" &&
      current.reason === "Unschedulable" &&
      current.message === message;
    const nominatedChanges = nominated !== undefined && nominated !== pod.status?.nominatedNodeName;
    if (sameCondition && !nominatedChanges) return;
    const status: Record<string, unknown> = {
      conditions: [
        {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message,
          lastProbeTime: null,
          lastTransitionTime:
            current?.status === "False"
              ? current.lastTransitionTime
              : new Date(this.#clock.now()).toISOString().replace(/\.\d+Z$/, "Z"),
        },
      ],
    };
    if (nominatedChanges) status["nominatedNodeName"] = nominated;
    const { namespace = "default", name = "" } = pod.metadata;
    try {
      await this.#client.patch(
        resources.pods,
        name,
        { status },
        {
          namespace,
          subresource: "status",
          type: "strategic",
        },
      );
    } catch (err) {
      if (!isNotFound(err))
        this.#log.info("Pod status not updated", { pod: `${namespace}/${name}`, err });
    }
  }
}

/**
 * Listers of claims, volumes and classes for VolumeBinding; a change to any of them may make a pod
 * fit, so each calls `changed` (upstream's queueing hints for these kinds say the same).
 */
function volumeListers(informers: SharedInformerFactory, changed: () => void): VolumeListers {
  const claims = informers.informerFor<PersistentVolumeClaim>(resources.persistentVolumeClaims);
  const volumes = informers.informerFor<PersistentVolume>(resources.persistentVolumes);
  const classes = informers.informerFor<StorageClass>(resources.storageClasses);
  for (const informer of [claims, volumes, classes] as Informer[]) {
    informer.addEventHandler({ onAdd: changed, onUpdate: changed });
  }
  return {
    claim: (namespace, name) => claims.lister.get(namespace, name),
    volume: (name) => volumes.lister.get("", name),
    volumes: () => volumes.lister.list(),
    storageClass: (name) => classes.lister.get("", name),
  };
}

/** Whether a node change can make pods fit: anything but its heartbeat-only status updates. */
function mayMakeRoom(old: Node, node: Node): boolean {
  return (
    JSON.stringify(old.spec) !== JSON.stringify(node.spec) ||
    JSON.stringify(old.metadata.labels) !== JSON.stringify(node.metadata.labels) ||
    JSON.stringify(old.status?.allocatable) !== JSON.stringify(node.status?.allocatable) ||
    readyOf(old) !== readyOf(node)
  );
}

function readyOf(node: Node): string | undefined {
  return node.status?.conditions?.find((c) => c.type === "Ready")?.status;
}

function responsibleFor(pod: Pod): boolean {
  const name = pod.spec?.schedulerName;
  return !name || name === DEFAULT_SCHEDULER_NAME;
}

function nameOf(pod: Pod): string {
  return `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;
}

function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Options of a leader-elected scheduler. */
export interface KubeSchedulerOptions {
  client: KubeClient;
  logger?: Logger;
  /** This candidate's identity; host name plus a random suffix by default. */
  identity?: string;
  retryPeriodMs?: number;
}

/** Runs a SchedulerLoop, with fresh informers, whenever it holds the `kube-system/kube-scheduler` lease. */
export class KubeScheduler {
  readonly #opts: KubeSchedulerOptions;
  readonly #log: Logger;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #leading: Promise<void> = Promise.resolve();
  #elector: LeaderElector | undefined;
  /** The loop of the current term of leadership, for tests and benchmarks. */
  loop: SchedulerLoop | undefined;

  constructor(opts: KubeSchedulerOptions) {
    this.#opts = opts;
    this.#log = opts.logger ?? silentLogger;
  }

  /** Whether this scheduler currently leads. */
  isLeader(): boolean {
    return this.#elector?.isLeader() ?? false;
  }

  /** Starts campaigning; the loop runs whenever this scheduler leads, until `stop()`. */
  start(): void {
    if (this.#running) return;
    const identity = this.#opts.identity ?? `${hostname()}_${randomBytes(8).toString("hex")}`;
    const elector = (this.#elector = new LeaderElector(this.#opts.client, {
      ...SCHEDULER_LEASE,
      identity,
      ...(this.#opts.retryPeriodMs !== undefined
        ? { retryPeriodMs: this.#opts.retryPeriodMs }
        : {}),
      onStartedLeading: (signal) => (this.#leading = this.#lead(signal)),
      onNewLeader: (leader) => this.#log.info("Scheduler leader", { leader }),
      onError: (err) => this.#log.debug("Leader election attempt failed", { err }),
    }));
    const signal = this.#stop.signal;
    this.#running = (async () => {
      while (!signal.aborted) await elector.run(signal);
    })();
  }

  /** Stops scheduling and gives up the lease. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
    await this.#leading;
  }

  async #lead(signal: AbortSignal): Promise<void> {
    const informers = new SharedInformerFactory(this.#opts.client, {
      onError: (err) => this.#log.debug("Informer error", { err }),
      transform: stripManagedFields,
    });
    const loop = new SchedulerLoop({ client: this.#opts.client, informers, logger: this.#log });
    this.loop = loop;
    informers.start();
    try {
      if (!(await informers.waitForSync(signal))) return;
      this.#log.info("Scheduling pods");
      await loop.run(signal);
    } catch (err) {
      this.#log.error("Scheduler failed", { err });
    } finally {
      await informers.stop();
    }
  }
}

/** A client of a server's own loopback URL, as the scheduler inside `kates server` uses. */
export function schedulerClient(url: string): KubeClient {
  return new KubeClient(url, { userAgent: "kube-scheduler", fieldManager: "kube-scheduler" });
}
