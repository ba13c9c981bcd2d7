/**
 * The StatefulSet controller. Informers on StatefulSets, pods, claims and ControllerRevisions;
 * handlers enqueue the key of the set a change concerns; `reconcile(key)` adopts orphan
 * revisions and pods, settles the current and update revisions, plans the sync with
 * `planStatefulSetSync`, carries out its phases, writes the status and trims the history.
 */
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import type { StatefulSet } from "../../api/apps/v1/stateful-set.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { labelSelectorFromObject, type LabelSelector } from "../../api/selectors/label-selector.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey } from "../../client/resource.js";
import { WorkQueue, type ReconcileResult } from "../../client/work-queue.js";
import { deepEqual } from "../../util/deep-equal.js";
import type { Logger } from "../../util/log.js";
import { ControllerHistory } from "../history/controller-history.js";
import {
  chooseUpdateRevision,
  nextRevisionNumber,
  ownedOrOrphanRevisions,
  revisionsToTruncate,
  sortRevisions,
} from "../history/revisions.js";
import type { Controller, ControllerContext } from "../manager.js";
import { ensureControllerUidIndex, ownedAndOrphans } from "../replicaset/controller-index.js";
import { checkCanAdopt, claimThroughApi } from "../replicaset/adoption.js";
import {
  controllerIdentity,
  controllerRefOf,
  newControllerRef,
  resolveControllerRef,
  type ControllerIdentity,
} from "../replicaset/controller-ref.js";
import { isPodReady } from "../replicaset/pod-state.js";
import { runQueue } from "../run-queue.js";
import { writeStatus } from "../write-status.js";
import { isMemberOf, podRevision } from "./identity.js";
import { StatefulPodControl } from "./pod-control.js";
import { applyRevision, newStatefulSetRevision } from "./revision.js";
import { completeRollingUpdate, planStatefulSetSync, statusChanged } from "./stateful-set-logic.js";

/** Concurrent syncs (upstream's --concurrent-statefulset-syncs: 5). */
const WORKERS = 5;

/** Options beyond the shared context. */
export interface StatefulSetControllerOptions {
  /**
   * Honour `rollingUpdate.maxUnavailable` (upstream's MaxUnavailableStatefulSet gate, alpha and
   * off in 1.33: one pod at a time).
   */
  maxUnavailable?: boolean;
}

/** Builds the StatefulSet controller. */
export function newStatefulSetController(ctx: ControllerContext): Controller {
  return new StatefulSetController(ctx);
}

/** Keeps each StatefulSet's ordinal pods, their claims and its revision history. */
export class StatefulSetController implements Controller {
  readonly name = "statefulset";
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #sets: Informer<StatefulSet>;
  readonly #pods: Informer<Pod>;
  readonly #claims: Informer<PersistentVolumeClaim>;
  readonly #revisions: Informer<ControllerRevision>;
  readonly #history: ControllerHistory;
  readonly #recorder: EventRecorder;
  readonly #podControl: StatefulPodControl;
  readonly #queue = new WorkQueue<string>();
  readonly #maxUnavailable: boolean;

