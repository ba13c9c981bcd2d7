/**
 * A StatefulSet pod's identity: its ordinal, stable name (`<set>-<ordinal>`), the labels that
 * carry them, its hostname and subdomain, and its storage (one claim per volumeClaimTemplate,
 * named `<template>-<set>-<ordinal>`). Pure functions of the set and the pod.
 */
import type { StatefulSet } from "../../api/apps/v1/stateful-set.js";
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { Volume } from "../../api/core/v1/pod-shapes.js";
import type { OwnerReference } from "../../api/meta/types.js";
import { copyJson } from "../../util/json-copy.js";
import { POD_REVISION_HASH_LABEL } from "../history/revisions.js";
import { podFromTemplate } from "../replicaset/pod-template.js";

/** The label with the pod's own name, by which a headless Service can pick one pod. */
export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
/** The label with the pod's ordinal. */
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

/** The first ordinal of the set's pods (`spec.ordinals.start`, 0 by default). */
export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** The desired number of pods. */
export function replicaCount(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

/** The name of the pod with `ordinal`. */
export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name ?? ""}-${ordinal}`;
}

/**
 * The set name and ordinal a pod's name encodes (`web-3` → `web`, 3), or an ordinal of -1 when
 * the name has no numeric suffix that fits in 32 bits.
 */
export function parentAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const match = /^(.*)-([0-9]+)$/.exec(pod.metadata.name ?? "");
  if (!match) return { parent: "", ordinal: -1 };
  const ordinal = Number(match[2]);
  if (!Number.isSafeInteger(ordinal) || ordinal > 2147483647) return { parent: "", ordinal: -1 };
  return { parent: match[1] ?? "", ordinal };
}

/** The pod's ordinal, -1 when its name has none. */
export function ordinalOf(pod: Pod): number {
  return parentAndOrdinal(pod).ordinal;
}

/** Whether the pod's name says it belongs to `set` (the claim filter besides the selector). */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentAndOrdinal(pod).parent === set.metadata.name;
}

/** Whether the pod's ordinal is among those the set wants now. */
export function inOrdinalRange(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  const start = startOrdinal(set);
  return ordinal >= start && ordinal < start + replicaCount(set);
}

/** The name of the revision the pod was made from, from its label. */
export function podRevision(pod: Pod): string | undefined {
  return pod.metadata.labels?.[POD_REVISION_HASH_LABEL];
}

/** The name of the claim a template gives the pod with `ordinal`. */
export function claimName(set: StatefulSet, templateName: string, ordinal: number): string {
  return `${templateName}-${set.metadata.name ?? ""}-${ordinal}`;
}

/**
 * The claims the pod with `ordinal` should have, by template name: each template's metadata and
 * spec, named for the pod, in the set's namespace, labelled with the selector's `matchLabels`.
 */
export function claimsFor(
  set: StatefulSet,
  ordinal: number,
): { template: string; claim: PersistentVolumeClaim }[] {
  const matchLabels = set.spec?.selector?.matchLabels ?? {};
  return (set.spec?.volumeClaimTemplates ?? []).map((template) => {
    const templateName = template.metadata.name ?? "";
    const meta = template.metadata;
    const claim: PersistentVolumeClaim = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: claimName(set, templateName, ordinal),
        labels: { ...meta.labels, ...matchLabels },
      },
      spec: copyJson(template.spec ?? {}),
    };
    if (set.metadata.namespace) claim.metadata.namespace = set.metadata.namespace;
    if (meta.annotations) claim.metadata.annotations = { ...meta.annotations };
    if (meta.finalizers?.length) claim.metadata.finalizers = [...meta.finalizers];
    return { template: templateName, claim };
  });
}

/** Sets the pod's name, namespace and identity labels for its ordinal (upstream's updateIdentity). */
export function applyIdentity(set: StatefulSet, pod: Pod, ordinal: number): void {
  pod.metadata.name = podName(set, ordinal);
  if (set.metadata.namespace) pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = {
    ...pod.metadata.labels,
    [POD_NAME_LABEL]: pod.metadata.name,
    [POD_INDEX_LABEL]: String(ordinal),
  };
}

/** Whether the pod's name, namespace and identity labels are those of its ordinal in `set`. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  const labels = pod.metadata.labels;
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.name === podName(set, ordinal) &&
    (pod.metadata.namespace ?? "") === (set.metadata.namespace ?? "") &&
    labels?.[POD_NAME_LABEL] === pod.metadata.name &&
    labels[POD_INDEX_LABEL] === String(ordinal)
  );
}

/**
 * Points the pod's volumes named like claim templates at the pod's claims, keeping its other
 * volumes after them (upstream's updateStorage).
 */
export function applyStorage(set: StatefulSet, pod: Pod, ordinal: number): void {
  const claims = claimsFor(set, ordinal);
  if (claims.length === 0) return;
  const templates = new Set(claims.map((c) => c.template));
  const volumes: Volume[] = claims.map((c) => ({
    name: c.template,
    persistentVolumeClaim: { claimName: c.claim.metadata.name ?? "" },
  }));
  for (const volume of pod.spec?.volumes ?? []) {
    if (!templates.has(volume.name ?? "")) volumes.push(volume);
  }
  pod.spec = { ...pod.spec, volumes };
}

/** Whether every claim template has a pod volume of its name that uses the pod's claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name ?? "", v]));
  return (set.spec?.volumeClaimTemplates ?? []).every((template) => {
    const templateName = template.metadata.name ?? "";
    const volume = volumes.get(templateName);
    return volume?.persistentVolumeClaim?.claimName === claimName(set, templateName, ordinal);
  });
}

/**
 * The pod with `ordinal` made from the set's template (upstream's newStatefulSetPod): the
 * template's pod, controlled by the set, with its identity, hostname, subdomain and storage, and
 * the revision label.
 */
export function newStatefulSetPod(
  set: StatefulSet,
  ordinal: number,
  controllerRef: OwnerReference,
  revision: string,
): Pod {
  const owner = { name: set.metadata.name ?? "", namespace: set.metadata.namespace };
  const pod = podFromTemplate(set.spec?.template, owner, controllerRef);
  delete pod.metadata.generateName;
  applyIdentity(set, pod, ordinal);
  pod.metadata.labels = { ...pod.metadata.labels, [POD_REVISION_HASH_LABEL]: revision };
  pod.spec = { ...pod.spec, hostname: pod.metadata.name ?? "" };
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
  applyStorage(set, pod, ordinal);
  return pod;
}
