import assert from "node:assert/strict";
import { describe, test } from "node:test";

import type { Pod } from "../api/core/v1/pod.js";
import {
  containerProcess,
  derivePhase,
  expandVars,
  nextPodAction,
  podStatusFromRuntime,
  pullPolicyOf,
  restartDelayMs,
  statusChanged,
  type RuntimeContainer,
  type RuntimeView,
} from "./pod-logic.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");

function pod(over: { restartPolicy?: string; inits?: string[]; containers?: string[] } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "u1" },
    spec: {
      nodeName: "n",
      restartPolicy: over.restartPolicy ?? "Always",
      ...(over.inits
        ? { initContainers: over.inits.map((name) => ({ name, image: "busybox:1.35" })) }
        : {}),
      containers: (over.containers ?? ["main"]).map((name) => ({ name, image: "busybox" })),
    },
    status: {
      phase: "Pending",
      qosClass: "BestEffort",
      conditions: [{ type: "PodScheduled", status: "True" }],
    },
  } as Pod;
}

function ctr(
  name: string,
  state: RuntimeContainer["state"],
  over: Partial<RuntimeContainer> = {},
): RuntimeContainer {
  return {
    id: `${name}-${over.attempt ?? 0}`,
    name,
    attempt: 0,
    state,
    exitCode: 0,
    reason: "",
    message: "",
    createdAt: T0,
    startedAt: T0,
    finishedAt: state === "exited" ? T0 + 1000 : 0,
    image: "docker.io/library/busybox:latest",
    imageRef: "sha256:abc",
    ...over,
  };
}

const sandbox = { id: "s1", ready: true, ip: "10.0.0.5", ips: [], attempt: 0 };
const view = (...containers: RuntimeContainer[]): RuntimeView => ({ sandbox, containers });

describe("nextPodAction", () => {
  const cases: {
    name: string;
    pod: Pod;
    view: RuntimeView;
    now?: number;
    want: Record<string, unknown>;
  }[] = [
    {
      name: "no sandbox: run one",
      pod: pod(),
      view: { containers: [] },
      want: { type: "runSandbox", attempt: 0 },
    },
    {
      name: "dead sandbox: replaced by the next attempt",
      pod: pod(),
      view: { sandbox: { ...sandbox, ready: false }, containers: [] },
      want: { type: "runSandbox", attempt: 1, removeOld: "s1" },
    },
    {
      name: "first init container first",
      pod: pod({ inits: ["a", "b"] }),
      view: view(),
      want: { type: "startContainer", init: true, attempt: 0 },
    },
    {
      name: "second init after the first exits 0",
      pod: pod({ inits: ["a", "b"] }),
      view: view(ctr("a", "exited")),
      want: { type: "startContainer", init: true, attempt: 0, name: "b" },
    },
    {
      name: "running init container: wait",
      pod: pod({ inits: ["a"] }),
      view: view(ctr("a", "running")),
      want: { type: "wait" },
    },
    {
      name: "failed init with Never: the pod failed, its sandbox stops",
      pod: pod({ inits: ["a"], restartPolicy: "Never" }),
      view: view(ctr("a", "exited", { exitCode: 1 })),
      want: { type: "stopSandbox" },
    },
    {
      name: "containers after inits",
      pod: pod({ inits: ["a"] }),
      view: view(ctr("a", "exited")),
      want: { type: "startContainer", init: false, name: "main" },
    },
    {
      name: "a new sandbox: restart counts carry on from the status",
      pod: {
        ...pod(),
        status: {
          phase: "Running",
          containerStatuses: [{ name: "main", containerID: "containerd://old", restartCount: 2 }],
        },
      } as Pod,
      view: view(),
      want: { type: "startContainer", attempt: 3, name: "main" },
    },
    {
      name: "running: nothing",
      pod: pod(),
      view: view(ctr("main", "running")),
      want: { type: "none" },
    },
    {
      name: "Always: first exit restarts at once",
      pod: pod(),
      view: view(ctr("main", "exited")),
      now: T0 + 1000,
      want: { type: "startContainer", attempt: 1 },
    },
    {
      name: "Always: second exit waits 10 s",
      pod: pod(),
      view: view(ctr("main", "exited", { attempt: 1 })),
      now: T0 + 3000,
      want: { type: "wait", requeueAfterMs: 8000, backoff: "main" },
    },
    {
      name: "Always: back-off over",
      pod: pod(),
      view: view(ctr("main", "exited", { attempt: 1 })),
      now: T0 + 11_000,
      want: { type: "startContainer", attempt: 2 },
    },
    {
      name: "OnFailure: exit 0 is not restarted; sandbox stopped once all succeeded",
      pod: pod({ restartPolicy: "OnFailure" }),
      view: view(ctr("main", "exited")),
      want: { type: "stopSandbox", sandboxId: "s1" },
    },
    {
      name: "OnFailure: exit 1 restarts",
      pod: pod({ restartPolicy: "OnFailure" }),
      view: view(ctr("main", "exited", { exitCode: 1 })),
      want: { type: "startContainer", attempt: 1 },
    },
    {
      name: "Never: a failure stops the sandbox",
      pod: pod({ restartPolicy: "Never" }),
      view: view(ctr("main", "exited", { exitCode: 3 })),
      want: { type: "stopSandbox" },
    },
    {
      name: "terminal pod with a stopped sandbox: nothing",
      pod: { ...pod({ restartPolicy: "Never" }), status: { phase: "Succeeded" } } as Pod,
      view: { sandbox: { ...sandbox, ready: false }, containers: [ctr("main", "exited")] },
      want: { type: "none" },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = nextPodAction(c.pod, c.view, c.now ?? T0 + 2000) as Record<string, unknown>;
      const { name, ...want } = c.want;
      for (const [k, v] of Object.entries(want))
        assert.deepEqual(got[k], v, `${k} of ${JSON.stringify(got)}`);
      if (name) assert.equal((got["container"] as { name: string }).name, name);
    });
  }
});