  constructor(ctx: ControllerContext, opts: StatefulSetControllerOptions = {}) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#maxUnavailable = opts.maxUnavailable ?? false;
    this.#sets = ctx.informers.informerFor<StatefulSet>(resources.statefulSets);
    this.#pods = ctx.informers.informerFor<Pod>(resources.pods);
    this.#claims = ctx.informers.informerFor<PersistentVolumeClaim>(
      resources.persistentVolumeClaims,
    );
    this.#revisions = ctx.informers.informerFor<ControllerRevision>(resources.controllerRevisions);
    ensureControllerUidIndex(this.#pods);
    this.#history = new ControllerHistory(ctx.client, this.#revisions.lister);
    this.#recorder = new EventRecorder(ctx.client, {
      component: "statefulset-controller",
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });
    this.#podControl = new StatefulPodControl(ctx.client, this.#recorder);

    this.#sets.addEventHandler({
      onAdd: (set) => this.#queue.add(objectKey(set.metadata)),
      onUpdate: (_old, set) => this.#queue.add(objectKey(set.metadata)),
      onDelete: (set) => this.#queue.add(objectKey(set.metadata)),
    });
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#podAdded(pod),
      onUpdate: (old, pod) => this.#podUpdated(old, pod),
      onDelete: (pod) => this.#enqueueOwner(pod),
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

  /** The set a pod's controller reference names, if it is a StatefulSet we know by that UID. */
  #owner(pod: Pod, ref = controllerRefOf(pod)): StatefulSet | undefined {
    return resolveControllerRef(
      this.#sets.lister,
      { group: "apps", kind: "StatefulSet" },
      pod,
      ref,
    );
  }

  #enqueueOwner(pod: Pod, ref = controllerRefOf(pod)): StatefulSet | undefined {
    const set = this.#owner(pod, ref);
    if (set) this.#queue.add(objectKey(set.metadata));
    return set;
  }

  /** Enqueues the sets whose selector matches an orphan: the candidates to adopt it. */
  #enqueueMatching(pod: Pod): void {
    for (const set of this.#sets.lister.list(pod.metadata.namespace ?? "")) {
      let selector: LabelSelector;
      try {
        selector = labelSelectorFromObject(set.spec?.selector);
      } catch {
        // An unreadable selector adopts nothing; the set's own sync reports it.
        continue;
      }
      if (selector.matches(pod.metadata.labels)) this.#queue.add(objectKey(set.metadata));
    }
  }

  #podAdded(pod: Pod): void {
    if (controllerRefOf(pod)) this.#enqueueOwner(pod);
    else if (!pod.metadata.deletionTimestamp) this.#enqueueMatching(pod);
  }

  #podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(pod);
    if (oldRef && oldRef.uid !== ref?.uid) this.#enqueueOwner(old, oldRef);
    if (ref) {
      const set = this.#enqueueOwner(pod, ref);
      const minReady = set?.spec?.minReadySeconds ?? 0;
      if (set && minReady > 0 && !isPodReady(old) && isPodReady(pod)) {
        // Look again once the pod has been ready long enough to count as available.
        this.#queue.addAfter(objectKey(set.metadata), minReady * 1000 + 1000);
      }
      return;
    }
    if (oldRef || !deepEqual(old.metadata.labels ?? {}, pod.metadata.labels ?? {}))
      this.#enqueueMatching(pod);
  }

  /** One sync of the set `key` names. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const set = this.#sets.lister.get(namespace, name);
    if (!set) return;
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromObject(set.spec?.selector);
    } catch (err) {
      // Validation keeps bad selectors out; one that slips through is reported, not retried.
      this.#log.warn("Cannot sync: unreadable selector", { controller: this.name, key, err });
      return;
    }
    const owner = controllerIdentity(set.metadata, "apps/v1", "StatefulSet");

    const revisions = await this.#adoptOrphanRevisions(set, owner, selector);
    const pods = await this.#claimPods(set, owner, selector);

    const sorted = sortRevisions(revisions);
    let collisionCount = set.status?.collisionCount ?? 0;
    const candidate = newStatefulSetRevision(
      set,
      owner,
      nextRevisionNumber(sorted),
      collisionCount,
    );
    const choice = chooseUpdateRevision(sorted, candidate);
    let updateRevision: ControllerRevision;
    if (choice.action === "reuse") updateRevision = choice.revision;
    else if (choice.action === "renumber") {
      updateRevision = await this.#history.renumber(choice.revision, choice.to);
    } else {
      const created = await this.#history.create(owner, choice.revision, collisionCount);
      updateRevision = created.revision;
      collisionCount = created.collisionCount;
    }
    const currentName = set.status?.currentRevision;
    const currentRevision =
      sorted.find((r) => currentName && r.metadata.name === currentName) ?? updateRevision;

    const claims = new Map<string, PersistentVolumeClaim>();
    for (const claim of this.#claims.lister.list(namespace)) {
      claims.set(claim.metadata.name ?? "", claim);
    }
    const now = Date.now();
    const plan = planStatefulSetSync({
      set,
      currentSet: applyRevision(set, currentRevision),
      updateSet: applyRevision(set, updateRevision),
      currentRevision: currentRevision.metadata.name ?? "",
      updateRevision: updateRevision.metadata.name ?? "",
      collisionCount,
      pods,
      claims,
      controllerRef: newControllerRef(owner),
      now,
      maxUnavailable: this.#maxUnavailable,
    });
    if (plan.waitingFor) {
      this.#log.debug("StatefulSet waiting", { controller: this.name, key, for: plan.waitingFor });
    }

    let failure: unknown;
    for (const phase of plan.phases) {
      try {
        await this.#podControl.runPhase(set, phase, plan.burst);
      } catch (err) {
        failure = err;
        break;
      }
    }

    const status = completeRollingUpdate(set, plan.status);
    if (statusChanged(set, status)) {
      await writeStatus(this.#client, resources.statefulSets, set, status);
    }
    await this.#truncateHistory(set, pods, sorted, currentRevision, updateRevision);
    if (failure !== undefined) throw failure;

    const minReady = set.spec?.minReadySeconds ?? 0;
    const wanted = set.spec?.replicas ?? 1;
    if (minReady > 0 && (status.availableReplicas ?? 0) !== wanted) {
      return { requeueAfter: minReady * 1000 };
    }
  }

  /**
   * The set's revisions (owned, or orphans its selector matches), adopting the orphans after a
   * live read confirms the set is still there and not being deleted.
   */
  async #adoptOrphanRevisions(
    set: StatefulSet,
    owner: ControllerIdentity,
    selector: LabelSelector,
  ): Promise<ControllerRevision[]> {
    const namespace = owner.namespace ?? "";
    const revisions = ownedOrOrphanRevisions(owner, this.#history.list(namespace), selector);
    const owned = revisions.filter((r) => controllerRefOf(r));
    const orphans = revisions.filter((r) => !controllerRefOf(r));
    if (orphans.length === 0 || set.metadata.deletionTimestamp) return owned;

    await checkCanAdopt(this.#client, resources.statefulSets, owner);
    for (const revision of orphans) {
      const adopted = await this.#history.adopt(owner, revision);
      if (adopted) owned.push(adopted);
    }
    return owned;
  }

  /**
   * The set's pods: owned ones that still match its selector and name, plus orphans that do
   * (adopted); owned ones that stopped matching are released.
   */
  async #claimPods(
    set: StatefulSet,
    owner: ControllerIdentity,
    selector: LabelSelector,
  ): Promise<Pod[]> {
    return claimThroughApi({
      client: this.#client,
      resource: resources.pods,
      ownerResource: resources.statefulSets,
      owner,
      candidates: ownedAndOrphans(this.#pods, owner.namespace ?? "", owner.uid),
      matches: (pod) => selector.matches(pod.metadata.labels) && isMemberOf(set, pod),
    });
  }

  /** Deletes the oldest revisions no pod runs beyond `revisionHistoryLimit`. */
  async #truncateHistory(
    set: StatefulSet,
    pods: readonly Pod[],
    sorted: readonly ControllerRevision[],
    current: ControllerRevision,
    update: ControllerRevision,
  ): Promise<void> {
    const live = new Set([current.metadata.name ?? "", update.metadata.name ?? ""]);
    for (const pod of pods) {
      const revision = podRevision(pod);
      if (revision) live.add(revision);
    }
    const limit = set.spec?.revisionHistoryLimit ?? 10;
    for (const revision of revisionsToTruncate(sorted, live, limit)) {
      await this.#history.delete(revision);
    }
  }
}
