/**
 * The node lifecycle controller. Every monitor period it looks at each Node and its Lease in
 * `kube-node-lease`; a node silent for longer than the grace period gets its Ready and pressure
 * conditions set to Unknown and its pods marked not ready. NoSchedule taints follow the conditions
 * and `spec.unschedulable` whenever a node changes; NoExecute taints (not-ready, unreachable)
 * follow the Ready condition, added through a rate limiter per zone that slows down or stops when
 * a zone, or the whole cluster, looks cut off rather than broken.
 */
import type { Lease } from "../../api/coordination/v1/lease.js";
import type { Node, NodeCondition, Taint } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { isConflict, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { resources } from "../../client/resource.js";
import { WorkQueue } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext, ControllerFactory } from "../manager.js";
import { formatTime } from "../replicaset/pod-state.js";
import { runQueue } from "../run-queue.js";
import { observeNodeHealth, type NodeHealth } from "./node-health.js";
import {
  noExecuteAction,
  reconcileNoScheduleTaints,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  withNoExecuteTaint,
} from "./node-taints.js";
import { ensurePodNodeNameIndex, podsOnNode } from "./pod-index.js";
import {
  DEFAULT_EVICTION_RATES,
  zoneOf,
  ZoneQueue,
  zoneRate,
  zoneState,
  type EvictionRates,
  type ZoneState,
} from "./zones.js";

/** Settings of the node lifecycle controller (upstream's kube-controller-manager flags). */
export interface NodeLifecycleOptions extends EvictionRates {
  /** --node-monitor-grace-period: silence before a node is Unknown; 40 s. */
  nodeMonitorGracePeriodMs: number;
  /** --node-startup-grace-period: silence allowed to a node that never reported Ready; 60 s. */
  nodeStartupGracePeriodMs: number;
  /** --node-monitor-period: how often nodes are looked at; 5 s. */
  nodeMonitorPeriodMs: number;
  /** How often the zones' queues of NoExecute taints are served; 100 ms. */
  evictionPeriodMs: number;
}

/** Upstream's defaults. */
export const DEFAULT_NODE_LIFECYCLE_OPTIONS: NodeLifecycleOptions = {
  ...DEFAULT_EVICTION_RATES,
  nodeMonitorGracePeriodMs: 40_000,
  nodeStartupGracePeriodMs: 60_000,
  nodeMonitorPeriodMs: 5_000,
  evictionPeriodMs: 100,
};

const LEASE_NAMESPACE = "kube-node-lease";

/** The label that keeps a node out of its zone's disruption count (upstream's LabelNodeExcludeDisruptions). */
const EXCLUDE_DISRUPTION_LABEL = "node.kubernetes.io/exclude-disruption";

function excludedFromDisruption(node: Node): boolean {
  return Object.hasOwn(node.metadata.labels ?? {}, EXCLUDE_DISRUPTION_LABEL);
}

/** A factory of the controller with some settings changed (tests use a short grace period). */
export function nodeLifecycleControllerFactory(
  opts: Partial<NodeLifecycleOptions> = {},
): ControllerFactory {
  return (ctx) => new NodeLifecycleController(ctx, { ...DEFAULT_NODE_LIFECYCLE_OPTIONS, ...opts });
}

/** Builds the node lifecycle controller with upstream's settings. */
export const newNodeLifecycleController: ControllerFactory = nodeLifecycleControllerFactory();

/** Watches node health and keeps conditions and taints in step with it. */
export class NodeLifecycleController implements Controller {
  readonly name = "nodelifecycle";
  readonly #opts: NodeLifecycleOptions;
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #nodes: Informer<Node>;
  readonly #leases: Informer<Lease>;
  readonly #pods: Informer<Pod>;
  readonly #recorder: EventRecorder;
  /** Nodes whose NoSchedule taints need a look. */
  readonly #queue = new WorkQueue<string>();
  readonly #health = new Map<string, NodeHealth>();
  /** The last copy of each known node, for the event when it goes. */
  readonly #known = new Map<string, Node>();
  readonly #zoneQueues = new Map<string, ZoneQueue>();
  #zoneStates = new Map<string, ZoneState>();
  /** Nodes whose pods still have to be marked not ready (a failed attempt is retried). */
  readonly #markPending = new Set<string>();

