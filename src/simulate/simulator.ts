/**
 * NodeSimulator: many nodes in one process that run nothing (kwok's idea). Each registers its Node,
 * renews its Lease, and moves the pods bound to it through their phases. All of them share one pod
 * informer (pods with `spec.nodeName` set) and one work queue; they talk to the API only through the
 * client, so the server cannot tell them from real node agents.
 */
import type { Node } from "../api/core/v1/node.js";
import type { Pod } from "../api/core/v1/pod.js";
import { isAlreadyExists, isConflict, isNotFound } from "../client/api-error.js";
import type { KubeClient } from "../client/client.js";
import { Informer, stripManagedFields } from "../client/informer.js";
import { ItemExponentialFailureRateLimiter } from "../client/rate-limiter.js";
import { objectKey, resources } from "../client/resource.js";
import { runWorkers, WorkQueue } from "../client/work-queue.js";
import { silentLogger, type Logger } from "../util/log.js";
import { NodeLeaseRenewer } from "./node-lease.js";
import {
  healthyConditions,
  nodeAddresses,
  PodIPAllocator,
  simulatedNode,
  type NodeCapacity,
} from "./node-object.js";
import { nextPodStep, rfc3339 } from "./pod-status.js";

/** Options of a simulator. */
export interface NodeSimulatorOptions {
  client: KubeClient;
  /** How many nodes, named `namePrefix0` … `namePrefix(N-1)`. */
  nodes: number;
  namePrefix: string;
  capacity: NodeCapacity;
  /** Lease renewal period; 10 s as the kubelet. */
  leaseRenewMs?: number;
  /** How often the Ready condition's heartbeat is written when nothing changed; 5 min as the kubelet. */
  statusReportMs?: number;
  /** Concurrent pod status writes; 16 by default. */
  workers?: number;
  logger?: Logger;
}

interface SimNode {
  name: string;
  index: number;
  internalIP: string;
  ips: PodIPAllocator;
  node?: Node;
  renewer: NodeLeaseRenewer;
  readySince: string;
  /** Set while the node plays dead: no lease renewals, no status, no pod handling. */
  stopped?: boolean;
}

