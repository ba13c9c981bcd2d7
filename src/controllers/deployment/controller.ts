/**
 * The Deployment controller. Informers on Deployments, ReplicaSets and pods feed Deployment keys
 * to a work queue; `reconcile(key)` plans a sync with `planDeploymentSync` and performs its writes
 * in order, stopping at the first failure (the key is then retried with back-off). Consecutive
 * writes of one object carry the resourceVersion the previous write returned, so a plan never
 * overwrites a change made meanwhile by someone else.
 */
import type { Deployment } from "../../api/apps/v1/deployment.js";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { labelSelectorFromObject } from "../../api/selectors/label-selector.js";
import { isAlreadyExists, isConflict, isInvalid, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey } from "../../client/resource.js";
import { WorkQueue, type ReconcileResult } from "../../client/work-queue.js";
import { deepEqual } from "../../util/deep-equal.js";
import { errorMessage } from "../../util/error-message.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import {
  CONTROLLER_UID_INDEX,
  ensureControllerUidIndex,
  isNamespaceTerminating,
  ownedAndOrphans,
} from "../replicaset/controller-index.js";
import { checkCanAdopt } from "../replicaset/adoption.js";
import {
  controllerIdentity,
  controllerRefOf,
  resolveControllerRef,
} from "../replicaset/controller-ref.js";
import { RetryLater, runQueue } from "../run-queue.js";
import { planDeploymentSync } from "./deployment-logic.js";
import { replicaSetAlreadyExists, replicaSetCreateFailed } from "./replica-set-create.js";
import type { DeploymentAction, DeploymentEvent } from "./sync-actions.js";

/** Concurrent syncs (upstream's --concurrent-deployment-syncs: 5). */
const WORKERS = 5;

/** How long a sync waits for the cache to show the controller's own Deployment write. */
const STALE_CACHE_WAIT_MS = 5000;

/** Builds the Deployment controller. */
export function newDeploymentController(ctx: ControllerContext): Controller {
  return new DeploymentController(ctx);
}

/** Rolls Deployments out through their ReplicaSets. */
export class DeploymentController implements Controller {
  readonly name = "deployment";
  readonly #client: KubeClient;
  readonly #deployments: Informer<Deployment>;
  readonly #replicaSets: Informer<ReplicaSet>;
  readonly #pods: Informer<Pod>;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>();
  readonly #recorder: EventRecorder;
  /**
   * Deployment key → resourceVersions the cache may still hold although this controller has
   * written past them. A sync on such a stale copy would only meet conflicts; the informer's
   * event for the controller's own write enqueues the key again.
   */
  readonly #writtenPast = new Map<string, { stale: Set<string>; until: number }>();

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#deployments = ctx.informers.informerFor<Deployment>(resources.deployments);
    this.#replicaSets = ctx.informers.informerFor<ReplicaSet>(resources.replicaSets);
    this.#pods = ctx.informers.informerFor<Pod>(resources.pods);
    ensureControllerUidIndex(this.#replicaSets);
    ensureControllerUidIndex(this.#pods);
    this.#recorder = new EventRecorder(ctx.client, {
      component: "deployment-controller",
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });

