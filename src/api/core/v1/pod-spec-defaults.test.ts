import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  defaultPodOnlyFields,
  defaultPodSpec,
  defaultPodTemplateSpec,
  type PodSpec,
  type PodTemplateSpec,
} from "./pod-spec.js";

const DIGEST = `sha256:${"a".repeat(64)}`;

/** A spec defaulted the way the API server stores it. */
function defaulted(spec: PodSpec): PodSpec {
  const copy = structuredClone(spec);
  defaultPodSpec(copy);
  return copy;
}

describe("defaultPodSpec()", () => {
  it("fills in upstream's pod and container defaults", () => {
    assert.deepEqual(defaulted({ containers: [{ name: "web", image: "nginx" }] }), {
      containers: [
        {
          name: "web",
          image: "nginx",
          imagePullPolicy: "Always",
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          resources: {},
        },
      ],
      restartPolicy: "Always",
      dnsPolicy: "ClusterFirst",
      terminationGracePeriodSeconds: 30,
      schedulerName: "default-scheduler",
      securityContext: {},
    });
  });

  const pullPolicies: [image: string | undefined, policy: string][] = [
    ["nginx", "Always"],
    ["nginx:latest", "Always"],
    ["nginx:1.25", "IfNotPresent"],
    [`nginx@${DIGEST}`, "IfNotPresent"],
    [`nginx:latest@${DIGEST}`, "Always"],
    ["registry.local:5000/team/app", "Always"],
    ["registry.local:5000/team/app:v1", "IfNotPresent"],
    ["NGINX", "IfNotPresent"],
    [undefined, "IfNotPresent"],
  ];
  for (const [image, policy] of pullPolicies) {
    it(`defaults imagePullPolicy of image ${JSON.stringify(image)} to ${policy}`, () => {
      const spec = defaulted({
        containers: [image === undefined ? { name: "c" } : { name: "c", image }],
      });
      assert.equal(spec.containers?.[0]?.imagePullPolicy, policy);
    });
  }

  it("keeps values that are already set", () => {
    const spec = defaulted({
      containers: [
        {
          name: "c",
          image: "nginx",
          imagePullPolicy: "Never",
          terminationMessagePolicy: "FallbackToLogsOnError",
        },
      ],
      restartPolicy: "Never",
      dnsPolicy: "None",
      terminationGracePeriodSeconds: 0,
      schedulerName: "mine",
    });
    assert.equal(spec.containers?.[0]?.imagePullPolicy, "Never");
    assert.equal(spec.containers?.[0]?.terminationMessagePolicy, "FallbackToLogsOnError");
    assert.equal(spec.restartPolicy, "Never");
    assert.equal(spec.dnsPolicy, "None");
    assert.equal(spec.terminationGracePeriodSeconds, 0);
    assert.equal(spec.schedulerName, "mine");
  });

  it("defaults ports, probes, lifecycle handlers and env selectors of every kind of container", () => {
    const spec = defaulted({
      initContainers: [
        { name: "init", image: "busybox", ports: [{ containerPort: 53, protocol: "UDP" }] },
      ],
      containers: [
        {
          name: "web",
          image: "nginx",
          ports: [{ containerPort: 80 }],
          livenessProbe: { httpGet: { port: 80 } },
          readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
          lifecycle: { preStop: { httpGet: { port: "http", path: "/stop" } } },
          env: [
            { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
          ],
        },
      ],
      ephemeralContainers: [{ name: "debug", image: "busybox" }],
    });
    const web = spec.containers?.[0];
    assert.deepEqual(spec.initContainers?.[0]?.ports, [{ containerPort: 53, protocol: "UDP" }]);
    assert.deepEqual(web?.ports, [{ containerPort: 80, protocol: "TCP" }]);
    assert.deepEqual(web?.livenessProbe, {
      httpGet: { port: 80, path: "/", scheme: "HTTP" },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(web?.readinessProbe, {
      grpc: { port: 9000, service: "" },
      periodSeconds: 5,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(web?.lifecycle?.preStop?.httpGet, {
      port: "http",
      path: "/stop",
      scheme: "HTTP",
    });
    assert.deepEqual(web?.env?.[0]?.valueFrom?.fieldRef, {
      fieldPath: "metadata.name",
      apiVersion: "v1",
    });
    assert.deepEqual(web?.env?.[1]?.valueFrom?.resourceFieldRef, {
      resource: "limits.cpu",
      divisor: "0",
    });
    assert.equal(spec.ephemeralContainers?.[0]?.terminationMessagePath, "/dev/termination-log");
  });

  it("rounds resource quantities up to milli and writes them canonically", () => {
    const spec = defaulted({
      containers: [
        {
          name: "c",
          image: "i",
          resources: {
            limits: { cpu: "1000m", memory: "0.5Gi" },
            requests: { cpu: "1n", memory: 1024 },
          },
        },
      ],
      overhead: { cpu: "0.25" },
    });
    assert.deepEqual(spec.containers?.[0]?.resources, {
      limits: { cpu: "1", memory: "512Mi" },
      requests: { cpu: "1m", memory: "1024" },
    });
    assert.deepEqual(spec.overhead, { cpu: "250m" });
  });

  it("defaults volume sources", () => {
    const spec = defaulted({
      containers: [{ name: "c", image: "i" }],
      volumes: [
        { name: "scratch" },
        { name: "cfg", configMap: { name: "cfg" } },
        { name: "creds", secret: { secretName: "creds", defaultMode: 0o400 } },
        {
          name: "info",
          downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] },
        },
        { name: "token", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
        { name: "host", hostPath: { path: "/var/log" } },
        {
          name: "disk",
          iscsi: { targetPortal: "10.0.0.1", iqn: "iqn.2001-04.com.example:disk", lun: 0 },
        },
      ],
    });
    assert.deepEqual(spec.volumes, [
      { name: "scratch", emptyDir: {} },
      { name: "cfg", configMap: { name: "cfg", defaultMode: 420 } },
      { name: "creds", secret: { secretName: "creds", defaultMode: 0o400 } },
      {
        name: "info",
        downwardAPI: {
          items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels", apiVersion: "v1" } }],
          defaultMode: 420,
        },
      },
      {
        name: "token",
        projected: {
          sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 3600 } }],
          defaultMode: 420,
        },
      },
      { name: "host", hostPath: { path: "/var/log", type: "" } },
      {
        name: "disk",
        iscsi: {
          targetPortal: "10.0.0.1",
          iqn: "iqn.2001-04.com.example:disk",
          lun: 0,
          iscsiInterface: "default",
        },
      },
    ]);
  });

  it("is idempotent", () => {
    const once = defaulted({
      containers: [
        {
          name: "c",
          image: "nginx",
          resources: { limits: { cpu: "0.5" } },
          startupProbe: { exec: { command: ["true"] } },
          env: [
            {
              name: "X",
              valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } },
            },
          ],
        },
      ],
      volumes: [
        { name: "v" },
        {
          name: "w",
          ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"] } } },
        },
      ],
    });
    assert.deepEqual(defaulted(once), once);
  });

  it("leaves the pod-only defaults out of templates", () => {
    const spec = defaulted({
      containers: [{ name: "c", image: "i", resources: { limits: { cpu: "1" } } }],
      hostNetwork: true,
    });
    assert.equal(spec.enableServiceLinks, undefined);
    assert.deepEqual(spec.containers?.[0]?.resources, { limits: { cpu: "1" } });
  });
});

