/**
 * Node health, without I/O (upstream's tryUpdateNodeHealth): a node is alive while its kubelet
 * renews its Lease in `kube-node-lease` or moves its Ready condition's heartbeat. The controller
 * remembers, in its own clock, when it last saw either move (so that skew between the node's and the
 * controller's clocks does not matter); once that is longer ago than the grace period, the node's
 * Ready and pressure conditions become Unknown.
 */
import type { Node, NodeCondition } from "../../api/core/v1/node.js";
import { formatTime, parseTime } from "../replicaset/pod-state.js";

/** The conditions the controller sets to Unknown when a node goes silent, Ready first. */
export const MONITORED_CONDITIONS = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

/** The reasons and messages upstream gives conditions it takes over from a silent kubelet. */
export const NODE_STATUS_UNKNOWN = "NodeStatusUnknown";
export const STATUS_UNKNOWN_MESSAGE = "Kubelet stopped posting node status.";
export const NODE_STATUS_NEVER_UPDATED = "NodeStatusNeverUpdated";
export const NEVER_UPDATED_MESSAGE = "Kubelet never posted node status.";

/** What the controller remembers of one node between passes. */
export interface NodeHealth {
  /** The Ready condition's heartbeat as last seen (compared, never trusted as a time). */
  readyHeartbeat: string | undefined;
  readyTransition: string | undefined;
  /** The Lease's renewTime as last seen. */
  leaseRenewTime: string | undefined;
  /** When (controller clock, ms) the node last showed a sign of life. */
  probeTimestamp: number;
}

/** The durations of health checks, in milliseconds. */
export interface HealthTimings {
  /** Silence after which a node that has reported before is Unknown (upstream default 40 s). */
  gracePeriodMs: number;
  /** Silence allowed to a node that has never reported Ready (upstream default 60 s). */
  startupGracePeriodMs: number;
}

/** The outcome of one look at a node. */
export interface HealthObservation {
  health: NodeHealth;
  /** The Ready condition as the node had it before this pass. */
  observedReady: NodeCondition | undefined;
  /** The Ready condition after this pass (Unknown when the node went silent). */
  currentReady: NodeCondition | undefined;
  /** The node's new conditions, when this pass changes them (write them to its status). */
  conditions?: NodeCondition[];
}

/**
 * Looks at a node at `now` (controller clock, ms since epoch) given what was remembered and its
 * Lease's renewTime, and decides whether its conditions must become Unknown.
 */
export function observeNodeHealth(
  node: Node,
  previous: NodeHealth | undefined,
  leaseRenewTime: string | undefined,
  now: number,
  timings: HealthTimings,
): HealthObservation {
  const conditions = node.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === "Ready");
  const gracePeriod = ready ? timings.gracePeriodMs : timings.startupGracePeriodMs;

  let health: NodeHealth;
  if (!previous) {
    // A node never seen before counts as alive now, or, without a Ready condition, since creation.
    const created = parseTime(node.metadata.creationTimestamp) ?? now;
    health = {
      readyHeartbeat: ready?.lastHeartbeatTime,
      readyTransition: ready?.lastTransitionTime,
      leaseRenewTime,
      probeTimestamp: ready ? now : Math.min(now, created),
    };
  } else {
    health = { ...previous };
    if (ready && ready.lastHeartbeatTime !== previous.readyHeartbeat) {
      health.readyHeartbeat = ready.lastHeartbeatTime;
      health.probeTimestamp = now;
    }
    health.readyTransition = ready?.lastTransitionTime;
    if (leaseRenewTime && isLater(leaseRenewTime, previous.leaseRenewTime)) {
      health.leaseRenewTime = leaseRenewTime;
      health.probeTimestamp = now;
    }
  }

  const observation: HealthObservation = { health, observedReady: ready, currentReady: ready };
  if (now <= health.probeTimestamp + gracePeriod) return observation;

  const next = silentConditions(node, conditions, now);
  if (!next) return observation;
  observation.conditions = next;
  observation.currentReady = next.find((c) => c.type === "Ready");
  // The controller's own write moves the Ready condition; it is not a sign of life.
  const written = observation.currentReady;
  health.readyHeartbeat = written?.lastHeartbeatTime;
  health.readyTransition = written?.lastTransitionTime;
  return observation;
}

/**
 * The conditions of a silent node: each monitored condition that is missing is added as never
 * updated, and each that is not yet Unknown becomes Unknown; undefined when nothing changes.
 */
function silentConditions(
  node: Node,
  conditions: readonly NodeCondition[],
  now: number,
): NodeCondition[] | undefined {
  const stamp = formatTime(now);
  const next = conditions.map((c) => ({ ...c }));
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const i = next.findIndex((c) => c.type === type);
    if (i < 0) {
      next.push({
        type,
        status: "Unknown",
        reason: NODE_STATUS_NEVER_UPDATED,
        message: NEVER_UPDATED_MESSAGE,
        lastHeartbeatTime: node.metadata.creationTimestamp ?? stamp,
        lastTransitionTime: stamp,
      });
      changed = true;
      continue;
    }
    const c = next[i]!;
    if (c.status === "Unknown") continue;
    next[i] = {
      ...c,
      status: "Unknown",
      reason: NODE_STATUS_UNKNOWN,
      message: STATUS_UNKNOWN_MESSAGE,
      lastTransitionTime: stamp,
    };
    changed = true;
  }
  return changed ? next : undefined;
}

/** Whether MicroTime `a` is later than `b` (or `b` is unset). */
function isLater(a: string, b: string | undefined): boolean {
  if (!b) return true;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return a !== b;
  return ta > tb || (ta === tb && a > b);
}