test("restartDelayMs doubles from 10 s to at most 5 min, and resets after a long run", () => {
  const exited = (attempt: number) => ctr("m", "exited", { attempt, finishedAt: T0 });
  assert.equal(restartDelayMs(exited(0), T0), 0);
  assert.equal(restartDelayMs(exited(1), T0), 10_000);
  assert.equal(restartDelayMs(exited(2), T0), 20_000);
  assert.equal(restartDelayMs(exited(3), T0), 40_000);
  assert.equal(restartDelayMs(exited(10), T0), 300_000);
  assert.equal(restartDelayMs(exited(2), T0 + 15_000), 5000);
  const longRun = ctr("m", "exited", { attempt: 5, startedAt: T0, finishedAt: T0 + 600_000 });
  assert.equal(restartDelayMs(longRun, T0 + 600_000), 0);
});

describe("derivePhase", () => {
  const cases: [string, Pod, RuntimeView, string][] = [
    ["nothing yet", pod(), { containers: [] }, "Pending"],
    ["init running", pod({ inits: ["a"] }), view(ctr("a", "running")), "Pending"],
    [
      "init failed, Never",
      pod({ inits: ["a"], restartPolicy: "Never" }),
      view(ctr("a", "exited", { exitCode: 2 })),
      "Failed",
    ],
    ["running", pod(), view(ctr("main", "running")), "Running"],
    ["Never, exit 0", pod({ restartPolicy: "Never" }), view(ctr("main", "exited")), "Succeeded"],
    [
      "Never, exit 3",
      pod({ restartPolicy: "Never" }),
      view(ctr("main", "exited", { exitCode: 3 })),
      "Failed",
    ],
    [
      "OnFailure, exit 1: restarting",
      pod({ restartPolicy: "OnFailure" }),
      view(ctr("main", "exited", { exitCode: 1 })),
      "Running",
    ],
    ["Always, exited: restarting", pod(), view(ctr("main", "exited")), "Running"],
    [
      "one of two running, one waiting to start",
      pod({ containers: ["a", "b"] }),
      view(ctr("a", "running")),
      "Running",
    ],
  ];
  for (const [name, p, v, want] of cases) test(name, () => assert.equal(derivePhase(p, v), want));
});

