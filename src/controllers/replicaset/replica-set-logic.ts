/**
 * The decisions of one ReplicaSet or ReplicationController sync, as a pure function of the
 * informer's cache: which pods it counts, which orphans it adopts and which pods it releases,
 * how many pods to create (in slow-start batches) or which to delete, and the status to write.
 */
import type { ReplicaSet, ReplicaSetStatus } from "../../api/apps/v1/replica-set.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { PodTemplateSpec } from "../../api/core/v1/pod-spec.js";
import type { ReplicationController } from "../../api/core/v1/replication-controller.js";
import {
  LabelSelector,
  labelSelectorFromObject,
  labelSelectorFromSet,
} from "../../api/selectors/label-selector.js";
import {
  claimObjects,
  controllerIdentity,
  newControllerRef,
  type ControllerIdentity,
} from "./controller-ref.js";
import { podsToDelete } from "./pod-deletion-order.js";
import { formatTime, isPodActive, isPodAvailable, isPodReady } from "./pod-state.js";
import { podFromTemplate } from "./pod-template.js";

/** The most pods one sync creates or deletes; the rest wait for the next sync. */
export const BURST_REPLICAS = 500;

/** The size of the first creation batch; each later batch doubles, so failures stop early. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/** The condition type a replicated controller reports when it cannot create or delete pods. */
export const REPLICA_FAILURE = "ReplicaFailure";

/** One condition of a ReplicaSet or ReplicationController status. */
export interface ReplicaCondition {
  type?: string;
  status?: string;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
}

/** A ReplicaSet or a ReplicationController, seen the same way: they differ only in the selector. */
export interface ReplicatedController {
  identity: ControllerIdentity;
  generation: number;
  replicas: number;
  minReadySeconds: number;
  selector: LabelSelector;
  template: PodTemplateSpec | undefined;
  status: {
    replicas?: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
    conditions?: ReplicaCondition[];
  };
}

/** A ReplicaSet as a replicated controller. Throws SelectorParseError on an unreadable selector. */
export function replicaSetController(rs: ReplicaSet): ReplicatedController {
  return {
    identity: controllerIdentity(rs.metadata, "apps/v1", "ReplicaSet"),
    generation: rs.metadata.generation ?? 0,
    replicas: rs.spec?.replicas ?? 1,
    minReadySeconds: rs.spec?.minReadySeconds ?? 0,
    selector: labelSelectorFromObject(rs.spec?.selector),
    template: rs.spec?.template,
    status: rs.status ?? {},
  };
}

/**
 * A ReplicationController as a replicated controller. Its selector is a plain label map; an empty
 * one selects nothing here (validation refuses it upstream, where it would select everything).
 */
export function replicationControllerController(rc: ReplicationController): ReplicatedController {
  const labels = rc.spec?.selector ?? {};
  return {
    identity: controllerIdentity(rc.metadata, "v1", "ReplicationController"),
    generation: rc.metadata.generation ?? 0,
    replicas: rc.spec?.replicas ?? 1,
    minReadySeconds: rc.spec?.minReadySeconds ?? 0,
    selector: Object.keys(labels).length ? labelSelectorFromSet(labels) : LabelSelector.nothing(),
    template: rc.spec?.template,
    status: rc.status ?? {},
  };
}

/** What one sync reads. */
export interface ReplicaSetSyncInput {
  controller: ReplicatedController;
  /**
   * Pods of the controller's namespace from the informer: at least those it controls and the
   * orphans. Pods controlled by others, finished pods and pods being deleted are left out.
   */
  pods: readonly Pod[];
  /**
   * Pods of the controller and its siblings (the other ReplicaSets of its Deployment), for the
   * node-crowding rank of deletions; defaults to the pods the controller counts.
   */
  relatedPods?: readonly Pod[];
  /** False while creations or deletions of an earlier sync are still unobserved: no new ones. */
  expectationsSatisfied?: boolean;
  /** Milliseconds since the epoch. */
  now: number;
  /** Defaults to BURST_REPLICAS. */
  burstReplicas?: number;
}

/** What one sync decided; the caller acts in this order: adopt, release, create or delete, status. */
export interface ReplicaSetSyncPlan {
  /** Orphans to adopt (patch with `adoptionPatch`). */
  adopt: Pod[];
  /** Owned pods that stopped matching (patch with `releasePatch`). */
  release: Pod[];
  /** The active pods the controller counts, adopted ones included. */
  activePods: Pod[];
  /** How many pods to create; 0 when none. */
  createCount: number;
  /** Sizes of the creation batches, summing to `createCount`; stop at the first batch that fails. */
  createBatches: number[];
  /** The pod to create, `createCount` times (each gets its name from `generateName`). */
  podToCreate?: Pod;
  /** Pods to delete. */
  delete: Pod[];
  /**
   * The status to write when creations and deletions succeed; on failure recompute it with
   * `replicaSetStatus(..., failure)`. Written only when `statusChanged`.
   */
  status: ReplicaSetStatus;
  statusChanged: boolean;
  /** When set, sync again after this many milliseconds so pods waiting on minReadySeconds count. */
  requeueAfterMs?: number;
}

/** Sizes of slow-start batches for `count` creations: 1, 2, 4, ... capped by what is left. */
export function slowStartBatches(count: number, initial = SLOW_START_INITIAL_BATCH_SIZE): number[] {
  const batches: number[] = [];
  let remaining = count;
  let size = Math.min(remaining, initial);
  while (size > 0) {
    batches.push(size);
    remaining -= size;
    size = Math.min(2 * size, remaining);
  }
  return batches;
}

