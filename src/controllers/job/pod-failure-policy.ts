/**
 * A Job's `podFailurePolicy`: the first rule that matches a failed pod decides whether the failure
 * fails the whole Job (`FailJob`), is not counted at all (`Ignore`), or counts toward the back-off
 * limit as usual (`Count`, and every failure no rule matches).
 */
import type { Job } from "../../api/batch/v1/job.js";
import type { PodFailurePolicyRule } from "../../api/batch/v1/job-types.js";
import type { Pod } from "../../api/core/v1/pod.js";

/** What the policy makes of one failed pod. */
export interface PolicyVerdict {
  /** Whether the failure counts in `status.failed` and toward the back-off limit. */
  countFailed: boolean;
  /** The action of the rule that matched, if one did. */
  action?: string;
  /** For `FailJob`: the message of the Job's FailureTarget and Failed conditions. */
  message?: string;
}

/** Applies the Job's pod failure policy to a pod in phase Failed. */
export function matchPodFailurePolicy(job: Job, pod: Pod): PolicyVerdict {
  const rules = job.spec?.podFailurePolicy?.rules;
  if (!rules || pod.status?.phase !== "Failed") return { countFailed: true };
  for (const [i, rule] of rules.entries()) {
    const what = ruleMatch(rule, pod);
    if (what === undefined) continue;
    const action = rule.action ?? "";
    const podName = `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;
    switch (action) {
      case "Ignore":
        return { countFailed: false, action };
      case "FailJob":
        return {
          countFailed: true,
          action,
          message: `${what.replace("{pod}", podName)} matching FailJob rule at index ${i}`,
        };
      case "Count":
        return { countFailed: true, action };
      default:
        // FailIndex needs backoffLimitPerIndex, which this controller does not run; the failure
        // counts as usual.
        return { countFailed: true, action };
    }
  }
  return { countFailed: true };
}

/** A description of what matched (with `{pod}` for the pod's name), or undefined. */
function ruleMatch(rule: PodFailurePolicyRule, pod: Pod): string | undefined {
  const codes = rule.onExitCodes;
  if (codes) {
    const statuses = [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ];
    for (const s of statuses) {
      if (codes.containerName !== undefined && codes.containerName !== s.name) continue;
      const code = s.state?.terminated?.exitCode;
      // A container that succeeded did not cause the failure.
      if (code === undefined || code === 0) continue;
      const listed = (codes.values ?? []).includes(code);
      if (codes.operator === "In" ? listed : !listed) {
        return `Container ${s.name ?? ""} for pod {pod} failed with exit code ${code}`;
      }
    }
    return undefined;
  }
  for (const pattern of rule.onPodConditions ?? []) {
    const status = pattern.status || "True";
    const found = pod.status?.conditions?.some(
      (c) => c.type === pattern.type && c.status === status,
    );
    if (found) return `Pod {pod} has condition ${pattern.type ?? ""}`;
  }
  return undefined;
}