    const enqueue = (d: Deployment): void => this.#queue.add(objectKey(d.metadata));
    this.#deployments.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_old, d) => enqueue(d),
      onDelete: enqueue,
    });
    this.#replicaSets.addEventHandler({
      onAdd: (rs) => this.#replicaSetChanged(undefined, rs),
      onUpdate: (old, rs) => this.#replicaSetChanged(old, rs),
      onDelete: (rs) => {
        const key = this.#ownerKey(rs);
        if (key) this.#queue.add(key);
      },
    });
    this.#pods.addEventHandler({ onDelete: (pod) => this.#podDeleted(pod) });
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

  /** The key of the Deployment controlling `rs`, if it still exists with that UID. */
  #ownerKey(rs: ReplicaSet, ref = controllerRefOf(rs)): string | undefined {
    const type = { group: "apps", kind: "Deployment" };
    const d = resolveControllerRef(this.#deployments.lister, type, rs, ref);
    return d ? objectKey(d.metadata) : undefined;
  }

  /** Enqueues the Deployments whose selector matches an orphan ReplicaSet: they may adopt it. */
  #enqueueMatching(rs: ReplicaSet): void {
    for (const d of this.#deployments.lister.list(rs.metadata.namespace ?? "")) {
      try {
        const selector = labelSelectorFromObject(d.spec?.selector);
        if (!selector.isEmpty() && selector.matches(rs.metadata.labels)) {
          this.#queue.add(objectKey(d.metadata));
        }
      } catch {
        // An unreadable selector adopts nothing; the Deployment's own sync reports it.
      }
    }
  }

  #replicaSetChanged(old: ReplicaSet | undefined, rs: ReplicaSet): void {
    if (old && old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
    const oldRef = old ? controllerRefOf(old) : undefined;
    const ref = controllerRefOf(rs);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const oldKey = this.#ownerKey(rs, oldRef);
      if (oldKey) this.#queue.add(oldKey);
    }
    if (ref) {
      const key = this.#ownerKey(rs, ref);
      if (key) this.#queue.add(key);
      return;
    }
    if (rs.metadata.deletionTimestamp) return;
    if (!old || oldRef || !deepEqual(old.metadata.labels, rs.metadata.labels)) {
      this.#enqueueMatching(rs);
    }
  }

  /** A Recreate rollout waits for the old pods to be gone: each deletion may let it go on. */
  #podDeleted(pod: Pod): void {
    const podRef = controllerRefOf(pod);
    if (!podRef || podRef.kind !== "ReplicaSet") return;
    const rs = this.#replicaSets.lister.get(pod.metadata.namespace ?? "", podRef.name);
    if (!rs || rs.metadata.uid !== podRef.uid) return;
    const key = this.#ownerKey(rs);
    if (!key) return;
    const { namespace, name } = splitKey(key);
    const d = this.#deployments.lister.get(namespace, name);
    if (d?.spec?.strategy?.type === "Recreate") this.#queue.add(key);
  }

  /** One sync of the Deployment `key` names. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const d = this.#deployments.lister.get(namespace, name);
    if (!d) {
      this.#writtenPast.delete(key);
      return;
    }
    const past = this.#writtenPast.get(key);
    if (past) {
      if (past.stale.has(d.metadata.resourceVersion ?? "") && Date.now() < past.until) return;
      this.#writtenPast.delete(key);
    }
    const uid = d.metadata.uid ?? "";
    const replicaSets = ownedAndOrphans(this.#replicaSets, namespace, uid);
    const pods: Pod[] = [];
    if (d.spec?.strategy?.type === "Recreate") {
      for (const rs of replicaSets) {
        if (controllerRefOf(rs)?.uid !== uid) continue;
        pods.push(...this.#pods.indexer.byIndex(CONTROLLER_UID_INDEX, rs.metadata.uid ?? ""));
      }
    }
    let plan;
    try {
      plan = planDeploymentSync({ deployment: d, replicaSets, pods, now: Date.now() });
    } catch (err) {
      // Validation keeps these out; one that slips through is reported, not retried in a loop.
      this.#log.warn("Cannot sync deployment", { key, err });
      return;
    }
    const run = new PlanRun(this.#client, this.#recorder, d);
    let result;
    try {
      result = await run.perform(plan.actions);
    } finally {
      const written = run.deploymentVersions;
      if (written.length) {
        const stale = new Set([d.metadata.resourceVersion ?? "", ...written.slice(0, -1)]);
        this.#writtenPast.set(key, { stale, until: Date.now() + STALE_CACHE_WAIT_MS });
      }
    }
    if (result === "requeue") return { requeueAfter: 0 };
    if (plan.requeueAfterMs !== undefined) return { requeueAfter: plan.requeueAfterMs };
  }
}

/** The writes of one plan, with the versions the writes so far returned. */
class PlanRun {
  readonly #client: KubeClient;
  readonly #recorder: EventRecorder;
  /** The Deployment as the last write (or the cache) left it. */
  #deployment: Deployment;
  /** ReplicaSet name → resourceVersion its last write returned. */
  readonly #versions = new Map<string, string>();
  #adoptionChecked = false;
  /** The resourceVersions of the Deployment this run's writes returned, in order. */
  readonly deploymentVersions: string[] = [];

  constructor(client: KubeClient, recorder: EventRecorder, d: Deployment) {
    this.#client = client;
    this.#recorder = recorder;
    this.#deployment = d;
  }

