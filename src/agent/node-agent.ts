/**
 * NodeAgent: the kubelet's job on one node, over a `ContainerRuntime` (containerd through the CRI).
 * It registers its Node, renews its Lease, and runs the pods bound to it: an informer of pods with
 * `spec.nodeName=NODE` feeds a keyed work queue (one pod is never handled by two workers at once);
 * each sync reads what the runtime runs for the pod, asks the pure decisions of pod-logic.ts what to
 * do next, does it, and writes the status. A relist every second notices exits (as upstream's PLEG);
 * a sweep removes from the runtime the pods the API no longer has. Everything the runtime runs is
 * found again by its labels, so a restarted agent adopts running pods instead of restarting them.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";

import type { Node } from "../api/core/v1/node.js";
import type { Pod } from "../api/core/v1/pod.js";
import type { Container } from "../api/core/v1/pod-shapes.js";
import { isAlreadyExists, isConflict, isNotFound } from "../client/api-error.js";
import type { KubeClient } from "../client/client.js";
import { EventRecorder, referenceOf, type EventType } from "../client/event-recorder.js";
import { Informer, stripManagedFields } from "../client/informer.js";
import { ItemExponentialFailureRateLimiter } from "../client/rate-limiter.js";
import { objectKey, resources } from "../client/resource.js";
import { runWorkers, WorkQueue } from "../client/work-queue.js";
import { NodeLeaseRenewer } from "../simulate/node-lease.js";
import { imageName, rfc3339 } from "../simulate/pod-status.js";
import { silentLogger, type Logger } from "../util/log.js";
import { GrpcCode, isGrpcCode } from "./runtime/cri/grpc.js";
import {
  agentNode,
  agentNodeConditions,
  nodeImages,
  readMachine,
  type MachineFacts,
} from "./machine.js";
import {
  containerProcess,
  nextPodAction,
  podStatusFromRuntime,
  pullPolicyOf,
  statusChanged,
  type RuntimeContainer,
  type RuntimeView,
  type WaitingReason,
} from "./pod-logic.js";
import {
  ContainerState,
  SandboxState,
  type ContainerConfig,
  type ContainerRuntime,
  type PodSandboxConfig,
} from "./runtime/runtime.js";

/** Labels the agent puts on sandboxes and containers, as the kubelet does. */
export const POD_UID_LABEL = "io.kubernetes.pod.uid";
export const POD_NAME_LABEL = "io.kubernetes.pod.name";
export const POD_NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
export const CONTAINER_NAME_LABEL = "io.kubernetes.container.name";

export interface NodeAgentOptions {
  client: KubeClient;
  nodeName: string;
  runtime: ContainerRuntime;
  /** Pod log folders go under `dataDir/pods`. */
  dataDir: string;
  /** The node's network namespace, for its address. */
  netns?: string;
  leaseRenewMs?: number;
  /** How often every pod is looked at again (exits noticed). Default 1 s. */
  relistMs?: number;
  /** How often pods the API no longer has are looked for in the runtime. Default 10 s. */
  sweepMs?: number;
  workers?: number;
  logger?: Logger;
}