/** Decides one sync of a ReplicaSet or ReplicationController. */
export function planReplicaSetSync(input: ReplicaSetSyncInput): ReplicaSetSyncPlan {
  const { controller, now } = input;
  const burst = input.burstReplicas ?? BURST_REPLICAS;

  const active = input.pods.filter(isPodActive);
  const claim = claimObjects(controller.identity, active, (pod) =>
    controller.selector.matches(pod.metadata.labels),
  );
  const activePods = claim.claimed;

  let createCount = 0;
  let toDelete: Pod[] = [];
  const manage = (input.expectationsSatisfied ?? true) && !controller.identity.deletionTimestamp;
  if (manage) {
    const diff = activePods.length - controller.replicas;
    if (diff < 0) createCount = Math.min(-diff, burst);
    else if (diff > 0) {
      toDelete = podsToDelete(
        activePods,
        input.relatedPods ?? activePods,
        Math.min(diff, burst),
        now,
      );
    }
  }

  const status = replicaSetStatus(controller, activePods, now);
  const plan: ReplicaSetSyncPlan = {
    adopt: claim.adopt,
    release: claim.release,
    activePods,
    createCount,
    createBatches: slowStartBatches(createCount),
    delete: toDelete,
    status,
    statusChanged: statusChanged(controller, status),
  };
  if (createCount > 0) {
    plan.podToCreate = podFromTemplate(
      controller.template,
      controller.identity,
      newControllerRef(controller.identity),
    );
  }
  const min = controller.minReadySeconds;
  if (
    min > 0 &&
    status.readyReplicas === controller.replicas &&
    status.availableReplicas !== controller.replicas
  ) {
    plan.requeueAfterMs = min * 1000;
  }
  return plan;
}

/** Why creating or deleting pods failed, for the ReplicaFailure condition. */
export interface ReplicaFailure {
  /** Whether pods were being created (`FailedCreate`) or deleted (`FailedDelete`). */
  action: "create" | "delete";
  /** The error's message. */
  message: string;
}

/**
 * The status of a replicated controller with `activePods`: counts of pods, of pods carrying all
 * the template's labels, ready and available (ready for `minReadySeconds` before `now`), the
 * observed generation, and a ReplicaFailure condition that appears when `failure` is given and
 * none is there yet, and goes away on a sync without failure.
 */
export function replicaSetStatus(
  controller: ReplicatedController,
  activePods: readonly Pod[],
  now: number,
  failure?: ReplicaFailure,
): ReplicaSetStatus {
  const templateLabels = controller.template?.metadata?.labels ?? {};
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of activePods) {
    if (hasAllLabels(pod.metadata.labels, templateLabels)) fullyLabeled++;
    if (!isPodReady(pod)) continue;
    ready++;
    if (isPodAvailable(pod, controller.minReadySeconds, now)) available++;
  }

  const old = (controller.status.conditions ?? []).filter(
    (c): c is ReplicaCondition & { type: string } => typeof c.type === "string",
  );
  let conditions = old.map(copyCondition);
  const hasFailure = old.some((c) => c.type === REPLICA_FAILURE);
  if (failure && !hasFailure) {
    conditions.push({
      type: REPLICA_FAILURE,
      status: "True",
      lastTransitionTime: formatTime(now),
      reason: failure.action === "create" ? "FailedCreate" : "FailedDelete",
      message: failure.message,
    });
  } else if (!failure && hasFailure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }

  const status: ReplicaSetStatus = {
    replicas: activePods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: controller.generation,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Whether `status` differs from the controller's current status in what a sync writes. */
export function statusChanged(controller: ReplicatedController, status: ReplicaSetStatus): boolean {
  const cur = controller.status;
  if (
    (cur.replicas ?? 0) !== status.replicas ||
    (cur.fullyLabeledReplicas ?? 0) !== status.fullyLabeledReplicas ||
    (cur.readyReplicas ?? 0) !== status.readyReplicas ||
    (cur.availableReplicas ?? 0) !== status.availableReplicas ||
    (cur.observedGeneration ?? 0) !== controller.generation
  ) {
    return true;
  }
  const a = cur.conditions ?? [];
  const b = status.conditions ?? [];
  return a.length !== b.length || a.some((c, i) => !sameCondition(c, b[i]));
}

function sameCondition(a: ReplicaCondition, b: ReplicaCondition | undefined): boolean {
  return (
    b !== undefined &&
    a.type === b.type &&
    a.status === b.status &&
    (a.lastTransitionTime ?? null) === (b.lastTransitionTime ?? null) &&
    (a.reason ?? "") === (b.reason ?? "") &&
    (a.message ?? "") === (b.message ?? "")
  );
}

function copyCondition(
  c: ReplicaCondition & { type: string },
): NonNullable<ReplicaSetStatus["conditions"]>[number] {
  const out: NonNullable<ReplicaSetStatus["conditions"]>[number] = {
    type: c.type,
    status: c.status ?? "",
  };
  if (c.lastTransitionTime) out.lastTransitionTime = c.lastTransitionTime;
  if (c.reason !== undefined) out.reason = c.reason;
  if (c.message !== undefined) out.message = c.message;
  return out;
}

function hasAllLabels(
  labels: Readonly<Record<string, string>> | undefined,
  wanted: Readonly<Record<string, string>>,
): boolean {
  for (const key in wanted) if (labels?.[key] !== wanted[key]) return false;
  return true;
}