describe("defaultPodOnlyFields()", () => {
  it("copies missing requests from limits, enables service links and sets host ports under host networking", () => {
    const spec: PodSpec = {
      hostNetwork: true,
      containers: [
        {
          name: "c",
          image: "i",
          ports: [{ containerPort: 8080 }],
          resources: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m" } },
        },
      ],
      initContainers: [{ name: "i", image: "i", resources: { limits: { memory: "64Mi" } } }],
    };
    defaultPodOnlyFields(spec);
    assert.deepEqual(spec.containers?.[0]?.resources?.requests, { cpu: "500m", memory: "1Gi" });
    assert.deepEqual(spec.initContainers?.[0]?.resources?.requests, { memory: "64Mi" });
    assert.equal(spec.containers?.[0]?.ports?.[0]?.hostPort, 8080);
    assert.equal(spec.enableServiceLinks, true);
  });

  it("keeps enableServiceLinks when it is false", () => {
    const spec: PodSpec = { enableServiceLinks: false };
    defaultPodOnlyFields(spec);
    assert.equal(spec.enableServiceLinks, false);
  });
});

describe("defaultPodTemplateSpec()", () => {
  it("creates and defaults a missing spec", () => {
    const template: PodTemplateSpec = {};
    defaultPodTemplateSpec(template);
    assert.deepEqual(template.spec, {
      dnsPolicy: "ClusterFirst",
      restartPolicy: "Always",
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: "default-scheduler",
    });
  });
});
