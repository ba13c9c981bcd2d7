/**
 * The status of a PodDisruptionBudget, computed from the pods it selects and the scale of their
 * controllers, without I/O (upstream's disruption controller trySync): how many pods are expected,
 * how many must stay healthy, how many are, and so how many disruptions are allowed now. Evictions
 * the API server allowed but whose pods have not yet gone (`status.disruptedPods`) count as
 * unhealthy until they go or their two minutes run out.
 */
import type { Pod } from "../../api/core/v1/pod.js";
import { scaledValue } from "../../api/int-or-string.js";
import type { OwnerReference } from "../../api/meta/types.js";
import type {
  PodDisruptionBudget,
  PodDisruptionBudgetCondition,
  PodDisruptionBudgetStatus,
} from "../../api/policy/v1/pod-disruption-budget.js";
import { controllerRefOf } from "../replicaset/controller-ref.js";
import { formatLabelSelector } from "../../api/selectors/label-selector.js";
import { formatTime, isPodReady, parseTime } from "../replicaset/pod-state.js";
import { errorMessage } from "../../util/error-message.js";

/** How long an allowed eviction may take before the controller stops waiting for it (upstream: 2 min). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** The condition type and reasons a budget reports. */
export const DISRUPTION_ALLOWED = "DisruptionAllowed";
export const SUFFICIENT_PODS = "SufficientPods";
export const INSUFFICIENT_PODS = "InsufficientPods";
export const SYNC_FAILED = "SyncFailed";

/** The desired scale of a pod's controller, as the finders report it. */
export interface ControllerScale {
  /** The UID of the object whose scale counts (a ReplicaSet's Deployment, say). */
  uid: string;
  replicas: number;
}

/** Finds the scale behind a controller reference; undefined when no known controller matches. */
export type ScaleFinder = (ref: OwnerReference, namespace: string) => ControllerScale | undefined;

/** An event the sync wants recorded on the budget, or on `pod` when set. */
export interface BudgetEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  pod?: Pod;
}

/** What one sync of a budget decides. */
export interface BudgetSync {
  status: PodDisruptionBudgetStatus;
  events: BudgetEvent[];
  /** When a recorded disruption runs out and the budget should be looked at again (ms since epoch). */
  recheckAt?: number;
  /** Set when the expected count could not be computed: the status is the fail-safe one. */
  error?: string;
}

/** Computes a budget's status at `now` (ms since epoch) from the pods its selector matches. */
export function syncBudget(
  budget: PodDisruptionBudget,
  pods: readonly Pod[],
  findScale: ScaleFinder,
  now: number,
): BudgetSync {
  const events: BudgetEvent[] = [];
  if (pods.length === 0) {
    events.push({ type: "Normal", reason: "NoPods", message: "No matching pods found" });
  }

  let expected: { expectedCount: number; desiredHealthy: number };
  try {
    expected = expectedPodCount(budget, pods, findScale, events);
  } catch (err) {
    const message = errorMessage(err);
    events.push({
      type: "Warning",
      reason: "CalculateExpectedPodCountFailed",
      message: `Failed to calculate the number of expected pods: ${message}`,
    });
    return { status: failSafeStatus(budget, message, now), events, error: message };
  }

  const { disrupted, recheckAt, expired } = liveDisruptions(budget, pods, now);
  const budgetName = `${budget.metadata.namespace ?? ""}/${budget.metadata.name ?? ""}`;
  for (const pod of expired) {
    events.push({
      type: "Warning",
      reason: "NotDeleted",
      message: `Pod was expected by PDB ${budgetName} to be deleted but it wasn't`,
      pod,
    });
  }
  const currentHealthy = countHealthy(pods, disrupted);
  const status = budgetStatus(budget, {
    currentHealthy,
    desiredHealthy: expected.desiredHealthy,
    expectedPods: expected.expectedCount,
    disrupted,
    now,
  });
  return { status, events, ...(recheckAt !== undefined ? { recheckAt } : {}) };
}

/**
 * The pods a budget expects and how many of them must stay healthy: an integer minAvailable counts
 * the selected pods; a percentage, or any maxUnavailable, is scaled against the controllers' replicas.
 */
export function expectedPodCount(
  budget: PodDisruptionBudget,
  pods: readonly Pod[],
  findScale: ScaleFinder,
  events: BudgetEvent[] = [],
): { expectedCount: number; desiredHealthy: number } {
  const spec = budget.spec ?? {};
  if (spec.maxUnavailable !== undefined) {
    const expectedCount = expectedScale(budget, pods, findScale, events);
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable) };
  }
  if (spec.minAvailable !== undefined) {
    if (typeof spec.minAvailable === "number") {
      return { expectedCount: pods.length, desiredHealthy: spec.minAvailable };
    }
    const expectedCount = expectedScale(budget, pods, findScale, events);
    return { expectedCount, desiredHealthy: scaledValue(spec.minAvailable, expectedCount, true) };
  }
  return { expectedCount: 0, desiredHealthy: 0 };
}

/**
 * The sum of the replicas of the pods' distinct controllers. Pods without a controller are left out
 * and reported (upstream's UnmanagedPods); a controller of an unknown kind is an error.
 */
