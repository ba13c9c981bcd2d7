/**
 * The ownership graph: every object the collector follows, keyed by uid, with its ownerReferences and the
 * reverse edges (owner uid → dependent uids). An owner uid with dependents but no node of its own is
 * "virtual": referenced, but not (yet) observed. Each change returns the uids whose state it may have
 * changed, for the controller to queue; the graph itself does no I/O.
 */
import type { KubeObject, OwnerReference } from "../../api/meta/types.js";
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from "../../apiserver/registry/gc-policy.js";

/** What the collector knows of one object: enough to address it and to decide about it. */
export interface GraphNode {
  uid: string;
  apiVersion: string;
  kind: string;
  /** Empty for cluster-scoped objects. */
  namespace: string;
  name: string;
  owners: readonly OwnerReference[];
  beingDeleted: boolean;
  /** Marked for deletion and holding `foregroundDeletion`: waiting for its blocking dependents to go. */
  deletingDependents: boolean;
  /** Marked for deletion and holding `orphan`: waiting for its dependents to be released. */
  orphaning: boolean;
}

/** The node of an object as observed, with its type from the resource it was listed from. */
export function nodeOf(obj: KubeObject, apiVersion: string, kind: string): GraphNode | undefined {
  const meta = obj.metadata;
  if (!meta.uid) return undefined;
  const beingDeleted = meta.deletionTimestamp !== undefined;
  const finalizers = meta.finalizers ?? [];
  return {
    uid: meta.uid,
    apiVersion,
    kind,
    namespace: meta.namespace ?? "",
    name: meta.name ?? "",
    owners: meta.ownerReferences ?? [],
    beingDeleted,
    deletingDependents: beingDeleted && finalizers.includes(FOREGROUND_FINALIZER),
    orphaning: beingDeleted && finalizers.includes(ORPHAN_FINALIZER),
  };
}

/** The uid-keyed ownership graph. */
export class OwnershipGraph {
  readonly #nodes = new Map<string, GraphNode>();
  readonly #dependents = new Map<string, Set<string>>();

  /** The observed node of a uid, if any. */
  get(uid: string): GraphNode | undefined {
    return this.#nodes.get(uid);
  }

  /** The uids whose ownerReferences name `uid`. */
  dependentsOf(uid: string): ReadonlySet<string> {
    return this.#dependents.get(uid) ?? EMPTY;
  }

  /** Whether `uid` is referenced as an owner but has not been observed. */
  isVirtual(uid: string): boolean {
    return !this.#nodes.has(uid) && this.#dependents.has(uid);
  }

  /** Observed objects. */
  get size(): number {
    return this.#nodes.size;
  }

  /** Records an added or changed object; returns the uids to process. */
  upsert(node: GraphNode): string[] {
    const old = this.#nodes.get(node.uid);
    this.#nodes.set(node.uid, node);
    const out = new Set<string>();
    const before = new Map((old?.owners ?? []).map((o) => [o.uid, o]));
    const after = new Map(node.owners.map((o) => [o.uid, o]));
    for (const [uid, ref] of before) {
      const now = after.get(uid);
      if (now && (now.blockOwnerDeletion ?? false) === (ref.blockOwnerDeletion ?? false)) continue;
      if (!now) this.#unlink(uid, node.uid);
      // An owner waiting for its blocking dependents may be free to go now.
      if (this.#nodes.get(uid)?.deletingDependents) out.add(uid);
    }
    for (const uid of after.keys()) {
      if (!before.has(uid)) this.#link(uid, node.uid);
      // An owner not observed, or on its way out, may leave this dependent without a live owner.
      const owner = this.#nodes.get(uid);
      if (!owner || owner.beingDeleted) out.add(node.uid);
    }
    if (node.deletingDependents || node.orphaning) out.add(node.uid);
    if (node.deletingDependents && !old?.deletingDependents) {
      for (const dep of this.dependentsOf(node.uid)) out.add(dep);
    }
    // A node that had been virtual is now observed: its dependents were checked against a GET already.
    return [...out];
  }

  /** Records a deleted object; returns the uids to process (its dependents and waiting owners). */
  remove(uid: string): string[] {
    const node = this.#nodes.get(uid);
    if (!node) return [];
    this.#nodes.delete(uid);
    const out = new Set<string>(this.dependentsOf(uid));
    for (const ref of node.owners) {
      this.#unlink(ref.uid, uid);
      if (this.#nodes.get(ref.uid)?.deletingDependents) out.add(ref.uid);
    }
    return [...out];
  }

  #link(owner: string, dependent: string): void {
    let set = this.#dependents.get(owner);
    if (!set) this.#dependents.set(owner, (set = new Set()));
    set.add(dependent);
  }

  #unlink(owner: string, dependent: string): void {
    const set = this.#dependents.get(owner);
    if (!set) return;
    set.delete(dependent);
    if (set.size === 0) this.#dependents.delete(owner);
  }
}

const EMPTY: ReadonlySet<string> = new Set();
