/**
 * The ReplicaSet and ReplicationController controllers: one loop for both kinds. Informers on the
 * kind and on pods feed keys of controllers to a work queue; `reconcile(key)` plans a sync with
 * `planReplicaSetSync` and carries it out: adoptions and releases, pod creations in slow-start
 * batches or deletions, events, then the status. Expectations keep a sync from acting again on
 * its own creates and deletes before the pod informer has seen them.
 */
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { ReplicationController } from "../../api/core/v1/replication-controller.js";
import type { KubeObject } from "../../api/meta/types.js";
import type { LabelSelector } from "../../api/selectors/label-selector.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey, type ResourceDescriptor } from "../../client/resource.js";
import { WorkQueue, type ReconcileResult } from "../../client/work-queue.js";
import { errorMessage } from "../../util/error-message.js";
import { deepEqual } from "../../util/deep-equal.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { runQueue } from "../run-queue.js";
import { writeStatus } from "../write-status.js";
import {
  CONTROLLER_UID_INDEX,
  ensureControllerUidIndex,
  isNamespaceTerminating,
  ownedAndOrphans,
} from "./controller-index.js";
import { adoptObject, checkCanAdopt, releaseObject } from "./adoption.js";
import { controllerRefOf, resolveControllerRef } from "./controller-ref.js";
import { ControllerExpectations } from "./expectations.js";
import { deletePods } from "./pod-writes.js";
import { isPodActive, isPodReady } from "./pod-state.js";
import {
  planReplicaSetSync,
  replicaSetController,
  replicaSetStatus,
  replicationControllerController,
  statusChanged,
  type ReplicaFailure,
  type ReplicatedController,
} from "./replica-set-logic.js";

/** Concurrent syncs (upstream's --concurrent-replicaset-syncs and --concurrent-rc-syncs: 5). */
const WORKERS = 5;

/** What differs between the two kinds the controller runs for. */
export interface ReplicatedKind<T extends KubeObject> {
  /** The controller's name in the manager. */
  name: string;
  /** The event source component, as upstream's recorder names it. */
  component: string;
  resource: ResourceDescriptor;
  /** The API group of the kind's controller references (`apps` or the core group). */
  group: string;
  kind: string;
  view(obj: T): ReplicatedController;
}

/** The ReplicaSet kind. */
export const replicaSetKind: ReplicatedKind<ReplicaSet> = {
  name: "replicaset",
  component: "replicaset-controller",
  resource: resources.replicaSets,
  group: "apps",
  kind: "ReplicaSet",
  view: replicaSetController,
};

/** The ReplicationController kind. */
export const replicationControllerKind: ReplicatedKind<ReplicationController> = {
  name: "replicationcontroller",
  component: "replication-controller",
  resource: resources.replicationControllers,
  group: "",
  kind: "ReplicationController",
  view: replicationControllerController,
};

/** Builds the ReplicaSet controller. */
export function newReplicaSetController(ctx: ControllerContext): Controller {
  return new ReplicaSetController(ctx, replicaSetKind);
}

/** Builds the ReplicationController controller. */
export function newReplicationControllerController(ctx: ControllerContext): Controller {
  return new ReplicaSetController(ctx, replicationControllerKind);
}

/** Keeps the pods of each ReplicaSet (or ReplicationController) at its replicas. */
export class ReplicaSetController<T extends KubeObject> implements Controller {
  readonly name: string;
  readonly #kind: ReplicatedKind<T>;
  readonly #client: KubeClient;
  readonly #owners: Informer<T>;
  readonly #pods: Informer<Pod>;
  /** The ReplicaSets, for the siblings of a Deployment's ReplicaSet (the node-crowding rank). */
  readonly #replicaSets: Informer<ReplicaSet>;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>();
  readonly #expectations = new ControllerExpectations();
  readonly #recorder: EventRecorder;

