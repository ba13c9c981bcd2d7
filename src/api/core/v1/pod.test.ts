import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FieldError } from "../../errors.js";
import { podColumns, podRow, type PodLike } from "./pod-columns.js";
import { computeQOSClass } from "./pod-qos.js";
import type { ContainerStatus, PodSpec, PodStatus } from "./pod-shapes.js";
import { pods, type Pod } from "./pod.js";

const NOW = new Date("2025-01-01T12:00:00Z");
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString();

const running = (name: string, extra: Partial<ContainerStatus> = {}): ContainerStatus => ({
  name,
  ready: true,
  restartCount: 0,
  image: "i",
  imageID: "",
  state: { running: { startedAt: ago(60) } },
  ...extra,
});

function pod(spec: PodSpec, status: PodStatus, meta: Partial<Pod["metadata"]> = {}): PodLike {
  return {
    metadata: { name: "p", namespace: "default", creationTimestamp: ago(600), ...meta },
    spec,
    status,
  };
}

const oneContainer: PodSpec = { containers: [{ name: "app", image: "i" }] };
const withInit: PodSpec = {
  initContainers: [{ name: "a" }, { name: "b" }],
  containers: [{ name: "app" }],
};

describe("podRow()", () => {
  const cases: [name: string, pod: PodLike, ready: string, status: string, restarts: string][] = [
    ["a new pod is Pending", pod(oneContainer, { phase: "Pending" }), "0/1", "Pending", "0"],
    [
      "a running pod shows Running",
      pod(oneContainer, { phase: "Running", containerStatuses: [running("app")] }),
      "1/1",
      "Running",
      "0",
    ],
    [
      "a waiting container's reason wins, with the last restart's age",
      pod(oneContainer, {
        phase: "Running",
        containerStatuses: [
          running("app", {
            ready: false,
            restartCount: 5,
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(300) } },
          }),
        ],
      }),
      "0/1",
      "CrashLoopBackOff",
      "5 (5m ago)",
    ],
    [
      "init containers in progress show how many finished",
      pod(withInit, {
        phase: "Pending",
        initContainerStatuses: [
          running("a", {
            ready: false,
            state: { terminated: { exitCode: 0, reason: "Completed" } },
          }),
          running("b", { ready: false }),
        ],
      }),
      "0/1",
      "Init:1/2",
      "0",
    ],
    [
      "a crashing init container shows its waiting reason",
      pod(withInit, {
        phase: "Pending",
        initContainerStatuses: [
          running("a", {
            ready: false,
            restartCount: 2,
            state: { waiting: { reason: "CrashLoopBackOff" } },
          }),
        ],
      }),
      "0/1",
      "Init:CrashLoopBackOff",
      "2",
    ],
    [
      "a failed init container shows its exit",
      pod(withInit, {
        phase: "Failed",
        initContainerStatuses: [
          running("a", { ready: false, state: { terminated: { exitCode: 1, reason: "Error" } } }),
        ],
      }),
      "0/1",
      "Init:Error",
      "0",
    ],
    [
      "an init container killed by a signal without a reason shows the signal",
      pod(withInit, {
        phase: "Pending",
        initContainerStatuses: [
          running("a", { ready: false, state: { terminated: { exitCode: 137, signal: 9 } } }),
        ],
      }),
      "0/1",
      "Init:Signal:9",
      "0",
    ],
    [
      "containers waiting for init show PodInitializing",
      pod(withInit, {
        phase: "Pending",
        initContainerStatuses: [
          running("a", { state: { terminated: { exitCode: 0 } } }),
          running("b", { state: { terminated: { exitCode: 0 } } }),
        ],
        containerStatuses: [
          running("app", { ready: false, state: { waiting: { reason: "PodInitializing" } } }),
        ],
      }),
      "0/1",
      "PodInitializing",
      "0",
    ],
    [
      "a finished pod shows Completed",
      pod(oneContainer, {
        phase: "Succeeded",
        containerStatuses: [
          running("app", {
            ready: false,
            state: { terminated: { exitCode: 0, reason: "Completed" } },
          }),
        ],
      }),
      "0/1",
      "Completed",
      "0",
    ],
    [
      "an exit without a reason shows the exit code",
      pod(oneContainer, {
        phase: "Failed",
        containerStatuses: [
          running("app", { ready: false, state: { terminated: { exitCode: 3 } } }),
        ],
      }),
      "0/1",
      "ExitCode:3",
      "0",
    ],
    [
      "a completed container beside a running one is Running when the pod is Ready",
      pod(
        { containers: [{ name: "app" }, { name: "job" }] },
        {
          phase: "Running",
          conditions: [{ type: "Ready", status: "True" }],
          containerStatuses: [
            running("app"),
            running("job", {
              ready: false,
              state: { terminated: { exitCode: 0, reason: "Completed" } },
            }),
          ],
        },
      ),
      "1/2",
      "Running",
      "0",
    ],
    [
      "a completed container beside a running one is NotReady when the pod is not Ready",
      pod(
        { containers: [{ name: "app" }, { name: "job" }] },
        {
          phase: "Running",
          containerStatuses: [
            running("app"),
            running("job", {
              ready: false,
              state: { terminated: { exitCode: 0, reason: "Completed" } },
            }),
          ],
        },
      ),
      "1/2",
      "NotReady",
      "0",
    ],
    [
      "sidecars count as containers and their restarts count",
      pod(
        {
          initContainers: [{ name: "proxy", restartPolicy: "Always" }],
          containers: [{ name: "app" }],
        },
        {
          phase: "Running",
          conditions: [{ type: "Initialized", status: "True" }],
          initContainerStatuses: [
            running("proxy", {
              started: true,
              restartCount: 1,
              lastState: { terminated: { exitCode: 1, finishedAt: ago(7200) } },
            }),
          ],
          containerStatuses: [running("app")],
        },
      ),
      "2/2",
      "Running",
      "1 (120m ago)",
    ],
    [
      "a pod being deleted is Terminating",
      pod(
        oneContainer,
        { phase: "Running", containerStatuses: [running("app")] },
        { deletionTimestamp: ago(1) },
      ),
      "1/1",
      "Terminating",
      "0",
    ],
    [
      "a deleted pod on a lost node is Unknown",
      pod(oneContainer, { phase: "Running", reason: "NodeLost" }, { deletionTimestamp: ago(1) }),
      "0/1",
      "Unknown",
      "0",
    ],
    [
      "a finished pod being deleted keeps its status",
      pod(oneContainer, { phase: "Succeeded" }, { deletionTimestamp: ago(1) }),
      "0/1",
      "Succeeded",
      "0",
    ],
    [
      "the status reason wins over the phase",
      pod(oneContainer, { phase: "Failed", reason: "Evicted" }),
      "0/1",
      "Evicted",
      "0",
    ],
    [
      "a gated pod shows SchedulingGated",
      pod(oneContainer, {
        phase: "Pending",
        conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }],
      }),
      "0/1",
      "SchedulingGated",
      "0",
    ],
  ];
  for (const [name, p, ready, status, restarts] of cases) {
    it(name, () => assert.deepEqual(podRow(p, NOW), { ready, status, restarts }));
  }
});

