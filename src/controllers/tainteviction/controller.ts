/**
 * The taint eviction controller (upstream's taint-eviction-controller, once the NoExecute taint
 * manager inside node lifecycle): pods on a node with NoExecute taints they do not tolerate are
 * deleted; pods that tolerate them for `tolerationSeconds` are deleted once that time has passed
 * since the taints were first seen, unless the taints go first. Each deletion is announced by a
 * TaintManagerEviction event and a DisruptionTarget condition on the pod.
 */
import type { Node } from "../../api/core/v1/node.js";
import { DISRUPTION_TARGET, setPodCondition } from "../../api/core/v1/pod-conditions.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { isConflict, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey } from "../../client/resource.js";
import { WorkQueue, type ReconcileResult } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { ensurePodNodeNameIndex, podsOnNode } from "../nodelifecycle/pod-index.js";
import { formatTime } from "../replicaset/pod-state.js";
import { runQueue } from "../run-queue.js";
import {
  evictionDecision,
  noExecuteTaints,
  pendingEviction,
  type PendingEviction,
} from "./eviction-decision.js";

const WORKERS = 4;

/** Builds the taint eviction controller. */
export function newTaintEvictionController(ctx: ControllerContext): Controller {
  return new TaintEvictionController(ctx);
}

/** Deletes pods from nodes whose NoExecute taints they do not (or no longer) tolerate. */
export class TaintEvictionController implements Controller {
  readonly name = "taint-eviction-controller";
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #nodes: Informer<Node>;
  readonly #pods: Informer<Pod>;
  readonly #recorder: EventRecorder;
  /** Pod keys; each reconcile decides that pod's fate from the caches. */
  readonly #queue = new WorkQueue<string>();
  /** The evictions waiting for a toleration to run out, by pod key. */
  readonly #since = new Map<string, PendingEviction>();

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#nodes = ctx.informers.informerFor<Node>(resources.nodes);
    this.#pods = ctx.informers.informerFor<Pod>(resources.pods);
    ensurePodNodeNameIndex(this.#pods);
    this.#recorder = new EventRecorder(ctx.client, {
      component: "taint-eviction-controller",
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });

    this.#pods.addEventHandler({
      onAdd: (pod) => this.#enqueuePod(pod),
      onUpdate: (_old, pod) => this.#enqueuePod(pod),
      onDelete: (pod) => this.#since.delete(objectKey(pod.metadata)),
    });
    this.#nodes.addEventHandler({
      onAdd: (node) => this.#enqueueNode(node),
      onUpdate: (old, node) => {
        const before = JSON.stringify(noExecuteTaints(old.spec?.taints));
        if (before !== JSON.stringify(noExecuteTaints(node.spec?.taints))) this.#enqueueNode(node);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await runQueue(this.name, signal, this.#queue, WORKERS, (k) => this.reconcile(k), this.#log);
    } finally {
      await this.#recorder.stop();
    }
  }

  #enqueuePod(pod: Pod): void {
    if (pod.spec?.nodeName) this.#queue.add(objectKey(pod.metadata));
  }

  #enqueueNode(node: Node): void {
    for (const pod of podsOnNode(this.#pods, node.metadata.name ?? "")) this.#enqueuePod(pod);
  }

  /** Decides one pod's fate from its node's taints, and deletes it when its time has come. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const pod = this.#pods.lister.get(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || pod.metadata.deletionTimestamp) {
      this.#since.delete(key);
      return;
    }
    const node = this.#nodes.lister.get("", nodeName);
    const taints = noExecuteTaints(node?.spec?.taints);
    const decision = evictionDecision(pod.spec?.tolerations, taints);
    const now = Date.now();

    if (decision.kind === "stay") {
      if (this.#since.delete(key)) {
        this.#recorder.event(
          pod,
          "Normal",
          "TaintManagerEviction",
          `Cancelling deletion of Pod ${key}`,
        );
      }
      return;
    }
    if (decision.kind === "after") {
      const pending = pendingEviction(
        this.#since.get(key),
        { uid: pod.metadata.uid ?? "", node: nodeName },
        taints,
        now,
      );
      this.#since.set(key, pending);
      const due = pending.since + decision.afterMs;
      if (now < due) return { requeueAfter: due - now };
    }
    await this.#evict(pod);
    this.#since.delete(key);
  }

  /** Announces, marks and deletes a pod; a pod already gone or replaced is left alone. */
  async #evict(pod: Pod): Promise<void> {
    const key = objectKey(pod.metadata);
    const scope = { namespace: pod.metadata.namespace ?? "" };
    this.#recorder.event(pod, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${key}`);
    const status = structuredClone(pod.status ?? {});
    const changed = setPodCondition(
      status,
      {
        type: DISRUPTION_TARGET,
        status: "True",
        reason: "DeletionByTaintManager",
        message: "Taint manager: deleting due to NoExecute taint",
      },
      formatTime(Date.now()),
    );
    try {
      if (changed) await this.#client.updateStatus<Pod>(resources.pods, { ...pod, status }, scope);
      await this.#client.delete(resources.pods, pod.metadata.name ?? "", {
        ...scope,
        preconditions: { uid: pod.metadata.uid ?? "" },
      });
      this.#log.info("Evicted pod from tainted node", { pod: key, node: pod.spec?.nodeName });
    } catch (err) {
      if (isNotFound(err)) return;
      // A newer copy of the pod: its update event brings it back here with fresh state.
      if (isConflict(err)) return;
      throw err;
    }
  }
}
