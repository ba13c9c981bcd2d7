/**
 * The DaemonSet controller. Informers on DaemonSets, ControllerRevisions, pods and nodes feed
 * DaemonSet keys to a work queue; `reconcile(key)` makes sure the current template has its
 * revision, claims the pods, plans with `planManage` (and, when that has nothing to do, with
 * `planRollingUpdate`), creates and deletes pods, trims the revision history, and writes the
 * status. Expectations keep a sync from acting again on its own writes before the pod informer
 * has seen them; a back-off per node keeps failed pods from being replaced in a hot loop.
 */
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import type { DaemonSet, DaemonSetStatus } from "../../api/apps/v1/daemon-set.js";
import type { Node } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { KubeObject } from "../../api/meta/types.js";
import { labelSelectorFromObject, type LabelSelector } from "../../api/selectors/label-selector.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey } from "../../client/resource.js";
import { WorkQueue, type ReconcileResult } from "../../client/work-queue.js";
import { deepEqual } from "../../util/deep-equal.js";
import { errorMessage } from "../../util/error-message.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { claimThroughApi } from "../replicaset/adoption.js";
import {
  ensureControllerUidIndex,
  isNamespaceTerminating,
  ownedAndOrphans,
} from "../replicaset/controller-index.js";
import {
  controllerRefOf,
  newControllerRef,
  resolveControllerRef,
} from "../replicaset/controller-ref.js";
import { ControllerExpectations } from "../replicaset/expectations.js";
import { deletePods } from "../replicaset/pod-writes.js";
import { isPodReady } from "../replicaset/pod-state.js";
import { slowStartBatches } from "../replicaset/replica-set-logic.js";
import { runQueue } from "../run-queue.js";
import { writeStatus } from "../write-status.js";
import { Backoff } from "./backoff.js";
import { identityOf } from "./claims.js";
import { daemonPodFor, daemonPodTemplate } from "./daemon-pod.js";
import {
  BURST_REPLICAS,
  daemonSetStatusCounts,
  nextDaemonSetStatus,
  planManage,
  type DaemonSetSyncInput,
  type NodeActions,
} from "./daemon-set-logic.js";
import { DaemonPlacement } from "./placement.js";
import { RevisionSync } from "./revision-sync.js";
import { planRollingUpdate } from "./rolling-update.js";

/** Concurrent syncs (upstream's --concurrent-daemonset-syncs: 2). */
const WORKERS = 2;

/** The back-off of failed daemon pods on a node: 1 s doubling to 15 min, as upstream's. */
const FAILED_POD_BACKOFF = { initialMs: 1000, maxMs: 15 * 60 * 1000 };

/** How often expired back-off entries are dropped. */
const BACKOFF_GC_MS = 60_000;

/** Builds the DaemonSet controller. */
export function newDaemonSetController(ctx: ControllerContext): Controller {
  return new DaemonSetController(ctx);
}

/** Runs one pod of each DaemonSet on every node that should run it. */
export class DaemonSetController implements Controller {
  readonly name = "daemonset";
  readonly #client: KubeClient;
  readonly #daemonSets: Informer<DaemonSet>;
  readonly #revisions: Informer<ControllerRevision>;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>();
  readonly #expectations = new ControllerExpectations();
  readonly #backoff = new Backoff(FAILED_POD_BACKOFF.initialMs, FAILED_POD_BACKOFF.maxMs);
  readonly #recorder: EventRecorder;
  readonly #history: RevisionSync;

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#daemonSets = ctx.informers.informerFor<DaemonSet>(resources.daemonSets);
    this.#revisions = ctx.informers.informerFor<ControllerRevision>(resources.controllerRevisions);
    this.#pods = ctx.informers.informerFor<Pod>(resources.pods);
    this.#nodes = ctx.informers.informerFor<Node>(resources.nodes);
    ensureControllerUidIndex(this.#pods);
    ensureControllerUidIndex(this.#revisions);
    this.#history = new RevisionSync(ctx.client, this.#revisions, this.#pods);
    this.#recorder = new EventRecorder(ctx.client, {
      component: "daemonset-controller",
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });

