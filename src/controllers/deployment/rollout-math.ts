/**
 * The arithmetic of rollouts: maxSurge and maxUnavailable resolved against the replica count,
 * replica sums over ReplicaSets, the size the new ReplicaSet may grow to, each ReplicaSet's share
 * when a Deployment is scaled in the middle of a rollout, and the orders ReplicaSets are visited in.
 */
import type { Deployment } from "../../api/apps/v1/deployment.js";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import { scaledValue, type IntOrString } from "../../api/int-or-string.js";
import { compareByCreation } from "../replicaset/pod-state.js";
import { desiredReplicasAnnotation, maxReplicasAnnotation, revisionOf } from "./annotations.js";

/** The Deployment's desired replicas (1 when unset, as the API defaults it). */
export function deploymentReplicas(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

/** A ReplicaSet's desired replicas (1 when unset, as the API defaults it). */
export function rsReplicas(rs: ReplicaSet): number {
  return rs.spec?.replicas ?? 1;
}

/** Whether the Deployment replaces pods by rolling update (the default strategy). */
export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? "RollingUpdate") === "RollingUpdate";
}

/**
 * maxSurge and maxUnavailable as pod counts for `replicas`: percentages of it, surge rounded up
 * and unavailability down; when both come to 0, unavailability becomes 1 so that a rollout can
 * still make progress. Absent values count as upstream's defaults (25%).
 */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
  replicas: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? "25%", replicas, true);
  let unavailable = scaledValue(maxUnavailable ?? "25%", replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** The pods a rolling update may add above the desired count; 0 for Recreate. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, deploymentReplicas(d)).surge;
}

/** The pods a rolling update may have unavailable, at most the desired count; 0 for Recreate. */
export function maxUnavailable(d: Deployment): number {
  const replicas = deploymentReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas);
  return Math.min(unavailable, replicas);
}

/** The fewest available pods a rolling update keeps. */
export function minAvailable(d: Deployment): number {
  return deploymentReplicas(d) - maxUnavailable(d);
}

/** The sum of desired replicas (`spec.replicas`). */
export function sumSpecReplicas(replicaSets: readonly (ReplicaSet | undefined)[]): number {
  let n = 0;
  for (const rs of replicaSets) if (rs) n += rsReplicas(rs);
  return n;
}

/** The sum of pods the ReplicaSets report (`status.replicas`). */
export function sumStatusReplicas(replicaSets: readonly (ReplicaSet | undefined)[]): number {
  let n = 0;
  for (const rs of replicaSets) if (rs) n += rs.status?.replicas ?? 0;
  return n;
}

/** The sum of ready pods the ReplicaSets report. */
export function sumReadyReplicas(replicaSets: readonly (ReplicaSet | undefined)[]): number {
  let n = 0;
  for (const rs of replicaSets) if (rs) n += rs.status?.readyReplicas ?? 0;
  return n;
}

/** The sum of available pods the ReplicaSets report. */
export function sumAvailableReplicas(replicaSets: readonly (ReplicaSet | undefined)[]): number {
  let n = 0;
  for (const rs of replicaSets) if (rs) n += rs.status?.availableReplicas ?? 0;
  return n;
}

/** The ReplicaSets that have, or ought to have, pods. */
export function activeReplicaSets(replicaSets: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return replicaSets.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);
}

/**
 * How many replicas the new ReplicaSet should have now: under RollingUpdate, as many more as
 * maxSurge leaves room for, up to the desired count; under Recreate, the desired count.
 */
export function newReplicaSetReplicas(
  d: Deployment,
  allReplicaSets: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet,
): number {
  const replicas = deploymentReplicas(d);
  if (!isRollingUpdate(d)) return replicas;
  const current = rsReplicas(newRS);
  const maxTotal = replicas + maxSurge(d);
  const total = sumSpecReplicas(allReplicaSets);
  if (total >= maxTotal) return current;
  return current + Math.min(maxTotal - total, replicas - current);
}

/**
 * Whether the new ReplicaSet has taken over: scaled to the desired count, annotated with it, and
 * with all of it available.
 */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const replicas = deploymentReplicas(d);
  return (
    rsReplicas(rs) === replicas &&
    desiredReplicasAnnotation(rs) === replicas &&
    (rs.status?.availableReplicas ?? 0) === replicas
  );
}

/**
 * The one ReplicaSet to scale to the full count when scaling is simple: the only active one, or
 * (when none is active) the new one, else the newest old one. Undefined when several are active.
 */
export function findActiveOrLatest(
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => compareByCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** Go's math.Round: halves away from zero (JavaScript's Math.round rounds them up). */
export function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * How many replicas `rs` gains (or, negative, loses) when `toAdd` replicas are spread over the
 * active ReplicaSets in proportion to their size, `added` having been handed out already. The
 * proportion is taken against the max-replicas annotation (the total the ReplicaSets were sized
 * for), or the Deployment's reported replicas when it is missing.
 */
export function replicaSetProportion(
  rs: ReplicaSet,
  d: Deployment,
  toAdd: number,
  added: number,
): number {
  const current = rsReplicas(rs);
  if (current === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const current = rsReplicas(rs);
  const replicas = deploymentReplicas(d);
  if (replicas === 0) return -current;
  const target = replicas + maxSurge(d);
  const sizedFor = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  // Upstream divides by zero here and gets an undefined conversion; no change is the safe answer.
  if (sizedFor === 0) return 0;
  return roundHalfAwayFromZero((current * target) / sizedFor) - current;
}

/** Larger first; equal sizes older first (the order of scaling down). */
export function compareBySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  const diff = rsReplicas(b) - rsReplicas(a);
  return diff !== 0 ? diff : compareByCreation(a, b);
}

/** Larger first; equal sizes newer first (the order of scaling up). */
export function compareBySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  const diff = rsReplicas(b) - rsReplicas(a);
  return diff !== 0 ? diff : compareByCreation(b, a);
}

/** Lower revision first; equal revisions by creation (the order old ReplicaSets are cleaned up). */
export function compareByRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a) ?? 0;
  const rb = revisionOf(b) ?? 0;
  return ra !== rb ? ra - rb : compareByCreation(a, b);
}
