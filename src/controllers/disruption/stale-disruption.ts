/**
 * Stale disruption marks, without I/O: a pod that got a DisruptionTarget=True condition (an
 * eviction that then failed to delete it, say) but is still not being deleted after the timeout
 * has the condition set back to False, so that it does not look doomed for ever.
 */
import type { Pod } from "../../api/core/v1/pod.js";
import { DISRUPTION_TARGET } from "../../api/core/v1/pod-conditions.js";
import { parseTime } from "../replicaset/pod-state.js";

/** How long a DisruptionTarget condition may stand on a pod not being deleted (upstream: 2 min). */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60 * 1000;

/** The kubelet's own disruption reason, which is never stale: its termination may take long. */
const TERMINATION_BY_KUBELET = "TerminationByKubelet";

/**
 * How long until `pod`'s DisruptionTarget condition counts as stale at `now` (0: it is), or
 * undefined when it has none that can become stale.
 */
export function staleDisruptionWait(pod: Pod, now: number, timeoutMs: number): number | undefined {
  if (pod.metadata.deletionTimestamp) return undefined;
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return undefined;
  const cond = pod.status?.conditions?.find((c) => c.type === DISRUPTION_TARGET);
  if (!cond || cond.status !== "True" || cond.reason === TERMINATION_BY_KUBELET) return undefined;
  const since = parseTime(cond.lastTransitionTime) ?? now;
  return Math.max(0, since + timeoutMs - now);
}
