/**
 * The finalizers a delete request leaves on an object for the garbage collector, as upstream's generic
 * store decides them: an explicit `orphanDependents` or `propagationPolicy` wins, then a GC finalizer
 * already on the object (a repeated delete keeps the earlier choice), then the kind's default policy.
 */
import type { DeleteOptions } from "../../api/meta/types.js";

/** Held by an owner until the garbage collector has removed its ownerReferences from its dependents. */
export const ORPHAN_FINALIZER = "orphan";
/** Held by an owner until the garbage collector has deleted its blocking dependents. */
export const FOREGROUND_FINALIZER = "foregroundDeletion";

/** What a kind does with dependents when a delete names no policy. */
export type DefaultGcPolicy = "OrphanDependents" | "DeleteDependents";

/**
 * The default policy of a kind: upstream keeps the pre-GC behaviour (orphaning) for core/v1
 * ReplicationControllers and batch/v1 Jobs, and deletes dependents in the background for all others.
 */
export function defaultGcPolicy(group: string, kind: string): DefaultGcPolicy {
  if (group === "" && kind === "ReplicationController") return "OrphanDependents";
  if (group === "batch" && kind === "Job") return "OrphanDependents";
  return "DeleteDependents";
}

/**
 * The finalizers an object should carry after a delete with `options`, or undefined when its current
 * ones already say the same (so a delete that changes nothing writes nothing).
 */
export function finalizersOnDelete(
  current: readonly string[] | undefined,
  options: DeleteOptions,
  defaultPolicy: DefaultGcPolicy,
): string[] | undefined {
  const existing = current ?? [];
  let orphan: boolean;
  let foreground: boolean;
  if (options.orphanDependents !== undefined) {
    orphan = options.orphanDependents;
    foreground = false;
  } else if (options.propagationPolicy) {
    orphan = options.propagationPolicy === "Orphan";
    foreground = options.propagationPolicy === "Foreground";
  } else {
    const orphanAt = existing.indexOf(ORPHAN_FINALIZER);
    const foregroundAt = existing.indexOf(FOREGROUND_FINALIZER);
    // With neither finalizer present the kind's default decides; upstream has no foreground default.
    if (orphanAt < 0 && foregroundAt < 0) {
      orphan = defaultPolicy === "OrphanDependents";
      foreground = false;
    } else {
      // The first GC finalizer in the list wins, as upstream scans them in order.
      const orphanFirst = orphanAt >= 0 && (foregroundAt < 0 || orphanAt < foregroundAt);
      orphan = orphanFirst;
      foreground = !orphanFirst;
    }
  }
  const next = existing.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (orphan) next.push(ORPHAN_FINALIZER);
  if (foreground) next.push(FOREGROUND_FINALIZER);
  const before = new Set(existing);
  if (before.size === next.length && next.every((f) => before.has(f))) return undefined;
  return next;
}
