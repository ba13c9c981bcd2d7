import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FieldError } from "../../errors.js";
import { root } from "../../validation.js";
import {
  defaultPodSpec,
  defaultPodTemplateSpec,
  validatePodSpec,
  validatePodSpecUpdate,
  validatePodTemplateSpec,
  type PodSpec,
  type PodTemplateSpec,
} from "./pod-spec.js";

/** A spec defaulted the way the API server stores it. */
function defaulted(spec: PodSpec): PodSpec {
  const copy = structuredClone(spec);
  defaultPodSpec(copy);
  return copy;
}

function minimal(): PodSpec {
  return { containers: [{ name: "web", image: "nginx:1.25" }] };
}

/** `type field` of each error, which is what the tables compare. */
const shown = (errors: FieldError[]): string[] => errors.map((e) => `${e.type} ${e.field}`);

describe("validatePodSpec()", () => {
  const cases: [
    name: string,
    change: (s: PodSpec) => void,
    expected: string[],
    opts?: { isPod?: boolean },
  ][] = [
    ["accepts a minimal defaulted spec", () => {}, []],
    ["requires a container", (s) => (s.containers = []), ["FieldValueRequired spec.containers"]],
    [
      "refuses container names that are not DNS labels",
      (s) => (s.containers![0]!.name = "Web_1"),
      ["FieldValueInvalid spec.containers[0].name"],
    ],
    [
      "refuses duplicate container names",
      (s) => s.containers!.push({ ...s.containers![0]! }),
      ["FieldValueDuplicate spec.containers[1].name"],
    ],
    [
      "refuses an init container named like a regular one",
      (s) => (s.initContainers = [{ ...s.containers![0]! }]),
      ["FieldValueDuplicate spec.initContainers[0].name"],
    ],
    [
      "requires an image",
      (s) => delete s.containers![0]!.image,
      ["FieldValueRequired spec.containers[0].image"],
    ],
    [
      "requires a container port",
      (s) => (s.containers![0]!.ports = [{ protocol: "TCP" }]),
      ["FieldValueRequired spec.containers[0].ports[0].containerPort"],
    ],
    [
      "refuses port numbers out of range",
      (s) => (s.containers![0]!.ports = [{ containerPort: 70000, hostPort: -1, protocol: "TCP" }]),
      [
        "FieldValueInvalid spec.containers[0].ports[0].containerPort",
        "FieldValueInvalid spec.containers[0].ports[0].hostPort",
      ],
    ],
    [
      "refuses bad and duplicate port names",
      (s) =>
        (s.containers![0]!.ports = [
          { name: "web_1", containerPort: 80, protocol: "TCP" },
          { name: "web", containerPort: 81, protocol: "TCP" },
          { name: "web", containerPort: 82, protocol: "TCP" },
        ]),
      [
        "FieldValueInvalid spec.containers[0].ports[0].name",
        "FieldValueDuplicate spec.containers[0].ports[2].name",
      ],
    ],
    [
      "refuses unknown protocols",
      (s) => (s.containers![0]!.ports = [{ containerPort: 80, protocol: "ICMP" }]),
      ["FieldValueNotSupported spec.containers[0].ports[0].protocol"],
    ],
    [
      "refuses duplicate host ports across containers",
      (s) => {
        s.containers![0]!.ports = [{ containerPort: 80, hostPort: 8080, protocol: "TCP" }];
        s.containers!.push({
          ...s.containers![0]!,
          name: "other",
          ports: [{ containerPort: 81, hostPort: 8080, protocol: "TCP" }],
        });
      },
      ["FieldValueDuplicate spec.containers[1].ports[0].hostPort"],
    ],
    [
      "checks env names and valueFrom sources",
      (s) =>
        (s.containers![0]!.env = [
          { name: "A=B", value: "x" },
          { name: "", value: "x" },
          { name: "EMPTY", valueFrom: {} },
          {
            name: "BOTH",
            value: "x",
            valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } },
          },
          {
            name: "TWO",
            valueFrom: {
              fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" },
              secretKeyRef: { name: "s", key: "k" },
            },
          },
          { name: "BAD", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.foo" } } },
          {
            name: "NOTENV",
            valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.restartPolicy" } },
          },
          {
            name: "LABEL",
            valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.labels['app']" } },
          },
          {
            name: "RES",
            valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1Mi" } },
          },
          { name: "KEY", valueFrom: { configMapKeyRef: { name: "cm", key: "bad key" } } },
        ]),
      [
        "FieldValueInvalid spec.containers[0].env[0].name",
        "FieldValueRequired spec.containers[0].env[1].name",
        "FieldValueInvalid spec.containers[0].env[2].valueFrom",
        "FieldValueInvalid spec.containers[0].env[3].valueFrom",
        "FieldValueInvalid spec.containers[0].env[4].valueFrom",
        "FieldValueInvalid spec.containers[0].env[5].valueFrom.fieldRef.fieldPath",
        "FieldValueNotSupported spec.containers[0].env[6].valueFrom.fieldRef.fieldPath",
        "FieldValueInvalid spec.containers[0].env[8].valueFrom.resourceFieldRef.divisor",
        "FieldValueInvalid spec.containers[0].env[9].valueFrom.configMapKeyRef.key",
      ],
    ],
    [
      "requires exactly one envFrom source",
      (s) =>
        (s.containers![0]!.envFrom = [
          { prefix: "P_" },
          { configMapRef: { name: "a" }, secretRef: { name: "b" } },
        ]),
      [
        "FieldValueInvalid spec.containers[0].envFrom",
        "FieldValueInvalid spec.containers[0].envFrom",
      ],
    ],
    [
      "refuses duplicate volume names and volumes with two sources",
      (s) =>
        (s.volumes = [
          { name: "v", emptyDir: {} },
          { name: "v", emptyDir: {} },
          { name: "w", emptyDir: {}, hostPath: { path: "/tmp", type: "" } },
        ]),
      ["FieldValueDuplicate spec.volumes[1].name", "FieldValueForbidden spec.volumes[2].hostPath"],
    ],
    [
      "requires a volume source",
      (s) => (s.volumes = [{ name: "v" }]),
      ["FieldValueRequired spec.volumes[0]"],
    ],
    [
      "refuses volume names that are not DNS labels",
      (s) => (s.volumes = [{ name: "V_1", emptyDir: {} }]),
      ["FieldValueInvalid spec.volumes[0].name"],
    ],
    [
      "checks volume sources",
      (s) =>
        (s.volumes = [
          { name: "a", configMap: { defaultMode: 0o1777 } },
          { name: "b", secret: { secretName: "s", items: [{ key: "k", path: "../escape" }] } },
          { name: "c", hostPath: { path: "/x", type: "Folder" } },
          { name: "d", nfs: { server: "nfs", path: "relative" } },
          { name: "e", persistentVolumeClaim: {} },
        ]),
      [
        "FieldValueRequired spec.volumes[0].configMap.name",
        "FieldValueInvalid spec.volumes[0].configMap.defaultMode",
        "FieldValueInvalid spec.volumes[1].secret.items[0].path",
        "FieldValueNotSupported spec.volumes[2].hostPath.type",
        "FieldValueInvalid spec.volumes[3].nfs.path",
        "FieldValueRequired spec.volumes[4].persistentVolumeClaim.claimName",
      ],
    ],
    [
      "checks volume mounts against the volumes",
      (s) => {
        s.volumes = [{ name: "data", emptyDir: {} }];
        s.containers![0]!.volumeMounts = [
          { name: "missing", mountPath: "/a" },
          { name: "data" },
          { name: "data", mountPath: "/a" },
        ];
      },
      [
        "FieldValueNotFound spec.containers[0].volumeMounts[0].name",
        "FieldValueRequired spec.containers[0].volumeMounts[1].mountPath",
        "FieldValueInvalid spec.containers[0].volumeMounts[2].mountPath",
      ],
    ],
    [
      "checks resources",
      (s) =>
        (s.containers![0]!.resources = {
          limits: { cpu: "500m", memory: "-1", foo: "1", "example.com/gpu": "1" },
          requests: { cpu: "1", "example.com/dongle": "1" },
        }),
      [
        "FieldValueInvalid spec.containers[0].resources.limits[memory]",
        "FieldValueInvalid spec.containers[0].resources.limits[foo]",
        "FieldValueInvalid spec.containers[0].resources.requests",
        "FieldValueRequired spec.containers[0].resources.limits",
      ],
    ],
    [
      "checks probes",
      (s) => {
        s.containers![0]!.livenessProbe = {
          exec: { command: ["true"] },
          tcpSocket: { port: 80 },
          successThreshold: 2,
        };
        s.containers![0]!.readinessProbe = { terminationGracePeriodSeconds: 5, periodSeconds: -1 };
        s.containers![0]!.startupProbe = { httpGet: { path: "/", port: 0, scheme: "FTP" } };
      },
      [
        "FieldValueForbidden spec.containers[0].livenessProbe.tcpSocket",
        "FieldValueInvalid spec.containers[0].livenessProbe.successThreshold",
        "FieldValueRequired spec.containers[0].readinessProbe",
        "FieldValueInvalid spec.containers[0].readinessProbe.periodSeconds",
        "FieldValueInvalid spec.containers[0].readinessProbe.terminationGracePeriodSeconds",
        "FieldValueInvalid spec.containers[0].startupProbe.httpGet.port",
        "FieldValueNotSupported spec.containers[0].startupProbe.httpGet.scheme",
      ],
    ],
    [
      "allows probes on sidecars only among init containers",
      (s) =>
        (s.initContainers = [
          { ...s.containers![0]!, name: "setup", livenessProbe: { exec: { command: ["true"] } } },
          {
            ...s.containers![0]!,
            name: "proxy",
            restartPolicy: "Always",
            livenessProbe: { exec: { command: ["true"] } },
          },
          { ...s.containers![0]!, name: "odd", restartPolicy: "OnFailure" },
        ]),
      [
        "FieldValueForbidden spec.initContainers[0].livenessProbe",
        "FieldValueNotSupported spec.initContainers[2].restartPolicy",
      ],
    ],
    [
      "forbids a restart policy on regular containers",
      (s) => (s.containers![0]!.restartPolicy = "Always"),
      ["FieldValueForbidden spec.containers[0].restartPolicy"],
    ],
    [
      "refuses unknown pull policies",
      (s) => (s.containers![0]!.imagePullPolicy = "Sometimes"),
      ["FieldValueNotSupported spec.containers[0].imagePullPolicy"],
    ],
    [
      "refuses unknown restart policies",
      (s) => (s.restartPolicy = "Sometimes"),
      ["FieldValueNotSupported spec.restartPolicy"],
    ],
    [
      "refuses unknown DNS policies",
      (s) => (s.dnsPolicy = "Custom"),
      ["FieldValueNotSupported spec.dnsPolicy"],
    ],
    [
      "requires dnsConfig with dnsPolicy None",
      (s) => (s.dnsPolicy = "None"),
      ["FieldValueRequired spec.dnsConfig"],
    ],
    [
      "requires a grace period",
      (s) => delete s.terminationGracePeriodSeconds,
      ["FieldValueRequired spec.terminationGracePeriodSeconds"],
    ],
    [
      "refuses an active deadline below 1",
      (s) => (s.activeDeadlineSeconds = 0),
      ["FieldValueInvalid spec.activeDeadlineSeconds"],
    ],
    [
      "checks tolerations",
      (s) =>
        (s.tolerations = [
          { operator: "Equal", value: "x" },
          { key: "k", operator: "Exists", value: "v" },
          { key: "k", operator: "Equal", value: "v", effect: "Evict" },
          { key: "k", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 10 },
          { key: "k", operator: "Like" },
          { operator: "Exists" },
        ]),
      [
        "FieldValueInvalid spec.tolerations[0].operator",
        "FieldValueInvalid spec.tolerations[1].operator",
        "FieldValueNotSupported spec.tolerations[2].effect",
        "FieldValueInvalid spec.tolerations[3].effect",
        "FieldValueNotSupported spec.tolerations[4].operator",
      ],
    ],
    [
      "checks node selector labels",
      (s) => (s.nodeSelector = { disk: "fast ssd" }),
      ["FieldValueInvalid spec.nodeSelector[disk]"],
    ],
    [
      "checks node affinity requirements",
      (s) =>
        (s.affinity = {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: "zone", operator: "Near" },
                    { key: "zone", operator: "In" },
                  ],
                },
              ],
            },
          },
        }),
      [
        "FieldValueInvalid spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator",
        "FieldValueRequired spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values",
      ],
    ],
    [
      "checks pod affinity terms",
      (s) =>
        (s.affinity = {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 101, podAffinityTerm: { labelSelector: {} } },
            ],
          },
        }),
      [
        "FieldValueInvalid spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
        "FieldValueRequired spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey",
        "FieldValueInvalid spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey",
      ],
    ],
    [
      "checks topology spread constraints",
      (s) =>
        (s.topologySpreadConstraints = [
          { maxSkew: 0, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" },
          { maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" },
        ]),
      [
        "FieldValueInvalid spec.topologySpreadConstraints[0].maxSkew",
        "FieldValueDuplicate spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}",
      ],
    ],
    [
      "refuses duplicate scheduling gates",
      (s) => (s.schedulingGates = [{ name: "a" }, { name: "a" }]),
      ["FieldValueDuplicate spec.schedulingGates[1]"],
    ],
    [
      "checks host alias addresses",
      (s) => (s.hostAliases = [{ ip: "999.1.1.1", hostnames: ["a"] }]),
      ["FieldValueInvalid spec.hostAliases[0].ip"],
    ],
    [
      "requires host ports to equal container ports for pods on the host network",
      (s) => {
        s.hostNetwork = true;
        s.containers![0]!.ports = [{ containerPort: 80, protocol: "TCP" }];
      },
      ["FieldValueInvalid spec.containers[0].ports[0].hostPort"],
      { isPod: true },
    ],
    [
      "lets templates on the host network leave host ports unset",
      (s) => {
        s.hostNetwork = true;
        s.containers![0]!.ports = [{ containerPort: 80, protocol: "TCP" }];
      },
      [],
    ],
    [
      "checks security contexts",
      (s) => {
        s.securityContext = { runAsUser: -1, seccompProfile: { type: "Localhost" } };
        s.containers![0]!.securityContext = {
          allowPrivilegeEscalation: false,
          privileged: true,
          procMount: "Unmasked",
        };
      },
      [
        "FieldValueInvalid spec.containers[0].securityContext.procMount",
        "FieldValueInvalid spec.containers[0].securityContext",
        "FieldValueInvalid spec.securityContext.runAsUser",
        "FieldValueRequired spec.securityContext.seccompProfile.localhostProfile",
      ],
    ],
  ];

  for (const [name, change, expected, opts] of cases) {
    it(name, () => {
      const spec = defaulted(minimal());
      change(spec);
      assert.deepEqual(shown(validatePodSpec(spec, root("spec"), opts)), expected);
    });
  }
});