function expectedScale(
  budget: PodDisruptionBudget,
  pods: readonly Pod[],
  findScale: ScaleFinder,
  events: BudgetEvent[],
): number {
  const scales = new Map<string, number>();
  const seenRefs = new Set<string>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata.name ?? "");
      continue;
    }
    if (seenRefs.has(ref.uid)) continue;
    seenRefs.add(ref.uid);
    const scale = findScale(ref, pod.metadata.namespace ?? "");
    if (!scale)
      throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata.name ?? "")}`);
    scales.set(scale.uid, scale.replicas);
  }
  if (unmanaged.length > 0) {
    events.push({
      type: "Warning",
      reason: "UnmanagedPods",
      message: `Pods selected by this PodDisruptionBudget (selector: ${formatLabelSelector(budget.spec?.selector)}) have no controller, so its status cannot count them correctly; to count them, set .spec.minAvailable to an integer`,
    });
  }
  let total = 0;
  for (const replicas of scales.values()) total += replicas;
  return total;
}

/**
 * The recorded disruptions that still count: pods that exist, are not yet being deleted, and whose
 * eviction is younger than the deletion timeout; when the first of them runs out; and the pods
 * whose eviction ran out without their deletion.
 */
export function liveDisruptions(
  budget: PodDisruptionBudget,
  pods: readonly Pod[],
  now: number,
): { disrupted: Record<string, string>; recheckAt?: number; expired: Pod[] } {
  const recorded = budget.status?.disruptedPods ?? {};
  const disrupted: Record<string, string> = {};
  const expired: Pod[] = [];
  let recheckAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const name = pod.metadata.name ?? "";
    if (!Object.hasOwn(recorded, name)) continue;
    const at = parseTime(recorded[name]);
    if (at === undefined) continue;
    const deadline = at + DELETION_TIMEOUT_MS;
    if (deadline < now) {
      expired.push(pod);
      continue;
    }
    disrupted[name] = recorded[name]!;
    if (recheckAt === undefined || deadline < recheckAt) recheckAt = deadline;
  }
  return recheckAt === undefined ? { disrupted, expired } : { disrupted, recheckAt, expired };
}

/** Ready pods that are neither being deleted nor recorded as disrupted. */
export function countHealthy(
  pods: readonly Pod[],
  disrupted: Readonly<Record<string, string>>,
): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (Object.hasOwn(disrupted, pod.metadata.name ?? "")) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

interface Counts {
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disrupted: Record<string, string>;
  now: number;
}

function budgetStatus(budget: PodDisruptionBudget, c: Counts): PodDisruptionBudgetStatus {
  let allowed = c.currentHealthy - c.desiredHealthy;
  if (c.expectedPods <= 0 || allowed <= 0) allowed = 0;
  const generation = budget.metadata.generation ?? 0;
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: generation,
    disruptionsAllowed: allowed,
    currentHealthy: c.currentHealthy,
    desiredHealthy: c.desiredHealthy,
    expectedPods: c.expectedPods,
    conditions: setCondition(
      budget.status?.conditions,
      {
        type: DISRUPTION_ALLOWED,
        status: allowed > 0 ? "True" : "False",
        reason: allowed > 0 ? SUFFICIENT_PODS : INSUFFICIENT_PODS,
        message: "",
        observedGeneration: generation,
      },
      c.now,
    ),
  };
  if (Object.keys(c.disrupted).length > 0) status.disruptedPods = c.disrupted;
  return status;
}

/** Upstream's failSafe: no disruptions allowed, and a SyncFailed condition saying why. */
function failSafeStatus(
  budget: PodDisruptionBudget,
  message: string,
  now: number,
): PodDisruptionBudgetStatus {
  const old = budget.status ?? {};
  return {
    ...old,
    disruptionsAllowed: 0,
    conditions: setCondition(
      old.conditions,
      {
        type: DISRUPTION_ALLOWED,
        status: "False",
        reason: SYNC_FAILED,
        message,
        observedGeneration: old.observedGeneration ?? 0,
      },
      now,
    ),
  };
}

function setCondition(
  conditions: readonly PodDisruptionBudgetCondition[] | undefined,
  condition: Omit<PodDisruptionBudgetCondition, "lastTransitionTime">,
  now: number,
): PodDisruptionBudgetCondition[] {
  const list = (conditions ?? []).map((c) => ({ ...c }));
  const i = list.findIndex((c) => c.type === condition.type);
  const old = i < 0 ? undefined : list[i];
  const next: PodDisruptionBudgetCondition = {
    ...condition,
    lastTransitionTime:
      old?.status === condition.status && old.lastTransitionTime
        ? old.lastTransitionTime
        : formatTime(now),
  };
  if (i < 0) list.push(next);
  else list[i] = next;
  return list;
}

/** Whether two statuses differ in anything a user can see. */
export function budgetStatusChanged(
  a: PodDisruptionBudgetStatus | undefined,
  b: PodDisruptionBudgetStatus,
): boolean {
  return JSON.stringify(normalize(a ?? {})) !== JSON.stringify(normalize(b));
}

function normalize(s: PodDisruptionBudgetStatus): unknown {
  const pods = Object.entries(s.disruptedPods ?? {}).sort(([x], [y]) => (x < y ? -1 : 1));
  return [
    s.observedGeneration ?? 0,
    s.disruptionsAllowed ?? 0,
    s.currentHealthy ?? 0,
    s.desiredHealthy ?? 0,
    s.expectedPods ?? 0,
    pods,
    (s.conditions ?? []).map((c) => [
      c.type,
      c.status,
      c.reason ?? "",
      c.message ?? "",
      c.observedGeneration ?? 0,
      c.lastTransitionTime ?? "",
    ]),
  ];
}