describe("pod columns", () => {
  const cells = (p: PodLike): unknown[] => podColumns().map((c) => c.cell(p, NOW));

  it("are READY STATUS RESTARTS AGE, then IP NODE NOMINATED NODE READINESS GATES with -o wide", () => {
    assert.deepEqual(
      podColumns().map((c) => [c.name, c.priority]),
      [
        ["Ready", 0],
        ["Status", 0],
        ["Restarts", 0],
        ["Age", 0],
        ["IP", 1],
        ["Node", 1],
        ["Nominated Node", 1],
        ["Readiness Gates", 1],
      ],
    );
  });

  it("show <none> for what is not set", () => {
    assert.deepEqual(cells(pod(oneContainer, { phase: "Pending" })), [
      "0/1",
      "Pending",
      "0",
      "10m",
      "<none>",
      "<none>",
      "<none>",
      "<none>",
    ]);
  });

  it("show the primary pod IP, the node and readiness gates met", () => {
    const p = pod(
      {
        ...oneContainer,
        nodeName: "node-1",
        readinessGates: [{ conditionType: "example.com/lb" }, { conditionType: "example.com/dns" }],
      },
      {
        phase: "Running",
        podIP: "10.0.0.5",
        podIPs: [{ ip: "10.0.0.5" }, { ip: "fd00::5" }],
        nominatedNodeName: "node-2",
        conditions: [{ type: "example.com/lb", status: "True" }],
        containerStatuses: [running("app")],
      },
    );
    assert.deepEqual(cells(p).slice(4), ["10.0.0.5", "node-1", "node-2", "1/2"]);
  });
});

