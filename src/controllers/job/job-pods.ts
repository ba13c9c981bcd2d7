/**
 * What the Job controller reads from and writes on pods: the tracking finalizer, completion indexes,
 * when a pod finished, and the pod it creates for a Job (with its index in Indexed mode).
 */
import { JOB_LABELS, type Job } from "../../api/batch/v1/job.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { OwnerReference } from "../../api/meta/types.js";
import { controllerRefOf } from "../replicaset/controller-ref.js";
import { parseTime } from "../replicaset/pod-state.js";
import { podFromTemplate } from "../replicaset/pod-template.js";

/** The finalizer that keeps a finished pod until its Job has counted it. */
export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";

/** The annotation (and label) that carries an Indexed Job pod's completion index. */
export const COMPLETION_INDEX_KEY = "batch.kubernetes.io/job-completion-index";

/** The annotation of an Indexed Job's pod: failures of its index so far (backoffLimitPerIndex). */
export const INDEX_FAILURE_COUNT_KEY = "batch.kubernetes.io/job-index-failure-count";

/** The annotation of an Indexed Job's pod: failures of its index the pod failure policy ignored. */
export const INDEX_IGNORED_FAILURE_COUNT_KEY =
  "batch.kubernetes.io/job-index-ignored-failure-count";

/** A non-negative count an annotation holds, or 0. */
export function annotationCount(pod: Pod, key: string): number {
  const text = pod.metadata.annotations?.[key];
  return text !== undefined && /^(0|[1-9][0-9]{0,9})$/.test(text) ? Number(text) : 0;
}

/** The environment variable through which an Indexed Job's containers read their index. */
export const COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX";

/** Whether `pod` carries the tracking finalizer. */
export function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

/** The completion index of a pod, or undefined when it has none or an unreadable one. */
export function completionIndexOf(pod: Pod): number | undefined {
  const text =
    pod.metadata.annotations?.[COMPLETION_INDEX_KEY] ?? pod.metadata.labels?.[COMPLETION_INDEX_KEY];
  if (text === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(text)) return undefined;
  return Number(text);
}

/**
 * When a finished pod finished: the latest container termination, else its Ready condition's last
 * change, else its creation (a pod failed before any container ran).
 */
export function podFinishTime(pod: Pod): number {
  let latest: number | undefined;
  for (const c of pod.status?.containerStatuses ?? []) {
    const at = parseTime(c.state?.terminated?.finishedAt);
    if (at !== undefined && (latest === undefined || at > latest)) latest = at;
  }
  if (latest !== undefined) return latest;
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
  return parseTime(ready?.lastTransitionTime) ?? parseTime(pod.metadata.creationTimestamp) ?? 0;
}

/** Whether the Job is the pod's controller. */
export function isOwnedBy(pod: Pod, job: Job): boolean {
  return controllerRefOf(pod)?.uid === job.metadata.uid;
}

/**
 * A new pod for `job`: its template with the tracking finalizer and the controller reference; in
 * Indexed mode also the index annotation and label, `<job>-<index>-` as name prefix, the index as
 * an environment variable of every container, and `<job>-<index>` as host name unless set.
 */
export function jobPod(
  job: Job,
  ref: OwnerReference,
  index: number | undefined,
  annotations: Readonly<Record<string, string>> = {},
): Pod {
  const name = job.metadata.name ?? "";
  const pod = podFromTemplate(job.spec?.template, { name, namespace: job.metadata.namespace }, ref);
  pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
  if (index === undefined) return pod;
  const text = String(index);
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    [COMPLETION_INDEX_KEY]: text,
    ...annotations,
  };
  pod.metadata.labels = { ...pod.metadata.labels, [COMPLETION_INDEX_KEY]: text };
  pod.metadata.generateName = `${name}-${text}-`;
  const spec = (pod.spec ??= { containers: [] });
  spec.hostname ??= `${name}-${text}`;
  const env = {
    name: COMPLETION_INDEX_ENV,
    valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_KEY}']` } },
  };
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (!c.env?.some((e) => e.name === COMPLETION_INDEX_ENV)) c.env = [...(c.env ?? []), env];
  }
  return pod;
}

/** The controller reference a Job puts on its pods. */
export function jobControllerRef(job: Job): OwnerReference {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    name: job.metadata.name ?? "",
    uid: job.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether the pod carries the Job's selector labels (the labels the server generated). */
export function hasJobLabels(pod: Pod, job: Job): boolean {
  const want = job.spec?.selector?.matchLabels ?? {};
  const labels = pod.metadata.labels ?? {};
  for (const [k, v] of Object.entries(want)) if (labels[k] !== v) return false;
  return Object.keys(want).length > 0 || labels[JOB_LABELS.controllerUid] === job.metadata.uid;
}
