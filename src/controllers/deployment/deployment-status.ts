/**
 * A Deployment's status: the counts summed from its ReplicaSets, the Available condition, and the
 * Progressing condition that tells `kubectl rollout status` whether a rollout moves, finished, or
 * ran past `progressDeadlineSeconds`.
 */
import type {
  Deployment,
  DeploymentCondition,
  DeploymentStatus,
} from "../../api/apps/v1/deployment.js";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import { formatTime, parseTime } from "../replicaset/pod-state.js";
import {
  deploymentReplicas,
  maxUnavailable,
  sumAvailableReplicas,
  sumReadyReplicas,
  sumSpecReplicas,
  sumStatusReplicas,
} from "./rollout-math.js";

/** Condition types of a Deployment. */
export const AVAILABLE = "Available";
export const PROGRESSING = "Progressing";
export const REPLICA_FAILURE = "ReplicaFailure";

/** Reasons of the Deployment conditions, as upstream spells them. */
export const Reason = {
  /** Progressing=True: the controller created the new ReplicaSet. */
  newReplicaSetCreated: "NewReplicaSetCreated",
  /** Progressing=True: the controller found the new ReplicaSet already there. */
  foundNewReplicaSet: "FoundNewReplicaSet",
  /** Progressing=True: the rollout moved (more updated, ready or available pods, fewer old). */
  replicaSetUpdated: "ReplicaSetUpdated",
  /** Progressing=True: the rollout is complete. */
  newReplicaSetAvailable: "NewReplicaSetAvailable",
  /** Progressing=False: no progress within progressDeadlineSeconds. */
  progressDeadlineExceeded: "ProgressDeadlineExceeded",
  /** Progressing=False: the new ReplicaSet could not be created. */
  replicaSetCreateError: "ReplicaSetCreateError",
  /** Progressing=Unknown: the Deployment was paused. */
  deploymentPaused: "DeploymentPaused",
  /** Progressing=Unknown: the Deployment was resumed. */
  deploymentResumed: "DeploymentResumed",
  /** Available=True. */
  minimumReplicasAvailable: "MinimumReplicasAvailable",
  /** Available=False. */
  minimumReplicasUnavailable: "MinimumReplicasUnavailable",
} as const;

/** Whether the Deployment has a progress deadline (unset, or the int32 maximum, means none). */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== 2147483647;
}

/** The condition of `type`, if any. */
export function getCondition(
  status: DeploymentStatus | undefined,
  type: string,
): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** A new condition stamped `now` for both its update and transition times. */
export function newCondition(
  type: string,
  status: string,
  reason: string,
  message: string,
  now: number,
): DeploymentCondition {
  const t = formatTime(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/**
 * Puts `condition` into `status`. Nothing changes when a condition of that type already has the
 * same status and reason; one with the same status keeps its transition time. The new condition
 * goes last, as upstream appends it.
 */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status && current.lastTransitionTime) {
    next.lastTransitionTime = current.lastTransitionTime;
  }
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

/** Removes the condition of `type`. */
export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  const rest = status.conditions.filter((c) => c.type !== type);
  if (rest.length) status.conditions = rest;
  else delete status.conditions;
}

/**
 * The status of a Deployment from its ReplicaSets: counts, the observed generation, the collision
 * count it had, its conditions, and Available=True when at least `replicas - maxUnavailable` pods
 * are available.
 */
export function calculateStatus(
  d: Deployment,
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  now: number,
): DeploymentStatus {
  const available = sumAvailableReplicas(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sumStatusReplicas(allRSs),
    updatedReplicas: sumStatusReplicas([newRS]),
    readyReplicas: sumReadyReplicas(allRSs),
    availableReplicas: available,
    // More available than desired happens while scaling down; unavailable is then 0, not negative.
    unavailableReplicas: Math.max(0, sumSpecReplicas(allRSs) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));

  if (available >= deploymentReplicas(d) - maxUnavailable(d)) {
    const message = "Deployment has minimum availability.";
    const reason = Reason.minimumReplicasAvailable;
    setCondition(status, newCondition(AVAILABLE, "True", reason, message, now));
  } else {
    const message = "Deployment does not have minimum availability.";
    const reason = Reason.minimumReplicasUnavailable;
    setCondition(status, newCondition(AVAILABLE, "False", reason, message, now));
  }
  return status;
}