describe("podStatusFromRuntime", () => {
  const input = { nowMs: T0 + 2000, hostIP: "192.0.2.1" };

  test("a running pod: IPs, container status, the kubelet's conditions, qosClass kept", () => {
    const s = podStatusFromRuntime(pod(), view(ctr("main", "running")), input);
    assert.equal(s.phase, "Running");
    assert.equal(s.podIP, "10.0.0.5");
    assert.deepEqual(s.podIPs, [{ ip: "10.0.0.5" }]);
    assert.equal(s.hostIP, "192.0.2.1");
    assert.equal(s.qosClass, "BestEffort");
    assert.equal(s.startTime, "2026-01-01T00:00:02Z");
    const cs = s.containerStatuses![0]!;
    assert.equal(cs.containerID, "containerd://main-0");
    assert.equal(cs.image, "docker.io/library/busybox:latest");
    assert.equal(cs.imageID, "sha256:abc");
    assert.deepEqual(cs.state, { running: { startedAt: "2026-01-01T00:00:00Z" } });
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    const conds = Object.fromEntries(s.conditions!.map((c) => [c.type, c.status]));
    assert.deepEqual(conds, {
      PodReadyToStartContainers: "True",
      Initialized: "True",
      Ready: "True",
      ContainersReady: "True",
      PodScheduled: "True",
    });
  });

  test("waiting for init containers: PodInitializing and the Initialized reason", () => {
    const s = podStatusFromRuntime(pod({ inits: ["a"] }), view(ctr("a", "running")), input);
    assert.equal(s.phase, "Pending");
    assert.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: "PodInitializing" } });
    assert.equal(s.initContainerStatuses![0]!.state!.running!.startedAt, "2026-01-01T00:00:00Z");
    assert.equal(s.initContainerStatuses![0]!.started, undefined);
    const init = s.conditions!.find((c) => c.type === "Initialized")!;
    assert.equal(init.status, "False");
    assert.equal(init.reason, "ContainersNotInitialized");
    assert.equal(init.message, "containers with incomplete status: [a]");
  });

  test("crash loop: waiting CrashLoopBackOff, lastState terminated, restart count", () => {
    const v = view(
      ctr("main", "exited", { exitCode: 1, attempt: 0, finishedAt: T0 + 500 }),
      ctr("main", "exited", { exitCode: 1, attempt: 1, finishedAt: T0 + 1500 }),
    );
    const s = podStatusFromRuntime(pod(), v, input);
    const cs = s.containerStatuses![0]!;
    assert.equal(cs.restartCount, 1);
    assert.equal(cs.state!.waiting!.reason, "CrashLoopBackOff");
    assert.match(
      cs.state!.waiting!.message!,
      /^back-off 10s restarting failed container=main pod=p_default\(u1\)$/,
    );
    assert.equal(cs.lastState!.terminated!.exitCode, 1);
    assert.equal(cs.lastState!.terminated!.reason, "Error");
    assert.equal(cs.ready, false);
    const ready = s.conditions!.find((c) => c.type === "ContainersReady")!;
    assert.equal(ready.reason, "ContainersNotReady");
  });

  test("a failed Never pod: terminated with its exit code, PodFailed", () => {
    const s = podStatusFromRuntime(
      pod({ restartPolicy: "Never" }),
      {
        sandbox: { ...sandbox, ready: false },
        containers: [ctr("main", "exited", { exitCode: 3 })],
      },
      input,
    );
    assert.equal(s.phase, "Failed");
    assert.equal(s.containerStatuses![0]!.state!.terminated!.exitCode, 3);
    assert.equal(s.containerStatuses![0]!.state!.terminated!.containerID, "containerd://main-0");
    const ready = s.conditions!.find((c) => c.type === "Ready")!;
    assert.equal(ready.reason, "PodFailed");
    assert.equal(
      s.conditions!.find((c) => c.type === "PodReadyToStartContainers")!.status,
      "False",
    );
  });

  test("image problems show as the container's waiting reason", () => {
    const s = podStatusFromRuntime(pod(), view(), {
      ...input,
      waiting: new Map([["main", { reason: "ErrImagePull", message: "no route" }]]),
    });
    assert.deepEqual(s.containerStatuses![0]!.state, {
      waiting: { reason: "ErrImagePull", message: "no route" },
    });
  });

  test("the same view gives no change to write", () => {
    const p = pod();
    const s = podStatusFromRuntime(p, view(ctr("main", "running")), input);
    const again = podStatusFromRuntime({ ...p, status: s }, view(ctr("main", "running")), {
      ...input,
      nowMs: T0 + 60_000,
    });
    assert.equal(statusChanged(s, again), false);
  });
});

test("pullPolicyOf: the field, else Always for latest or no tag, IfNotPresent otherwise", () => {
  assert.equal(pullPolicyOf({ name: "a", image: "busybox" }), "Always");
  assert.equal(pullPolicyOf({ name: "a", image: "busybox:latest" }), "Always");
  assert.equal(pullPolicyOf({ name: "a", image: "busybox:1.35" }), "IfNotPresent");
  assert.equal(
    pullPolicyOf({ name: "a", image: "busybox@sha256:" + "a".repeat(64) }),
    "IfNotPresent",
  );
  assert.equal(pullPolicyOf({ name: "a", image: "busybox", imagePullPolicy: "Never" }), "Never");
});

test("expandVars: defined names replaced, $$ escapes, the rest kept", () => {
  const vars = new Map([
    ["A", "1"],
    ["B", "two"],
  ]);
  assert.equal(expandVars("$(A)-$(B)", vars), "1-two");
  assert.equal(expandVars("$$(A)", vars), "$(A)");
  assert.equal(expandVars("$(MISSING) $A $", vars), "$(MISSING) $A $");
  assert.equal(expandVars("$(A", vars), "$(A");
  assert.equal(expandVars("a$$b", vars), "a$b");
});

test("containerProcess: env values expand against earlier ones; command and args against all", () => {
  const p = containerProcess({
    name: "c",
    command: ["echo", "$(GREETING)"],
    args: ["$(LATER)", "$(NOPE)"],
    env: [
      { name: "NAME", value: "kates" },
      { name: "GREETING", value: "hello $(NAME) $(LATER)" },
      { name: "FROM", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "LATER", value: "x" },
    ],
  });
  assert.deepEqual(p.envs, [
    { key: "NAME", value: "kates" },
    { key: "GREETING", value: "hello kates $(LATER)" },
    { key: "LATER", value: "x" },
  ]);
  assert.deepEqual(p.command, ["echo", "hello kates $(LATER)"]);
  assert.deepEqual(p.args, ["x", "$(NOPE)"]);
});
