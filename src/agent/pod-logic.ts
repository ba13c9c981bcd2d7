/**
 * The node agent's pure decisions about one pod: given its spec and what the container runtime runs
 * for it (the "runtime view"), what to do next, and what status to report. No I/O: table-tested in
 * pod-logic.test.ts. Times are milliseconds since the epoch.
 */
import type { Pod } from "../api/core/v1/pod.js";
import type { Container, ContainerStatus, PodStatus } from "../api/core/v1/pod-shapes.js";
import { imageName, podConditions, rfc3339 } from "../simulate/pod-status.js";

/** One container instance as the runtime reports it. */
export interface RuntimeContainer {
  id: string;
  /** The pod's container name (from the container's labels). */
  name: string;
  /** CRI metadata attempt: 0 for the first instance, the restart count afterwards. */
  attempt: number;
  state: "created" | "running" | "exited" | "unknown";
  exitCode: number;
  reason: string;
  message: string;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  image: string;
  imageRef: string;
}

/** What the runtime has for the pod: its newest sandbox and that sandbox's containers. */
export interface RuntimeView {
  sandbox?: { id: string; ready: boolean; ip?: string; ips?: string[]; attempt: number };
  containers: RuntimeContainer[];
}

/** Why a container waits, when it is not the runtime's doing (image problems). */
export interface WaitingReason {
  reason: string;
  message: string;
}

/** The next action for a pod. */
export type PodAction =
  | { type: "runSandbox"; attempt: number; removeOld?: string }
  | { type: "startContainer"; container: Container; init: boolean; attempt: number }
  | { type: "stopSandbox"; sandboxId: string }
  | {
      type: "wait";
      requeueAfterMs?: number;
      /** The container in restart back-off. */ backoff?: string;
    }
  | { type: "none" };

/** Upstream's container restart back-off: 10 s, doubling, at most 5 min. */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

/** The newest instance of each container name. */
function latestByName(view: RuntimeView): Map<string, RuntimeContainer> {
  const out = new Map<string, RuntimeContainer>();
  for (const c of view.containers) {
    const prev = out.get(c.name);
    if (
      !prev ||
      c.attempt > prev.attempt ||
      (c.attempt === prev.attempt && c.createdAt > prev.createdAt)
    )
      out.set(c.name, c);
  }
  return out;
}

/** The instance before the newest, for `lastState`. */
function previousOf(view: RuntimeView, latest: RuntimeContainer): RuntimeContainer | undefined {
  let best: RuntimeContainer | undefined;
  for (const c of view.containers) {
    if (c.name !== latest.name || c.id === latest.id || c.attempt >= latest.attempt) continue;
    if (!best || c.attempt > best.attempt) best = c;
  }
  return best;
}

/**
 * How long after `exited` finished its restart must wait. The first restart is immediate; then the
 * delay starts at 10 s and doubles per restart up to 5 min. A container that ran for twice the maximum
 * before it exited starts the back-off over.
 */
export function restartDelayMs(exited: RuntimeContainer, nowMs: number): number {
  if (exited.finishedAt - exited.startedAt >= 2 * BACKOFF_MAX_MS) return 0;
  if (exited.attempt === 0) return 0;
  const backoff = Math.min(BACKOFF_INITIAL_MS * 2 ** (exited.attempt - 1), BACKOFF_MAX_MS);
  return Math.max(0, exited.finishedAt + backoff - nowMs);
}

/** The back-off a container waiting to restart is in, for the CrashLoopBackOff message. */
function backoffOf(exited: RuntimeContainer): number {
  return Math.min(BACKOFF_INITIAL_MS * 2 ** Math.max(0, exited.attempt - 1), BACKOFF_MAX_MS);
}

function shouldRestart(c: RuntimeContainer, policy: string): boolean {
  if (c.state !== "exited") return false;
  if (policy === "Always") return true;
  if (policy === "OnFailure") return c.exitCode !== 0;
  return false;
}

