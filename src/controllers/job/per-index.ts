/**
 * What Indexed Jobs add to the decisions: a back-off limit per index (`backoffLimitPerIndex`,
 * `maxFailedIndexes`, the `FailIndex` action), whose failure counts travel on the pods'
 * annotations from one pod of an index to the next, and the `successPolicy` that lets a Job
 * succeed once chosen indexes have.
 */
import type { Job } from "../../api/batch/v1/job.js";
import type { Pod } from "../../api/core/v1/pod.js";
import {
  annotationCount,
  completionIndexOf,
  INDEX_FAILURE_COUNT_KEY,
  INDEX_IGNORED_FAILURE_COUNT_KEY,
  podFinishTime,
} from "./job-pods.js";
import { parseIndexes } from "./indexes.js";
import { matchPodFailurePolicy } from "./pod-failure-policy.js";

/** Whether the Job limits failures per index. */
export function hasBackoffLimitPerIndex(job: Job): boolean {
  return job.spec?.completionMode === "Indexed" && job.spec.backoffLimitPerIndex !== undefined;
}

/** Whether a counted failure of `pod` fails its index: FailIndex, or past the per-index limit. */
export function failsIndex(job: Job, pod: Pod, action: string | undefined): boolean {
  if (action === "FailIndex") return true;
  const limit = job.spec?.backoffLimitPerIndex ?? Infinity;
  return annotationCount(pod, INDEX_FAILURE_COUNT_KEY) + 1 > limit;
}

/** The failure history of one index, read from its latest failed pod. */
export interface IndexHistory {
  /** Counted failures so far: the next pod's failure-count annotation. */
  failures: number;
  /** Failures the pod failure policy ignored so far. */
  ignored: number;
  /** When the latest failed pod ended (ms), if there was one. */
  lastFailureTime?: number;
}

/** The history of each index that has a failed pod among `pods`. */
export function indexHistories(job: Job, pods: readonly Pod[]): Map<number, IndexHistory> {
  const latest = new Map<number, Pod>();
  for (const pod of pods) {
    const index = completionIndexOf(pod);
    if (index === undefined || pod.status?.phase !== "Failed") continue;
    const seen = latest.get(index);
    if (!seen || podFinishTime(pod) > podFinishTime(seen)) latest.set(index, pod);
  }
  const out = new Map<number, IndexHistory>();
  for (const [index, pod] of latest) {
    const counted = matchPodFailurePolicy(job, pod).countFailed;
    out.set(index, {
      failures: annotationCount(pod, INDEX_FAILURE_COUNT_KEY) + (counted ? 1 : 0),
      ignored: annotationCount(pod, INDEX_IGNORED_FAILURE_COUNT_KEY) + (counted ? 0 : 1),
      lastFailureTime: podFinishTime(pod),
    });
  }
  return out;
}

/** The annotations a new pod of an index carries under backoffLimitPerIndex. */
export function indexAnnotations(history: IndexHistory | undefined): Record<string, string> {
  const out: Record<string, string> = {
    [INDEX_FAILURE_COUNT_KEY]: String(history?.failures ?? 0),
  };
  if (history && history.ignored > 0)
    out[INDEX_IGNORED_FAILURE_COUNT_KEY] = String(history.ignored);
  return out;
}

/**
 * The index of the first success policy rule that the completed indexes meet, or undefined. A
 * rule names indexes (all of them when unset) and how many of those must have succeeded (all of
 * them when unset).
 */
export function matchSuccessPolicy(job: Job, completed: ReadonlySet<number>): number | undefined {
  const completions = job.spec?.completions ?? 0;
  const rules = job.spec?.successPolicy?.rules ?? [];
  for (const [i, rule] of rules.entries()) {
    const wanted =
      rule.succeededIndexes === undefined
        ? undefined
        : parseIndexes(rule.succeededIndexes, completions);
    let done = 0;
    if (wanted) for (const index of wanted) done += completed.has(index) ? 1 : 0;
    else done = completed.size;
    const need = rule.succeededCount ?? (wanted ? wanted.size : completions);
    if (need > 0 && done >= need) return i;
  }
  return undefined;
}
