/**
 * Pod conditions as the system writes them: one entry per type, whose transition time moves only when
 * the status does. Shared by the eviction subresource and the controllers that mark pods.
 */
import type { PodCondition, PodStatus } from "./pod-shapes.js";

/** Why a pod is about to be disrupted (upstream's `DisruptionTarget` condition type). */
export const DISRUPTION_TARGET = "DisruptionTarget";

/**
 * Sets `condition` in `status.conditions` and says whether anything changed. A condition of the same
 * type and status keeps its transition time; its reason and message are replaced.
 */
export function setPodCondition(status: PodStatus, condition: PodCondition, now: string): boolean {
  const conditions = (status.conditions ??= []);
  const i = conditions.findIndex((c) => c.type === condition.type);
  const old = i < 0 ? undefined : conditions[i];
  const next: PodCondition = {
    ...condition,
    lastTransitionTime:
      old && old.status === condition.status ? (old.lastTransitionTime ?? now) : now,
  };
  if (
    old &&
    old.status === next.status &&
    old.reason === next.reason &&
    old.message === next.message
  ) {
    return false;
  }
  if (i < 0) conditions.push(next);
  else conditions[i] = next;
  return true;
}

/** A time as metav1.Time serializes it: RFC 3339 in UTC with whole seconds. */
export function wholeSecondTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