export class NodeAgent {
  readonly #opts: NodeAgentOptions;
  readonly #client: KubeClient;
  readonly #rt: ContainerRuntime;
  readonly #log: Logger;
  readonly #informer: Informer<Pod>;
  readonly #queue = new WorkQueue<string>({
    rateLimiter: new ItemExponentialFailureRateLimiter(200, 30_000),
  });
  readonly #timers: NodeJS.Timeout[] = [];
  /** Image problems per pod uid and container name, shown as waiting reasons. */
  readonly #waiting = new Map<string, Map<string, WaitingReason>>();
  #machine: MachineFacts | undefined;
  readonly #renewer: NodeLeaseRenewer;
  readonly #recorder: EventRecorder;
  #readySince = "";
  /** Set while the runtime does not answer: the node is then not Ready. */
  #runtimeError: string | undefined;
  #workers: Promise<void> | undefined;
  #sweeping: Promise<void> | undefined;
  #stopped = false;

  constructor(opts: NodeAgentOptions) {
    this.#opts = opts;
    this.#client = opts.client;
    this.#rt = opts.runtime;
    this.#log = (opts.logger ?? silentLogger).child({ component: "agent", node: opts.nodeName });
    this.#recorder = new EventRecorder(opts.client, {
      component: "kubelet",
      host: opts.nodeName,
      onError: (err) => this.#log.debug("Cannot record event", { err: String(err) }),
    });
    this.#renewer = new NodeLeaseRenewer(
      opts.client,
      opts.nodeName,
      this.#log,
      () => !this.#stopped,
    );
    this.#informer = new Informer<Pod>(this.#client, resources.pods, {
      transform: stripManagedFields,
      fieldSelector: `spec.nodeName=${opts.nodeName}`,
      onError: (err) => this.#log.warn("pod informer failed", { err: String(err) }),
    });
    this.#informer.addEventHandler({
      onAdd: (pod) => this.#queue.add(objectKey(pod.metadata)),
      onUpdate: (_old, pod) => this.#queue.add(objectKey(pod.metadata)),
      onDelete: () => void this.#sweep(),
    });
  }

  get nodeName(): string {
    return this.#opts.nodeName;
  }

  /** Registers the Node and Lease, then handles pods; resolves once the pod cache is synced. */
  async start(): Promise<void> {
    this.#machine = await readMachine(this.#opts.netns);
    const v = await this.#rt.version();
    await this.#register(`${v.runtimeName}://${v.runtimeVersion}`);
    await this.#heartbeat();
    await this.#renewLease();
    const every = (ms: number, fn: () => unknown) => {
      const t = setInterval(() => {
        if (!this.#stopped) fn();
      }, ms);
      this.#timers.push(t);
    };
    every(this.#opts.leaseRenewMs ?? 10_000, () => {
      void this.#renewLease();
      void this.#checkRuntime();
    });
    every(60_000, () => void this.#heartbeat());
    every(this.#opts.relistMs ?? 1000, () => {
      for (const pod of this.#informer.lister.list()) this.#queue.add(objectKey(pod.metadata));
    });
    every(this.#opts.sweepMs ?? 10_000, () => void this.#sweep());
    this.#informer.start();
    await this.#informer.waitForSync();
    await this.#sweep();
    this.#workers = runWorkers(this.#queue, this.#opts.workers ?? 8, (key) => this.#sync(key), {
      onError: (key, err) => {
        if (!isConflict(err)) this.#log.warn("pod sync failed", { pod: key, err: String(err) });
      },
    });
  }

  /** Stops handling pods; containers keep running (a new agent adopts them). */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#queue.shutDown();
    await this.#informer.stop();
    await this.#workers;
    await this.#sweeping;
    await this.#recorder.flush();
  }

  // ---- node and lease ----

  async #register(runtimeVersion: string): Promise<void> {
    const now = rfc3339(Date.now());
    this.#readySince = now;
    const desired = agentNode(this.nodeName, this.#machine!, runtimeVersion, now);
    try {
      this.#renewer.node = await this.#client.create<Node>(resources.nodes, desired);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      await this.#client.patch(
        resources.nodes,
        this.nodeName,
        { metadata: { labels: desired.metadata.labels } },
        { type: "merge" },
      );
      this.#renewer.node = await this.#client.patch<Node>(
        resources.nodes,
        this.nodeName,
        { status: desired.status },
        { type: "merge", subresource: "status" },
      );
    }
  }

  /** Writes the node's conditions (Ready follows the runtime's health) and their heartbeat. */
  async #heartbeat(): Promise<void> {
    try {
      const conditions = agentNodeConditions(
        rfc3339(Date.now()),
        this.#readySince,
        this.#runtimeError,
      );
      const images = this.#runtimeError
        ? undefined
        : nodeImages(await this.#rt.listImages().catch(() => []));
      await this.#client.patch(
        resources.nodes,
        this.nodeName,
        { status: { conditions, ...(images ? { images } : {}) } },
        { type: "merge", subresource: "status" },
      );
    } catch (err) {
      this.#log.warn("node status update failed", { err: String(err) });
    }
  }

  /** Asks the runtime for its version; a change of health is written at once. */
  async #checkRuntime(): Promise<void> {
    let error: string | undefined;
    try {
      await this.#rt.version();
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    if ((error === undefined) === (this.#runtimeError === undefined)) return;
    this.#runtimeError = error;
    this.#readySince = rfc3339(Date.now());
    if (error) this.#log.warn("container runtime is down", { err: error });
    await this.#heartbeat();
  }

  #renewLease(): Promise<void> {
    return this.#renewer.renew();
  }

  // ---- pods ----

  /** An Event about container `container` of `pod` (fieldPath as the kubelet writes it). */
  #event(
    pod: Pod,
    container: string | undefined,
    type: EventType,
    reason: string,
    message: string,
  ) {
    const ref = referenceOf(pod);
    if (container !== undefined) {
      const init = (pod.spec?.initContainers ?? []).some((c) => c.name === container);
      ref.fieldPath = `spec.${init ? "initContainers" : "containers"}{${container}}`;
    }
    this.#recorder.event(ref, type, reason, message);
  }

  /** What the runtime runs for the pod `uid`: its newest sandbox and that sandbox's containers. */
  async #view(uid: string): Promise<RuntimeView & { allSandboxes: string[] }> {
    const sandboxes = await this.#rt.listPodSandbox({ labelSelector: { [POD_UID_LABEL]: uid } });
    const allSandboxes = sandboxes.map((s) => s.id);
    const newest = [...sandboxes].sort(
      (a, b) =>
        (b.metadata?.attempt ?? 0) - (a.metadata?.attempt ?? 0) || b.createdAt - a.createdAt,
    )[0];
    if (!newest) return { containers: [], allSandboxes };
    const status = await this.#rt.podSandboxStatus(newest.id);
    const containers: RuntimeContainer[] = [];
    for (const c of await this.#rt.listContainers({ podSandboxId: newest.id })) {
      let st;
      try {
        st = await this.#rt.containerStatus(c.id);
      } catch (err) {
        // Removed between the list and the look.
        if (isGrpcCode(err, GrpcCode.NotFound)) continue;
        throw err;
      }
      containers.push({
        id: c.id,
        name: c.labels[CONTAINER_NAME_LABEL] ?? c.metadata?.name ?? "",
        attempt: c.metadata?.attempt ?? 0,
        state:
          st.state === ContainerState.Running
            ? "running"
            : st.state === ContainerState.Exited
              ? "exited"
              : st.state === ContainerState.Created
                ? "created"
                : "unknown",
        exitCode: st.exitCode,
        reason: st.reason,
        message: st.message,
        createdAt: nsToMs(st.createdAt),
        startedAt: nsToMs(st.startedAt),
        finishedAt: nsToMs(st.finishedAt),
        image: st.image?.image ?? "",
        imageRef: st.imageRef,
      });
    }
    const ip = status.network?.ip;
    return {
      sandbox: {
        id: newest.id,
        ready: status.state === SandboxState.Ready,
        attempt: newest.metadata?.attempt ?? 0,
        ...(ip ? { ip, ips: (status.network?.additionalIps ?? []).map((a) => a.ip) } : {}),
      },
      containers,
      allSandboxes,
    };
  }

  async #sync(key: string): Promise<{ requeueAfter: number } | void> {
    const slash = key.indexOf("/");
    const pod = this.#informer.lister.get(key.slice(0, slash), key.slice(slash + 1));
    if (!pod || pod.spec?.nodeName !== this.nodeName) return;
    const uid = pod.metadata.uid ?? "";
    if (pod.metadata.deletionTimestamp) return this.#terminate(pod);

    let view = await this.#view(uid);
    let requeueAfter: number | undefined;
    for (let step = 0; step < 16 && !this.#stopped; step++) {
      const action = nextPodAction(pod, view, Date.now());
      if (action.type === "none") break;
      if (action.type === "wait") {
        requeueAfter = action.requeueAfterMs;
        if (action.backoff)
          this.#event(
            pod,
            action.backoff,
            "Warning",
            "BackOff",
            `Back-off restarting failed container ${action.backoff} in pod ${pod.metadata.name ?? ""}_${pod.metadata.namespace ?? ""}(${uid})`,
          );
        break;
      }
      if (action.type === "runSandbox") {
        if (action.removeOld) {
          await this.#rt.stopPodSandbox(action.removeOld);
          await this.#rt.removePodSandbox(action.removeOld);
        }
        await this.#runSandbox(pod, action.attempt);
      } else if (action.type === "stopSandbox") {
        await this.#rt.stopPodSandbox(action.sandboxId);
      } else {
        const started = await this.#startContainer(pod, view, action.container, action.attempt);
        if (!started) {
          requeueAfter = 5000;
          break;
        }
      }
      view = await this.#view(uid);
    }
    const status = podStatusFromRuntime(pod, view, {
      nowMs: Date.now(),
      hostIP: this.#machine?.internalIP ?? "127.0.0.1",
      waiting: this.#waiting.get(uid) ?? new Map(),
    });
    if (statusChanged(pod.status, status)) {
      await this.#client.updateStatus(
        resources.pods,
        { ...pod, status },
        {
          namespace: pod.metadata.namespace ?? "",
        },
      );
    }
    if (requeueAfter !== undefined) return { requeueAfter };
  }

  #sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    const name = pod.metadata.name ?? "";
    const namespace = pod.metadata.namespace ?? "";
    const uid = pod.metadata.uid ?? "";
    const hostname = (pod.spec?.hostname ?? name).slice(0, 63);
    return {
      metadata: { name, uid, namespace, attempt },
      hostname,
      logDirectory: path.join(this.#opts.dataDir, "pods", `${namespace}_${name}_${uid}`),
      labels: {
        ...(pod.metadata.labels ?? {}),
        [POD_UID_LABEL]: uid,
        [POD_NAME_LABEL]: name,
        [POD_NAMESPACE_LABEL]: namespace,
      },
      annotations: {},
      linux: {},
    };
  }

  async #runSandbox(pod: Pod, attempt: number): Promise<void> {
    const config = this.#sandboxConfig(pod, attempt);
    await mkdir(config.logDirectory!, { recursive: true });
    await this.#rt.runPodSandbox(config);
  }

  /** Makes sure the image is there per the pull policy; its reference, or undefined (waiting set). */
  async #ensureImage(pod: Pod, c: Container): Promise<string | undefined> {
    const uid = pod.metadata.uid ?? "";
    const name = c.name ?? "";
    const image = imageName(c.image ?? "");
    const policy = pullPolicyOf(c);
    const waiting = this.#waiting.get(uid) ?? new Map<string, WaitingReason>();
    this.#waiting.set(uid, waiting);
    const present = await this.#rt.imageStatus({ image });
    if (policy === "Never") {
      if (present) {
        waiting.delete(name);
        return present.id;
      }
      const message = `Container image "${c.image}" is not present with pull policy of Never`;
      waiting.set(name, { reason: "ErrImageNeverPull", message });
      this.#event(pod, name, "Warning", "ErrImageNeverPull", message);
      return undefined;
    }
    if (present && policy === "IfNotPresent") {
      waiting.delete(name);
      this.#event(
        pod,
        name,
        "Normal",
        "Pulled",
        `Container image "${c.image}" already present on machine`,
      );
      return present.id;
    }
    this.#event(pod, name, "Normal", "Pulling", `Pulling image "${c.image}"`);
    const t0 = Date.now();
    try {
      const ref = await this.#rt.pullImage({ image });
      waiting.delete(name);
      this.#event(
        pod,
        name,
        "Normal",
        "Pulled",
        `Successfully pulled image "${c.image}" in ${Date.now() - t0}ms`,
      );
      return ref;
    } catch (err) {
      if (present) {
        // Not upstream: offline nodes (no registry yet) run the image they have even under Always.
        this.#log.warn("image pull failed; using the image present on the node", {
          image,
          err: String(err),
        });
        waiting.delete(name);
        this.#event(
          pod,
          name,
          "Normal",
          "Pulled",
          `Container image "${c.image}" already present on machine (pull failed: ${String(err)})`,
        );
        return present.id;
      }
      const why = err instanceof Error ? err.message : String(err);
      waiting.set(name, {
        reason: "ErrImagePull",
        message: `failed to pull image "${c.image}": ${why}`,
      });
      this.#event(pod, name, "Warning", "Failed", `Failed to pull image "${c.image}": ${why}`);
      return undefined;
    }
  }

  async #startContainer(
    pod: Pod,
    view: RuntimeView,
    c: Container,
    attempt: number,
  ): Promise<boolean> {
    const sandboxId = view.sandbox?.id;
    if (!sandboxId) return false;
    const imageRef = await this.#ensureImage(pod, c);
    if (imageRef === undefined) return false;
    const name = c.name ?? "";
    const sandboxConfig = this.#sandboxConfig(pod, view.sandbox?.attempt ?? 0);
    const proc = containerProcess(c);
    const config: ContainerConfig = {
      metadata: { name, attempt },
      image: { image: imageRef, userSpecifiedImage: c.image ?? "" },
      ...proc,
      ...(c.workingDir ? { workingDir: c.workingDir } : {}),
      labels: {
        [POD_UID_LABEL]: pod.metadata.uid ?? "",
        [POD_NAME_LABEL]: pod.metadata.name ?? "",
        [POD_NAMESPACE_LABEL]: pod.metadata.namespace ?? "",
        [CONTAINER_NAME_LABEL]: name,
      },
      annotations: { "io.kubernetes.container.restartCount": String(attempt) },
      logPath: path.join(name, `${attempt}.log`),
      linux: {},
    };
    await mkdir(path.join(sandboxConfig.logDirectory!, name), { recursive: true });
    const id = await this.#rt.createContainer(sandboxId, config, sandboxConfig);
    this.#event(pod, name, "Normal", "Created", `Created container ${name}`);
    try {
      await this.#rt.startContainer(id);
      this.#event(pod, name, "Normal", "Started", `Started container ${name}`);
    } catch (err) {
      this.#event(
        pod,
        name,
        "Warning",
        "Failed",
        `Error: ${err instanceof Error ? err.message : String(err)}`,
      );
      // The runtime records it as exited (StartError): the restart policy takes it from there.
      this.#log.warn("container start failed", {
        pod: pod.metadata.name,
        container: name,
        err: String(err),
      });
    }
    return true;
  }

  /** Graceful termination of a pod being deleted, then removal of the object. */
  async #terminate(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? "";
    const grace =
      pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    const running = await this.#rt.listContainers({ labelSelector: { [POD_UID_LABEL]: uid } });
    for (const c of running)
      if (c.state === ContainerState.Running) {
        const name = c.labels[CONTAINER_NAME_LABEL] ?? c.metadata?.name ?? "";
        this.#event(pod, name, "Normal", "Killing", `Stopping container ${name}`);
      }
    await this.#removeFromRuntime(uid, grace);
    this.#waiting.delete(uid);
    try {
      await this.#client.delete(resources.pods, pod.metadata.name ?? "", {
        namespace: pod.metadata.namespace ?? "",
        gracePeriodSeconds: 0,
        preconditions: { uid },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** Stops (with `grace` seconds) and removes every container and sandbox of pod `uid`. */
  async #removeFromRuntime(uid: string, grace: number): Promise<void> {
    const containers = await this.#rt.listContainers({ labelSelector: { [POD_UID_LABEL]: uid } });
    await Promise.all(
      containers
        .filter((c) => c.state === ContainerState.Running || c.state === ContainerState.Created)
        .map((c) => this.#rt.stopContainer(c.id, Math.max(0, grace))),
    );
    for (const s of await this.#rt.listPodSandbox({ labelSelector: { [POD_UID_LABEL]: uid } })) {
      await this.#rt.stopPodSandbox(s.id);
      await this.#rt.removePodSandbox(s.id);
    }
  }

  /** Removes from the runtime the pods the API no longer has (deleted while this agent was away). */
  #sweep(): Promise<void> {
    this.#sweeping ??= this.#sweepOnce()
      .catch((err: unknown) => this.#log.warn("orphan sweep failed", { err: String(err) }))
      .finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  async #sweepOnce(): Promise<void> {
    if (!this.#informer.hasSynced()) return;
    const known = new Set(this.#informer.lister.list().map((p) => p.metadata.uid ?? ""));
    const orphans = new Set<string>();
    for (const s of await this.#rt.listPodSandbox()) {
      const uid = s.labels[POD_UID_LABEL];
      if (uid && !known.has(uid)) orphans.add(uid);
    }
    for (const uid of orphans) {
      this.#log.info("removing a pod the API no longer has", { uid });
      await this.#removeFromRuntime(uid, 0);
      this.#waiting.delete(uid);
    }
  }
}

function nsToMs(ns: number): number {
  return Math.floor(ns / 1e6);
}
