/**
 * The decisions of the eviction subresource, without I/O: whether a pod's eviction must pass a
 * disruption budget, and what the budget's status becomes when it allows one. Upstream's
 * EvictionREST rules: pods that are not running (or already being deleted) go without a budget,
 * more than one budget is refused, a running pod that is not ready may go while its budget is
 * healthy, and every other eviction spends one of the budget's allowed disruptions.
 */
import type { Pod } from "../../api/core/v1/pod.js";
import { StatusError } from "../../api/errors.js";
import type {
  PodDisruptionBudget,
  PodDisruptionBudgetCondition,
  PodDisruptionBudgetStatus,
} from "../../api/policy/v1/pod-disruption-budget.js";
import { labelSelectorFromObject } from "../../api/selectors/label-selector.js";

/** Budgets whose recent evictions the disruption controller has not yet confirmed, at most. */
export const MAX_DISRUPTED_PODS = 2000;

/** The message of an eviction a budget refuses. */
export const BUDGET_VIOLATION_MESSAGE =
  "Cannot evict pod as it would violate the pod's disruption budget.";

/** The cause type of a refusal by a budget (policy/v1 DisruptionBudgetCause). */
export const DISRUPTION_BUDGET_CAUSE = "DisruptionBudget";

/** The condition type disruption budgets report (policy/v1 DisruptionAllowedCondition). */
export const DISRUPTION_ALLOWED = "DisruptionAllowed";

/**
 * How a deletion without a spent disruption is pinned to the pod as read: `none` (a finished pod,
 * one already being deleted, or one no budget selects), `retry` (a pending pod: if it changes
 * meanwhile, the eviction decides again), or `budget` (a not-ready pod its healthy budget lets go:
 * if it changes meanwhile, perhaps becoming ready, the eviction is refused with a 429).
 */
export type DeleteGuard = "none" | "retry" | "budget";

/** What to do with one eviction. */
export type EvictionPlan =
  | { action: "delete"; guard: DeleteGuard; budgetName?: string }
  /** Spend one disruption of the budget, then delete. */
  | { action: "spend"; budget: PodDisruptionBudget };

const BUDGET_RESOURCE = { group: "policy", resource: "poddisruptionbudget" };

/** Whether a pod may be evicted without asking a budget: it is not running, or already going. */
export function ignoresBudgets(pod: Pod): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed" || phase === "Pending") return true;
  return !!pod.metadata.deletionTimestamp;
}

/** The budgets of `pod`'s namespace whose selector matches it (an empty selector matches every pod). */
export function budgetsSelecting(
  pod: Pod,
  budgets: readonly PodDisruptionBudget[],
): PodDisruptionBudget[] {
  const matching: PodDisruptionBudget[] = [];
  for (const budget of budgets) {
    if (budget.metadata.namespace !== pod.metadata.namespace) continue;
    let matches: boolean;
    try {
      matches = labelSelectorFromObject(budget.spec?.selector).matches(pod.metadata.labels);
    } catch {
      // An unreadable selector selects nothing, as upstream's conversion error skips the budget.
      continue;
    }
    if (matches) matching.push(budget);
  }
  return matching;
}

/** Decides how to evict `pod`, given the budgets of its namespace; throws the refusals that need no budget state. */
export function planEviction(pod: Pod, budgets: readonly PodDisruptionBudget[]): EvictionPlan {
  if (ignoresBudgets(pod)) {
    const phase = pod.status?.phase;
    const settled = phase === "Succeeded" || phase === "Failed" || !!pod.metadata.deletionTimestamp;
    return { action: "delete", guard: settled ? "none" : "retry" };
  }

  const selecting = budgetsSelecting(pod, budgets);
  if (selecting.length > 1) throw multipleBudgets();
  const budget = selecting[0];
  if (!budget) return { action: "delete", guard: "none" };

  const budgetName = budget.metadata.name ?? "";
  if (!isReady(pod)) {
    if (budget.spec?.unhealthyPodEvictionPolicy === "AlwaysAllow") {
      return { action: "delete", guard: "budget", budgetName };
    }
    const status = budget.status ?? {};
    const desired = status.desiredHealthy ?? 0;
    if (desired > 0 && (status.currentHealthy ?? 0) >= desired) {
      return { action: "delete", guard: "budget", budgetName };
    }
  }
  return { action: "spend", budget };
}

/** Upstream answers a pod with several budgets with a bare 500 Status (no reason). */
function multipleBudgets(): StatusError {
  const err = new StatusError(
    500,
    "InternalError",
    "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
  );
  delete (err.status as { reason?: string }).reason;
  return err;
}

/** The 429 of a budget the disruption controller has not caught up with, or a pod that changed. */
export function budgetBeingProcessed(name: string): StatusError {
  return tooManyRequests(
    `The disruption budget ${name} is still being processed by the server.`,
    10,
  );
}

/**
 * The status of `budget` after one disruption for pod `podName` is spent at `now` (an RFC 3339
 * time); throws the 429 or 403 upstream answers when the budget cannot allow it.
 */
export function spendDisruption(
  budget: PodDisruptionBudget,
  podName: string,
  now: string,
): PodDisruptionBudgetStatus {
  const name = budget.metadata.name ?? "";
  const status = budget.status ?? {};
  if ((status.observedGeneration ?? 0) < (budget.metadata.generation ?? 0)) {
    throw tooManyRequests(
      `The disruption budget ${name} is still being processed by the server.`,
      10,
    );
  }
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed < 0) {
    throw StatusError.forbidden(BUDGET_RESOURCE, name, "pdb disruptions allowed is negative");
  }
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
    throw StatusError.forbidden(
      BUDGET_RESOURCE,
      name,
      "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
    );
  }
  if (allowed === 0) {
    throw tooManyRequests(
      `The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
      0,
    );
  }

  const next: PodDisruptionBudgetStatus = {
    ...status,
    disruptionsAllowed: allowed - 1,
    disruptedPods: { ...status.disruptedPods, [podName]: now },
  };
  if (allowed - 1 === 0) {
    next.conditions = withCondition(
      status.conditions,
      {
        type: DISRUPTION_ALLOWED,
        status: "False",
        reason: "InsufficientPods",
        message: "",
        ...(budget.metadata.generation !== undefined
          ? { observedGeneration: budget.metadata.generation }
          : {}),
      },
      now,
    );
  }
  return next;
}

/**
 * Sets a metav1.Condition in a list: the transition time moves only when the status changes.
 * Returns a new list; the input is not changed.
 */
export function withCondition(
  conditions: readonly PodDisruptionBudgetCondition[] | undefined,
  condition: Omit<PodDisruptionBudgetCondition, "lastTransitionTime">,
  now: string,
): PodDisruptionBudgetCondition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === condition.type);
  const old = i < 0 ? undefined : list[i];
  const next: PodDisruptionBudgetCondition = {
    ...condition,
    lastTransitionTime:
      old && old.status === condition.status && old.lastTransitionTime
        ? old.lastTransitionTime
        : now,
  };
  if (i < 0) list.push(next);
  else list[i] = next;
  return list;
}

function tooManyRequests(cause: string, retryAfterSeconds: number): StatusError {
  return new StatusError(429, "TooManyRequests", BUDGET_VIOLATION_MESSAGE, {
    causes: [{ type: DISRUPTION_BUDGET_CAUSE, message: cause }],
    ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
  });
}

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}
