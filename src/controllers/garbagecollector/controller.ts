/**
 * The garbage collector: follows every stored kind the server serves, keeps the ownerReferences graph
 * (graph.ts), and acts on it as upstream's collector does. A dependent left without a live owner is
 * deleted; one that keeps a live owner loses its references to dead ones; an owner deleted in the
 * foreground loses its `foregroundDeletion` finalizer once no blocking dependent is left; an owner
 * deleted with Orphan loses its `orphan` finalizer once its dependents no longer reference it.
 */
import { allResources } from "../../api/registry.js";
import type { KubeObject, OwnerReference } from "../../api/meta/types.js";
import type { ResourceDefinition } from "../../api/resource.js";
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from "../../apiserver/registry/gc-policy.js";
import { isConflict, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import type { SharedInformerFactory } from "../../client/informer-factory.js";
import { apiVersionFor, type ResourceDescriptor } from "../../client/resource.js";
import { WorkQueue, type ReconcileResult } from "../../client/work-queue.js";
import type { Logger } from "../../util/log.js";
import type { Controller, ControllerContext } from "../manager.js";
import { RetryLater, runQueue } from "../run-queue.js";
import {
  blockingDependents,
  decideDependent,
  ownerState,
  unblocked,
  withoutFinalizer,
  withoutOwners,
  type OwnerState,
} from "./decisions.js";
import { followedResources, ResourceIndex } from "./resources.js";
import { nodeOf, OwnershipGraph, type GraphNode } from "./graph.js";

/** Workers (upstream's --concurrent-gc-syncs default is 20). */
const WORKERS = 8;
/** Owner uids known to be gone; bounded, since uids never come back a lost one only costs a GET. */
const ABSENT_CACHE_SIZE = 10_000;

/** Builds the garbage collector. */
export function newGarbageCollector(ctx: ControllerContext): Controller {
  return new GarbageCollector(ctx.client, ctx.informers, ctx.logger);
}

/** Deletes objects whose owners are gone and carries out foreground and orphan deletions. */
export class GarbageCollector implements Controller {
  readonly name = "garbagecollector";
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>();
  readonly #graph = new OwnershipGraph();
  readonly #resources: ResourceIndex;
  readonly #absent = new Set<string>();

  constructor(
    client: KubeClient,
    informers: SharedInformerFactory,
    log: Logger,
    defs: readonly ResourceDefinition[] = allResources,
  ) {
    this.#client = client;
    this.#log = log;
    this.#resources = new ResourceIndex(defs);
    for (const res of followedResources(defs)) {
      const apiVersion = apiVersionFor(res);
      const kind = res.kind ?? "";
      const observe = (obj: KubeObject): void => {
        const node = nodeOf(obj, apiVersion, kind);
        if (node) for (const uid of this.#graph.upsert(node)) this.#queue.add(uid);
      };
      informers.informerFor(res).addEventHandler({
        onAdd: observe,
        onUpdate: (_old, obj) => observe(obj),
        onDelete: (obj) => {
          const uid = obj.metadata.uid;
          if (uid) for (const key of this.#graph.remove(uid)) this.#queue.add(key);
        },
      });
    }
  }

  /** The graph, for tests and diagnostics. */
  get graph(): OwnershipGraph {
    return this.#graph;
  }

  run(signal: AbortSignal): Promise<void> {
    return runQueue(
      this.name,
      signal,
      this.#queue,
      WORKERS,
      (uid) => this.reconcile(uid),
      this.#log,
    );
  }

  /** Processes one object of the graph by uid. */
  async reconcile(uid: string): Promise<ReconcileResult> {
    const node = this.#graph.get(uid);
    // Gone (its dependents were queued when it went), or only referenced: nothing to act on.
    if (!node) return;
    if (node.orphaning) return this.#orphanDependents(node);
    if (node.deletingDependents) return this.#finishForeground(node);
    if (node.beingDeleted || node.owners.length === 0) return;
    return this.#checkOwners(node);
  }

  async #checkOwners(node: GraphNode): Promise<void> {
    const states = new Map<string, OwnerState>();
    for (const ref of node.owners) states.set(ref.uid, await this.#ownerState(node, ref));
    const latest = await this.#latest(node);
    if (!latest || latest.metadata.deletionTimestamp) return;
    const refs = latest.metadata.ownerReferences ?? [];
    const decision = decideDependent(
      refs,
      states,
      this.#graph.dependentsOf(node.uid).size > 0,
      latest.metadata.finalizers ?? [],
    );
    switch (decision.action) {
      case "keep":
        return;
      case "removeOwnerReferences": {
        const kept = withoutOwners(refs, decision.uids);
        if (kept)
          await this.#patchMeta(node, latest, { ownerReferences: kept.length ? kept : null });
        return;
      }
      case "delete": {
        const cleared = unblocked(refs, decision.unblock);
        if (cleared) await this.#patchMeta(node, latest, { ownerReferences: cleared });
        await this.#delete(node, decision.policy);
        this.#log.info("Garbage collected", {
          kind: node.kind,
          namespace: node.namespace,
          name: node.name,
          propagationPolicy: decision.policy,
        });
      }
    }
  }

  /** An owner's state, from the graph when it is there, else from the API (as upstream verifies). */
  async #ownerState(dependent: GraphNode, ref: OwnerReference): Promise<OwnerState> {
    if (this.#absent.has(ref.uid)) return "dangling";
    const seen = this.#graph.get(ref.uid);
    if (seen && seen.kind === ref.kind) return ownerState(ref, seen);
    const res = this.#resources.lookup(ref.apiVersion, ref.kind);
    if (!res) {
      throw new RetryLater(
        `Cannot resolve owner ${ref.kind} (${ref.apiVersion}) of ${dependent.kind} ${dependent.name}`,
      );
    }
    // A cluster-scoped dependent cannot be owned by a namespaced object: the reference is void.
    if (res.namespaced && !dependent.namespace) return this.#markAbsent(ref.uid);
    let owner: KubeObject;
    try {
      owner = await this.#client.get(res, ref.name, { namespace: dependent.namespace });
    } catch (err) {
      if (isNotFound(err)) return this.#markAbsent(ref.uid);
      throw err;
    }
    const found = nodeOf(owner, ref.apiVersion, ref.kind);
    const state = ownerState(ref, found);
    if (state === "dangling") this.#markAbsent(ref.uid);
    return state;
  }

  #markAbsent(uid: string): OwnerState {
    if (this.#absent.size >= ABSENT_CACHE_SIZE) this.#absent.clear();
    this.#absent.add(uid);
    return "dangling";
  }

  async #finishForeground(owner: GraphNode): Promise<void> {
    const blocking = blockingDependents(this.#graph, owner.uid);
    if (blocking.length) {
      // Their deletions (or edits) queue this owner again through the graph.
      for (const dep of blocking) if (!dep.deletingDependents) this.#queue.add(dep.uid);
      return;
    }
    await this.#removeFinalizer(owner, FOREGROUND_FINALIZER);
  }

  async #orphanDependents(owner: GraphNode): Promise<void> {
    await Promise.all(
      [...this.#graph.dependentsOf(owner.uid)].map(async (uid) => {
        const dep = this.#graph.get(uid);
        if (!dep) return;
        const latest = await this.#latest(dep);
        const kept = latest && withoutOwners(latest.metadata.ownerReferences, [owner.uid]);
        if (latest && kept) {
          await this.#patchMeta(dep, latest, { ownerReferences: kept.length ? kept : null });
        }
      }),
    );
    await this.#removeFinalizer(owner, ORPHAN_FINALIZER);
  }

  async #removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const latest = await this.#latest(node);
    const kept = latest && withoutFinalizer(latest.metadata.finalizers, finalizer);
    if (!latest || !kept) return;
    await this.#patchMeta(node, latest, { finalizers: kept.length ? kept : null });
  }

  /** The object as stored now, or undefined when it is gone or was replaced under another uid. */
  async #latest(node: GraphNode): Promise<KubeObject | undefined> {
    try {
      const obj = await this.#client.get(this.#descriptor(node), node.name, {
        namespace: node.namespace,
      });
      return obj.metadata.uid === node.uid ? obj : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** A merge patch of metadata guarded by the resourceVersion read, so a concurrent edit is retried. */
  async #patchMeta(
    node: GraphNode,
    latest: KubeObject,
    meta: Record<string, unknown>,
  ): Promise<void> {
    const patch = { metadata: { ...meta, resourceVersion: latest.metadata.resourceVersion } };
    try {
      await this.#client.patch(this.#descriptor(node), node.name, patch, {
        type: "merge",
        namespace: node.namespace,
      });
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) throw new RetryLater(`${node.kind} ${node.name} changed; retrying`);
      throw err;
    }
  }

  async #delete(node: GraphNode, policy: "Background" | "Foreground" | "Orphan"): Promise<void> {
    try {
      await this.#client.delete(this.#descriptor(node), node.name, {
        namespace: node.namespace,
        propagationPolicy: policy,
        preconditions: { uid: node.uid },
      });
    } catch (err) {
      // Already gone, or replaced by a namesake (the uid precondition): nothing of ours to delete.
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }

  #descriptor(node: GraphNode): ResourceDescriptor {
    const res = this.#resources.lookup(node.apiVersion, node.kind);
    if (!res) throw new Error(`Cannot address ${node.kind} (${node.apiVersion}): not served`);
    return res;
  }
}
