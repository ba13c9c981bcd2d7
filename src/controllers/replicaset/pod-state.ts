/**
 * What controllers read from a pod's status: whether it still counts (active), whether it is ready
 * and available, what it costs to delete, and the timestamps they compare. Timestamps are RFC 3339
 * strings in objects and milliseconds since the epoch in code.
 */
import type { Pod } from "../../api/core/v1/pod.js";
import type { PodCondition } from "../../api/core/v1/pod-spec.js";
import type { KubeObject } from "../../api/meta/types.js";

/** The annotation by which users rank pods for deletion: lower costs go first. */
export const POD_DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";

/** Milliseconds since the epoch of an RFC 3339 timestamp; undefined when absent or unreadable. */
export function parseTime(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Older first, then by name: the order of upstream's ByCreationTimestamp sorts (of ReplicaSets,
 * daemon pods, revisions of one number). Objects without a readable time count as the oldest.
 */
export function compareByCreation(a: KubeObject, b: KubeObject): number {
  const at = parseTime(a.metadata.creationTimestamp) ?? 0;
  const bt = parseTime(b.metadata.creationTimestamp) ?? 0;
  if (at !== bt) return at - bt;
  const an = a.metadata.name ?? "";
  const bn = b.metadata.name ?? "";
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** A time as metav1.Time serializes it: RFC 3339 in UTC with whole seconds (`2024-01-01T00:00:00Z`). */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Whether a pod still counts toward its controller: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

/** Whether a pod is being deleted but has not finished yet (it may still be running). */
export function isPodTerminating(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !!pod.metadata.deletionTimestamp;
}

/** The pod's `Ready` condition, if it has one. */
export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === "Ready");
}

/** Whether the pod's `Ready` condition is `True`. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === "True";
}

/**
 * Whether a pod is available: ready, and (when `minReadySeconds` is set) ready since a time
 * strictly more than `minReadySeconds` before `now`.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = podReadyCondition(pod);
  if (ready?.status !== "True") return false;
  if (minReadySeconds <= 0) return true;
  const since = parseTime(ready.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/**
 * When a ready pod that is not yet available will become so, in milliseconds since the epoch, or
 * undefined when that cannot happen without a status change (not ready, no transition time).
 */
export function podAvailableAt(pod: Pod, minReadySeconds: number): number | undefined {
  const ready = podReadyCondition(pod);
  if (ready?.status !== "True") return undefined;
  const since = parseTime(ready.lastTransitionTime);
  return since === undefined ? undefined : since + minReadySeconds * 1000;
}

/**
 * The pod's deletion cost from its annotation. As upstream reads it, a value that is not a plain
 * 32-bit integer (a leading `+` or zero, other characters, out of range) counts as 0.
 */
export function podDeletionCost(pod: Pod): number {
  const text = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (!text) return 0;
  // Upstream refuses a leading "+" or zero (but accepts "0" itself and zeros after a minus sign).
  const first = text[0] ?? "";
  if (!(first === "-" || text === "0" || (first >= "1" && first <= "9"))) return 0;
  if (!/^-?[0-9]+$/.test(text)) return 0;
  const value = Number(text);
  return value >= -2147483648 && value <= 2147483647 ? value : 0;
}

/** The highest restart count among the pod's containers (init containers do not count). */
export function maxContainerRestarts(pod: Pod): number {
  let max = 0;
  for (const c of pod.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  return max;
}