  constructor(ctx: ControllerContext, kind: ReplicatedKind<T>) {
    this.name = kind.name;
    this.#kind = kind;
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#owners = ctx.informers.informerFor<T>(kind.resource);
    this.#pods = ctx.informers.informerFor<Pod>(resources.pods);
    this.#replicaSets = ctx.informers.informerFor<ReplicaSet>(resources.replicaSets);
    ensureControllerUidIndex(this.#pods);
    ensureControllerUidIndex(this.#replicaSets);
    this.#recorder = new EventRecorder(ctx.client, {
      component: kind.component,
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });

    this.#owners.addEventHandler({
      onAdd: (obj) => this.#queue.add(objectKey(obj.metadata)),
      onUpdate: (_old, obj) => this.#queue.add(objectKey(obj.metadata)),
      onDelete: (obj) => {
        const key = objectKey(obj.metadata);
        this.#expectations.delete(key);
        this.#queue.add(key);
      },
    });
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#podAdded(pod),
      onUpdate: (old, pod) => this.#podUpdated(old, pod),
      onDelete: (pod) => this.#podDeleted(pod),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
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
      await this.#recorder.stop();
    }
  }

  /** The key of the controller `pod`'s controller reference names, if it is one of ours. */
  #ownerKey(pod: Pod, ref = controllerRefOf(pod)): string | undefined {
    const owner = resolveControllerRef(this.#owners.lister, this.#kind, pod, ref);
    return owner ? objectKey(owner.metadata) : undefined;
  }

  /** The controllers of `pod`'s namespace whose selector matches it: the candidates to adopt it. */
  #enqueueMatching(pod: Pod): void {
    for (const owner of this.#owners.lister.list(pod.metadata.namespace ?? "")) {
      let selector: LabelSelector;
      try {
        selector = this.#kind.view(owner).selector;
      } catch {
        // An unreadable selector adopts nothing; its own sync reports it.
        continue;
      }
      if (selector.matches(pod.metadata.labels)) this.#queue.add(objectKey(owner.metadata));
    }
  }

  #podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      // A pod seen first already terminating (a re-list) counts as a deletion.
      this.#podDeleted(pod);
      return;
    }
    if (controllerRefOf(pod)) {
      const key = this.#ownerKey(pod);
      if (!key) return;
      this.#expectations.creationObserved(key);
      this.#queue.add(key);
      return;
    }
    this.#enqueueMatching(pod);
  }

  #podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const labelsChanged = !deepEqual(old.metadata.labels ?? {}, pod.metadata.labels ?? {});
    if (pod.metadata.deletionTimestamp) {
      // Graceful deletion began: the pod no longer counts, so its controller may act now.
      this.#podDeleted(pod);
      if (labelsChanged) {
        const oldKey = this.#ownerKey(old);
        if (oldKey) this.#queue.add(oldKey);
      }
      return;
    }
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(pod);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const oldKey = this.#ownerKey(old, oldRef);
      if (oldKey) this.#queue.add(oldKey);
    }
    if (ref) {
      const key = this.#ownerKey(pod, ref);
      if (!key) return;
      this.#queue.add(key);
      const owner = this.#owners.lister.get(pod.metadata.namespace ?? "", ref.name);
      const minReady = owner ? minReadySecondsOf(owner) : 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) {
        // Check again once the pod has been ready long enough to count as available.
        this.#queue.addAfter(key, minReady * 1000 + 1000);
      }
      return;
    }
    if (labelsChanged || oldRef) this.#enqueueMatching(pod);
  }

  #podDeleted(pod: Pod): void {
    const key = this.#ownerKey(pod);
    if (!key) return;
    this.#expectations.deletionObserved(key, objectKey(pod.metadata));
    this.#queue.add(key);
  }

  /** One sync of the controller `key` names. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const obj = this.#owners.lister.get(namespace, name);
    if (!obj) {
      this.#expectations.delete(key);
      return;
    }
    let controller: ReplicatedController;
    try {
      controller = this.#kind.view(obj);
    } catch (err) {
      // Validation keeps bad selectors out; one that slips through is reported, not retried.
      this.#log.warn("Cannot sync: unreadable selector", { controller: this.name, key, err });
      return;
    }
    const pods = ownedAndOrphans(this.#pods, namespace, controller.identity.uid);
    const now = Date.now();
    const relatedPods = this.#relatedPods(obj, controller, pods);
    const plan = planReplicaSetSync({
      controller,
      pods,
      ...(relatedPods ? { relatedPods } : {}),
      expectationsSatisfied: this.#expectations.satisfied(key),
      now,
    });

    if (plan.adopt.length) await this.#adopt(controller, plan.adopt);
    for (const pod of plan.release) {
      await releaseObject(this.#client, resources.pods, controller.identity, pod);
    }

    let failure: ReplicaFailure | undefined;
    if (plan.createCount > 0 && plan.podToCreate) {
      failure = await this.#create(key, obj, plan.podToCreate, plan.createBatches);
    } else if (plan.delete.length) {
      failure = await this.#delete(key, obj, plan.delete);
    }

    let status = plan.status;
    let changed = plan.statusChanged;
    if (failure) {
      status = replicaSetStatus(controller, plan.activePods, now, failure);
      changed = statusChanged(controller, status);
    }
    if (changed) await writeStatus(this.#client, this.#kind.resource, obj, status);
    if (failure) throw new Error(failure.message);
    if (plan.requeueAfterMs !== undefined) return { requeueAfter: plan.requeueAfterMs };
  }

  /**
   * Pods of the controller and of its siblings (ReplicaSets with the same controller, a
   * Deployment's old and new ones), so that deletions prefer nodes crowded with related pods.
   */
  #relatedPods(obj: T, controller: ReplicatedController, pods: Pod[]): Pod[] | undefined {
    const ref = controllerRefOf(obj);
    if (!ref || this.#kind.kind !== "ReplicaSet") return undefined;
    const siblings = this.#replicaSets.indexer.byIndex(CONTROLLER_UID_INDEX, ref.uid);
    if (siblings.length <= 1) return undefined;
    const related: Pod[] = [];
    for (const rs of siblings) {
      const uid = rs.metadata.uid ?? "";
      const own = uid === controller.identity.uid;
      const candidates = own ? pods : this.#pods.indexer.byIndex(CONTROLLER_UID_INDEX, uid);
      for (const pod of candidates) {
        if (isPodActive(pod) && controllerRefOf(pod)?.uid === uid) related.push(pod);
      }
    }
    return related;
  }

  /**
   * Adopts orphans, after checking with a live read that the controller is still the same object
   * and not being deleted (`checkCanAdopt`). A pod deleted meanwhile needs no adopting; its
   * deletion requeues this controller.
   */
  async #adopt(controller: ReplicatedController, pods: Pod[]): Promise<void> {
    await checkCanAdopt(this.#client, this.#kind.resource, controller.identity);
    for (const pod of pods)
      await adoptObject(this.#client, resources.pods, controller.identity, pod);
  }

  /** Creates pods in slow-start batches; stops after a batch with a failure. */
  async #create(
    key: string,
    obj: T,
    pod: Pod,
    batches: number[],
  ): Promise<ReplicaFailure | undefined> {
    const total = batches.reduce((a, b) => a + b, 0);
    this.#expectations.expectCreations(key, total);
    let done = 0;
    for (const size of batches) {
      const results = await Promise.allSettled(
        Array.from({ length: size }, () => this.#client.create<Pod>(resources.pods, pod)),
      );
      done += size;
      let firstError: unknown;
      for (const result of results) {
        if (result.status === "fulfilled") {
          const created = result.value.metadata.name ?? "";
          this.#recorder.event(obj, "Normal", "SuccessfulCreate", `Created pod: ${created}`);
          continue;
        }
        // A failed create will never be observed.
        this.#expectations.creationObserved(key);
        firstError ??= result.reason;
        if (!isNamespaceTerminating(result.reason)) {
          this.#recorder.event(
            obj,
            "Warning",
            "FailedCreate",
            `Error creating: ${errorMessage(result.reason)}`,
          );
        }
      }
      if (firstError !== undefined) {
        if (total > done) this.#expectations.creationsSkipped(key, total - done);
        return { action: "create", message: errorMessage(firstError) };
      }
    }
    return undefined;
  }

  /** Deletes pods in parallel; every failure but NotFound is reported. */
  async #delete(key: string, obj: T, pods: Pod[]): Promise<ReplicaFailure | undefined> {
    this.#expectations.expectDeletions(
      key,
      pods.map((p) => objectKey(p.metadata)),
    );
    const firstError = await deletePods(
      {
        client: this.#client,
        recorder: this.#recorder,
        expectations: this.#expectations,
        key,
        owner: obj,
      },
      pods,
    );
    return firstError === undefined
      ? undefined
      : { action: "delete", message: errorMessage(firstError) };
  }
}

function minReadySecondsOf(obj: KubeObject): number {
  const spec = (obj as { spec?: { minReadySeconds?: number } }).spec;
  return spec?.minReadySeconds ?? 0;
}