function isTerminalPhase(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/**
 * The next thing to do for a pod that is not being deleted. `podPhase` is the phase the runtime view
 * gives (see `podStatusFromRuntime`), so a pod whose containers all finished stops its sandbox.
 */
export function nextPodAction(pod: Pod, view: RuntimeView, nowMs: number): PodAction {
  const spec = pod.spec ?? {};
  const policy = spec.restartPolicy ?? "Always";
  const phase = derivePhase(pod, view);
  if (isTerminalPhase(pod) || phase === "Succeeded" || phase === "Failed") {
    if (view.sandbox?.ready) return { type: "stopSandbox", sandboxId: view.sandbox.id };
    return { type: "none" };
  }
  if (!view.sandbox || !view.sandbox.ready) {
    // A sandbox that died (or was stopped) is replaced, with its containers, by a new attempt.
    const attempt = view.sandbox ? view.sandbox.attempt + 1 : 0;
    return view.sandbox
      ? { type: "runSandbox", attempt, removeOld: view.sandbox.id }
      : { type: "runSandbox", attempt };
  }
  const latest = latestByName(view);
  let requeue: number | undefined;
  let backoff: string | undefined;
  const soonest = (ms: number, name: string) => {
    if (requeue === undefined || ms < requeue) {
      requeue = ms;
      backoff = name;
    }
  };

  for (const c of spec.initContainers ?? []) {
    const name = c.name ?? "";
    const cur = latest.get(name);
    if (!cur)
      return {
        type: "startContainer",
        container: c,
        init: true,
        attempt: firstAttempt(pod, name, true),
      };
    if (cur.state === "exited" && cur.exitCode === 0) continue;
    if (cur.state === "exited") {
      // A failed init container: Never fails the pod (derivePhase); otherwise it runs again.
      if (policy === "Never") return { type: "none" };
      const delay = restartDelayMs(cur, nowMs);
      if (delay > 0) return { type: "wait", requeueAfterMs: delay, backoff: name };
      return { type: "startContainer", container: c, init: true, attempt: cur.attempt + 1 };
    }
    // Created or running: wait for it to finish before the next one.
    return { type: "wait" };
  }

  for (const c of spec.containers ?? []) {
    const name = c.name ?? "";
    const cur = latest.get(name);
    if (!cur)
      return {
        type: "startContainer",
        container: c,
        init: false,
        attempt: firstAttempt(pod, name, false),
      };
    if (!shouldRestart(cur, policy)) continue;
    const delay = restartDelayMs(cur, nowMs);
    if (delay > 0) {
      soonest(delay, name);
      continue;
    }
    return { type: "startContainer", container: c, init: false, attempt: cur.attempt + 1 };
  }
  return requeue === undefined
    ? { type: "none" }
    : { type: "wait", requeueAfterMs: requeue, ...(backoff ? { backoff } : {}) };
}

/**
 * The attempt of a container's first instance in the current sandbox: 0 for a new pod; after a
 * sandbox was replaced, the restart count the status reports plus one, so the count keeps growing.
 */
function firstAttempt(pod: Pod, name: string, init: boolean): number {
  const list = init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses;
  const s = list?.find((x) => x.name === name);
  return s?.containerID ? (s.restartCount ?? 0) + 1 : 0;
}

/** The pod phase the runtime's view implies, as upstream's kubelet derives it. */
export function derivePhase(pod: Pod, view: RuntimeView): string {
  const spec = pod.spec ?? {};
  const policy = spec.restartPolicy ?? "Always";
  const latest = latestByName(view);
  for (const c of spec.initContainers ?? []) {
    const cur = latest.get(c.name ?? "");
    if (cur?.state === "exited" && cur.exitCode === 0) continue;
    if (cur?.state === "exited" && policy === "Never") return "Failed";
    return "Pending";
  }
  let running = 0;
  let waiting = 0;
  let succeeded = 0;
  let failed = 0;
  for (const c of spec.containers ?? []) {
    const cur = latest.get(c.name ?? "");
    if (!cur || cur.state === "created" || cur.state === "unknown") waiting++;
    else if (cur.state === "running") running++;
    else if (cur.exitCode === 0) succeeded++;
    else failed++;
  }
  if (waiting > 0) {
    // A container restarting after it ran keeps the pod Running, as upstream.
    const anyStarted = view.containers.some((c) => c.state !== "created");
    return anyStarted && running + succeeded + failed > 0 ? "Running" : "Pending";
  }
  if (running > 0) return "Running";
  if (policy === "Always") return "Running"; // exited, about to restart
  if (failed > 0) return policy === "Never" ? "Failed" : "Running";
  return "Succeeded";
}

/** What the status writer knows besides the pod and the view. */
export interface StatusInput {
  nowMs: number;
  hostIP: string;
  /** Image problems per container name (ErrImagePull, ErrImageNeverPull...). */
  waiting?: Map<string, WaitingReason>;
}

/** The pod's status from the runtime's view; `pod` is not modified. */
export function podStatusFromRuntime(pod: Pod, view: RuntimeView, input: StatusInput): PodStatus {
  const spec = pod.spec ?? {};
  const old = pod.status ?? {};
  const now = rfc3339(input.nowMs);
  const policy = spec.restartPolicy ?? "Always";
  const latest = latestByName(view);
  const phase = isTerminalPhase(pod) ? (old.phase as string) : derivePhase(pod, view);

  const inits = spec.initContainers ?? [];
  const initDone = inits.every((c) => {
    const cur = latest.get(c.name ?? "");
    return cur?.state === "exited" && cur.exitCode === 0;
  });
  const statusOf = (c: Container, init: boolean, initPending: boolean): ContainerStatus => {
    const name = c.name ?? "";
    const cur = latest.get(name);
    const base: ContainerStatus = {
      name,
      image: imageName(c.image ?? ""),
      imageID: "",
      ready: false,
      restartCount: 0,
      started: false,
    };
    if (!cur) {
      const why = input.waiting?.get(name);
      base.state = {
        waiting: why
          ? { reason: why.reason, message: why.message }
          : { reason: init || !initPending ? "ContainerCreating" : "PodInitializing" },
      };
      if (init) delete base.started;
      return base;
    }
    const s: ContainerStatus = {
      ...base,
      imageID: cur.imageRef,
      containerID: `containerd://${cur.id}`,
      restartCount: cur.attempt,
    };
    const prev = previousOf(view, cur);
    if (prev && prev.state === "exited") s.lastState = { terminated: terminated(prev) };
    else s.lastState = {};
    if (cur.state === "running") {
      s.state = { running: { startedAt: rfc3339(cur.startedAt) } };
      s.ready = !init;
      s.started = true;
    } else if (cur.state === "exited") {
      const willRestart =
        phase !== "Succeeded" &&
        phase !== "Failed" &&
        (init ? cur.exitCode !== 0 && policy !== "Never" : shouldRestart(cur, policy));
      if (willRestart && restartDelayMs(cur, input.nowMs) > 0) {
        s.lastState = { terminated: terminated(cur) };
        s.state = {
          waiting: {
            reason: "CrashLoopBackOff",
            message: `back-off ${Math.round(backoffOf(cur) / 1000)}s restarting failed container=${name} pod=${pod.metadata.name ?? ""}_${pod.metadata.namespace ?? ""}(${pod.metadata.uid ?? ""})`,
          },
        };
      } else {
        s.state = { terminated: terminated(cur) };
      }
    } else {
      s.state = { waiting: { reason: "ContainerCreating" } };
    }
    if (init) delete s.started;
    return s;
  };

  const next: PodStatus = {
    ...old,
    phase,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: old.startTime ?? now,
  };
  const ip = view.sandbox?.ip ?? old.podIP;
  if (ip) {
    next.podIP = ip;
    next.podIPs = [ip, ...(view.sandbox?.ips ?? [])].map((a) => ({ ip: a }));
  }
  if (inits.length > 0) next.initContainerStatuses = inits.map((c) => statusOf(c, true, false));
  else delete next.initContainerStatuses;
  next.containerStatuses = (spec.containers ?? []).map((c) => statusOf(c, false, !initDone));

  const terminal =
    phase === "Succeeded" ? "PodCompleted" : phase === "Failed" ? "PodFailed" : undefined;
  const unready = next.containerStatuses.filter((s) => !s.ready).map((s) => s.name ?? "");
  const uninitialized = initDone
    ? []
    : (next.initContainerStatuses ?? [])
        .filter((s) => !(s.state?.terminated && s.state.terminated.exitCode === 0))
        .map((s) => s.name ?? "");
  next.conditions = podConditions(old.conditions, now, {
    sandbox: view.sandbox?.ready === true,
    initialized: initDone,
    uninitialized,
    unready,
    ...(terminal ? { terminal } : {}),
  });
  return next;
}

function terminated(c: RuntimeContainer) {
  return {
    exitCode: c.exitCode,
    reason: c.reason || (c.exitCode === 0 ? "Completed" : "Error"),
    ...(c.message ? { message: c.message } : {}),
    startedAt: rfc3339(c.startedAt),
    finishedAt: rfc3339(c.finishedAt),
    containerID: `containerd://${c.id}`,
  };
}

/** The pull policy in effect: the field, or upstream's default from the tag. */
export function pullPolicyOf(c: Container): "Always" | "IfNotPresent" | "Never" {
  const p = c.imagePullPolicy;
  if (p === "Always" || p === "IfNotPresent" || p === "Never") return p;
  const image = imageName(c.image ?? "");
  return image.endsWith(":latest") && !image.includes("@") ? "Always" : "IfNotPresent";
}

/** Whether two statuses differ in what a writer would change (ignoring key order). */
export function statusChanged(a: PodStatus | undefined, b: PodStatus): boolean {
  return stable(a ?? {}) !== stable(b);
}

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === "object" && !Array.isArray(val)
      ? Object.fromEntries(
          Object.entries(val as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)),
        )
      : val,
  );
}