  constructor(ctx: ControllerContext, opts: NodeLifecycleOptions) {
    this.#opts = opts;
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#nodes = ctx.informers.informerFor<Node>(resources.nodes);
    this.#leases = ctx.informers.informerFor<Lease>(resources.leases, {
      namespace: LEASE_NAMESPACE,
    });
    this.#pods = ctx.informers.informerFor<Pod>(resources.pods);
    ensurePodNodeNameIndex(this.#pods);
    this.#recorder = new EventRecorder(ctx.client, {
      component: "node-controller",
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });
    this.#nodes.addEventHandler({
      onAdd: (node) => this.#queue.add(node.metadata.name ?? ""),
      onUpdate: (_old, node) => this.#queue.add(node.metadata.name ?? ""),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const timers: NodeJS.Timeout[] = [];
    let monitoring = false;
    const monitor = (): void => {
      if (monitoring || signal.aborted) return;
      monitoring = true;
      this.monitorNodeHealth()
        .catch((err: unknown) => this.#log.warn("Node health pass failed", { err }))
        .finally(() => (monitoring = false));
    };
    timers.push(setInterval(monitor, this.#opts.nodeMonitorPeriodMs));
    timers.push(setInterval(() => this.#serveZoneQueues(), this.#opts.evictionPeriodMs));
    monitor();
    try {
      await runQueue(this.name, signal, this.#queue, 1, (n) => this.#syncNoSchedule(n), this.#log);
    } finally {
      for (const t of timers) clearInterval(t);
      await this.#recorder.stop();
    }
  }

  /** One pass over every node: health, NoExecute taints, pods of nodes that stopped being ready. */
  async monitorNodeHealth(): Promise<void> {
    const nodes = this.#nodes.lister.list();
    const now = Date.now();
    this.#forgetDeletedNodes(nodes);

    const zoneReady = new Map<string, (NodeCondition | undefined)[]>();
    for (const seen of nodes) {
      let ready: NodeCondition | undefined;
      try {
        ready = await this.#monitorNode(seen, now);
      } catch (err) {
        // One node's failed write must not keep the others from being looked at.
        ready = seen.status?.conditions?.find((c) => c.type === "Ready");
        this.#log.warn("Cannot update node health", { node: seen.metadata.name, err });
      }
      if (excludedFromDisruption(seen)) continue;
      const zone = zoneOf(seen);
      const list = zoneReady.get(zone) ?? [];
      list.push(ready);
      zoneReady.set(zone, list);
    }
    await this.#handleDisruption(zoneReady, now);
  }

  /** Health, NoExecute taint and pods of one node; returns its Ready condition after the pass. */
  async #monitorNode(seen: Node, now: number): Promise<NodeCondition | undefined> {
    const name = seen.metadata.name ?? "";
    if (!this.#known.has(name)) {
      this.#recorder.event(
        seen,
        "Normal",
        "RegisteredNode",
        `Node ${name} event: Registered Node ${name} in Controller`,
      );
    }
    this.#known.set(name, seen);
    const lease = this.#leases.lister.get(LEASE_NAMESPACE, name);
    const obs = observeNodeHealth(seen, this.#health.get(name), lease?.spec?.renewTime, now, {
      gracePeriodMs: this.#opts.nodeMonitorGracePeriodMs,
      startupGracePeriodMs: this.#opts.nodeStartupGracePeriodMs,
    });
    let node = seen;
    if (obs.conditions) {
      const written = await this.#writeConditions(seen, obs.conditions);
      // Changed meanwhile: looked at again next pass, from what was remembered before.
      if (!written) return obs.observedReady;
      node = written;
      this.#log.info("Node stopped posting status", { node: name });
    }
    this.#health.set(name, obs.health);

    await this.#processNoExecute(node, obs.currentReady, zoneOf(node), now);

    const becameNotReady =
      obs.currentReady?.status !== "True" && obs.observedReady?.status === "True";
    if (becameNotReady) {
      this.#recorder.event(
        node,
        "Normal",
        "NodeNotReady",
        `Node ${name} status is now: NodeNotReady`,
      );
      this.#markPending.add(name);
    }
    if (obs.currentReady?.status === "True") this.#markPending.delete(name);
    if (this.#markPending.has(name) && (await this.#markPodsNotReady(name))) {
      this.#markPending.delete(name);
    }
    return obs.currentReady;
  }

  #forgetDeletedNodes(nodes: readonly Node[]): void {
    const present = new Set(nodes.map((n) => n.metadata.name ?? ""));
    for (const [name, node] of this.#known) {
      if (present.has(name)) continue;
      this.#recorder.event(
        node,
        "Normal",
        "RemovingNode",
        `Node ${name} event: Removing Node ${name} from Controller`,
      );
      this.#known.delete(name);
      this.#health.delete(name);
      this.#markPending.delete(name);
      for (const q of this.#zoneQueues.values()) q.remove(name);
    }
  }

  /** Writes a silent node's Unknown conditions; undefined when the node changed or went meanwhile. */
  async #writeConditions(node: Node, conditions: NodeCondition[]): Promise<Node | undefined> {
    try {
      return await this.#client.updateStatus<Node>(resources.nodes, {
        ...node,
        status: { ...node.status, conditions },
      });
    } catch (err) {
      // A node that changed is looked at again next pass; one that went is forgotten then.
      if (isConflict(err) || isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Adds, swaps or removes the NoExecute taint a node's Ready condition calls for. */
  async #processNoExecute(
    node: Node,
    ready: NodeCondition | undefined,
    zone: string,
    now: number,
  ): Promise<void> {
    const name = node.metadata.name ?? "";
    const action = noExecuteAction(node, ready);
    const queue = this.#zoneQueue(zone, now);
    switch (action.kind) {
      case "none":
        if (ready?.status === "True") queue.remove(name);
        return;
      case "queue":
        queue.add(name);
        return;
      case "swap":
        queue.remove(name);
        await this.#setNoExecuteTaint(name, action.key);
        return;
      case "untaint":
        queue.remove(name);
        await this.#setNoExecuteTaint(name, undefined);
        return;
    }
  }

  #zoneQueue(zone: string, now: number): ZoneQueue {
    let queue = this.#zoneQueues.get(zone);
    if (!queue) {
      queue = new ZoneQueue(this.#opts.evictionLimiterQPS, now);
      this.#zoneQueues.set(zone, queue);
    }
    return queue;
  }

  /** Hands waiting nodes their NoExecute taint as each zone's rate allows. */
  #serveZoneQueues(): void {
    const now = Date.now();
    for (const queue of this.#zoneQueues.values()) {
      if (queue.size === 0) continue;
      queue.drain(now, (name) => {
        const node = this.#nodes.lister.get("", name);
        if (!node) return true;
        const ready = node.status?.conditions?.find((c) => c.type === "Ready");
        const action = noExecuteAction(node, ready);
        if (action.kind !== "queue") return true;
        this.#setNoExecuteTaint(name, action.key).catch((err: unknown) => {
          this.#log.warn("Cannot taint node", { node: name, err });
          queue.add(name);
        });
        return true;
      });
    }
  }

  /** Leaves `key` as the node's only lifecycle NoExecute taint (none when undefined). */
  async #setNoExecuteTaint(name: string, key: string | undefined): Promise<void> {
    const remove = [TAINT_NOT_READY, TAINT_UNREACHABLE].filter((k) => k !== key);
    await this.#patchTaints(name, (node) =>
      withNoExecuteTaint(node, key, remove, formatTime(Date.now())),
    );
    if (key) this.#log.info("Tainted node for eviction", { node: name, taint: key });
  }

  /** The NoSchedule pass of one node. */
  async #syncNoSchedule(name: string): Promise<void> {
    await this.#patchTaints(name, reconcileNoScheduleTaints);
  }

  /**
   * Replaces a node's taints with what `compute` makes of it, guarded by its resourceVersion;
   * on a conflict it reads the node again and retries.
   */
  async #patchTaints(name: string, compute: (node: Node) => Taint[] | undefined): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let node: Node | undefined;
      try {
        node =
          attempt === 0
            ? this.#nodes.lister.get("", name)
            : await this.#client.get<Node>(resources.nodes, name);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      if (!node) return;
      const taints = compute(node);
      if (!taints) return;
      try {
        await this.#client.patch(
          resources.nodes,
          name,
          { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints } },
          { type: "merge" },
        );
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 4) throw err;
      }
    }
  }

  /** Sets the Ready condition of the node's pods to False; false when some write failed. */
  async #markPodsNotReady(nodeName: string): Promise<boolean> {
    let ok = true;
    const now = formatTime(Date.now());
    for (const pod of podsOnNode(this.#pods, nodeName)) {
      const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
      if (!ready || ready.status === "False") continue;
      const conditions = (pod.status?.conditions ?? []).map((c) =>
        c.type === "Ready" ? { ...c, status: "False", lastTransitionTime: now } : c,
      );
      try {
        await this.#client.updateStatus<Pod>(
          resources.pods,
          { ...pod, status: { ...pod.status, conditions } },
          { namespace: pod.metadata.namespace ?? "" },
        );
        this.#recorder.event(pod, "Warning", "NodeNotReady", "Node is not ready");
      } catch (err) {
        if (isNotFound(err)) continue;
        this.#log.debug("Cannot mark pod not ready", { node: nodeName, err });
        ok = false;
      }
    }
    return ok;
  }

  /**
   * Sets each zone's eviction rate from its state. When every zone is fully disrupted the
   * controller itself is likely the one cut off: it stops evicting and lifts the NoExecute taints;
   * when that ends, every node gets a fresh grace period.
   */
  async #handleDisruption(
    zoneReady: Map<string, (NodeCondition | undefined)[]>,
    now: number,
  ): Promise<void> {
    const states = new Map<string, ZoneState>();
    for (const [zone, conditions] of zoneReady) {
      states.set(zone, zoneState(conditions, this.#opts.unhealthyZoneThreshold));
    }
    const allFull = (m: Map<string, ZoneState>): boolean =>
      m.size > 0 && [...m.values()].every((s) => s === "FullDisruption");
    const wasAllFull = allFull(this.#zoneStates);
    const isAllFull = allFull(states);
    this.#zoneStates = states;

    if (isAllFull) {
      if (!wasAllFull) {
        this.#log.warn("Every zone is fully disrupted: stopping evictions");
        for (const queue of this.#zoneQueues.values()) queue.bucket.setRate(0, now);
      }
      // Every pass, not only on entry: a taint added just before may not have been in the cache yet.
      for (const name of this.#known.keys()) {
        const node = this.#nodes.lister.get("", name);
        const tainted = (node?.spec?.taints ?? []).some(
          (t) =>
            t.effect === "NoExecute" && (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE),
        );
        if (!tainted && wasAllFull) continue;
        try {
          await this.#setNoExecuteTaint(name, undefined);
        } catch (err) {
          this.#log.warn("Cannot lift eviction taint", { node: name, err });
        }
      }
      return;
    }
    if (wasAllFull) {
      this.#log.info("A zone is healthy again: resuming evictions");
      for (const health of this.#health.values()) health.probeTimestamp = now;
    }
    for (const [zone, state] of states) {
      const size = zoneReady.get(zone)?.length ?? 0;
      this.#zoneQueue(zone, now).bucket.setRate(zoneRate(state, size, this.#opts), now);
    }
  }
}
