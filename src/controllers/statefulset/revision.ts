/** A StatefulSet's revisions: the candidate for the set as it is, and the set a revision describes. */
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import type { StatefulSet } from "../../api/apps/v1/stateful-set.js";
import { newControllerRevision } from "../history/revisions.js";
import { templateOfRevision, templateRevisionContent } from "../history/template-data.js";
import type { ControllerIdentity } from "../replicaset/controller-ref.js";

/** The set with its template replaced by the revision's (upstream's ApplyRevision). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  return { ...set, spec: { ...set.spec, template: templateOfRevision(revision) } };
}

/**
 * The candidate revision of the set as it is now, numbered `revision`: its template as data,
 * the template's labels, and the set's annotations (so a change cause shows in the history).
 */
export function newStatefulSetRevision(
  set: StatefulSet,
  owner: ControllerIdentity,
  revision: number,
  collisionCount: number,
): ControllerRevision {
  return newControllerRevision({
    owner,
    ...templateRevisionContent(set),
    revision,
    collisionCount,
  });
}
