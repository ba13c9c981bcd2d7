/**
 * The ControllerRevision writes of a DaemonSet sync: claim the revisions, label old ones that lack
 * the hash label, find or create the revision of the current template and give it the newest
 * number, remove duplicates, and trim the history to `revisionHistoryLimit`. The shared
 * `ControllerHistory` does the writes; what is particular to DaemonSets is here.
 */
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import type { DaemonSet, DaemonSetStatus } from "../../api/apps/v1/daemon-set.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { LabelSelector } from "../../api/selectors/label-selector.js";
import type { KubeClient } from "../../client/client.js";
import type { Informer } from "../../client/informer.js";
import { objectKey, resources } from "../../client/resource.js";
import { ControllerHistory } from "../history/controller-history.js";
import {
  POD_REVISION_HASH_LABEL,
  equalRevision,
  keepOfDuplicates,
  nextRevisionNumber,
} from "../history/revisions.js";
import { claimThroughApi } from "../replicaset/adoption.js";
import { CONTROLLER_UID_INDEX, ownedAndOrphans } from "../replicaset/controller-index.js";
import { RetryLater } from "../run-queue.js";
import { identityOf, patchClaimed } from "./claims.js";
import { daemonSetRevisionsToTruncate, newDaemonSetRevision } from "./revision.js";

/** The current revision's hash and the DaemonSet's old revisions. */
export interface DaemonSetHistory {
  hash: string;
  old: ControllerRevision[];
}

/** Reads revisions from the shared informers and writes them through the client. */
export class RevisionSync {
  readonly #client: KubeClient;
  readonly #history: ControllerHistory;
  readonly #revisions: Informer<ControllerRevision>;
  readonly #pods: Informer<Pod>;

  constructor(client: KubeClient, revisions: Informer<ControllerRevision>, pods: Informer<Pod>) {
    this.#client = client;
    this.#history = new ControllerHistory(client, revisions.lister);
    this.#revisions = revisions;
    this.#pods = pods;
  }

  /**
   * The DaemonSet's history: claims its revisions, finds (or creates) the one of the current
   * template with the next revision number, removes duplicates of it.
   */
  async construct(ds: DaemonSet, selector: LabelSelector): Promise<DaemonSetHistory> {
    const namespace = ds.metadata.namespace ?? "";
    const candidates = ownedAndOrphans(this.#revisions, namespace, ds.metadata.uid ?? "");
    const claimed = await claimThroughApi({
      client: this.#client,
      resource: resources.controllerRevisions,
      ownerResource: resources.daemonSets,
      owner: identityOf(ds),
      candidates,
      matches: (r) => selector.matches(r.metadata.labels),
    });

    const revisions: ControllerRevision[] = [];
    for (const cr of claimed) {
      if (cr.metadata.labels?.[POD_REVISION_HASH_LABEL]) {
        revisions.push(cr);
        continue;
      }
      // A revision written without the hash label (by an old controller) is labelled by its name,
      // which is unique where a recomputed hash might collide.
      const labels = { ...cr.metadata.labels, [POD_REVISION_HASH_LABEL]: cr.metadata.name ?? "" };
      revisions.push(
        await this.#client.update<ControllerRevision>(
          resources.controllerRevisions,
          { ...cr, metadata: { ...cr.metadata, labels } },
          { namespace },
        ),
      );
    }

    const candidate = newDaemonSetRevision(ds, identityOf(ds), 0);
    const current = revisions.filter((r) => equalRevision(r, candidate));
    const old = revisions.filter((r) => !equalRevision(r, candidate));
    const next = nextRevisionNumber(old);
    let cur: ControllerRevision;
    if (current.length === 0) {
      cur = await this.#snapshot(ds, { ...candidate, revision: next });
    } else {
      const { keep, duplicates } = keepOfDuplicates(current);
      cur = keep ?? current[0]!;
      for (const dup of duplicates) await this.#removeDuplicate(ds, cur, dup);
      if ((cur.revision ?? 0) < next) cur = await this.#history.renumber(cur, next);
    }
    return { hash: cur.metadata.labels?.[POD_REVISION_HASH_LABEL] ?? "", old };
  }

  /** Deletes the old revisions past `revisionHistoryLimit` that no pod still uses. */
  async cleanup(ds: DaemonSet, old: ControllerRevision[], pods: readonly Pod[]): Promise<void> {
    const limit = ds.spec?.revisionHistoryLimit ?? 10;
    if (old.length <= limit) return;
    const live = new Set<string>();
    for (const pod of pods) {
      const hash = pod.metadata.labels?.[POD_REVISION_HASH_LABEL];
      if (hash) live.add(hash);
    }
    for (const cr of daemonSetRevisionsToTruncate(old, limit, live)) await this.#history.delete(cr);
  }

  /**
   * Relabels the pods of a duplicate revision with the kept one's hash, then deletes the
   * duplicate. Only the duplicate's pods are relabelled (upstream relabels every pod with another
   * hash, old ones too): they alone have the kept revision's template.
   */
  async #removeDuplicate(
    ds: DaemonSet,
    keep: ControllerRevision,
    dup: ControllerRevision,
  ): Promise<void> {
    const keepHash = keep.metadata.labels?.[POD_REVISION_HASH_LABEL] ?? "";
    const dupHash = dup.metadata.labels?.[POD_REVISION_HASH_LABEL];
    for (const pod of this.#pods.indexer.byIndex(CONTROLLER_UID_INDEX, ds.metadata.uid ?? "")) {
      if (!dupHash || pod.metadata.labels?.[POD_REVISION_HASH_LABEL] !== dupHash) continue;
      const patch = { metadata: { labels: { [POD_REVISION_HASH_LABEL]: keepHash } } };
      await patchClaimed(this.#client, resources.pods, pod, patch);
    }
    await this.#history.delete(dup);
  }

  /**
   * Creates the revision of the current template. When its name is taken by a revision of
   * another template (a hash collision), bumps `status.collisionCount`, so that the next sync
   * computes another hash, and retries later (upstream's DaemonSet controller does not rename
   * in a loop as `ControllerHistory.create` does: its hash is of the template, not the data).
   */
  async #snapshot(ds: DaemonSet, revision: ControllerRevision): Promise<ControllerRevision> {
    const got = await this.#history.createOrGet(revision);
    if (equalRevision(got, revision)) return got;

    const scope = { namespace: ds.metadata.namespace ?? "" };
    const fresh = await this.#client.get<DaemonSet>(
      resources.daemonSets,
      ds.metadata.name ?? "",
      scope,
    );
    if (fresh.status?.collisionCount !== ds.status?.collisionCount) {
      throw new RetryLater(
        `Found a stale collision count of daemon set ${objectKey(ds.metadata)}: will retry once the cache has the new one`,
      );
    }
    const status: DaemonSetStatus = {
      ...fresh.status,
      collisionCount: (fresh.status?.collisionCount ?? 0) + 1,
    };
    await this.#client.updateStatus<DaemonSet>(resources.daemonSets, { ...fresh, status }, scope);
    throw new RetryLater(
      `Found a hash collision for daemon set ${objectKey(ds.metadata)}: bumped collisionCount to ${status.collisionCount}`,
    );
  }
}
