/**
 * The decisions of namespace deletion, free of I/O: which resources to empty, the status conditions a
 * pass leaves on the namespace (upstream's five deletion conditions, with its reasons and messages), and
 * the spec.finalizers to finalize with.
 */
import type { NamespaceCondition } from "../../api/core/v1/namespace.js";
import { KUBERNETES_FINALIZER } from "../../api/core/v1/namespace.js";
import type { KubeObject } from "../../api/meta/types.js";
import type { ResourceDefinition } from "../../api/resource.js";

/** The namespaced resources whose objects a namespace deletion removes: stored kinds that list and delete. */
export function deletableResources(defs: readonly ResourceDefinition[]): ResourceDefinition[] {
  return defs.filter(
    (d) =>
      d.namespaced &&
      !d.virtual &&
      (!d.verbs || (d.verbs.includes("list") && d.verbs.includes("delete"))),
  );
}

/** What is left of one resource in the namespace after a deletion pass. */
export interface ResourceRemaining {
  /** `plural.group` as upstream names it in messages (`pods.`, `deployments.apps`). */
  resource: string;
  /** The objects still present. */
  items: readonly KubeObject[];
}

/** The outcome of one deletion pass. */
export interface DeletionReport {
  /** Resources that could not be listed, as `plural.group: message`. */
  listFailures: string[];
  /** Deletes that failed (other than NotFound and Conflict), as messages. */
  deleteFailures: string[];
  remaining: ResourceRemaining[];
}

/** Condition types upstream sets while a namespace terminates, in its order. */
export const DELETION_CONDITION_TYPES = [
  "NamespaceDeletionDiscoveryFailure",
  "NamespaceDeletionGroupVersionParsingFailure",
  "NamespaceDeletionContentFailure",
  "NamespaceContentRemaining",
  "NamespaceFinalizersRemaining",
] as const;

const OK: Record<(typeof DELETION_CONDITION_TYPES)[number], [string, string]> = {
  NamespaceDeletionDiscoveryFailure: [
    "ResourcesDiscovered",
    "All resources successfully discovered",
  ],
  NamespaceDeletionGroupVersionParsingFailure: [
    "ParsedGroupVersions",
    "All legacy kube types successfully parsed",
  ],
  NamespaceDeletionContentFailure: [
    "ContentDeleted",
    "All content successfully deleted, may be waiting on finalization",
  ],
  NamespaceContentRemaining: ["ContentRemoved", "All content successfully removed"],
  NamespaceFinalizersRemaining: [
    "ContentHasNoFinalizers",
    "All content-preserving finalizers finished",
  ],
};

/** The conditions a pass reports (without transition times); failing ones are True, as upstream. */
export function deletionConditions(report: DeletionReport): NamespaceCondition[] {
  const failing = new Map<string, [string, string]>();
  const failures = [...report.listFailures, ...report.deleteFailures];
  if (failures.length) {
    failing.set("NamespaceDeletionContentFailure", [
      "ContentDeletionFailed",
      `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(", ")}`,
    ]);
  }
  const counts: string[] = [];
  const finalizers = new Map<string, number>();
  for (const r of report.remaining) {
    if (r.items.length === 0) continue;
    counts.push(`${r.resource} has ${r.items.length} resource instances`);
    for (const item of r.items) {
      for (const f of item.metadata.finalizers ?? [])
        finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    }
  }
  if (counts.length) {
    failing.set("NamespaceContentRemaining", [
      "SomeResourcesRemain",
      `Some resources are remaining: ${counts.sort().join(", ")}`,
    ]);
  }
  if (finalizers.size) {
    const described = [...finalizers].map(([f, n]) => `${f} in ${n} resource instances`).sort();
    failing.set("NamespaceFinalizersRemaining", [
      "SomeFinalizersRemain",
      `Some content in the namespace has finalizers remaining: ${described.join(", ")}`,
    ]);
  }
  return DELETION_CONDITION_TYPES.map((type) => {
    const bad = failing.get(type);
    const [reason, message] = bad ?? OK[type];
    return { type, status: bad ? "True" : "False", reason, message };
  });
}

/**
 * Merges new conditions into the current ones: a condition whose status is unchanged keeps its
 * lastTransitionTime; others get `now`. Conditions of other types are kept. Returns undefined when
 * nothing changes, so that no write is needed.
 */
export function mergeConditions(
  current: readonly NamespaceCondition[] | undefined,
  fresh: readonly NamespaceCondition[],
  now: string,
): NamespaceCondition[] | undefined {
  const byType = new Map((current ?? []).map((c) => [c.type, c]));
  let changed = false;
  const merged = (current ?? []).map((c) => ({ ...c }));
  for (const c of fresh) {
    const old = byType.get(c.type);
    if (old && old.status === c.status && old.reason === c.reason && old.message === c.message) {
      continue;
    }
    changed = true;
    const next: NamespaceCondition = {
      ...c,
      lastTransitionTime: old && old.status === c.status ? (old.lastTransitionTime ?? now) : now,
    };
    const i = merged.findIndex((m) => m.type === c.type);
    if (i >= 0) merged[i] = next;
    else merged.push(next);
  }
  return changed ? merged : undefined;
}

/** Whether nothing is left in the namespace, so that it can be finalized. */
export function isEmpty(report: DeletionReport): boolean {
  return (
    report.listFailures.length === 0 &&
    report.deleteFailures.length === 0 &&
    report.remaining.every((r) => r.items.length === 0)
  );
}

/** spec.finalizers once this controller is done: without `kubernetes`. */
export function finalizersAfterContent(finalizers: readonly string[] | undefined): string[] {
  return (finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER);
}

/**
 * How long to wait before the next pass while objects remain: the longest grace period left among
 * objects being deleted gracefully (pods), in ms; 0 when none (back off instead).
 */
export function remainingGraceMs(report: DeletionReport, nowMs: number): number {
  let longest = 0;
  for (const r of report.remaining) {
    for (const item of r.items) {
      const { deletionTimestamp, deletionGracePeriodSeconds } = item.metadata;
      if (!deletionTimestamp || !deletionGracePeriodSeconds) continue;
      longest = Math.max(longest, Date.parse(deletionTimestamp) - nowMs);
    }
  }
  return longest;
}
