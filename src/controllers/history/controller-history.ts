/**
 * ControllerRevision history, the I/O part: creating, renumbering, deleting, adopting and
 * releasing revisions through the API (upstream's history.Interface). Reads come from the
 * controller's informer; every write goes through the client.
 */
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import { isAlreadyExists, isConflict, isNotFound } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import type { Lister } from "../../client/lister.js";
import { resources } from "../../client/resource.js";
import { adoptObject, releaseObject } from "../replicaset/adoption.js";
import { controllerRefOf } from "../replicaset/controller-ref.js";
import type { ControllerIdentity } from "../replicaset/controller-ref.js";
import { equalRevision, renameForCollision } from "./revisions.js";

/** How many names `create` tries before giving up (upstream tries for ever). */
const MAX_COLLISION_ATTEMPTS = 10;

/** A created (or found) revision and the collision count its name was made with. */
export interface CreatedRevision {
  revision: ControllerRevision;
  collisionCount: number;
}

/** Writes an owner's revisions. Safe to share between controllers; keeps no state of its own. */
export class ControllerHistory {
  readonly #client: KubeClient;
  readonly #lister: Lister<ControllerRevision>;

  constructor(client: KubeClient, lister: Lister<ControllerRevision>) {
    this.#client = client;
    this.#lister = lister;
  }

  /**
   * Creates `revision` for `owner`. A name already taken by a revision with the same data is that
   * revision (an earlier sync made it); one taken by other data is a hash collision, so the count
   * goes up and the name is made again. Resolves with the count the name was made with, which the
   * owner should record in its status.
   */
  async create(
    owner: ControllerIdentity,
    revision: ControllerRevision,
    collisionCount: number,
  ): Promise<CreatedRevision> {
    let count = collisionCount;
    let candidate = renameForCollision(revision, owner.name, count);
    for (let attempt = 0; attempt < MAX_COLLISION_ATTEMPTS; attempt++) {
      const got = await this.createOrGet(candidate);
      if (equalRevision(got, candidate)) return { revision: got, collisionCount: count };
      count++;
      candidate = renameForCollision(revision, owner.name, count);
    }
    const namespace = owner.namespace ?? "";
    throw new Error(
      `Cannot create a revision of ${namespace}/${owner.name}: ${MAX_COLLISION_ATTEMPTS} names in a row collide with other revisions`,
    );
  }

  /**
   * Creates `revision` as it is. When its name is taken, resolves the revision that holds the
   * name instead: the caller tells by `equalRevision` whether that is the same data (an earlier
   * sync made it) or a hash collision.
   */
  async createOrGet(revision: ControllerRevision): Promise<ControllerRevision> {
    const scope = { namespace: revision.metadata.namespace ?? "" };
    try {
      return await this.#client.create(resources.controllerRevisions, revision, scope);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return this.#client.get<ControllerRevision>(
      resources.controllerRevisions,
      revision.metadata.name ?? "",
      scope,
    );
  }

  /** Gives `revision` the number `to` (a rollback to it), retrying once on a conflict. */
  async renumber(revision: ControllerRevision, to: number): Promise<ControllerRevision> {
    if (revision.revision === to) return revision;
    const namespace = revision.metadata.namespace ?? "";
    try {
      return await this.#client.update(
        resources.controllerRevisions,
        { ...revision, revision: to },
        { namespace },
      );
    } catch (err) {
      if (!isConflict(err)) throw err;
      const fresh = await this.#client.get<ControllerRevision>(
        resources.controllerRevisions,
        revision.metadata.name ?? "",
        { namespace },
      );
      if (fresh.revision === to) return fresh;
      return this.#client.update(
        resources.controllerRevisions,
        { ...fresh, revision: to },
        { namespace },
      );
    }
  }

  /**
   * Deletes a revision, with its UID as a precondition: one already gone, or replaced by another
   * of that name, counts as deleted.
   */
  async delete(revision: ControllerRevision): Promise<void> {
    const uid = revision.metadata.uid;
    try {
      await this.#client.delete(resources.controllerRevisions, revision.metadata.name ?? "", {
        namespace: revision.metadata.namespace ?? "",
        ...(uid ? { preconditions: { uid } } : {}),
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /**
   * Makes `owner` the controller of an orphan revision; resolves undefined when the revision is
   * gone, throws if someone controls it already.
   */
  async adopt(
    owner: ControllerIdentity,
    revision: ControllerRevision,
  ): Promise<ControllerRevision | undefined> {
    const ref = controllerRefOf(revision);
    if (ref) {
      throw new Error(
        `Cannot adopt revision ${revision.metadata.namespace ?? ""}/${revision.metadata.name ?? ""}: it is controlled by ${ref.kind} ${ref.name}`,
      );
    }
    return adoptObject(this.#client, resources.controllerRevisions, owner, revision);
  }

  /**
   * Removes `owner`'s reference from a revision. A revision that is gone, or no longer owned by
   * `owner` (the UID precondition fails), needs no releasing and resolves undefined.
   */
  async release(
    owner: ControllerIdentity,
    revision: ControllerRevision,
  ): Promise<ControllerRevision | undefined> {
    return releaseObject(this.#client, resources.controllerRevisions, owner, revision);
  }

  /** The revisions of a namespace in the cache (the lister's objects: do not change them). */
  list(namespace: string): ControllerRevision[] {
    return this.#lister.list(namespace);
  }
}
