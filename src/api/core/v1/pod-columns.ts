/**
 * The columns `kubectl get pods` prints, computed as kubectl's server-side printer does: READY
 * counts ready containers (sidecars included), STATUS condenses phase, init progress and container
 * states into one word, and RESTARTS tells how long ago the last restart was.
 */
import { age, humanDuration } from "../../columns.js";
import type { KubeObject } from "../../meta/types.js";
import type { TableColumn } from "../../resource.js";
import { items } from "./pod-checks.js";
import type { Container, ContainerStatus, PodSpec, PodStatus } from "./pod-shapes.js";

/** A pod as the columns read it. */
export interface PodLike extends KubeObject {
  spec?: PodSpec;
  status?: PodStatus;
}

/** The cells of one pod's row that depend on its state. */
export interface PodRow {
  ready: string;
  status: string;
  restarts: string;
}

function isRestartable(c: Container | undefined): boolean {
  return c?.restartPolicy === "Always";
}

function conditionTrue(status: PodStatus | undefined, type: string): boolean {
  return items(status?.conditions).some((c) => c?.type === type && c?.status === "True");
}

/** The later of two timestamps, as milliseconds; 0 stands for none. */
function later(current: number, timestamp: string | null | undefined): number {
  const t = timestamp ? Date.parse(timestamp) : Number.NaN;
  return Number.isNaN(t) || t <= current ? current : t;
}

/** Computes the READY, STATUS and RESTARTS cells of a pod at time `now`. */
export function podRow(pod: PodLike, now: Date): PodRow {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const phase = status.phase ?? "";
  let reason = status.reason || phase;
  if (
    items(status.conditions).some(
      (c) => c?.type === "PodScheduled" && c?.reason === "SchedulingGated",
    )
  ) {
    reason = "SchedulingGated";
  }

  const initContainers = new Map(items(spec.initContainers).map((c) => [c?.name ?? "", c]));
  const total =
    items(spec.containers).length + items(spec.initContainers).filter(isRestartable).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let lastSidecarRestart = 0;

  let initializing = false;
  const initStatuses = items(status.initContainerStatuses);
  for (const [i, cs] of initStatuses.entries()) {
    restarts += cs?.restartCount ?? 0;
    lastRestart = later(lastRestart, cs?.lastState?.terminated?.finishedAt);
    const restartable = isRestartable(initContainers.get(cs?.name ?? ""));
    if (restartable) {
      sidecarRestarts += cs?.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, cs?.lastState?.terminated?.finishedAt);
    }
    const terminated = cs?.state?.terminated;
    const waiting = cs?.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (restartable && cs?.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (terminated) {
      if (terminated.reason) reason = `Init:${terminated.reason}`;
      else if (terminated.signal) reason = `Init:Signal:${terminated.signal}`;
      else reason = `Init:ExitCode:${terminated.exitCode ?? 0}`;
    } else if (waiting?.reason && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${items(spec.initContainers).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status, "Initialized")) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses: readonly ContainerStatus[] = items(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs?.restartCount ?? 0;
      lastRestart = later(lastRestart, cs?.lastState?.terminated?.finishedAt);
      const waiting = cs?.state?.waiting;
      const terminated = cs?.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) {
        reason = terminated.signal
          ? `Signal:${terminated.signal}`
          : `ExitCode:${terminated.exitCode ?? 0}`;
      } else if (cs?.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose last container completed while others still run is not complete.
    if (reason === "Completed" && hasRunning)
      reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
  }

  const deleting = Boolean(pod.metadata.deletionTimestamp);
  if (deleting && status.reason === "NodeLost") reason = "Unknown";
  else if (deleting && phase !== "Succeeded" && phase !== "Failed") reason = "Terminating";

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestart !== 0)
    restartsCell = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsCell };
}

/** `<none>` for an empty cell, as kubectl prints it. */
function orNone(value: string | undefined): string {
  return value ? value : "<none>";
}

/** READINESS GATES: how many of the pod's readiness gates have a True condition. */
function readinessGates(pod: PodLike): string {
  const gates = items(pod.spec?.readinessGates);
  if (gates.length === 0) return "<none>";
  let met = 0;
  for (const gate of gates) {
    const condition = items(pod.status?.conditions).find((c) => c?.type === gate?.conditionType);
    if (condition?.status === "True") met++;
  }
  return `${met}/${gates.length}`;
}

/** The columns of `kubectl get pods`, after NAME. */
export function podColumns(): TableColumn<PodLike>[] {
  return [
    {
      name: "Ready",
      type: "string",
      description: "Ready containers out of all containers that should be ready.",
      priority: 0,
      cell: (pod, now) => podRow(pod, now).ready,
    },
    {
      name: "Status",
      type: "string",
      description: "One word for where the pod is: its phase, or what holds its containers up.",
      priority: 0,
      cell: (pod, now) => podRow(pod, now).status,
    },
    {
      name: "Restarts",
      type: "string",
      description:
        "How many times the pod's containers restarted, and how long ago the last restart was.",
      priority: 0,
      cell: (pod, now) => podRow(pod, now).restarts,
    },
    {
      name: "Age",
      type: "string",
      description: "How long ago the pod was created.",
      priority: 0,
      cell: (pod, now) => age(pod.metadata.creationTimestamp, now),
    },
    {
      name: "IP",
      type: "string",
      description: "Primary IP address of the pod.",
      priority: 1,
      cell: (pod) => orNone(items(pod.status?.podIPs)[0]?.ip),
    },
    {
      name: "Node",
      type: "string",
      description: "Node the pod is bound to.",
      priority: 1,
      cell: (pod) => orNone(pod.spec?.nodeName),
    },
    {
      name: "Nominated Node",
      type: "string",
      description: "Node where room is being made for the pod by preempting others.",
      priority: 1,
      cell: (pod) => orNone(pod.status?.nominatedNodeName),
    },
    {
      name: "Readiness Gates",
      type: "string",
      description: "Readiness gates whose conditions are True, out of all of them.",
      priority: 1,
      cell: readinessGates,
    },
  ];
}
