/**
 * The data StatefulSets and DaemonSets store in their revisions: a strategic merge patch that
 * puts the pod template back, `{"spec":{"template":{…,"$patch":"replace"}}}`, with sorted keys as
 * upstream's encoder writes it. `kubectl rollout undo` sends it as it is, and compares it byte
 * for byte with the patch it makes from the live object to skip a rollback to the same template.
 */
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import type { PodTemplateSpec } from "../../api/core/v1/pod-spec.js";
import type { ObjectMeta } from "../../api/meta/types.js";
import { copyJson } from "../../util/json-copy.js";
import { sortedJsonValue } from "./revision-hash.js";
import type { NewRevisionOptions } from "./revisions.js";

/** The revision data of a pod template. */
export function templateRevisionData(template: PodTemplateSpec | undefined): unknown {
  const copy = copyJson(template ?? {});
  // Go encodes a template's unset creationTimestamp as null, and kubectl compares with that form.
  copy.metadata = { creationTimestamp: null, ...copy.metadata };
  return sortedJsonValue({ spec: { template: { ...copy, $patch: "replace" } } });
}

/**
 * What a revision of `owner`'s current pod template holds besides its owner, number and name: the
 * template as data, the template's labels (the owner's selector finds revisions by them), and
 * the owner's annotations (upstream copies them, so a change cause shows in the history).
 */
export function templateRevisionContent(owner: {
  metadata: ObjectMeta;
  spec?: { template?: PodTemplateSpec | undefined } | undefined;
}): Pick<NewRevisionOptions, "templateLabels" | "annotations" | "data"> {
  return {
    templateLabels: owner.spec?.template?.metadata?.labels,
    annotations: owner.metadata.annotations,
    data: templateRevisionData(owner.spec?.template),
  };
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
