/**
 * The decisions of one StatefulSet sync, as upstream's StatefulSetControl makes them: which pods
 * to create, delete or fix, in which order, and the status. A pure function of the set, the two
 * revisions, its pods and the claims in the cache; the controller carries out the steps.
 *
 * ```
 * pods ─► replicas (ordinals start … start+replicas-1, missing ones made from a revision)
 *      └► condemned (other ordinals, highest first)
 * phase 1: each replica: delete if finished; create (claims first) if missing; create missing
 *          claims if Pending; wait if terminating / not Running+Ready / not available (ordered);
 *          fix identity, storage and claim owners
 * phase 2: fix the claim owners of condemned pods (retention policy)
 * phase 3: delete condemned pods (ordered: one at a time, highest first, predecessors healthy)
 * phase 4: rolling update: delete the highest-ordinal pod at an old revision at or above the
 *          partition, once every pod above it is healthy (OnDelete: nothing)
 * ```
 *
 * With `podManagementPolicy: OrderedReady` the steps run one after another and the plan stops
 * at the first pod that must be waited for; with `Parallel` each phase's steps run at once.
 */
import type { StatefulSet, StatefulSetStatus } from "../../api/apps/v1/stateful-set.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { OwnerReference } from "../../api/meta/types.js";
import { intOrPercentValue, type IntOrString } from "../../api/int-or-string.js";
import { copyJson } from "../../util/json-copy.js";
import { isPodAvailable, isPodReady } from "../replicaset/pod-state.js";
import {
  applyIdentity,
  applyStorage,
  claimsFor,
  identityMatches,
  inOrdinalRange,
  newStatefulSetPod,
  ordinalOf,
  podRevision,
  replicaCount,
  startOrdinal,
  storageMatches,
} from "./identity.js";
import {
  claimOwnerRefsFor,
  hasUnexpectedController,
  isClaimOwnerUpToDate,
  ownerRefsForNewClaim,
  podClaimIsStale,
} from "./retention.js";

/** One write of a sync. */
export type StatefulSetAction =
  /** Delete a pod: it finished (`failed`), is scaled away (`scaleDown`), or is replaced (`update`). */
  | { type: "deletePod"; pod: Pod; why: "failed" | "scaleDown" | "update" }
  /**
   * Create the pod's missing claims, then the pod. Claims in `claimsBeingDeleted` exist but are
   * terminating: the pod is not created, and the step fails.
   */
  | { type: "createPod"; pod: Pod; claims: PersistentVolumeClaim[]; claimsBeingDeleted: string[] }
  /** Create the missing claims of a Pending pod (they were deleted under it). */
  | {
      type: "createClaims";
      pod: Pod;
      claims: PersistentVolumeClaim[];
      claimsBeingDeleted: string[];
    }
  /** Replace a pod whose identity labels or claim volumes went wrong. */
  | { type: "updatePod"; pod: Pod }
  /**
   * Set the owner references of the pod's claims as the retention policy wants; `conflicts`
   * names claims another controller holds (a Warning event each).
   */
  | {
      type: "updateClaims";
      pod: Pod;
      updates: { claim: PersistentVolumeClaim; ownerReferences: OwnerReference[] }[];
      conflicts: string[];
    };

/** The actions for one pod, carried out in order; a failure ends the step. */
export type StatefulSetStep = StatefulSetAction[];

/** What one sync decides. */
export interface StatefulSetSyncPlan {
  /**
   * The steps by phase. A phase whose step fails ends the sync. Ordered sets run a phase's
   * steps one by one; Parallel ones run them in slow-start batches.
   */
  phases: StatefulSetStep[][];
  /** Whether steps of a phase may run at once (`podManagementPolicy: Parallel`). */
  burst: boolean;
  /** The status to write (before `completeRollingUpdate`). */
  status: StatefulSetStatus;
  /** What the sync waits for, when something holds it back (for logs and tests). */
  waitingFor?: string;
}