/**
 * Kubernetes' `$(VAR_NAME)` expansion of env values, command and args: a defined name is replaced by its
 * value, `$$` gives a literal `$` (so `$$(VAR)` stays `$(VAR)`), and anything else, undefined names
 * included, is kept as written.
 */
export function expandVars(input: string, vars: ReadonlyMap<string, string>): string {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (ch !== "$" || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1]!;
    if (next === "$") {
      out += "$";
      i++;
    } else if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = vars.get(name);
      out += value ?? `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * The container's plain env values, in order, each expanded against the ones before it; and its
 * command and args expanded against all of them. (`valueFrom` entries are not resolved yet.)
 */
export function containerProcess(c: Container): {
  envs: { key: string; value: string }[];
  command?: string[];
  args?: string[];
} {
  const vars = new Map<string, string>();
  const envs: { key: string; value: string }[] = [];
  for (const e of c.env ?? []) {
    if (e.valueFrom !== undefined) continue;
    const value = expandVars(e.value ?? "", vars);
    vars.set(e.name ?? "", value);
    envs.push({ key: e.name ?? "", value });
  }
  const out: ReturnType<typeof containerProcess> = { envs };
  if (c.command) out.command = c.command.map((a) => expandVars(a, vars));
  if (c.args) out.args = c.args.map((a) => expandVars(a, vars));
  return out;
}
