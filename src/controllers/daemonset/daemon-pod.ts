/**
 * Daemon pods: the pod a DaemonSet creates for a node (its template with the daemon tolerations,
 * the revision hash and template generation labels, and required node affinity pinning it to the
 * node for the scheduler), whether a pod is of the current template, and the order that tells the
 * oldest daemon pod of a node.
 */
import { TEMPLATE_GENERATION_ANNOTATION, type DaemonSet } from "../../api/apps/v1/daemon-set.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { PodTemplateSpec } from "../../api/core/v1/pod-spec.js";
import type { OwnerReference } from "../../api/meta/types.js";
import { copyJson } from "../../util/json-copy.js";
import { POD_REVISION_HASH_LABEL } from "../history/revisions.js";
import { compareByCreation } from "../replicaset/pod-state.js";
import { podFromTemplate } from "../replicaset/pod-template.js";
import { affinityForNode, withDaemonTolerations } from "./placement.js";

/** The label with the DaemonSet's template generation a pod was made from (kept for old clients). */
export const TEMPLATE_GENERATION_LABEL = "pod-template-generation";

/**
 * The DaemonSet's template generation from its annotation; undefined when absent or not an
 * integer (the controller then goes by the revision hash alone).
 */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const text = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (text === undefined || !/^[+-]?[0-9]+$/.test(text)) return undefined;
  return Number(text);
}

/** Whether `pod` is of the current template: its hash label or its generation label matches. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels;
  if (hash && labels?.[POD_REVISION_HASH_LABEL] === hash) return true;
  return generation !== undefined && labels?.[TEMPLATE_GENERATION_LABEL] === String(generation);
}

/**
 * The template of new daemon pods: the DaemonSet's, with the daemon tolerations and the generation
 * and hash labels.
 */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const template = copyJson(ds.spec?.template ?? {});
  const spec = (template.spec ??= {});
  spec.tolerations = withDaemonTolerations(spec);
  const labels = { ...template.metadata?.labels };
  const generation = templateGeneration(ds);
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(generation);
  if (hash) labels[POD_REVISION_HASH_LABEL] = hash;
  template.metadata = { ...template.metadata, labels };
  return template;
}

/**
 * The daemon pod for `nodeName` from `template`. It is not bound: its required node affinity is
 * replaced by `metadata.name In [nodeName]`, and the scheduler binds it (so resources and ports
 * are checked and preemption can make room), as upstream does.
 */
export function daemonPodFor(
  ds: DaemonSet,
  template: PodTemplateSpec,
  nodeName: string,
  controllerRef: OwnerReference,
): Pod {
  const pod = podFromTemplate(
    template,
    { name: ds.metadata.name ?? "", namespace: ds.metadata.namespace },
    controllerRef,
  );
  const spec = (pod.spec ??= {});
  spec.affinity = affinityForNode(spec.affinity, nodeName);
  return pod;
}

/**
 * The order of a node's daemon pods: bound pods first, then older first, then by name. The first
 * is the one status counts and the one kept when a node has too many.
 */
export function compareDaemonPods(a: Pod, b: Pod): number {
  const aBound = !!a.spec?.nodeName;
  const bBound = !!b.spec?.nodeName;
  if (aBound !== bBound) return aBound ? -1 : 1;
  return compareByCreation(a, b);
}
