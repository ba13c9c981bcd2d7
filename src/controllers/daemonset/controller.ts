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
import { isAlreadyExists, isConflict, isInvalid, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey, type ResourceDescriptor } from "../../client/resource.js";
import { WorkQueue, type ReconcileResult } from "../../client/work-queue.js";
import { deepEqual } from "../../util/deep-equal.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import {
  CONTROLLER_UID_INDEX,
  ensureControllerUidIndex,
  isNamespaceTerminating,
  ownedAndOrphans,
} from "../replicaset/controller-index.js";
import {
  adoptionPatch,
  claimObjects,
  controllerRefOf,
  newControllerRef,
  releasePatch,
  type ControllerIdentity,
} from "../replicaset/controller-ref.js";
import { ControllerExpectations } from "../replicaset/expectations.js";
import { isPodReady } from "../replicaset/pod-state.js";
import { slowStartBatches } from "../replicaset/replica-set-logic.js";
import { RetryLater, runQueue } from "../run-queue.js";
import { Backoff } from "./backoff.js";
import { daemonPodFor, daemonPodTemplate } from "./daemon-pod.js";
import {
  BURST_REPLICAS,
  daemonSetStatusCounts,
  nextDaemonSetStatus,
  planManage,
  type DaemonSetSyncInput,
  type NodeActions,
} from "./daemon-set-logic.js";
import {
  CONTROLLER_REVISION_HASH_LABEL,
  keepOfDuplicates,
  maxRevision,
  newControllerRevision,
  revisionMatches,
  revisionsToTruncate,
  splitRevisions,
} from "./history.js";
import { DaemonPlacement } from "./placement.js";
import { daemonSetRevisionData, daemonSetTemplateHash } from "./revision-data.js";
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

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#daemonSets = ctx.informers.informerFor<DaemonSet>(resources.daemonSets);
    this.#revisions = ctx.informers.informerFor<ControllerRevision>(resources.controllerRevisions);
    this.#pods = ctx.informers.informerFor<Pod>(resources.pods);
    this.#nodes = ctx.informers.informerFor<Node>(resources.nodes);
    ensureControllerUidIndex(this.#pods);
    ensureControllerUidIndex(this.#revisions);
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
    if (!ref || ref.kind !== "DaemonSet" || !ref.apiVersion.startsWith("apps/")) return undefined;
    const ds = this.#daemonSets.lister.get(obj.metadata.namespace ?? "", ref.name);
    return ds?.metadata.uid === ref.uid ? ds : undefined;
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

    const identity = identityOf(ds);
    const history = await this.#constructHistory(ds, identity, selector);
    const pods = await this.#claimPods(ds, identity, selector);
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
      await this.#cleanupHistory(ds, history.old, pods);
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

  /**
   * Claims the pods of the DaemonSet's namespace: owned pods that still match, and matching orphans
   * (adopted after a live check that the DaemonSet is not being deleted); owned pods that stopped
   * matching are released.
   */
  async #claimPods(
    ds: DaemonSet,
    identity: ControllerIdentity,
    selector: LabelSelector,
  ): Promise<Pod[]> {
    const candidates = ownedAndOrphans(this.#pods, identity.namespace ?? "", identity.uid);
    const claim = claimObjects(identity, candidates, (p) => selector.matches(p.metadata.labels));
    if (claim.adopt.length) await this.#checkCanAdopt(ds);
    const gone = new Set<Pod>();
    for (const pod of claim.adopt) {
      if (!(await this.#claimPatch(resources.pods, pod, adoptionPatch(identity, pod))))
        gone.add(pod);
    }
    for (const pod of claim.release)
      await this.#claimPatch(resources.pods, pod, releasePatch(identity, pod));
    return gone.size ? claim.claimed.filter((p) => !gone.has(p)) : claim.claimed;
  }

  /** Applies an adoption or release patch; false when the object is gone or was replaced. */
  async #claimPatch(res: ResourceDescriptor, obj: KubeObject, patch: unknown): Promise<boolean> {
    try {
      await this.#client.patch(res, obj.metadata.name ?? "", patch, {
        namespace: obj.metadata.namespace ?? "",
      });
      return true;
    } catch (err) {
      // Deleted meanwhile, or replaced by another of that name (the UID precondition fails).
      if (isNotFound(err) || isInvalid(err) || isConflict(err)) return false;
      throw err;
    }
  }

  /**
   * A live read before adopting: the cache may lag behind the DaemonSet's deletion, and adopting
   * then would keep objects the garbage collector is about to delete or orphan.
   */
  async #checkCanAdopt(ds: DaemonSet): Promise<void> {
    const fresh = await this.#client.get<DaemonSet>(resources.daemonSets, ds.metadata.name ?? "", {
      namespace: ds.metadata.namespace ?? "",
    });
    if (fresh.metadata.uid !== ds.metadata.uid) {
      throw new Error(
        `original DaemonSet ${objectKey(ds.metadata)} is gone: got uid ${fresh.metadata.uid}, wanted ${ds.metadata.uid}`,
      );
    }
    if (fresh.metadata.deletionTimestamp) {
      throw new Error(
        `DaemonSet ${objectKey(ds.metadata)} has just been deleted at ${fresh.metadata.deletionTimestamp}`,
      );
    }
  }

  /**
   * The DaemonSet's revisions: claims them, finds (or creates) the one of the current template
   * with the next revision number, removes duplicates of it, and returns its hash and the old ones.
   */
  async #constructHistory(
    ds: DaemonSet,
    identity: ControllerIdentity,
    selector: LabelSelector,
  ): Promise<{ hash: string; old: ControllerRevision[] }> {
    const namespace = identity.namespace ?? "";
    const candidates = ownedAndOrphans(this.#revisions, namespace, identity.uid);
    const claim = claimObjects(identity, candidates, (cr) => selector.matches(cr.metadata.labels));
    if (claim.adopt.length) await this.#checkCanAdopt(ds);
    const gone = new Set<ControllerRevision>();
    for (const cr of claim.adopt) {
      const patch = adoptionPatch(identity, cr);
      if (!(await this.#claimPatch(resources.controllerRevisions, cr, patch))) gone.add(cr);
    }
    for (const cr of claim.release) {
      await this.#claimPatch(resources.controllerRevisions, cr, releasePatch(identity, cr));
    }

    const revisions: ControllerRevision[] = [];
    for (const cr of claim.claimed) {
      if (gone.has(cr)) continue;
      if (cr.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]) {
        revisions.push(cr);
        continue;
      }
      // A revision written without the hash label (by an old controller) is labelled by its name,
      // which is unique where a recomputed hash might collide.
      const labels = {
        ...cr.metadata.labels,
        [CONTROLLER_REVISION_HASH_LABEL]: cr.metadata.name ?? "",
      };
      revisions.push(
        await this.#client.update<ControllerRevision>(
          resources.controllerRevisions,
          { ...cr, metadata: { ...cr.metadata, labels } },
          { namespace },
        ),
      );
    }

    const data = daemonSetRevisionData(ds);
    const { current, old } = splitRevisions(revisions, data);
    const next = maxRevision(old) + 1;
    let cur: ControllerRevision;
    if (current.length === 0) {
      cur = await this.#snapshot(ds, identity, data, next);
    } else {
      const { keep, duplicates } = keepOfDuplicates(current);
      cur = keep ?? current[0]!;
      for (const dup of duplicates) await this.#removeDuplicate(cur, dup);
      if ((cur.revision ?? 0) < next) {
        cur = await this.#client.update<ControllerRevision>(
          resources.controllerRevisions,
          { ...cur, revision: next },
          { namespace },
        );
      }
    }
    return { hash: cur.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? "", old };
  }

  /**
   * Relabels the pods of a duplicate revision with the kept one's hash, then deletes the duplicate.
   * Only the duplicate's pods are relabelled: they have the same template as the kept revision.
   */
  async #removeDuplicate(keep: ControllerRevision, dup: ControllerRevision): Promise<void> {
    const namespace = dup.metadata.namespace ?? "";
    const keepHash = keep.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? "";
    const dupHash = dup.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
    const ownerUid = controllerRefOf(dup)?.uid ?? "";
    for (const pod of this.#pods.indexer.byIndex(CONTROLLER_UID_INDEX, ownerUid)) {
      if (!dupHash || pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] !== dupHash) continue;
      const patch = { metadata: { labels: { [CONTROLLER_REVISION_HASH_LABEL]: keepHash } } };
      await this.#claimPatch(resources.pods, pod, patch);
    }
    try {
      await this.#client.delete(resources.controllerRevisions, dup.metadata.name ?? "", {
        namespace,
        preconditions: { uid: dup.metadata.uid ?? "" },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /**
   * Creates the revision of the current template. When its name is taken by a revision of
   * another template (a hash collision), bumps `status.collisionCount`, so that the next sync
   * computes another hash, and retries later.
   */
  async #snapshot(
    ds: DaemonSet,
    identity: ControllerIdentity,
    data: unknown,
    revision: number,
  ): Promise<ControllerRevision> {
    const namespace = identity.namespace ?? "";
    const cr = newControllerRevision({
      ownerName: identity.name,
      namespace,
      controllerRef: newControllerRef(identity),
      labels: ds.spec?.template?.metadata?.labels,
      annotations: ds.metadata.annotations,
      data,
      revision,
      hash: daemonSetTemplateHash(ds),
    });
    try {
      return await this.#client.create<ControllerRevision>(resources.controllerRevisions, cr, {
        namespace,
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const name = cr.metadata.name ?? "";
    const existing = await this.#client.get<ControllerRevision>(
      resources.controllerRevisions,
      name,
      {
        namespace,
      },
    );
    if (revisionMatches(existing, data)) return existing;

    const fresh = await this.#client.get<DaemonSet>(resources.daemonSets, identity.name, {
      namespace,
    });
    if (fresh.status?.collisionCount !== ds.status?.collisionCount) {
      throw new RetryLater(
        `Found a stale collision count of daemon set ${objectKey(ds.metadata)}: will retry once the cache has the new one`,
      );
    }
    const status: DaemonSetStatus = {
      ...fresh.status,
      collisionCount: (fresh.status?.collisionCount ?? 0) + 1,
    };
    await this.#client.updateStatus<DaemonSet>(
      resources.daemonSets,
      { ...fresh, status },
      {
        namespace,
      },
    );
    throw new RetryLater(
      `Found a hash collision for daemon set ${objectKey(ds.metadata)}: bumped collisionCount to ${status.collisionCount}`,
    );
  }

  /** Deletes the old revisions past `revisionHistoryLimit` that no pod still uses. */
  async #cleanupHistory(
    ds: DaemonSet,
    old: ControllerRevision[],
    pods: readonly Pod[],
  ): Promise<void> {
    const limit = ds.spec?.revisionHistoryLimit ?? 10;
    if (old.length <= limit) return;
    const live = new Set<string>();
    for (const pod of pods) {
      const hash = pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
      if (hash) live.add(hash);
    }
    for (const cr of revisionsToTruncate(old, limit, live)) {
      try {
        await this.#client.delete(resources.controllerRevisions, cr.metadata.name ?? "", {
          namespace: cr.metadata.namespace ?? "",
          preconditions: { uid: cr.metadata.uid ?? "" },
        });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
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
          `Error creating: ${messageOf(result.reason)}`,
        );
      }
      if (failed && createOn.length > done) {
        // The rest would likely fail alike; the next sync tries again.
        this.#expectations.creationsSkipped(key, createOn.length - done);
        break;
      }
    }

    await Promise.all(
      toDelete.map(async (pod) => {
        const podName = pod.metadata.name ?? "";
        try {
          await this.#client.delete(resources.pods, podName, {
            namespace: pod.metadata.namespace ?? "",
          });
          this.#recorder.event(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${podName}`);
        } catch (err) {
          // A failed delete is never observed (and a pod already gone was, or will be).
          this.#expectations.deletionObserved(key, objectKey(pod.metadata));
          if (isNotFound(err)) return;
          firstError ??= err;
          this.#recorder.event(ds, "Warning", "FailedDelete", `Error deleting: ${messageOf(err)}`);
        }
      }),
    );
    if (firstError !== undefined) throw firstError;
    return true;
  }

  /** Writes the status, retrying once on a conflict with the object as the server has it now. */
  async #writeStatus(ds: DaemonSet, status: DaemonSetStatus | undefined): Promise<void> {
    if (!status) return;
    const scope = { namespace: ds.metadata.namespace ?? "" };
    try {
      await this.#client.updateStatus<DaemonSet>(resources.daemonSets, { ...ds, status }, scope);
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      const fresh = await this.#client.get<DaemonSet>(
        resources.daemonSets,
        ds.metadata.name ?? "",
        scope,
      );
      if (fresh.metadata.uid !== ds.metadata.uid) return;
      // The fresh object's collision count wins: another sync may have bumped it.
      const merged: DaemonSetStatus = { ...status };
      if (fresh.status?.collisionCount !== undefined)
        merged.collisionCount = fresh.status.collisionCount;
      await this.#client.updateStatus<DaemonSet>(
        resources.daemonSets,
        { ...fresh, status: merged },
        scope,
      );
    }
  }
}

function identityOf(ds: DaemonSet): ControllerIdentity {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    name: ds.metadata.name ?? "",
    uid: ds.metadata.uid ?? "",
    namespace: ds.metadata.namespace,
    deletionTimestamp: ds.metadata.deletionTimestamp,
  };
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

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
