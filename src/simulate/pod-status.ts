/**
 * The next status of a pod on a node whose runtime starts nothing: the decision a node agent makes on
 * every look at one of its pods, as a pure function of the pod, the time and the node's addresses.
 * Init containers complete, containers start, containers of run-to-completion pods exit after a delay
 * with a chosen code, and a pod being deleted has its containers terminated before it is removed.
 */
import { createHash } from "node:crypto";
import type { Pod } from "../api/core/v1/pod.js";
import type {
  Container,
  ContainerStatus,
  PodCondition,
  PodStatus,
} from "../api/core/v1/pod-shapes.js";
import { parseImageReference } from "../api/core/v1/image-reference.js";
import { parseGoDuration } from "../util/duration.js";

/** Annotation: how long the containers of a Never/OnFailure pod run before they exit (`1s`, `500ms`). */
export const EXIT_AFTER_ANNOTATION = "kates.dev/simulate-exit-after";
/** Annotation: the exit code of those containers (0 unless set). */
export const EXIT_CODE_ANNOTATION = "kates.dev/simulate-exit-code";
/** The exit-code annotation as issue 4 spells it; read when the other is absent. */
export const EXIT_CODE_ANNOTATION_ALIAS = "simulate.kates.dev/exit-code";
/** How long containers of run-to-completion pods run when no annotation says otherwise. */
export const DEFAULT_EXIT_AFTER_MS = 1000;

/** What the node knows besides the pod when it decides. */
export interface PodStepInput {
  /** The current time in milliseconds since the epoch. */
  nowMs: number;
  /** The node's InternalIP, reported as the pod's hostIP. */
  hostIP: string;
  /** The address the pod gets (or already has) from the node's pod range. */
  podIP: string;
}

/** What to do with a pod now. */
export interface PodStep {
  /** The status to write, when it differs from the pod's. */
  status?: PodStatus;
  /** Look at the pod again after this many milliseconds (a container is due to exit). */
  requeueAfterMs?: number;
  /** Remove the pod (grace period 0): its containers are all terminated and it is being deleted. */
  delete?: boolean;
  /** A problem with the pod's simulation annotations, for the caller to log; defaults were used. */
  warning?: string;
}

const KUBELET_CONDITIONS = new Set([
  "PodReadyToStartContainers",
  "Initialized",
  "Ready",
  "ContainersReady",
]);

/** Decides the pod's next status; `pod` is not modified. */
export function nextPodStep(pod: Pod, input: PodStepInput): PodStep {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const now = rfc3339(input.nowMs);
  const deleting = pod.metadata.deletionTimestamp != null;
  const phase = status.phase ?? "Pending";

  if (phase === "Succeeded" || phase === "Failed") return deleting ? { delete: true } : {};
  if (deleting) {
    // Never started: nothing to stop.
    if (!status.startTime) return { delete: true };
    return { status: terminate(pod, status, now, "deleting"), delete: true };
  }

  const restartPolicy = spec.restartPolicy ?? "Always";
  const { exitAfterMs, exitCode, warning } = simulationOf(pod);
  const step: PodStep = warning ? { warning } : {};

  if (!status.startTime || phase === "Pending") {
    step.status = start(pod, status, input, now);
    if (restartPolicy !== "Always") step.requeueAfterMs = exitDelay(now, input.nowMs, exitAfterMs);
    return step;
  }
  if (restartPolicy === "Always") return step;

  const running = (status.containerStatuses ?? []).filter((c) => c.state?.running);
  if (running.length === 0) return step;
  let dueIn = 0;
  for (const c of running) {
    dueIn = Math.max(
      dueIn,
      exitDelay(c.state?.running?.startedAt ?? now, input.nowMs, exitAfterMs),
    );
  }
  if (dueIn > 0) return { ...step, requeueAfterMs: dueIn };
  if (exitCode !== 0 && restartPolicy === "OnFailure") {
    step.status = restart(pod, status, now, exitCode);
    step.requeueAfterMs = exitAfterMs + 999;
    return step;
  }
  step.status = terminate(pod, status, now, exitCode === 0 ? "completed" : "failed", exitCode);
  return step;
}

/** Milliseconds until a container started at `startedAt` is due to exit; 0 when it is. */
function exitDelay(startedAt: string, nowMs: number, exitAfterMs: number): number {
  // Status times have whole seconds: the start may have been up to 999 ms later than written.
  const due = Date.parse(startedAt) + 999 + exitAfterMs;
  return Math.max(0, due - nowMs);
}