/** The inputs of a sync. */
export interface StatefulSetSyncInput {
  /** The set as stored. */
  set: StatefulSet;
  /** The set with the current revision's template, and with the update revision's. */
  currentSet: StatefulSet;
  updateSet: StatefulSet;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  /** The pods the set owns (after adoption and release). */
  pods: readonly Pod[];
  /** The claims of the set's namespace, by name. */
  claims: ReadonlyMap<string, PersistentVolumeClaim>;
  /** The controller reference new pods get. */
  controllerRef: OwnerReference;
  now: number;
  /** Whether `rollingUpdate.maxUnavailable` is honoured (the MaxUnavailableStatefulSet gate). */
  maxUnavailable?: boolean;
}

function isFinished(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Failed" || phase === "Succeeded";
}

function isTerminating(pod: Pod): boolean {
  return !!pod.metadata.deletionTimestamp;
}

function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && isPodReady(pod);
}

function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return pod.status?.phase === "Running" && isPodAvailable(pod, minReadySeconds, now);
}

/** Running, ready and not being deleted (upstream's isHealthy). */
function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

/** The status counts over existing pods (upstream's computeReplicaStatus). */
export function statefulSetStatus(
  input: Pick<StatefulSetSyncInput, "set" | "currentRevision" | "updateRevision" | "now"> & {
    collisionCount: number;
    pods: readonly Pod[];
  },
): StatefulSetStatus {
  const minReady = input.set.spec?.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    observedGeneration: input.set.metadata.generation ?? 0,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision: input.currentRevision,
    updateRevision: input.updateRevision,
    collisionCount: input.collisionCount,
  };
  for (const pod of input.pods) {
    status.replicas = (status.replicas ?? 0) + 1;
    if (isRunningAndReady(pod)) {
      status.readyReplicas = (status.readyReplicas ?? 0) + 1;
      if (isRunningAndAvailable(pod, minReady, input.now)) {
        status.availableReplicas = (status.availableReplicas ?? 0) + 1;
      }
    }
    if (isTerminating(pod)) continue;
    const revision = podRevision(pod);
    if (revision === input.currentRevision) {
      status.currentReplicas = (status.currentReplicas ?? 0) + 1;
    }
    if (revision === input.updateRevision) {
      status.updatedReplicas = (status.updatedReplicas ?? 0) + 1;
    }
  }
  const conditions = input.set.status?.conditions;
  if (conditions?.length) status.conditions = conditions;
  return status;
}

/**
 * The new pod with `ordinal`: from the current revision below the partition (or, without
 * rolling-update parameters, below the current replica count), from the update revision
 * otherwise (upstream's newVersionedStatefulSetPod).
 */
export function newVersionedPod(input: StatefulSetSyncInput, ordinal: number): Pod {
  const { currentSet, updateSet } = input;
  const strategy = input.set.spec?.updateStrategy;
  const start = startOrdinal(input.set);
  if (strategy?.type === "RollingUpdate") {
    const bound = strategy.rollingUpdate
      ? start + (strategy.rollingUpdate.partition ?? 0)
      : start + (input.set.status?.currentReplicas ?? 0);
    if (ordinal < bound) {
      return newStatefulSetPod(currentSet, ordinal, input.controllerRef, input.currentRevision);
    }
  }
  return newStatefulSetPod(updateSet, ordinal, input.controllerRef, input.updateRevision);
}

/** The claims to create for a pod and those that exist but are being deleted. */
function missingClaims(
  input: StatefulSetSyncInput,
  set: StatefulSet,
  ordinal: number,
): { claims: PersistentVolumeClaim[]; claimsBeingDeleted: string[] } {
  const claims: PersistentVolumeClaim[] = [];
  const claimsBeingDeleted: string[] = [];
  for (const { claim } of claimsFor(set, ordinal)) {
    const name = claim.metadata.name ?? "";
    const existing = input.claims.get(name);
    if (!existing) {
      const refs = ownerRefsForNewClaim(input.set);
      if (refs.length) claim.metadata.ownerReferences = refs;
      claims.push(claim);
    } else if (existing.metadata.deletionTimestamp) {
      claimsBeingDeleted.push(name);
    }
  }
  return { claims, claimsBeingDeleted };
}

