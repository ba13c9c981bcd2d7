/**
 * A DaemonSet's revisions, the parts upstream's daemon controller does its own way: a revision
 * is named and its pods are labelled after `computeHash` of the template (FNV-1a, as a
 * Deployment's pod-template-hash) rather than after its data, and trimming the history counts
 * the old revisions that pods still use towards the limit.
 */
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import type { DaemonSet } from "../../api/apps/v1/daemon-set.js";
import { computeHash } from "../history/revision-hash.js";
import {
  POD_REVISION_HASH_LABEL,
  newControllerRevision,
  sortRevisions,
} from "../history/revisions.js";
import { templateRevisionContent } from "../history/template-data.js";
import type { ControllerIdentity } from "../replicaset/controller-ref.js";

/** The hash of the DaemonSet's current template and collision count. */
export function daemonSetTemplateHash(ds: DaemonSet): string {
  return computeHash(ds.spec?.template ?? {}, ds.status?.collisionCount);
}

/**
 * The revision of the DaemonSet's current template, numbered `revision`: the template as data,
 * named `<ds>-<template hash>`, labelled with the template's labels and the hash, with the
 * DaemonSet's annotations (so a change cause shows in the history).
 */
export function newDaemonSetRevision(
  ds: DaemonSet,
  owner: ControllerIdentity,
  revision: number,
): ControllerRevision {
  return newControllerRevision({
    owner,
    ...templateRevisionContent(ds),
    revision,
    hash: daemonSetTemplateHash(ds),
    hashLabel: POD_REVISION_HASH_LABEL,
  });
}

/**
 * The old revisions to delete so that at most `limit` old ones remain, oldest first, never one
 * whose hash a live pod still carries (`liveHashes`); those still count towards the limit.
 */
export function daemonSetRevisionsToTruncate(
  old: readonly ControllerRevision[],
  limit: number,
  liveHashes: ReadonlySet<string>,
): ControllerRevision[] {
  let excess = old.length - Math.max(0, limit);
  const out: ControllerRevision[] = [];
  for (const r of sortRevisions(old)) {
    if (excess <= 0) break;
    const hash = r.metadata.labels?.[POD_REVISION_HASH_LABEL];
    if (hash && liveHashes.has(hash)) continue;
    out.push(r);
    excess--;
  }
  return out;
}
