/**
 * The garbage collector's decisions, free of I/O: what state an owner is in, what to do with a dependent
 * given the states of its owners, which dependents hold a foreground deletion back, and the metadata
 * edits (ownerReferences, finalizers) the collector writes.
 */
import type { OwnerReference } from "../../api/meta/types.js";
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from "../../apiserver/registry/gc-policy.js";
import type { GraphNode, OwnershipGraph } from "./graph.js";

/**
 * An owner as a dependent sees it: `solid` (present, not waiting on its dependents), `dangling` (absent,
 * or present under another uid), or `waiting` (being deleted in the foreground).
 */
export type OwnerState = "solid" | "dangling" | "waiting";

/** What to do with a dependent. */
export type DependentDecision =
  | { action: "keep" }
  /** Drop the references to these owners (the dependent has a live owner besides). */
  | { action: "removeOwnerReferences"; uids: string[] }
  /**
   * Delete it with this propagation policy; first clear blockOwnerDeletion on the references to the
   * `unblock` owners, since the dependent's own dependents now hold it, not them.
   */
  | { action: "delete"; policy: "Background" | "Foreground" | "Orphan"; unblock: string[] };

/** The state of an owner found with this uid, deletion mark and finalizer, or undefined when absent. */
export function ownerState(
  ref: OwnerReference,
  found: { uid: string; deletingDependents: boolean } | undefined,
): OwnerState {
  if (!found || found.uid !== ref.uid) return "dangling";
  return found.deletingDependents ? "waiting" : "solid";
}

/**
 * Decides about a dependent that is not being deleted, as upstream's attemptToDeleteItem: with a solid
 * owner it stays and loses only its references to dangling and waiting owners; otherwise it is deleted,
 * in the foreground when a waiting owner needs its dependents gone first, else with the policy its own
 * finalizers ask for (Background by default).
 */
export function decideDependent(
  owners: readonly OwnerReference[],
  states: ReadonlyMap<string, OwnerState>,
  hasDependents: boolean,
  finalizers: readonly string[],
): DependentDecision {
  const solid: string[] = [];
  const gone: string[] = [];
  const waiting: string[] = [];
  for (const ref of owners) {
    const state = states.get(ref.uid);
    if (state === "solid") solid.push(ref.uid);
    else if (state === "waiting") waiting.push(ref.uid);
    else if (state === "dangling") gone.push(ref.uid);
  }
  if (solid.length) {
    const drop = [...gone, ...waiting];
    return drop.length ? { action: "removeOwnerReferences", uids: drop } : { action: "keep" };
  }
  // An owner whose state is unknown (not looked up) keeps the dependent: never delete on a guess.
  if (gone.length + waiting.length < owners.length) return { action: "keep" };
  if (waiting.length && hasDependents) {
    const unblock = owners
      .filter((r) => r.blockOwnerDeletion && waiting.includes(r.uid))
      .map((r) => r.uid);
    return { action: "delete", policy: "Foreground", unblock };
  }
  const policy = finalizers.includes(ORPHAN_FINALIZER)
    ? "Orphan"
    : finalizers.includes(FOREGROUND_FINALIZER)
      ? "Foreground"
      : "Background";
  return { action: "delete", policy, unblock: [] };
}

/** The dependents of an owner whose references to it set blockOwnerDeletion: they hold it back. */
export function blockingDependents(graph: OwnershipGraph, ownerUid: string): GraphNode[] {
  const out: GraphNode[] = [];
  for (const uid of graph.dependentsOf(ownerUid)) {
    const dep = graph.get(uid);
    if (dep?.owners.some((r) => r.uid === ownerUid && r.blockOwnerDeletion)) out.push(dep);
  }
  return out;
}

/** The references left after removing those to `uids`; undefined when none of them is there. */
export function withoutOwners(
  refs: readonly OwnerReference[] | undefined,
  uids: readonly string[],
): OwnerReference[] | undefined {
  const list = refs ?? [];
  const kept = list.filter((r) => !uids.includes(r.uid));
  return kept.length === list.length ? undefined : kept;
}

/** The references with blockOwnerDeletion cleared on those to `uids`; undefined when none is set. */
export function unblocked(
  refs: readonly OwnerReference[] | undefined,
  uids: readonly string[],
): OwnerReference[] | undefined {
  const list = refs ?? [];
  if (!list.some((r) => r.blockOwnerDeletion && uids.includes(r.uid))) return undefined;
  return list.map((r) =>
    r.blockOwnerDeletion && uids.includes(r.uid) ? { ...r, blockOwnerDeletion: false } : r,
  );
}

/** The finalizers without `name`; undefined when it is not there. */
export function withoutFinalizer(
  finalizers: readonly string[] | undefined,
  name: string,
): string[] | undefined {
  const list = finalizers ?? [];
  return list.includes(name) ? list.filter((f) => f !== name) : undefined;
}