/** The claim owner fixes the retention policy wants for a pod, or undefined when none. */
function claimUpdates(
  input: StatefulSetSyncInput,
  pod: Pod,
): Extract<StatefulSetAction, { type: "updateClaims" }> | undefined {
  const set = input.updateSet;
  const updates: { claim: PersistentVolumeClaim; ownerReferences: OwnerReference[] }[] = [];
  const conflicts: string[] = [];
  for (const { claim } of claimsFor(set, ordinalOf(pod))) {
    const existing = input.claims.get(claim.metadata.name ?? "");
    if (!existing) continue;
    if (hasUnexpectedController(existing, set, pod)) conflicts.push(claim.metadata.name ?? "");
    if (isClaimOwnerUpToDate(existing, set, pod)) continue;
    updates.push({ claim: existing, ownerReferences: claimOwnerRefsFor(existing, set, pod) });
  }
  if (updates.length === 0) return undefined;
  return { type: "updateClaims", pod, updates, conflicts };
}

/** The outcome of looking at one pod: the actions, and whether ordered processing stops there. */
interface PodDecision {
  step: StatefulSetStep;
  stop: boolean;
  waitingFor?: string;
}

/** Upstream's processReplica. `pod` is undefined for an ordinal without a pod. */
function processReplica(
  input: StatefulSetSyncInput,
  pod: Pod | undefined,
  ordinal: number,
  monotonic: boolean,
): PodDecision {
  const name = `${input.set.metadata.name ?? ""}-${ordinal}`;
  if (pod && isFinished(pod)) {
    // A finished pod is replaced whatever its exit code: a pod of a set should always run.
    const step: StatefulSetStep = isTerminating(pod)
      ? []
      : [{ type: "deletePod", pod, why: "failed" }];
    return { step, stop: true, waitingFor: `pod ${name} to be deleted and recreated` };
  }
  if (!pod) {
    const fresh = newVersionedPod(input, ordinal);
    if (podClaimIsStale(input.set, fresh, input.claims)) {
      return { step: [], stop: true, waitingFor: `stale claims of pod ${name} to be deleted` };
    }
    const { claims, claimsBeingDeleted } = missingClaims(input, input.set, ordinal);
    return {
      step: [{ type: "createPod", pod: fresh, claims, claimsBeingDeleted }],
      stop: monotonic,
      ...(monotonic ? { waitingFor: `pod ${name} to be Running and Ready` } : {}),
    };
  }

  const step: StatefulSetStep = [];
  if (pod.status?.phase === "Pending") {
    const { claims, claimsBeingDeleted } = missingClaims(input, input.set, ordinal);
    if (claims.length || claimsBeingDeleted.length) {
      step.push({ type: "createClaims", pod, claims, claimsBeingDeleted });
    }
  }
  if (monotonic) {
    if (isTerminating(pod)) return { step, stop: true, waitingFor: `pod ${name} to terminate` };
    if (!isRunningAndReady(pod)) {
      return { step, stop: true, waitingFor: `pod ${name} to be Running and Ready` };
    }
    const minReady = input.set.spec?.minReadySeconds ?? 0;
    if (!isRunningAndAvailable(pod, minReady, input.now)) {
      return { step, stop: true, waitingFor: `pod ${name} to be available` };
    }
  }

  const set = input.updateSet;
  if (!identityMatches(set, pod) || !storageMatches(set, pod)) {
    const fixed = copyJson(pod);
    applyIdentity(set, fixed, ordinal);
    if (!storageMatches(set, fixed)) applyStorage(set, fixed, ordinal);
    step.push({ type: "updatePod", pod: fixed });
  }
  const updates = claimUpdates(input, pod);
  if (updates) step.push(updates);
  return { step, stop: false };
}

