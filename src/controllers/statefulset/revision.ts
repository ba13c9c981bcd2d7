/**
 * A StatefulSet's revisions: the data a ControllerRevision holds for it (a strategic merge patch
 * that puts the pod template back, which `kubectl rollout undo` sends as it is), and the set as
 * a revision describes it.
 */
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import type { StatefulSet } from "../../api/apps/v1/stateful-set.js";
import type { PodTemplateSpec } from "../../api/core/v1/pod-spec.js";
import { copyJson } from "../../util/json-copy.js";
import { sortedJsonValue } from "../history/revision-hash.js";
import { newControllerRevision } from "../history/revisions.js";
import type { ControllerIdentity } from "../replicaset/controller-ref.js";

/**
 * The revision data of a set: `{"spec":{"template":{…,"$patch":"replace"}}}` with sorted keys,
 * the form upstream's controller stores and kubectl compares byte for byte before a rollback.
 */
export function statefulSetRevisionData(set: StatefulSet): unknown {
  const template = copyJson(set.spec?.template ?? {});
  // Go encodes a template's unset creationTimestamp as null, and kubectl compares with that form.
  template.metadata = { creationTimestamp: null, ...template.metadata };
  return sortedJsonValue({ spec: { template: { ...template, $patch: "replace" } } });
}

/** The pod template a revision's data restores; throws when the data holds none. */
export function templateOfRevision(revision: ControllerRevision): PodTemplateSpec {
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const template = data?.spec?.template;
  if (!template || typeof template !== "object") {
    throw new Error(
      `Cannot read revision ${revision.metadata.namespace ?? ""}/${revision.metadata.name ?? ""}: its data holds no spec.template`,
    );
  }
  const copy = copyJson(template);
  delete copy["$patch"];
  return copy as PodTemplateSpec;
}

/** The set with its template replaced by the revision's (upstream's ApplyRevision). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  return { ...set, spec: { ...set.spec, template: templateOfRevision(revision) } };
}

/** The candidate revision of the set as it is now, numbered `revision`. */
export function newStatefulSetRevision(
  set: StatefulSet,
  owner: ControllerIdentity,
  revision: number,
  collisionCount: number,
): ControllerRevision {
  return newControllerRevision({
    owner,
    templateLabels: set.spec?.template?.metadata?.labels,
    annotations: set.metadata.annotations,
    data: statefulSetRevisionData(set),
    revision,
    collisionCount,
  });
}