/** The pod as its runtime starts it: init containers done, sidecars and containers running. */
function start(pod: Pod, status: PodStatus, input: PodStepInput, now: string): PodStatus {
  const spec = pod.spec ?? {};
  const uid = pod.metadata.uid ?? "";
  const inits = spec.initContainers ?? [];
  const containers = spec.containers ?? [];
  const initStatuses = inits.map((c) =>
    c.restartPolicy === "Always"
      ? runningStatus(uid, c, now, 0)
      : terminatedStatus(uid, c, now, now, 0, 0),
  );
  const statuses = containers.map((c) => runningStatus(uid, c, now, 0));
  const next: PodStatus = {
    ...status,
    phase: "Running",
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    podIP: input.podIP,
    podIPs: [{ ip: input.podIP }],
    startTime: status.startTime ?? now,
    containerStatuses: statuses,
  };
  if (inits.length > 0) next.initContainerStatuses = initStatuses;
  else delete next.initContainerStatuses;
  next.conditions = podConditions(status.conditions, now, {
    sandbox: true,
    initialized: true,
    unready: [],
  });
  return next;
}

/** A container that exited with `exitCode` started again, as restartPolicy OnFailure asks. */
function restart(pod: Pod, status: PodStatus, now: string, exitCode: number): PodStatus {
  const uid = pod.metadata.uid ?? "";
  const byName = new Map((pod.spec?.containers ?? []).map((c) => [c.name ?? "", c]));
  const statuses = (status.containerStatuses ?? []).map((s) => {
    const container = byName.get(s.name ?? "") ?? { name: s.name ?? "" };
    const restarts = (s.restartCount ?? 0) + 1;
    const started = s.state?.running?.startedAt ?? now;
    const exited = terminatedStatus(uid, container, started, now, exitCode, restarts - 1);
    return { ...runningStatus(uid, container, now, restarts), lastState: exited.state ?? {} };
  });
  return { ...status, containerStatuses: statuses };
}

/**
 * Every running container terminated: because the pod is being deleted, or because its containers
 * exited. Sidecars stop with the pod. The phase follows from the exit codes.
 */
function terminate(
  pod: Pod,
  status: PodStatus,
  now: string,
  why: "deleting" | "completed" | "failed",
  exitCode = 0,
): PodStatus {
  const uid = pod.metadata.uid ?? "";
  const stop = (containers: Container[], list: ContainerStatus[] | undefined, code: number) => {
    const byName = new Map(containers.map((c) => [c.name ?? "", c]));
    return list?.map((s) => {
      const started = s.state?.running?.startedAt;
      if (started == null) return s;
      const container = byName.get(s.name ?? "") ?? { name: s.name ?? "" };
      return {
        ...terminatedStatus(uid, container, started, now, code, s.restartCount ?? 0),
        ...(s.lastState ? { lastState: s.lastState } : {}),
      };
    });
  };
  const spec = pod.spec ?? {};
  const containerStatuses = stop(spec.containers ?? [], status.containerStatuses, exitCode) ?? [];
  const initStatuses = stop(spec.initContainers ?? [], status.initContainerStatuses, 0);
  const failed =
    why === "failed" || containerStatuses.some((s) => (s.state?.terminated?.exitCode ?? 0) !== 0);
  const next: PodStatus = { ...status, phase: failed ? "Failed" : "Succeeded", containerStatuses };
  if (initStatuses) next.initContainerStatuses = initStatuses;
  next.conditions = podConditions(status.conditions, now, {
    sandbox: false,
    initialized: true,
    unready: [],
    terminal: failed ? "PodFailed" : "PodCompleted",
  });
  return next;
}

function runningStatus(uid: string, c: Container, now: string, restarts: number): ContainerStatus {
  return {
    name: c.name ?? "",
    state: { running: { startedAt: now } },
    ready: true,
    restartCount: restarts,
    image: imageName(c.image ?? ""),
    imageID: imageID(c.image ?? ""),
    containerID: containerID(uid, c.name ?? "", restarts),
    started: true,
  };
}

function terminatedStatus(
  uid: string,
  c: Container,
  startedAt: string,
  finishedAt: string,
  exitCode: number,
  restarts: number,
): ContainerStatus {
  const id = containerID(uid, c.name ?? "", restarts);
  return {
    name: c.name ?? "",
    state: {
      terminated: {
        exitCode,
        reason: exitCode === 0 ? "Completed" : "Error",
        startedAt,
        finishedAt,
        containerID: id,
      },
    },
    ready: false,
    restartCount: restarts,
    image: imageName(c.image ?? ""),
    imageID: imageID(c.image ?? ""),
    containerID: id,
    started: false,
  };
}

/** What the kubelet's pod conditions follow from. */
export interface ConditionFacts {
  sandbox: boolean;
  initialized: boolean;
  /** Init containers not yet completed, for Initialized's message. */
  uninitialized?: string[];
  unready: string[];
  terminal?: "PodCompleted" | "PodFailed";
}