/** Upstream's processCondemned: whether and how a pod beyond the range goes. */
function processCondemned(
  input: StatefulSetSyncInput,
  pod: Pod,
  firstUnhealthy: Pod | undefined,
  monotonic: boolean,
): PodDecision {
  const name = pod.metadata.name ?? "";
  if (isTerminating(pod)) {
    return monotonic
      ? { step: [], stop: true, waitingFor: `pod ${name} to terminate` }
      : { step: [], stop: false };
  }
  const minReady = input.set.spec?.minReadySeconds ?? 0;
  if (monotonic && pod !== firstUnhealthy) {
    if (!isRunningAndReady(pod)) {
      return { step: [], stop: true, waitingFor: `pod ${name} to be Running and Ready` };
    }
    if (!isRunningAndAvailable(pod, minReady, input.now)) {
      return { step: [], stop: true, waitingFor: `pod ${name} to be available` };
    }
  }
  return { step: [{ type: "deletePod", pod, why: "scaleDown" }], stop: true };
}

/** Runs a decision over pods: ordered stops at the first stop, Parallel takes every step. */
function collect(
  decisions: Iterable<() => PodDecision>,
  monotonic: boolean,
): { steps: StatefulSetStep[]; stopped: boolean; waitingFor?: string } {
  const steps: StatefulSetStep[] = [];
  for (const decide of decisions) {
    const d = decide();
    if (d.step.length) steps.push(d.step);
    if (d.stop && monotonic) {
      return { steps, stopped: true, ...(d.waitingFor ? { waitingFor: d.waitingFor } : {}) };
    }
  }
  return { steps, stopped: false };
}

/** `maxUnavailable` of the rolling update as a count of `replicas` (rounded down, at least 1). */
export function maxUnavailableCount(value: IntOrString | undefined, replicas: number): number {
  if (value === undefined || value === null) return 1;
  const n =
    typeof value === "string" && value.endsWith("%")
      ? Math.floor((intOrPercentValue(value) * replicas) / 100)
      : intOrPercentValue(value);
  return Math.max(1, n);
}

/** The pods to delete for the rolling update (upstream's update loop, with or without maxUnavailable). */
function rollingUpdateDeletions(
  input: StatefulSetSyncInput,
  replicas: readonly Pod[],
): { pods: Pod[]; waitingFor?: string } {
  const ru = input.set.spec?.updateStrategy?.rollingUpdate;
  const updateMin = ru?.partition ?? 0;
  if (input.maxUnavailable) {
    const limit = ru ? maxUnavailableCount(ru.maxUnavailable, replicaCount(input.set)) : 1;
    const unavailable = replicas.filter((p) => !isHealthy(p)).length;
    if (unavailable >= limit) {
      return { pods: [], waitingFor: `${unavailable} unavailable pods (maxUnavailable ${limit})` };
    }
    const pods: Pod[] = [];
    for (let i = replicas.length - 1; i >= updateMin && pods.length < limit - unavailable; i--) {
      const pod = replicas[i];
      if (pod && podRevision(pod) !== input.updateRevision && !isTerminating(pod)) pods.push(pod);
    }
    return { pods };
  }
  for (let i = replicas.length - 1; i >= updateMin; i--) {
    const pod = replicas[i];
    if (!pod) continue;
    if (podRevision(pod) !== input.updateRevision && !isTerminating(pod)) return { pods: [pod] };
    if (!isHealthy(pod)) {
      return { pods: [], waitingFor: `pod ${pod.metadata.name ?? ""} to be healthy for update` };
    }
  }
  return { pods: [] };
}

