/**
 * The disruption controller: keeps each PodDisruptionBudget's status (expected, desired and current
 * healthy pods, allowed disruptions, the DisruptionAllowed condition) in step with the pods it
 * selects and the scale of their controllers. Pod changes enqueue every budget selecting the pod;
 * a budget whose recorded evictions will run out is looked at again then.
 */
import type { Deployment } from "../../api/apps/v1/deployment.js";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import type { StatefulSet } from "../../api/apps/v1/stateful-set.js";
import { DISRUPTION_TARGET, setPodCondition } from "../../api/core/v1/pod-conditions.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { ReplicationController } from "../../api/core/v1/replication-controller.js";
import type { KubeObject, OwnerReference } from "../../api/meta/types.js";
import type { PodDisruptionBudget } from "../../api/policy/v1/pod-disruption-budget.js";
import { labelSelectorFromObject } from "../../api/selectors/label-selector.js";
import { isConflict, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources, splitKey } from "../../client/resource.js";
import { WorkQueue, type ReconcileResult } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext, ControllerFactory } from "../manager.js";
import { controllerRefOf } from "../replicaset/controller-ref.js";
import { formatTime } from "../replicaset/pod-state.js";
import { runQueue } from "../run-queue.js";
import { budgetStatusChanged, syncBudget, type ControllerScale } from "./budget-status.js";
import { STALE_POD_DISRUPTION_TIMEOUT_MS, staleDisruptionWait } from "./stale-disruption.js";

const WORKERS = 2;

/** Settings of the disruption controller. */
export interface DisruptionOptions {
  /** How long a DisruptionTarget condition may stand on a pod not being deleted; 2 min. */
  stalePodDisruptionTimeoutMs: number;
}

/** A factory of the controller with other settings (tests use a short stale timeout). */
export function disruptionControllerFactory(
  opts: Partial<DisruptionOptions> = {},
): ControllerFactory {
  return (ctx) =>
    new DisruptionController(ctx, {
      stalePodDisruptionTimeoutMs: STALE_POD_DISRUPTION_TIMEOUT_MS,
      ...opts,
    });
}

/** Builds the disruption controller with upstream's settings. */
export const newDisruptionController: ControllerFactory = disruptionControllerFactory();

/** Keeps PodDisruptionBudget status current. */
export class DisruptionController implements Controller {
  readonly name = "disruption";
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #budgets: Informer<PodDisruptionBudget>;
  readonly #pods: Informer<Pod>;
  readonly #rcs: Informer<ReplicationController>;
  readonly #replicaSets: Informer<ReplicaSet>;
  readonly #deployments: Informer<Deployment>;
  readonly #statefulSets: Informer<StatefulSet>;
  readonly #queue = new WorkQueue<string>();
  /** Pods whose DisruptionTarget condition may go stale. */
  readonly #staleQueue = new WorkQueue<string>();
  readonly #opts: DisruptionOptions;
  readonly #recorder: EventRecorder;

