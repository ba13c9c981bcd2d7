/**
 * Which pods a Job controls: its own, plus orphans its selector matches (adopted), minus owned pods
 * that no longer match (released), by the rules every controller shares (`claimObjects`). As
 * upstream's Job controller does, an adopted pod also gets the tracking finalizer, so that its end
 * is counted, and a released one loses it. The patches are JSON patches that first test the pod's
 * UID, so that they fail on another pod that took the same name.
 */
import type { Job } from "../../api/batch/v1/job.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { labelSelectorFromObject } from "../../api/selectors/label-selector.js";
import { claimObjects, type ClaimResult } from "../replicaset/controller-ref.js";
import { jobControllerRef, JOB_TRACKING_FINALIZER } from "./job-pods.js";

/** A JSON patch operation. */
export type PatchOp = { op: string; path: string; value?: unknown };

/**
 * Claims `candidates` (the Job's pods and its namespace's orphans) for `job`. Throws
 * SelectorParseError for an unreadable selector.
 */
export function claimPods(job: Job, candidates: readonly Pod[]): ClaimResult<Pod> {
  const selector = labelSelectorFromObject(job.spec?.selector ?? {});
  const identity = {
    apiVersion: "batch/v1",
    kind: "Job",
    name: job.metadata.name ?? "",
    uid: job.metadata.uid ?? "",
    namespace: job.metadata.namespace,
    deletionTimestamp: job.metadata.deletionTimestamp,
  };
  // An empty selector would match every pod of the namespace: it adopts nothing.
  const empty =
    Object.keys(job.spec?.selector?.matchLabels ?? {}).length === 0 &&
    (job.spec?.selector?.matchExpressions ?? []).length === 0;
  return claimObjects(
    identity,
    candidates,
    (pod) => !empty && selector.matches(pod.metadata.labels),
  );
}

/** The patch that adopts `pod`: the Job's controller reference and the tracking finalizer. */
export function adoptPodPatch(job: Job, pod: Pod): PatchOp[] {
  const ops: PatchOp[] = [{ op: "test", path: "/metadata/uid", value: pod.metadata.uid ?? "" }];
  const ref = jobControllerRef(job);
  if (pod.metadata.ownerReferences?.length) {
    ops.push({ op: "add", path: "/metadata/ownerReferences/-", value: ref });
  } else ops.push({ op: "add", path: "/metadata/ownerReferences", value: [ref] });
  const finalizers = pod.metadata.finalizers ?? [];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) {
    if (finalizers.length) {
      ops.push({ op: "add", path: "/metadata/finalizers/-", value: JOB_TRACKING_FINALIZER });
    } else ops.push({ op: "add", path: "/metadata/finalizers", value: [JOB_TRACKING_FINALIZER] });
  }
  return ops;
}

/** The patch that releases `pod`: without the Job's reference and the tracking finalizer. */
export function releasePodPatch(job: Job, pod: Pod): PatchOp[] {
  const ops: PatchOp[] = [{ op: "test", path: "/metadata/uid", value: pod.metadata.uid ?? "" }];
  const refs = pod.metadata.ownerReferences ?? [];
  const i = refs.findIndex((r) => r.uid === job.metadata.uid);
  if (i >= 0) {
    ops.push({ op: "test", path: `/metadata/ownerReferences/${i}/uid`, value: job.metadata.uid });
    ops.push({ op: "remove", path: `/metadata/ownerReferences/${i}` });
  }
  const f = pod.metadata.finalizers?.indexOf(JOB_TRACKING_FINALIZER) ?? -1;
  if (f >= 0) {
    ops.push({ op: "test", path: `/metadata/finalizers/${f}`, value: JOB_TRACKING_FINALIZER });
    ops.push({ op: "remove", path: `/metadata/finalizers/${f}` });
  }
  return ops;
}