/** Whether the rollout is done: every desired pod updated and available, and the spec observed. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const replicas = deploymentReplicas(d);
  return (
    status.updatedReplicas === replicas &&
    status.replicas === replicas &&
    status.availableReplicas === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/**
 * Whether `status` shows progress over the Deployment's current status: more updated, ready or
 * available pods, or fewer old ones.
 */
export function deploymentProgressing(d: Deployment, status: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/**
 * Whether the rollout has gone `progressDeadlineSeconds` without progress, counted from the
 * Progressing condition's last update (the last progress, ReplicaSet creation or resume).
 */
export function deploymentTimedOut(d: Deployment, status: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(status, PROGRESSING);
  if (!cond) return false;
  if (cond.reason === Reason.newReplicaSetAvailable) return false;
  if (cond.reason === Reason.progressDeadlineExceeded) return true;
  const from = parseTime(cond.lastUpdateTime);
  if (from === undefined) return false;
  return from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now;
}

/**
 * The status at the end of a rollout step: `calculateStatus` plus the Progressing condition
 * (complete, progressing, or timed out; removed without a deadline) and the ReplicaFailure
 * condition of the new ReplicaSet, else of any ReplicaSet.
 */
export function rolloutStatus(
  d: Deployment,
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  now: number,
): DeploymentStatus {
  const status = calculateStatus(d, allRSs, newRS, now);
  if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING);

  const current = getCondition(d.status, PROGRESSING);
  const isComplete =
    status.replicas === status.updatedReplicas && current?.reason === Reason.newReplicaSetAvailable;
  if (hasProgressDeadline(d) && !isComplete) {
    const subject = newRS
      ? `ReplicaSet "${newRS.metadata.name}"`
      : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      const message = `${subject} has successfully progressed.`;
      const reason = Reason.newReplicaSetAvailable;
      setCondition(status, newCondition(PROGRESSING, "True", reason, message, now));
    } else if (deploymentProgressing(d, status)) {
      // Progress renews lastUpdateTime even when the reason stays; that is what the deadline
      // counts from, so the condition is replaced rather than set.
      const message = `${subject} is progressing.`;
      const cond = newCondition(PROGRESSING, "True", Reason.replicaSetUpdated, message, now);
      if (current?.status === "True" && current.lastTransitionTime) {
        cond.lastTransitionTime = current.lastTransitionTime;
      }
      removeCondition(status, PROGRESSING);
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, now)) {
      const message = `${subject} has timed out progressing.`;
      const reason = Reason.progressDeadlineExceeded;
      setCondition(status, newCondition(PROGRESSING, "False", reason, message, now));
    }
  }

  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(status, failure);
  else removeCondition(status, REPLICA_FAILURE);
  return status;
}

function replicaFailure(
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
): DeploymentCondition | undefined {
  for (const rs of [newRS, ...allRSs]) {
    const c = rs?.status?.conditions?.find((x) => x.type === REPLICA_FAILURE);
    if (!c) continue;
    const out: DeploymentCondition = { type: c.type, status: c.status };
    if (c.lastTransitionTime) {
      out.lastTransitionTime = c.lastTransitionTime;
      out.lastUpdateTime = c.lastTransitionTime;
    }
    if (c.reason !== undefined) out.reason = c.reason;
    if (c.message !== undefined) out.message = c.message;
    return out;
  }
  return undefined;
}

/**
 * When to look at a stuck rollout again: the milliseconds until its progress deadline passes
 * (at least 0, plus a second of slack past it), or undefined when there is nothing to wait for
 * (no deadline, no Progressing condition, rollout complete or already timed out).
 */
export function stuckRequeueAfterMs(
  d: Deployment,
  status: DeploymentStatus,
  now: number,
): number | undefined {
  const current = getCondition(d.status, PROGRESSING);
  if (!hasProgressDeadline(d) || !current) return undefined;
  if (deploymentComplete(d, status) || current.reason === Reason.progressDeadlineExceeded) {
    return undefined;
  }
  const last = parseTime(current.lastUpdateTime);
  if (last === undefined) return undefined;
  const after = last + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - now;
  return after < 1000 ? 0 : after + 1000;
}