/** Decides one sync of a StatefulSet (upstream's updateStatefulSet). */
export function planStatefulSetSync(input: StatefulSetSyncInput): StatefulSetSyncPlan {
  const { set } = input;
  const start = startOrdinal(set);
  const count = replicaCount(set);
  const replicas: (Pod | undefined)[] = Array.from({ length: count }, () => undefined);
  const condemned: Pod[] = [];
  for (const pod of input.pods) {
    const ordinal = ordinalOf(pod);
    if (inOrdinalRange(set, pod)) replicas[ordinal - start] = pod;
    else if (ordinal >= 0) condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const existing = [...replicas.filter((p): p is Pod => p !== undefined), ...condemned];
  const status = statefulSetStatus({ ...input, pods: existing });
  const burst = set.spec?.podManagementPolicy === "Parallel";
  const monotonic = !burst;
  const plan: StatefulSetSyncPlan = { phases: [], burst, status };
  if (set.metadata.deletionTimestamp) return plan;

  // The first unhealthy pod, replicas in order and then condemned from the lowest ordinal: the
  // one a scale-down may remove even though it is unhealthy.
  let firstUnhealthy: Pod | undefined;
  for (const pod of [...replicas, ...[...condemned].reverse()]) {
    if (pod && !isHealthy(pod)) {
      firstUnhealthy = pod;
      break;
    }
  }

  const finish = (waitingFor: string | undefined): StatefulSetSyncPlan => {
    if (waitingFor) plan.waitingFor = waitingFor;
    return plan;
  };

  const live = collect(
    replicas.map((pod, i) => () => processReplica(input, pod, start + i, monotonic)),
    monotonic,
  );
  if (live.steps.length) plan.phases.push(live.steps);
  if (live.stopped) return finish(live.waitingFor);

  const claimFixes: StatefulSetStep[] = [];
  for (const pod of condemned) {
    const updates = claimUpdates(input, pod);
    if (updates) claimFixes.push([updates]);
  }
  if (claimFixes.length) plan.phases.push(claimFixes);

  const scaleDown = collect(
    condemned.map((pod) => () => processCondemned(input, pod, firstUnhealthy, monotonic)),
    monotonic,
  );
  if (scaleDown.steps.length) plan.phases.push(scaleDown.steps);
  if (scaleDown.stopped) return finish(scaleDown.waitingFor);

  if (set.spec?.updateStrategy?.type === "OnDelete") return plan;
  // Pods created in this sync (Parallel) count as what they will be: unhealthy, at their revision.
  const targets = replicas.map((pod, i) => pod ?? newVersionedPod(input, start + i));
  const update = rollingUpdateDeletions(input, targets);
  if (update.pods.length) {
    plan.phases.push(update.pods.map((pod) => [{ type: "deletePod", pod, why: "update" }]));
    status.currentReplicas = Math.max(0, (status.currentReplicas ?? 0) - update.pods.length);
  }
  return finish(update.waitingFor);
}

/**
 * The status to write once the rolling update is done: when every pod runs the update revision
 * and is ready, the update revision becomes the current one (upstream's completeRollingUpdate).
 */
export function completeRollingUpdate(
  set: StatefulSet,
  status: StatefulSetStatus,
): StatefulSetStatus {
  if (
    set.spec?.updateStrategy?.type === "RollingUpdate" &&
    status.updatedReplicas === status.replicas &&
    status.readyReplicas === status.replicas
  ) {
    return {
      ...status,
      currentReplicas: status.updatedReplicas ?? 0,
      currentRevision: status.updateRevision ?? "",
    };
  }
  return status;
}

/** Whether the status differs from the one stored in the fields the controller writes. */
export function statusChanged(set: StatefulSet, status: StatefulSetStatus): boolean {
  const old = set.status ?? {};
  return (
    (status.observedGeneration ?? 0) > (old.observedGeneration ?? 0) ||
    (old.replicas ?? 0) !== (status.replicas ?? 0) ||
    (old.readyReplicas ?? 0) !== (status.readyReplicas ?? 0) ||
    (old.availableReplicas ?? 0) !== (status.availableReplicas ?? 0) ||
    (old.currentReplicas ?? 0) !== (status.currentReplicas ?? 0) ||
    (old.updatedReplicas ?? 0) !== (status.updatedReplicas ?? 0) ||
    (old.currentRevision ?? "") !== (status.currentRevision ?? "") ||
    (old.updateRevision ?? "") !== (status.updateRevision ?? "") ||
    old.collisionCount !== status.collisionCount
  );
}