/** N simulated nodes sharing one pod informer and one queue of pod keys. */
export class NodeSimulator {
  readonly #opts: NodeSimulatorOptions;
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #nodes = new Map<string, SimNode>();
  /** Addresses handed to pods, by pod uid, so that retries and restarts keep them. */
  readonly #podIPs = new Map<string, { node: SimNode; ip: string }>();
  readonly #informer: Informer<Pod>;
  readonly #queue = new WorkQueue<string>({
    rateLimiter: new ItemExponentialFailureRateLimiter(5, 10_000),
  });
  readonly #timers: NodeJS.Timeout[] = [];
  #workers: Promise<void> | undefined;
  #stopped = false;

  constructor(opts: NodeSimulatorOptions) {
    if (!Number.isInteger(opts.nodes) || opts.nodes < 0)
      throw new Error(`Cannot simulate ${opts.nodes} nodes: need a whole number`);
    this.#opts = opts;
    this.#client = opts.client;
    this.#log = opts.logger ?? silentLogger;
    for (let i = 0; i < opts.nodes; i++) {
      const name = `${opts.namePrefix}${i}`;
      const { internalIP, podCIDR } = nodeAddresses(i);
      this.#nodes.set(name, {
        name,
        index: i,
        internalIP,
        ips: new PodIPAllocator(podCIDR),
        readySince: "",
        renewer: new NodeLeaseRenewer(this.#client, name, this.#log, () => {
          const n = this.#nodes.get(name);
          return !this.#stopped && !n?.stopped;
        }),
      });
    }
    this.#informer = new Informer<Pod>(this.#client, resources.pods, {
      transform: stripManagedFields,
      fieldSelector: "spec.nodeName!=",
      onError: (err) => this.#log.warn("pod informer failed", { err: String(err) }),
    });
    this.#informer.addEventHandler({
      onAdd: (pod) => this.#observe(pod),
      onUpdate: (_old, pod) => this.#observe(pod),
      onDelete: (pod) => this.#forget(pod),
    });
  }

  /** The names of the simulated nodes. */
  get nodeNames(): string[] {
    return [...this.#nodes.keys()];
  }

  /** Registers every node, then starts leases, heartbeats and pod handling. */
  async start(): Promise<void> {
    const pending = [...this.#nodes.values()];
    const batch = 32;
    for (let i = 0; i < pending.length; i += batch) {
      await Promise.all(pending.slice(i, i + batch).map((n) => this.#register(n)));
    }
    const renew = this.#opts.leaseRenewMs ?? 10_000;
    const report = this.#opts.statusReportMs ?? 300_000;
    // Spread the nodes' writes over the period instead of sending them all at once.
    pending.forEach((n, i) => {
      const offset = Math.floor((renew * i) / Math.max(1, pending.length));
      const t = setTimeout(() => {
        if (this.#stopped) return;
        const every = setInterval(() => void this.#renewLease(n), renew);
        every.unref?.();
        this.#timers.push(every);
      }, offset);
      this.#timers.push(t);
      const hb = setInterval(() => void this.#heartbeat(n), report);
      this.#timers.push(hb);
    });
    this.#informer.start();
    this.#workers = runWorkers(this.#queue, this.#opts.workers ?? 16, (key) => this.#sync(key), {
      onError: (key, err) => {
        if (!isConflict(err)) this.#log.warn("pod sync failed", { pod: key, err: String(err) });
      },
    });
    await this.#informer.waitForSync();
  }

  /** Stops renewing and handling pods; the Nodes stay (their leases then expire, as a lost node's). */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#queue.shutDown();
    await this.#informer.stop();
    await this.#workers;
  }

  /**
   * Makes one node fall silent, as a node that lost power or its network: it stops renewing its
   * Lease, reporting status and handling its pods, while the others go on. Throws on unknown names.
   */
  stopNode(name: string): void {
    this.#simNode(name).stopped = true;
  }

  /** Brings a node stopped with `stopNode` back: it renews its Lease and reports Ready at once. */
  async startNode(name: string): Promise<void> {
    const n = this.#simNode(name);
    if (!n.stopped) return;
    n.stopped = false;
    n.readySince = rfc3339(Date.now());
    await this.#renewLease(n);
    await this.#heartbeat(n);
    for (const pod of this.#informer.lister.list()) {
      if (pod.spec?.nodeName === name) this.#queue.add(objectKey(pod.metadata));
    }
  }

  #simNode(name: string): SimNode {
    const n = this.#nodes.get(name);
    if (!n) throw new Error(`Cannot find simulated node ${name}: not one of this simulator's`);
    return n;
  }

  #observe(pod: Pod): void {
    const node = this.#nodes.get(pod.spec?.nodeName ?? "");
    if (!node) return;
    const uid = pod.metadata.uid ?? "";
    if (pod.status?.podIP && !this.#podIPs.has(uid) && node.ips.reserve(pod.status.podIP)) {
      this.#podIPs.set(uid, { node, ip: pod.status.podIP });
    }
    this.#queue.add(objectKey(pod.metadata));
  }

  #forget(pod: Pod): void {
    const uid = pod.metadata.uid ?? "";
    const held = this.#podIPs.get(uid);
    if (held) {
      held.node.ips.release(held.ip);
      this.#podIPs.delete(uid);
    }
  }

  async #sync(key: string): Promise<{ requeueAfter: number } | void> {
    const slash = key.indexOf("/");
    const pod = this.#informer.lister.get(key.slice(0, slash), key.slice(slash + 1));
    if (!pod) return;
    const node = this.#nodes.get(pod.spec?.nodeName ?? "");
    if (!node || node.stopped) return;
    const uid = pod.metadata.uid ?? "";
    let held = this.#podIPs.get(uid);
    if (!held) {
      const ip = node.ips.allocate();
      if (!ip)
        throw new Error(`Cannot start pod ${key} on node ${node.name}: its pod range is full`);
      held = { node, ip };
      this.#podIPs.set(uid, held);
    }
    const step = nextPodStep(pod, { nowMs: Date.now(), hostIP: node.internalIP, podIP: held.ip });
    if (step.warning) this.#log.warn("pod annotation ignored", { pod: key, problem: step.warning });
    const namespace = pod.metadata.namespace ?? "";
    if (step.status) {
      await this.#client.updateStatus(
        resources.pods,
        { ...pod, status: step.status },
        { namespace },
      );
    }
    if (step.delete) {
      try {
        await this.#client.delete(resources.pods, pod.metadata.name ?? "", {
          namespace,
          gracePeriodSeconds: 0,
          preconditions: { uid },
        });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    if (step.requeueAfterMs !== undefined) return { requeueAfter: step.requeueAfterMs };
  }

  async #register(n: SimNode): Promise<void> {
    const now = rfc3339(Date.now());
    const desired = simulatedNode(n.name, n.index, this.#opts.capacity, now);
    n.readySince = now;
    try {
      n.node = n.renewer.node = await this.#client.create<Node>(resources.nodes, desired);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // A node that restarts keeps its object; it reasserts its labels, addresses and status.
      await this.#client.patch(
        resources.nodes,
        n.name,
        { metadata: { labels: desired.metadata.labels } },
        { type: "merge" },
      );
      n.node = n.renewer.node = await this.#client.patch<Node>(
        resources.nodes,
        n.name,
        { status: desired.status },
        { type: "merge", subresource: "status" },
      );
    }
    await this.#renewLease(n);
  }

  /** Renews `n`'s lease, one renewal at a time: two in flight from one copy would conflict. */
  #renewLease(n: SimNode): Promise<void> {
    return n.renewer.renew();
  }

  async #heartbeat(n: SimNode): Promise<void> {
    if (this.#stopped || n.stopped) return;
    try {
      const conditions = healthyConditions(rfc3339(Date.now()), n.readySince);
      await this.#client.patch(
        resources.nodes,
        n.name,
        { status: { conditions } },
        { type: "merge", subresource: "status" },
      );
    } catch (err) {
      this.#log.warn("node status update failed", { node: n.name, err: String(err) });
    }
  }
}