  constructor(ctx: ControllerContext, opts: DisruptionOptions) {
    this.#opts = opts;
    this.#client = ctx.client;
    this.#log = ctx.logger;
    this.#budgets = ctx.informers.informerFor<PodDisruptionBudget>(resources.podDisruptionBudgets);
    this.#pods = ctx.informers.informerFor<Pod>(resources.pods);
    this.#rcs = ctx.informers.informerFor<ReplicationController>(resources.replicationControllers);
    this.#replicaSets = ctx.informers.informerFor<ReplicaSet>(resources.replicaSets);
    this.#deployments = ctx.informers.informerFor<Deployment>(resources.deployments);
    this.#statefulSets = ctx.informers.informerFor<StatefulSet>(resources.statefulSets);
    this.#recorder = new EventRecorder(ctx.client, {
      component: "controllermanager",
      onError: (err) => this.#log.debug("Cannot record event", { controller: this.name, err }),
    });

    const enqueue = (obj: KubeObject): void => this.#queue.add(objectKey(obj.metadata));
    this.#budgets.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_old, obj) => enqueue(obj),
      onDelete: enqueue,
    });
    this.#pods.addEventHandler({
      onAdd: (pod) => {
        this.#enqueueBudgetsOf(pod);
        this.#enqueueStale(pod);
      },
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        this.#enqueueBudgetsOf(pod);
        this.#enqueueStale(pod);
        if (!sameLabels(old, pod)) this.#enqueueBudgetsOf(old);
      },
      onDelete: (pod) => this.#enqueueBudgetsOf(pod),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await Promise.all([
        runQueue(this.name, signal, this.#queue, WORKERS, (k) => this.reconcile(k), this.#log),
        runQueue(this.name, signal, this.#staleQueue, 1, (k) => this.clearStale(k), this.#log),
      ]);
    } finally {
      await this.#recorder.stop();
    }
  }

  #enqueueBudgetsOf(pod: Pod): void {
    for (const budget of this.#budgets.lister.list(pod.metadata.namespace ?? "")) {
      if (selects(budget, pod)) this.#queue.add(objectKey(budget.metadata));
    }
  }

  #enqueueStale(pod: Pod): void {
    const wait = staleDisruptionWait(pod, Date.now(), this.#opts.stalePodDisruptionTimeoutMs);
    if (wait !== undefined) this.#staleQueue.addAfter(objectKey(pod.metadata), wait);
  }

  /** Sets a stale DisruptionTarget condition back to False once its time has come. */
  async clearStale(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const pod = this.#pods.lister.get(namespace, name);
    if (!pod) return;
    const wait = staleDisruptionWait(pod, Date.now(), this.#opts.stalePodDisruptionTimeoutMs);
    if (wait === undefined) return;
    if (wait > 0) return { requeueAfter: wait };

    const status = structuredClone(pod.status ?? {});
    setPodCondition(status, { type: DISRUPTION_TARGET, status: "False" }, formatTime(Date.now()));
    try {
      await this.#client.updateStatus<Pod>(resources.pods, { ...pod, status }, { namespace });
      this.#log.info("Reset stale DisruptionTarget condition", { pod: key });
    } catch (err) {
      // Gone, or changed: its update event brings it back if it is still stale.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** One sync of the budget `key` names. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const budget = this.#budgets.lister.get(namespace, name);
    if (!budget) return;

    const pods = this.#pods.lister.list(namespace).filter((pod) => selects(budget, pod));
    const now = Date.now();
    const sync = syncBudget(budget, pods, (ref, ns) => this.#scaleOf(ref, ns), now);
    for (const e of sync.events) this.#recorder.event(e.pod ?? budget, e.type, e.reason, e.message);
    if (sync.error) this.#log.debug("Budget sync failed", { pdb: key, err: sync.error });

    if (budgetStatusChanged(budget.status, sync.status)) {
      try {
        await this.#client.updateStatus<PodDisruptionBudget>(
          resources.podDisruptionBudgets,
          { ...budget, status: sync.status },
          { namespace },
        );
      } catch (err) {
        if (isNotFound(err)) return;
        // A newer budget (an eviction spent a disruption): its update event brings it back.
        if (isConflict(err)) return;
        throw err;
      }
    }
    if (sync.recheckAt !== undefined)
      return { requeueAfter: Math.max(0, sync.recheckAt - now) + 1000 };
  }

  /**
   * The scale behind a pod's controller: a ReplicationController, a ReplicaSet (or the Deployment
   * that controls it), or a StatefulSet, matched by UID as the reference names it.
   */
  #scaleOf(ref: OwnerReference, namespace: string): ControllerScale | undefined {
    const group = ref.apiVersion.includes("/") ? ref.apiVersion.split("/")[0] : "";
    if (ref.kind === "ReplicationController" && group === "") {
      return scaleOfObject(this.#rcs.lister.get(namespace, ref.name), ref.uid);
    }
    if (ref.kind === "StatefulSet" && group === "apps") {
      return scaleOfObject(this.#statefulSets.lister.get(namespace, ref.name), ref.uid);
    }
    if (ref.kind !== "ReplicaSet" || group !== "apps") return undefined;
    const rs = this.#replicaSets.lister.get(namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return undefined;
    const owner = controllerRefOf(rs);
    if (owner?.kind === "Deployment" && owner.apiVersion.startsWith("apps/")) {
      const scale = scaleOfObject(this.#deployments.lister.get(namespace, owner.name), owner.uid);
      if (scale) return scale;
    }
    return scaleOfObject(rs, ref.uid);
  }
}

function scaleOfObject(
  obj: (KubeObject & { spec?: { replicas?: number } }) | undefined,
  uid: string,
): ControllerScale | undefined {
  if (!obj || obj.metadata.uid !== uid) return undefined;
  return { uid, replicas: obj.spec?.replicas ?? 1 };
}

/** Whether a budget's selector matches a pod of its namespace (a missing selector matches none). */
function selects(budget: PodDisruptionBudget, pod: Pod): boolean {
  if (budget.metadata.namespace !== pod.metadata.namespace) return false;
  try {
    return labelSelectorFromObject(budget.spec?.selector).matches(pod.metadata.labels);
  } catch {
    // Validation refuses bad selectors; one that slips through selects nothing.
    return false;
  }
}

function sameLabels(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify(a.metadata.labels ?? {}) === JSON.stringify(b.metadata.labels ?? {});
}