/**
 * The kubelet's four pod conditions, in its order, before the ones others own (PodScheduled,
 * DisruptionTarget...); a transition time changes only when the status does.
 */
export function podConditions(
  old: PodCondition[] | undefined,
  now: string,
  facts: ConditionFacts,
): PodCondition[] {
  const previous = new Map((old ?? []).map((c) => [c.type ?? "", c]));
  const make = (type: string, ok: boolean, reason?: string, message?: string): PodCondition => {
    const prev = previous.get(type);
    const statusText = ok ? "True" : "False";
    const cond: PodCondition = {
      type,
      status: statusText,
      lastProbeTime: null,
      lastTransitionTime: prev?.status === statusText ? (prev.lastTransitionTime ?? now) : now,
    };
    if (reason) cond.reason = reason;
    if (message) cond.message = message;
    return cond;
  };
  const ready = facts.terminal
    ? make("ContainersReady", false, facts.terminal)
    : facts.unready.length > 0
      ? make(
          "ContainersReady",
          false,
          "ContainersNotReady",
          `containers with unready status: [${facts.unready.join(" ")}]`,
        )
      : make("ContainersReady", true);
  const podReady = { ...ready, type: "Ready" };
  const prevReady = previous.get("Ready");
  podReady.lastTransitionTime =
    prevReady && prevReady.status === podReady.status ? (prevReady.lastTransitionTime ?? now) : now;
  const out = [
    make("PodReadyToStartContainers", facts.sandbox),
    facts.initialized || !facts.uninitialized?.length
      ? make("Initialized", facts.initialized)
      : make(
          "Initialized",
          false,
          "ContainersNotInitialized",
          `containers with incomplete status: [${facts.uninitialized.join(" ")}]`,
        ),
    podReady,
    ready,
  ];
  for (const c of old ?? []) if (!KUBELET_CONDITIONS.has(c.type ?? "")) out.push(c);
  return out;
}

/** The pod's simulation annotations, with defaults for what is absent or unreadable. */
function simulationOf(pod: Pod): { exitAfterMs: number; exitCode: number; warning?: string } {
  const annotations = pod.metadata.annotations ?? {};
  const problems: string[] = [];
  let exitAfterMs = DEFAULT_EXIT_AFTER_MS;
  const after = annotations[EXIT_AFTER_ANNOTATION];
  if (after !== undefined) {
    const parsed = parseDuration(after);
    if (parsed === undefined)
      problems.push(`${EXIT_AFTER_ANNOTATION} ${JSON.stringify(after)} is not a duration`);
    else exitAfterMs = parsed;
  }
  let exitCode = 0;
  const code = annotations[EXIT_CODE_ANNOTATION] ?? annotations[EXIT_CODE_ANNOTATION_ALIAS];
  if (code !== undefined) {
    const n = /^\d{1,3}$/.test(code.trim()) ? Number(code) : NaN;
    if (!(n >= 0 && n <= 255)) problems.push(`exit code ${JSON.stringify(code)} is not 0 to 255`);
    else exitCode = n;
  }
  return problems.length > 0
    ? { exitAfterMs, exitCode, warning: problems.join("; ") }
    : { exitAfterMs, exitCode };
}

/** `1500ms`, `2s`, `1m30s`, `1h`; a bare number counts seconds. Undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const ms = parseGoDuration(t);
  return ms === undefined || ms < 0 ? undefined : Math.round(ms);
}

/** RFC 3339 with whole seconds, as the API writes times. */
export function rfc3339(ms: number): string {
  return new Date(ms - (ms % 1000)).toISOString().replace(".000Z", "Z");
}

/** The image as a runtime reports it: registry and `library/` made explicit, `latest` by default. */
export function imageName(image: string): string {
  const ref = parseImageReference(image);
  if (!ref) return image;
  let name = ref.name;
  const first = name.split("/")[0]!;
  const hasDomain =
    name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (!hasDomain) name = `docker.io/${name.includes("/") ? name : `library/${name}`}`;
  if (ref.digest) return `${name}@${ref.digest}`;
  return `${name}:${ref.tag ?? "latest"}`;
}

function imageID(image: string): string {
  const name = imageName(image);
  const at = name.indexOf("@");
  if (at >= 0) return name;
  const repo = name.slice(
    0,
    name.lastIndexOf(":") > name.lastIndexOf("/") ? name.lastIndexOf(":") : name.length,
  );
  return `${repo}@sha256:${sha256(name)}`;
}

function containerID(uid: string, name: string, restarts: number): string {
  return `kates://${sha256(`${uid}/${name}/${restarts}`)}`;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
