import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../api/core/v1/pod.js";
import { imageName, nextPodStep, parseDuration } from "./pod-status.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const input = (nowMs: number) => ({ nowMs, hostIP: "172.16.0.1", podIP: "10.128.0.2" });

function pod(
  restartPolicy: string,
  annotations: Record<string, string> = {},
  extra: Partial<Pod> = {},
): Pod {
  return {
    metadata: { name: "p", namespace: "d", uid: "u1", annotations },
    spec: { restartPolicy, containers: [{ name: "c", image: "nginx" }] },
    status: {
      phase: "Pending",
      qosClass: "BestEffort",
      conditions: [{ type: "PodScheduled", status: "True" }],
    },
    ...extra,
  };
}

describe("nextPodStep", () => {
  it("starts a pending pod: Running, IPs, ready containers, kubelet conditions, qosClass kept", () => {
    const step = nextPodStep(pod("Always"), input(T0));
    const s = step.status!;
    assert.equal(s.phase, "Running");
    assert.equal(s.podIP, "10.128.0.2");
    assert.deepEqual(s.hostIPs, [{ ip: "172.16.0.1" }]);
    assert.equal(s.startTime, "2026-01-01T00:00:00Z");
    assert.equal(s.qosClass, "BestEffort");
    const c = s.containerStatuses![0]!;
    assert.deepEqual(c.state, { running: { startedAt: "2026-01-01T00:00:00Z" } });
    assert.equal(c.ready, true);
    assert.equal(c.started, true);
    assert.equal(c.image, "docker.io/library/nginx:latest");
    assert.match(c.imageID!, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.match(c.containerID!, /^kates:\/\/[0-9a-f]{64}$/);
    assert.deepEqual(
      s.conditions!.map((x) => `${x.type}=${x.status}`),
      [
        "PodReadyToStartContainers=True",
        "Initialized=True",
        "Ready=True",
        "ContainersReady=True",
        "PodScheduled=True",
      ],
    );
    assert.equal(step.requeueAfterMs, undefined);
  });

  it("runs init containers to completion before the containers; sidecars keep running", () => {
    const p = pod("Always");
    p.spec!.initContainers = [
      { name: "init", image: "busybox" },
      { name: "side", image: "envoy", restartPolicy: "Always" },
    ];
    const s = nextPodStep(p, input(T0)).status!;
    assert.deepEqual(s.initContainerStatuses![0]!.state!.terminated!.exitCode, 0);
    assert.equal(s.initContainerStatuses![0]!.state!.terminated!.reason, "Completed");
    assert.ok(s.initContainerStatuses![1]!.state!.running);
  });

  const cases: {
    name: string;
    policy: string;
    ann: Record<string, string>;
    phase: string;
    code: number;
    restarts: number;
  }[] = [
    {
      name: "Never, default code",
      policy: "Never",
      ann: {},
      phase: "Succeeded",
      code: 0,
      restarts: 0,
    },
    {
      name: "Never, code 3",
      policy: "Never",
      ann: { "kates.dev/simulate-exit-code": "3" },
      phase: "Failed",
      code: 3,
      restarts: 0,
    },
    {
      name: "OnFailure, code 0",
      policy: "OnFailure",
      ann: {},
      phase: "Succeeded",
      code: 0,
      restarts: 0,
    },
    {
      name: "OnFailure, code 2 restarts",
      policy: "OnFailure",
      ann: { "simulate.kates.dev/exit-code": "2" },
      phase: "Running",
      code: 2,
      restarts: 1,
    },
  ];
  for (const c of cases) {
    it(`exits run-to-completion containers after the delay: ${c.name}`, () => {
      const first = nextPodStep(pod(c.policy, c.ann), input(T0));
      assert.ok(first.requeueAfterMs! >= 1000);
      const running = pod(c.policy, c.ann, { status: first.status! });
      assert.equal(nextPodStep(running, input(T0 + 500)).status, undefined, "not yet");
      const done = nextPodStep(running, input(T0 + 2000)).status!;
      assert.equal(done.phase, c.phase);
      const cs = done.containerStatuses![0]!;
      assert.equal(cs.restartCount, c.restarts);
      const term = c.restarts > 0 ? cs.lastState!.terminated! : cs.state!.terminated!;
      assert.equal(term.exitCode, c.code);
      assert.equal(term.reason, c.code === 0 ? "Completed" : "Error");
      if (c.phase !== "Running") {
        const ready = done.conditions!.find((x) => x.type === "Ready")!;
        assert.equal(ready.status, "False");
        assert.equal(ready.reason, c.phase === "Failed" ? "PodFailed" : "PodCompleted");
      }
    });
  }

  it("honours the exit-after annotation and reports unreadable annotations", () => {
    const p = pod("Never", { "kates.dev/simulate-exit-after": "5s" });
    const running = pod("Never", {}, { ...p, status: nextPodStep(p, input(T0)).status! });
    running.metadata.annotations = { "kates.dev/simulate-exit-after": "5s" };
    assert.ok(nextPodStep(running, input(T0 + 3000)).requeueAfterMs! > 0);
    assert.equal(nextPodStep(running, input(T0 + 7000)).status!.phase, "Succeeded");
    const bad = pod("Never", { "kates.dev/simulate-exit-code": "300" });
    assert.match(nextPodStep(bad, input(T0)).warning!, /not 0 to 255/);
  });

  it("keeps Always containers running", () => {
    const p = pod("Always");
    const running = pod("Always", {}, { status: nextPodStep(p, input(T0)).status! });
    assert.deepEqual(nextPodStep(running, input(T0 + 3_600_000)), {});
  });

  it("terminates the containers of a deleted running pod, then asks for its removal", () => {
    const p = pod("Always");
    const running = pod("Always", {}, { status: nextPodStep(p, input(T0)).status! });
    running.metadata.deletionTimestamp = "2026-01-01T00:00:10Z";
    const step = nextPodStep(running, input(T0 + 10_000));
    assert.equal(step.delete, true);
    assert.equal(step.status!.phase, "Succeeded");
    assert.ok(step.status!.containerStatuses![0]!.state!.terminated);
    const pending = pod("Always");
    pending.metadata.deletionTimestamp = "2026-01-01T00:00:10Z";
    assert.deepEqual(nextPodStep(pending, input(T0)), { delete: true });
  });

  it("keeps transition times of unchanged conditions", () => {
    const p = pod("Always");
    const s1 = nextPodStep(p, input(T0)).status!;
    const again = nextPodStep(
      pod("Always", {}, { status: { ...s1, phase: "Pending" } }),
      input(T0 + 5000),
    ).status!;
    assert.equal(again.conditions![0]!.lastTransitionTime, "2026-01-01T00:00:00Z");
  });
});

describe("parseDuration and imageName", () => {
  const durations: [string, number | undefined][] = [
    ["1s", 1000],
    ["500ms", 500],
    ["1m30s", 90_000],
    ["2", 2000],
    ["x", undefined],
    ["-1s", undefined],
  ];
  for (const [text, ms] of durations)
    it(`reads ${text}`, () => assert.equal(parseDuration(text), ms));
  const images: [string, string][] = [
    ["nginx", "docker.io/library/nginx:latest"],
    ["me/app:1", "docker.io/me/app:1"],
    ["localhost:5000/x:2", "localhost:5000/x:2"],
    ["quay.io/a/b", "quay.io/a/b:latest"],
  ];
  for (const [image, full] of images)
    it(`names ${image}`, () => assert.equal(imageName(image), full));
});