describe("computeQOSClass()", () => {
  const cases: [name: string, spec: PodSpec, qos: string][] = [
    ["no requests or limits is BestEffort", { containers: [{ name: "a" }] }, "BestEffort"],
    [
      "zero amounts count as unset",
      { containers: [{ name: "a", resources: { requests: { cpu: "0" } } }] },
      "BestEffort",
    ],
    [
      "requests alone are Burstable",
      { containers: [{ name: "a", resources: { requests: { cpu: "100m" } } }] },
      "Burstable",
    ],
    [
      "equal CPU and memory requests and limits everywhere are Guaranteed",
      {
        initContainers: [
          {
            name: "i",
            resources: {
              limits: { cpu: "1", memory: "1Gi" },
              requests: { cpu: "1", memory: "1Gi" },
            },
          },
        ],
        containers: [
          {
            name: "a",
            resources: {
              limits: { cpu: "500m", memory: "512Mi" },
              requests: { cpu: "0.5", memory: "512Mi" },
            },
          },
        ],
      },
      "Guaranteed",
    ],
    [
      "a container without a memory limit makes it Burstable",
      {
        containers: [
          {
            name: "a",
            resources: {
              limits: { cpu: "1", memory: "1Gi" },
              requests: { cpu: "1", memory: "1Gi" },
            },
          },
          { name: "b", resources: { limits: { cpu: "1" }, requests: { cpu: "1" } } },
        ],
      },
      "Burstable",
    ],
    [
      "requests below limits are Burstable",
      {
        containers: [
          {
            name: "a",
            resources: {
              limits: { cpu: "1", memory: "1Gi" },
              requests: { cpu: "500m", memory: "1Gi" },
            },
          },
        ],
      },
      "Burstable",
    ],
    [
      "pod-level limits decide when set",
      {
        containers: [{ name: "a" }],
        resources: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "1", memory: "1Gi" } },
      },
      "Guaranteed",
    ],
  ];
  for (const [name, spec, qos] of cases) it(name, () => assert.equal(computeQOSClass(spec), qos));
});

describe("pods resource", () => {
  const create = (p: Pod): Pod => {
    pods.defaults?.(p);
    pods.prepareForCreate?.(p);
    return p;
  };
  const errorsOf = (list: FieldError[]): string[] => list.map((e) => `${e.type} ${e.field}`);

  it("starts pods Pending with their QoS class, computed after requests default from limits", () => {
    const p = create({
      metadata: { name: "p", namespace: "default" },
      spec: {
        containers: [{ name: "a", image: "i", resources: { limits: { cpu: "1", memory: "1Gi" } } }],
      },
      status: { phase: "Running", podIP: "10.0.0.1" },
    });
    assert.deepEqual(p.status, { phase: "Pending", qosClass: "Guaranteed" });
    assert.equal(p.spec?.enableServiceLinks, true);
    assert.deepEqual(errorsOf(pods.validate?.(p) ?? []), []);
  });

  it("marks gated pods as not scheduled and refuses a node for them", () => {
    const p = create({
      metadata: { name: "p", namespace: "default" },
      spec: {
        containers: [{ name: "a", image: "i" }],
        schedulingGates: [{ name: "example.com/gate" }],
        nodeName: "n1",
      },
    });
    assert.equal(p.status?.conditions?.[0]?.reason, "SchedulingGated");
    assert.deepEqual(errorsOf(pods.validate?.(p) ?? []), ["FieldValueForbidden spec.nodeName"]);
  });

  it("turns matchLabelKeys of pod affinity into selector requirements on create", () => {
    const p = create({
      metadata: { name: "p", namespace: "default", labels: { app: "web", track: "canary" } },
      spec: {
        containers: [{ name: "a", image: "i" }],
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              {
                topologyKey: "zone",
                labelSelector: { matchLabels: { app: "web" } },
                matchLabelKeys: ["track", "absent"],
              },
            ],
          },
        },
      },
    });
    const selector =
      p.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]
        ?.labelSelector;
    assert.deepEqual(selector?.matchExpressions, [
      { key: "track", operator: "In", values: ["canary"] },
    ]);
  });

  it("refuses images with surrounding spaces in pods but not the same spec's other checks", () => {
    const p = create({
      metadata: { name: "p", namespace: "default" },
      spec: { containers: [{ name: "a", image: " nginx" }] },
    });
    assert.deepEqual(errorsOf(pods.validate?.(p) ?? []), [
      "FieldValueInvalid spec.containers[0].image",
    ]);
  });

  it("keeps the QoS class fixed and checks addresses on status updates", () => {
    const old = create({
      metadata: { name: "p", namespace: "default" },
      spec: { containers: [{ name: "a", image: "i" }] },
    });
    const updated: Pod = structuredClone(old);
    updated.status = {
      phase: "Running",
      qosClass: "Guaranteed",
      podIPs: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }],
    };
    assert.deepEqual(errorsOf(pods.validateStatusUpdate?.(updated, old) ?? []), [
      "FieldValueInvalid status.podIPs",
      "FieldValueInvalid status.qosClass",
    ]);
  });

  it("selects pods by the fields kubectl and the kubelet use", () => {
    const p = create({
      metadata: { name: "p", namespace: "default" },
      spec: { containers: [{ name: "a", image: "i" }], nodeName: "n1" },
    });
    const fields = Object.fromEntries(
      Object.entries(pods.fieldSelectors ?? {}).map(([k, get]) => [k, get(p)]),
    );
    assert.deepEqual(fields, {
      "spec.nodeName": "n1",
      "spec.restartPolicy": "Always",
      "spec.schedulerName": "default-scheduler",
      "spec.serviceAccountName": "",
      "spec.hostNetwork": "false",
      "status.phase": "Pending",
      "status.podIP": "",
      "status.nominatedNodeName": "",
    });
  });
});