    this.#daemonSets.addEventHandler({
      onAdd: (ds) => this.#queue.add(objectKey(ds.metadata)),
      onUpdate: (old, ds) => {
        const key = objectKey(ds.metadata);
        // A DaemonSet deleted and made again under the same name starts with clean expectations.
        if (old.metadata.uid !== ds.metadata.uid) this.#expectations.delete(key);
        this.#queue.add(key);
      },
      onDelete: (ds) => {
        const key = objectKey(ds.metadata);
        this.#expectations.delete(key);
        this.#queue.add(key);
      },
    });
    this.#revisions.addEventHandler({
      onAdd: (cr) => this.#ownedChanged(undefined, cr),
      onUpdate: (old, cr) => this.#ownedChanged(old, cr),
      onDelete: (cr) => this.#enqueueOwner(cr),
    });
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#podAdded(pod),
      onUpdate: (old, pod) => this.#podUpdated(old, pod),
      onDelete: (pod) => this.#podDeleted(pod),
    });
    this.#nodes.addEventHandler({
      onAdd: (node) => this.#nodeAdded(node),
      onUpdate: (old, node) => this.#nodeUpdated(old, node),
      onDelete: () => this.#enqueueAll(),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const gc = setInterval(() => this.#backoff.gc(Date.now()), BACKOFF_GC_MS);
    gc.unref();
    try {
      await runQueue(
        this.name,
        signal,
        this.#queue,
        WORKERS,
        (key) => this.reconcile(key),
        this.#log,
      );
    } finally {
      clearInterval(gc);
      await this.#recorder.stop();
    }
  }

  // --- event handlers: they only find the DaemonSets concerned and enqueue them ---

  /** The DaemonSet `obj`'s controller reference names, if it still exists with that UID. */
  #owner(obj: KubeObject, ref = controllerRefOf(obj)): DaemonSet | undefined {
    return resolveControllerRef(
      this.#daemonSets.lister,
      { group: "apps", kind: "DaemonSet" },
      obj,
      ref,
    );
  }

  #enqueueOwner(obj: KubeObject, ref = controllerRefOf(obj)): string | undefined {
    const ds = this.#owner(obj, ref);
    if (!ds) return undefined;
    const key = objectKey(ds.metadata);
    this.#queue.add(key);
    return key;
  }

  /** Enqueues the DaemonSets whose selector matches an orphan: they may adopt it. */
  #enqueueMatching(obj: KubeObject): void {
    for (const ds of this.#daemonSets.lister.list(obj.metadata.namespace ?? "")) {
      const selector = selectorOf(ds);
      if (selector && !selector.isEmpty() && selector.matches(obj.metadata.labels)) {
        this.#queue.add(objectKey(ds.metadata));
      }
    }
  }

  #enqueueAll(): void {
    for (const ds of this.#daemonSets.lister.list()) this.#queue.add(objectKey(ds.metadata));
  }

  /** A revision (or pod) appeared or changed: its owner, a former owner, or would-be adopters. */
  #ownedChanged(old: KubeObject | undefined, obj: KubeObject): void {
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    const oldRef = old ? controllerRefOf(old) : undefined;
    const ref = controllerRefOf(obj);
    if (oldRef && oldRef.uid !== ref?.uid) this.#enqueueOwner(old ?? obj, oldRef);
    if (ref) {
      this.#enqueueOwner(obj, ref);
      return;
    }
    if (obj.metadata.deletionTimestamp) return;
    if (!old || oldRef || !deepEqual(old.metadata.labels, obj.metadata.labels)) {
      this.#enqueueMatching(obj);
    }
  }

  #podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      // Seen first already terminating (a re-list): it counts as a deletion, not a creation.
      this.#podDeleted(pod);
      return;
    }
    const ref = controllerRefOf(pod);
    if (!ref) {
      this.#enqueueMatching(pod);
      return;
    }
    const ds = this.#owner(pod, ref);
    if (!ds) return;
    const key = objectKey(ds.metadata);
    this.#expectations.creationObserved(key);
    this.#queue.add(key);
  }

  #podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    if (pod.metadata.deletionTimestamp) {
      // Graceful deletion began: the DaemonSet may replace the pod now.
      this.#podDeleted(pod);
      return;
    }
    this.#ownedChanged(old, pod);
    const ds = this.#owner(pod);
    const minReady = ds?.spec?.minReadySeconds ?? 0;
    if (ds && minReady > 0 && !isPodReady(old) && isPodReady(pod)) {
      // Look again once the pod has been ready long enough to be available.
      this.#queue.addAfter(objectKey(ds.metadata), minReady * 1000 + 1000);
    }
  }

  #podDeleted(pod: Pod): void {
    const ds = this.#owner(pod);
    if (!ds) return;
    const key = objectKey(ds.metadata);
    this.#expectations.deletionObserved(key, objectKey(pod.metadata));
    this.#queue.add(key);
  }

  #nodeAdded(node: Node): void {
    for (const ds of this.#daemonSets.lister.list()) {
      if (new DaemonPlacement(ds).forNode(node).shouldRun) this.#queue.add(objectKey(ds.metadata));
    }
  }

  #nodeUpdated(old: Node, node: Node): void {
    // Placement reads only a node's name, labels and taints: heartbeats change none of them.
    if (
      deepEqual(old.metadata.labels, node.metadata.labels) &&
      deepEqual(old.spec?.taints, node.spec?.taints)
    ) {
      return;
    }
    for (const ds of this.#daemonSets.lister.list()) {
      const placement = new DaemonPlacement(ds);
      const before = placement.forNode(old);
      const after = placement.forNode(node);
      if (
        before.shouldRun !== after.shouldRun ||
        before.shouldContinueRunning !== after.shouldContinueRunning
      ) {
        this.#queue.add(objectKey(ds.metadata));
      }
    }
  }

  // --- the sync ---

  /** One sync of the DaemonSet `key` names. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const ds = this.#daemonSets.lister.get(namespace, name);
    if (!ds) {
      this.#expectations.delete(key);
      return;
    }
    const selector = selectorOf(ds);
    if (!selector) {
      this.#log.warn("Cannot sync daemon set: unreadable selector", { key });
      return;
    }
    if (selector.isEmpty()) {
      this.#recorder.event(
        ds,
        "Warning",
        "SelectingAll",
        "This daemon set is selecting all pods. A non-empty selector is required.",
      );
      return;
    }
    // Being deleted: its revisions may already be gone or orphaned, so status cannot be trusted.
    if (ds.metadata.deletionTimestamp) return;

    const history = await this.#history.construct(ds, selector);
    const pods = await this.#claimPods(ds, selector);
    const now = Date.now();
    const input: DaemonSetSyncInput = {
      ds,
      nodes: this.#nodes.lister.list(),
      pods,
      hash: history.hash,
      now,
      failedPodBackoffMs: (node) => this.#backoff.remainingMs(backoffKey(ds, node), now),
    };

    if (!this.#expectations.satisfied(key)) {
      // Waiting for the cache to show earlier writes: status only, generation not yet observed.
      await this.#writeStatus(ds, nextDaemonSetStatus(ds, daemonSetStatusCounts(input), false));
      return;
    }

    let failure: unknown;
    let requeueAfterMs: number | undefined;
    try {
      const manage = planManage(input);
      requeueAfterMs = manage.requeueAfterMs;
      for (const node of manage.backoffSteps) this.#backoff.next(backoffKey(ds, node), now);
      for (const e of manage.events) this.#recorder.event(ds, e.type, e.reason, e.message);
      const acted = await this.#syncNodes(key, ds, history.hash, manage);
      if (!acted && ds.spec?.updateStrategy?.type === "RollingUpdate") {
        await this.#syncNodes(key, ds, history.hash, planRollingUpdate(input));
      }
      await this.#history.cleanup(ds, history.old, pods);
    } catch (err) {
      failure = err;
    }

    const counts = daemonSetStatusCounts(input);
    try {
      await this.#writeStatus(ds, nextDaemonSetStatus(ds, counts, true));
    } catch (err) {
      if (failure === undefined) throw err;
      this.#log.warn("Cannot update daemon set status", { key, err });
    }
    if (failure !== undefined) throw failure;

    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) {
      // A last check after minReadySeconds, in case the pod events come too early for the clock.
      requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, minReady * 1000);
    }
    if (requeueAfterMs !== undefined) return { requeueAfter: requeueAfterMs };
  }

  /** The pods the DaemonSet controls, after adopting matching orphans and releasing the rest. */
  async #claimPods(ds: DaemonSet, selector: LabelSelector): Promise<Pod[]> {
    const candidates = ownedAndOrphans(
      this.#pods,
      ds.metadata.namespace ?? "",
      ds.metadata.uid ?? "",
    );
    return claimThroughApi({
      client: this.#client,
      resource: resources.pods,
      ownerResource: resources.daemonSets,
      owner: identityOf(ds),
      candidates,
      matches: (pod) => selector.matches(pod.metadata.labels),
    });
  }

  /**
   * Creates and deletes pods as `actions` say (at most BURST_REPLICAS of each), creations in
   * slow-start batches that stop after a failing batch, deletions in parallel. Resolves whether
   * anything was attempted; throws the first failure after all were tried.
   */
  async #syncNodes(
    key: string,
    ds: DaemonSet,
    hash: string,
    actions: NodeActions,
  ): Promise<boolean> {
    const createOn = actions.createOn.slice(0, BURST_REPLICAS);
    const toDelete = actions.delete.slice(0, BURST_REPLICAS);
    if (createOn.length === 0 && toDelete.length === 0) return false;
    this.#log.debug("Syncing daemon pods", {
      daemonset: key,
      createOn,
      delete: toDelete.map((p) => p.metadata.name ?? ""),
    });
    this.#expectations.expectChanges(
      key,
      createOn.length,
      toDelete.map((p) => objectKey(p.metadata)),
    );

    let firstError: unknown;
    const template = daemonPodTemplate(ds, hash);
    const ref = newControllerRef(identityOf(ds));
    let done = 0;
    for (const size of slowStartBatches(createOn.length)) {
      const batch = createOn.slice(done, done + size);
      done += size;
      const results = await Promise.allSettled(
        batch.map((node) =>
          this.#client.create<Pod>(resources.pods, daemonPodFor(ds, template, node, ref)),
        ),
      );
      let failed = false;
      for (const result of results) {
        if (result.status === "fulfilled") {
          const created = result.value.metadata.name ?? "";
          this.#recorder.event(ds, "Normal", "SuccessfulCreate", `Created pod: ${created}`);
          continue;
        }
        // A failed create will never be observed.
        this.#expectations.creationObserved(key);
        if (isNamespaceTerminating(result.reason)) continue;
        failed = true;
        firstError ??= result.reason;
        this.#recorder.event(
          ds,
          "Warning",
          "FailedCreate",
          `Error creating: ${errorMessage(result.reason)}`,
        );
      }
      if (failed && createOn.length > done) {
        // The rest would likely fail alike; the next sync tries again.
        this.#expectations.creationsSkipped(key, createOn.length - done);
        break;
      }
    }

    const deleteError = await deletePods(
      {
        client: this.#client,
        recorder: this.#recorder,
        expectations: this.#expectations,
        key,
        owner: ds,
      },
      toDelete,
    );
    firstError ??= deleteError;
    if (firstError !== undefined) throw firstError;
    return true;
  }

  /** Writes the status; on a conflict the fresh object's collision count wins (see `writeStatus`). */
  async #writeStatus(ds: DaemonSet, status: DaemonSetStatus | undefined): Promise<void> {
    if (!status) return;
    await writeStatus(this.#client, resources.daemonSets, ds, status, (fresh, s) =>
      // Another sync may have bumped the collision count after a hash collision.
      fresh.status?.collisionCount === undefined
        ? s
        : { ...s, collisionCount: fresh.status.collisionCount },
    );
  }
}

/** The DaemonSet's selector; undefined when unreadable (validation keeps such out). */
function selectorOf(ds: DaemonSet): LabelSelector | undefined {
  try {
    return labelSelectorFromObject(ds.spec?.selector);
  } catch {
    return undefined;
  }
}

/**
 * The back-off key of failed pods of `ds` on `node`: a new generation starts without delay, since
 * the new template may well fix what made the pods fail.
 */
function backoffKey(ds: DaemonSet, node: string): string {
  return `${ds.metadata.uid ?? ""}/${ds.status?.observedGeneration ?? 0}/${node}`;
}