  /**
   * Performs the actions in order. Resolves "requeue" when the sync must start over at once (the
   * new ReplicaSet existed after all); throws on the first failure.
   */
  async perform(actions: readonly DeploymentAction[]): Promise<"done" | "requeue"> {
    for (const action of actions) {
      if ((await this.#perform(action)) === "requeue") return "requeue";
    }
    return "done";
  }

  async #perform(action: DeploymentAction): Promise<"done" | "requeue"> {
    const scope = { namespace: this.#deployment.metadata.namespace ?? "" };
    switch (action.type) {
      case "adoptReplicaSet":
      case "releaseReplicaSet": {
        const rsName = action.replicaSet.metadata.name ?? "";
        if (action.type === "adoptReplicaSet") await this.#checkCanAdopt();
        try {
          const out = await this.#client.patch<ReplicaSet>(
            resources.replicaSets,
            rsName,
            action.patch,
            scope,
          );
          this.#versions.set(rsName, out.metadata.resourceVersion ?? "");
        } catch (err) {
          // Gone, or replaced by another of the same name (UID precondition): nothing to claim.
          const ignorable =
            isNotFound(err) ||
            (action.type === "releaseReplicaSet" && (isInvalid(err) || isConflict(err)));
          if (!ignorable) throw err;
        }
        return "done";
      }
      case "createReplicaSet":
        return this.#createReplicaSet(action.replicaSet, action.event);
      case "updateReplicaSet": {
        const rs = this.#withVersion(action.replicaSet);
        const out = await this.#client.update<ReplicaSet>(resources.replicaSets, rs, scope);
        this.#versions.set(out.metadata.name ?? "", out.metadata.resourceVersion ?? "");
        this.#event(action.event);
        return "done";
      }
      case "deleteReplicaSet": {
        const rs = action.replicaSet;
        try {
          await this.#client.delete(resources.replicaSets, rs.metadata.name ?? "", {
            ...scope,
            preconditions: { uid: rs.metadata.uid ?? "" },
          });
        } catch (err) {
          // Gone, or replaced by another of that name (the UID precondition fails): done either way.
          if (!isNotFound(err) && !isConflict(err)) throw err;
        }
        return "done";
      }
      case "updateDeployment": {
        this.#deployment = await this.#client.update<Deployment>(
          resources.deployments,
          this.#withDeploymentVersion(action.deployment),
          scope,
        );
        this.#wroteDeployment();
        this.#event(action.event);
        return "done";
      }
      case "updateDeploymentStatus":
        await this.#updateStatus(action.deployment);
        return "done";
      case "event":
        this.#event(action.event);
        return "done";
    }
  }

  async #createReplicaSet(rs: ReplicaSet, event?: DeploymentEvent): Promise<"done" | "requeue"> {
    const d = this.#deployment;
    const scope = { namespace: d.metadata.namespace ?? "" };
    const rsName = rs.metadata.name ?? "";
    try {
      const out = await this.#client.create<ReplicaSet>(resources.replicaSets, rs, scope);
      this.#versions.set(rsName, out.metadata.resourceVersion ?? "");
      this.#event(event);
      return "done";
    } catch (err) {
      if (isAlreadyExists(err)) {
        const existing = await this.#client.get<ReplicaSet>(resources.replicaSets, rsName, scope);
        const outcome = replicaSetAlreadyExists(d, existing);
        if (outcome.adopted) return "requeue";
        await this.perform(outcome.actions);
        throw new RetryLater(
          `Found a hash collision for deployment ${objectKey(d.metadata)}: bumped collisionCount`,
        );
      }
      if (!isNamespaceTerminating(err)) {
        await this.perform(replicaSetCreateFailed(d, rsName, errorMessage(err), Date.now()));
      }
      throw err;
    }
  }

  /**
   * Writes the Deployment's status. The status subresource keeps only `status`, so a change of the
   * annotations the plan made (the revision) goes first through a normal update; since that write
   * is the controller's own, the status then reports its generation as observed.
   */
  async #updateStatus(planned: Deployment): Promise<void> {
    const scope = { namespace: planned.metadata.namespace ?? "" };
    const status = { ...planned.status };
    const current = this.#deployment;
    if (!deepEqual(current.metadata.annotations ?? {}, planned.metadata.annotations ?? {})) {
      const before = current.metadata.generation ?? 0;
      const next: Deployment = {
        ...current,
        metadata: { ...current.metadata, annotations: { ...planned.metadata.annotations } },
      };
      this.#deployment = await this.#client.update<Deployment>(resources.deployments, next, scope);
      this.#wroteDeployment();
      if ((status.observedGeneration ?? 0) >= before) {
        status.observedGeneration = this.#deployment.metadata.generation ?? before;
      }
    }
    this.#deployment = await this.#client.updateStatus<Deployment>(
      resources.deployments,
      { ...this.#deployment, status },
      scope,
    );
    this.#wroteDeployment();
  }

  #wroteDeployment(): void {
    this.deploymentVersions.push(this.#deployment.metadata.resourceVersion ?? "");
  }

  /** The live check of `checkCanAdopt`, once per run, before the first adoption. */
  async #checkCanAdopt(): Promise<void> {
    if (this.#adoptionChecked) return;
    const d = this.#deployment;
    const owner = controllerIdentity(d.metadata, "apps/v1", "Deployment");
    await checkCanAdopt(this.#client, resources.deployments, owner);
    this.#adoptionChecked = true;
  }

  #withVersion(rs: ReplicaSet): ReplicaSet {
    const version = this.#versions.get(rs.metadata.name ?? "");
    if (version === undefined || version === rs.metadata.resourceVersion) return rs;
    return { ...rs, metadata: { ...rs.metadata, resourceVersion: version } };
  }

  #withDeploymentVersion(d: Deployment): Deployment {
    const version = this.#deployment.metadata.resourceVersion;
    if (version === undefined || version === d.metadata.resourceVersion) return d;
    return { ...d, metadata: { ...d.metadata, resourceVersion: version } };
  }

  #event(event: DeploymentEvent | undefined): void {
    if (event) this.#recorder.event(this.#deployment, event.type, event.reason, event.message);
  }
}