describe("validatePodSpecUpdate()", () => {
  const base = (): PodSpec =>
    defaulted({
      containers: [{ name: "web", image: "nginx:1.25" }],
      tolerations: [{ key: "k", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }],
      schedulingGates: [{ name: "example.com/wait" }],
      activeDeadlineSeconds: 100,
    });

  const cases: [name: string, change: (s: PodSpec) => void, expected: string[]][] = [
    ["allows changing images", (s) => (s.containers![0]!.image = "nginx:1.26"), []],
    ["allows lowering the active deadline", (s) => (s.activeDeadlineSeconds = 50), []],
    [
      "refuses raising the active deadline",
      (s) => (s.activeDeadlineSeconds = 200),
      ["FieldValueInvalid spec.activeDeadlineSeconds"],
    ],
    [
      "refuses removing the active deadline",
      (s) => delete s.activeDeadlineSeconds,
      ["FieldValueInvalid spec.activeDeadlineSeconds"],
    ],
    [
      "allows adding tolerations and changing tolerationSeconds",
      (s) => {
        s.tolerations![0]!.tolerationSeconds = 30;
        s.tolerations!.push({ key: "other", operator: "Exists" });
      },
      [],
    ],
    [
      "refuses changing a toleration",
      (s) => (s.tolerations![0]!.key = "changed"),
      ["FieldValueForbidden spec.tolerations"],
    ],
    ["allows removing scheduling gates", (s) => (s.schedulingGates = []), []],
    [
      "refuses adding scheduling gates",
      (s) => s.schedulingGates!.push({ name: "example.com/more" }),
      ["FieldValueForbidden spec.schedulingGates[1].name"],
    ],
    ["allows adding node selectors to a gated pod", (s) => (s.nodeSelector = { zone: "a" }), []],
    ["refuses other changes", (s) => (s.nodeName = "node-1"), ["FieldValueForbidden spec"]],
    [
      "refuses adding containers",
      (s) => s.containers!.push({ name: "more", image: "i" }),
      ["FieldValueForbidden spec.containers"],
    ],
    [
      "requires images",
      (s) => (s.containers![0]!.image = ""),
      ["FieldValueRequired spec.containers[0].image"],
    ],
  ];
  for (const [name, change, expected] of cases) {
    it(name, () => {
      const old = base();
      const spec = structuredClone(old);
      change(spec);
      assert.deepEqual(shown(validatePodSpecUpdate(spec, old, root("spec"))), expected);
    });
  }

  it("names the changed fields in its message", () => {
    const old = base();
    const spec = structuredClone(old);
    spec.nodeName = "node-1";
    spec.hostname = "web";
    const [error] = validatePodSpecUpdate(spec, old, root("spec"));
    assert.match(error?.detail ?? "", /changes spec\.nodeName, spec\.hostname$/);
  });
});

describe("validatePodTemplateSpec()", () => {
  it("checks template labels, the spec, and refuses ephemeral containers", () => {
    const template: PodTemplateSpec = {
      metadata: { labels: { "bad key!": "x" } },
      spec: defaulted({
        containers: [{ name: "web", image: "nginx" }],
        ephemeralContainers: [{ name: "debug", image: "busybox" }],
      }),
    };
    assert.deepEqual(shown(validatePodTemplateSpec(template, root("spec").child("template"))), [
      "FieldValueInvalid spec.template.labels",
      "FieldValueForbidden spec.template.spec.ephemeralContainers",
    ]);
  });

  it("reports missing containers of an empty template at the template's spec", () => {
    const template: PodTemplateSpec = {};
    defaultPodTemplateSpec(template);
    assert.deepEqual(shown(validatePodTemplateSpec(template, root("template"))), [
      "FieldValueRequired template.spec.containers",
    ]);
  });
});
