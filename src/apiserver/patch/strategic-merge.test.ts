import assert from "node:assert/strict";
import { describe, it } from "node:test";

import "../../api/apps/v1/index.js";
import "../../api/core/v1/index.js";
import "../../api/policy/v1/index.js";
import { ref } from "../../api/schema.js";
import type { Schema } from "../../api/schema.js";
import { applyStrategicMergePatch, PatchError } from "./strategic-merge.js";

const DEPLOYMENT = ref("io.k8s.api.apps.v1.Deployment");
const POD = ref("io.k8s.api.core.v1.Pod");
const SERVICE = ref("io.k8s.api.core.v1.Service");
const CONTROLLER_REVISION = ref("io.k8s.api.apps.v1.ControllerRevision");

const PDB = ref("io.k8s.api.policy.v1.PodDisruptionBudget");

interface Case {
  name: string;
  schema?: Schema;
  live: unknown;
  patch: unknown;
  result: unknown;
}

/** A Deployment holding only the given pod spec. */
function podSpec(spec: unknown): unknown {
  return { spec: { template: { spec } } };
}

/** Names as containers: `{ name }`, or `{ name, image }` for `name=image`. */
function containers(...names: string[]): unknown[] {
  return names.map((n) => {
    const [name, image] = n.split("=");
    return image === undefined ? { name } : { name, image };
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

function objectsOf(value: unknown, into = new Set<unknown>()): Set<unknown> {
  if (typeof value === "object" && value !== null) {
    into.add(value);
    for (const member of Object.values(value)) objectsOf(member, into);
  }
  return into;
}

function directiveKeys(value: unknown, found: string[] = []): string[] {
  if (typeof value === "object" && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      if (key.startsWith("$")) found.push(key);
      directiveKeys(member, found);
    }
  }
  return found;
}

/** Applies the patch to frozen copies (any write would throw) and checks nothing is shared. */
function apply(schema: Schema, live: unknown, patch: unknown): unknown {
  const frozenLive = deepFreeze(structuredClone(live));
  const frozenPatch = deepFreeze(structuredClone(patch));
  const result = applyStrategicMergePatch(frozenLive, frozenPatch, schema);
  const inputs = objectsOf(frozenPatch, objectsOf(frozenLive));
  for (const object of objectsOf(result)) assert.ok(!inputs.has(object), "result shares an input");
  return result;
}

function runCases(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const result = apply(c.schema ?? DEPLOYMENT, c.live, c.patch);
      assert.deepEqual(result, c.result);
      assert.deepEqual(directiveKeys(result), [], "a directive reached the result");
    });
  }
}

describe("applyStrategicMergePatch() maps", () => {
  runCases([
    {
      name: "merges objects member by member",
      live: { metadata: { name: "web", labels: { app: "web" } }, spec: { replicas: 1 } },
      patch: { metadata: { labels: { tier: "front" } }, spec: { replicas: 3 } },
      result: {
        metadata: { name: "web", labels: { app: "web", tier: "front" } },
        spec: { replicas: 3 },
      },
    },
    {
      name: "null deletes a member, and is harmless on an absent one",
      live: { metadata: { labels: { app: "web", tier: "front" }, creationTimestamp: null } },
      patch: { metadata: { labels: { tier: null, gone: null }, creationTimestamp: null } },
      result: { metadata: { labels: { app: "web" } } },
    },
    {
      name: "a nested struct keeps the members the patch does not name",
      live: {
        spec: {
          strategy: {
            type: "RollingUpdate",
            rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 },
          },
        },
      },
      patch: { spec: { strategy: { rollingUpdate: { maxSurge: 1 } } } },
      result: {
        spec: {
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        },
      },
    },
    {
      name: "kubectl rollout restart adds a template annotation",
      live: { spec: { template: { metadata: { labels: { app: "web" } } } } },
      patch: {
        spec: {
          template: {
            metadata: {
              annotations: { "kubectl.kubernetes.io/restartedAt": "2024-05-01T10:00:00Z" },
            },
          },
        },
      },
      result: {
        spec: {
          template: {
            metadata: {
              labels: { app: "web" },
              annotations: { "kubectl.kubernetes.io/restartedAt": "2024-05-01T10:00:00Z" },
            },
          },
        },
      },
    },
    {
      name: "$patch: replace on a map keeps only the patch's members",
      live: { metadata: { labels: { app: "web", tier: "front" } } },
      patch: { metadata: { labels: { $patch: "replace", app: "api" } } },
      result: { metadata: { labels: { app: "api" } } },
    },
    {
      name: "$patch: replace on a struct drops its nulls and applies nested directives",
      live: { spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } },
      patch: { spec: { strategy: { $patch: "replace", type: "Recreate", rollingUpdate: null } } },
      result: { spec: { strategy: { type: "Recreate" } } },
    },
    {
      name: "$patch: replace at the root replaces the whole object",
      live: { metadata: { name: "web" }, spec: { replicas: 2 } },
      patch: { $patch: "replace", metadata: { name: "web2" } },
      result: { metadata: { name: "web2" } },
    },
    {
      name: "$patch: delete on a live map leaves it empty, as upstream does",
      live: { spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } },
      patch: { spec: { strategy: { rollingUpdate: { $patch: "delete" } } } },
      result: { spec: { strategy: { type: "RollingUpdate", rollingUpdate: {} } } },
    },
    {
      name: "$patch: delete on a map the live object lacks adds nothing",
      live: { spec: { replicas: 1 } },
      patch: { spec: { strategy: { $patch: "delete" } } },
      result: { spec: { replicas: 1 } },
    },
    {
      name: "a map the live object lacks is built without the patch's nulls",
      live: { spec: { replicas: 1 } },
      patch: { spec: { strategy: { type: "Recreate", rollingUpdate: null } } },
      result: { spec: { replicas: 1, strategy: { type: "Recreate" } } },
    },
    {
      name: "an object replaces a scalar the live object holds in a free-form place",
      live: { metadata: { annotations: { a: "x" } }, spec: { paused: true } },
      patch: { spec: { paused: false }, metadata: { annotations: { a: "y" } } },
      result: { metadata: { annotations: { a: "y" } }, spec: { paused: false } },
    },
  ]);
});

describe("applyStrategicMergePatch() lists merged by key", () => {
  runCases([
    {
      name: "kubectl apply: the body kubectl sends for an image change",
      live: {
        metadata: {
          name: "web",
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}\n" },
        },
        spec: {
          replicas: 1,
          template: {
            spec: {
              containers: [
                {
                  name: "nginx",
                  image: "nginx:1.25",
                  ports: [{ containerPort: 80, protocol: "TCP" }],
                },
              ],
            },
          },
        },
      },
      patch: {
        metadata: {
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"kind":"x"}\n' },
        },
        spec: {
          replicas: 3,
          template: {
            spec: {
              "$setElementOrder/containers": [{ name: "nginx" }],
              containers: [{ image: "nginx:1.26", name: "nginx" }],
            },
          },
        },
      },
      result: {
        metadata: {
          name: "web",
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"kind":"x"}\n' },
        },
        spec: {
          replicas: 3,
          template: {
            spec: {
              containers: [
                {
                  name: "nginx",
                  image: "nginx:1.26",
                  ports: [{ containerPort: 80, protocol: "TCP" }],
                },
              ],
            },
          },
        },
      },
    },
    {
      name: "kubectl edit: the two-way diff kubectl sends",
      live: podSpec({ containers: containers("nginx=nginx:1.26", "log=busybox") }),
      patch: podSpec({
        "$setElementOrder/containers": [{ name: "nginx" }, { name: "log" }],
        containers: [{ image: "nginx:1.27", name: "nginx" }],
      }),
      result: podSpec({ containers: containers("nginx=nginx:1.27", "log=busybox") }),
    },
    {
      name: "a container added without $setElementOrder lands before the live ones, as upstream",
      live: podSpec({ containers: containers("app=app:1") }),
      patch: podSpec({ containers: containers("sidecar=busybox") }),
      result: podSpec({ containers: containers("sidecar=busybox", "app=app:1") }),
    },
    {
      name: "kubectl apply adding a sidecar places it with $setElementOrder",
      live: podSpec({ containers: containers("nginx=nginx") }),
      patch: podSpec({
        "$setElementOrder/containers": [{ name: "nginx" }, { name: "sidecar" }],
        containers: [{ image: "busybox", name: "sidecar" }],
      }),
      result: podSpec({ containers: containers("nginx=nginx", "sidecar=busybox") }),
    },
    {
      name: "kubectl apply removing a container sends $patch: delete",
      live: podSpec({ containers: containers("nginx=nginx", "sidecar=busybox") }),
      patch: podSpec({
        "$setElementOrder/containers": [{ name: "nginx" }],
        containers: [{ $patch: "delete", name: "sidecar" }],
      }),
      result: podSpec({ containers: containers("nginx=nginx") }),
    },
    {
      name: "renaming a container next to a server-only one orders as upstream",
      live: podSpec({ containers: containers("a", "b", "x") }),
      patch: podSpec({
        "$setElementOrder/containers": [{ name: "a" }, { name: "d" }],
        containers: [
          { name: "d", image: "d" },
          { name: "b", $patch: "delete" },
        ],
      }),
      result: podSpec({ containers: containers("a", "x", "d=d") }),
    },
    {
      name: "upstream case: add map and delete map from merging list",
      live: podSpec({ containers: containers("1", "2=b", "4=c") }),
      patch: podSpec({
        "$setElementOrder/containers": [{ name: "2" }, { name: "3" }],
        containers: [{ name: "3" }, { name: "1", $patch: "delete" }],
      }),
      result: podSpec({ containers: containers("2=b", "4=c", "3") }),
    },
    {
      name: "env merges by name inside a merged container, ordered by kubectl's list",
      live: podSpec({
        containers: [
          {
            name: "app",
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
          },
        ],
      }),
      patch: podSpec({
        "$setElementOrder/containers": [{ name: "app" }],
        containers: [
          {
            "$setElementOrder/env": [{ name: "A" }, { name: "B" }, { name: "C" }],
            env: [
              { name: "A", value: "10" },
              { name: "C", value: "3" },
            ],
            name: "app",
          },
        ],
      }),
      result: podSpec({
        containers: [
          {
            name: "app",
            env: [
              { name: "A", value: "10" },
              { name: "B", value: "2" },
              { name: "C", value: "3" },
            ],
          },
        ],
      }),
    },
    {
      name: "an env var switched from value to valueFrom",
      live: podSpec({ containers: [{ name: "app", env: [{ name: "A", value: "1" }] }] }),
      patch: podSpec({
        containers: [
          {
            name: "app",
            env: [
              { name: "A", value: null, valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
            ],
          },
        ],
      }),
      result: podSpec({
        containers: [
          {
            name: "app",
            env: [{ name: "A", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
          },
        ],
      }),
    },
    {
      name: "volumeMounts merge by mountPath and ports by containerPort",
      live: podSpec({
        containers: [
          {
            name: "app",
            volumeMounts: [{ name: "data", mountPath: "/data" }],
            ports: [{ containerPort: 80, protocol: "TCP" }],
          },
        ],
      }),
      patch: podSpec({
        containers: [
          {
            name: "app",
            volumeMounts: [{ mountPath: "/data", readOnly: true }],
            ports: [{ containerPort: 80, name: "http" }, { containerPort: 443 }],
          },
        ],
      }),
      result: podSpec({
        containers: [
          {
            name: "app",
            volumeMounts: [{ name: "data", mountPath: "/data", readOnly: true }],
            ports: [{ containerPort: 80, protocol: "TCP", name: "http" }, { containerPort: 443 }],
          },
        ],
      }),
    },
    {
      name: "a Pod's container image changed by kubectl patch, by name",
      schema: POD,
      live: {
        metadata: { name: "p" },
        spec: {
          containers: [
            { name: "app", image: "app:1" },
            { name: "log", image: "log:1" },
          ],
        },
      },
      patch: { spec: { containers: [{ name: "log", image: "log:2" }] } },
      result: {
        metadata: { name: "p" },
        spec: {
          containers: [
            { name: "app", image: "app:1" },
            { name: "log", image: "log:2" },
          ],
        },
      },
    },
    {
      name: "Service ports merge by port",
      schema: SERVICE,
      live: {
        spec: {
          ports: [
            { port: 80, targetPort: 8080, protocol: "TCP" },
            { port: 443, targetPort: 8443, protocol: "TCP" },
          ],
        },
      },
      patch: { spec: { ports: [{ port: 80, targetPort: "http" }] } },
      result: {
        spec: {
          ports: [
            { port: 80, targetPort: "http", protocol: "TCP" },
            { port: 443, targetPort: 8443, protocol: "TCP" },
          ],
        },
      },
    },
    {
      name: "ownerReferences merge by uid",
      schema: POD,
      live: { metadata: { ownerReferences: [{ uid: "u1", name: "rs-1", controller: true }] } },
      patch: {
        metadata: {
          ownerReferences: [
            { uid: "u1", blockOwnerDeletion: true },
            { uid: "u2", name: "rs-2" },
          ],
        },
      },
      result: {
        metadata: {
          ownerReferences: [
            { uid: "u1", name: "rs-1", controller: true, blockOwnerDeletion: true },
            { uid: "u2", name: "rs-2" },
          ],
        },
      },
    },
    {
      name: "status conditions merge by type",
      live: {
        status: {
          conditions: [
            { type: "Available", status: "True" },
            { type: "Progressing", status: "True" },
          ],
        },
      },
      patch: { status: { conditions: [{ type: "Available", status: "False", reason: "Min" }] } },
      result: {
        status: {
          conditions: [
            { type: "Available", status: "False", reason: "Min" },
            { type: "Progressing", status: "True" },
          ],
        },
      },
    },
    {
      name: "$patch: replace inside a list replaces it with the other elements",
      live: podSpec({ containers: containers("a=1", "b=2") }),
      patch: podSpec({
        containers: [{ name: "c", image: "3", args: null }, { $patch: "replace" }],
      }),
      result: podSpec({ containers: containers("c=3") }),
    },
    {
      name: "a lone $patch: replace empties the list",
      live: podSpec({ imagePullSecrets: [{ name: "a" }, { name: "b" }] }),
      patch: podSpec({ imagePullSecrets: [{ $patch: "replace" }] }),
      result: podSpec({ imagePullSecrets: [] }),
    },
    {
      name: "$patch: delete removes every element with the key, and ignores missing ones",
      live: podSpec({ imagePullSecrets: [{ name: "a" }, { name: "a" }, { name: "b" }] }),
      patch: podSpec({
        imagePullSecrets: [
          { name: "a", $patch: "delete" },
          { name: "zz", $patch: "delete" },
        ],
      }),
      result: podSpec({ imagePullSecrets: [{ name: "b" }] }),
    },
    {
      name: "a list the live object lacks is built: directive elements and nulls dropped",
      live: podSpec({ containers: containers("app") }),
      patch: podSpec({
        initContainers: [
          { name: "init", image: "busybox", env: [{ name: "X", value: null }] },
          { name: "gone", $patch: "delete" },
        ],
      }),
      result: podSpec({
        containers: containers("app"),
        initContainers: [{ name: "init", image: "busybox", env: [{ name: "X" }] }],
      }),
    },
    {
      name: "patch elements sharing a key both merge into the live element",
      live: podSpec({ containers: containers("a=1") }),
      patch: podSpec({
        containers: [
          { name: "a", image: "2" },
          { name: "a", tty: true },
        ],
      }),
      result: podSpec({ containers: [{ name: "a", image: "2", tty: true }] }),
    },
    {
      name: "upstream case: the patch's order wins over the live list's",
      live: podSpec({ containers: containers("1", "2=b", "3") }),
      patch: podSpec({
        containers: [
          { name: "3", image: "c" },
          { name: "1", image: "a" },
        ],
      }),
      result: podSpec({ containers: containers("2=b", "3=c", "1=a") }),
    },
  ]);
});

describe("applyStrategicMergePatch() lists of scalars", () => {
  runCases([
    {
      name: "finalizers merge as a set without duplicates",
      live: { metadata: { finalizers: ["a", "b"] } },
      patch: { metadata: { finalizers: ["b", "c", "c"] } },
      result: { metadata: { finalizers: ["a", "b", "c"] } },
    },
    {
      name: "a finalizer the live list lacks goes before it without $setElementOrder",
      live: { metadata: { finalizers: ["a", "b"] } },
      patch: { metadata: { finalizers: ["c"] } },
      result: { metadata: { finalizers: ["c", "a", "b"] } },
    },
    {
      name: "upstream case: preserve the order from the patch in a merging list of scalars",
      live: { metadata: { finalizers: ["1", "2", "3"] } },
      patch: { metadata: { finalizers: ["3", "1"] } },
      result: { metadata: { finalizers: ["2", "3", "1"] } },
    },
    {
      name: "$deleteFromPrimitiveList removes every occurrence",
      live: { metadata: { finalizers: ["a", "b", "c", "b"] } },
      patch: { metadata: { "$deleteFromPrimitiveList/finalizers": ["b", "zz"] } },
      result: { metadata: { finalizers: ["a", "c"] } },
    },
    {
      name: "$deleteFromPrimitiveList adds no list the live object lacks",
      live: { metadata: { name: "x" } },
      patch: { metadata: { "$deleteFromPrimitiveList/finalizers": ["b"] } },
      result: { metadata: { name: "x" } },
    },
    {
      name: "$deleteFromPrimitiveList also works on a replaced list, as upstream",
      live: podSpec({ containers: [{ name: "a", args: ["x", "y", "z"] }] }),
      patch: podSpec({ containers: [{ name: "a", "$deleteFromPrimitiveList/args": ["y"] }] }),
      result: podSpec({ containers: [{ name: "a", args: ["x", "z"] }] }),
    },
    {
      name: "design-proposal finalizers example: order, delete and add together",
      live: { metadata: { finalizers: ["b", "e", "a", "c", "d"] } },
      patch: {
        metadata: {
          "$setElementOrder/finalizers": ["a", "b", "f"],
          "$deleteFromPrimitiveList/finalizers": ["c"],
          finalizers: ["f"],
        },
      },
      result: { metadata: { finalizers: ["e", "a", "b", "f", "d"] } },
    },
    {
      name: "a list without a strategy is replaced whole",
      live: podSpec({ containers: [{ name: "a", args: ["x", "y"] }], tolerations: [{ key: "k" }] }),
      patch: podSpec({ containers: [{ name: "a", args: ["z"] }], tolerations: [{ key: "j" }] }),
      result: podSpec({ containers: [{ name: "a", args: ["z"] }], tolerations: [{ key: "j" }] }),
    },
  ]);
});

describe("applyStrategicMergePatch() $setElementOrder", () => {
  runCases([
    {
      name: "reorders a live list the patch does not otherwise touch",
      live: podSpec({ containers: containers("a", "b", "c") }),
      patch: podSpec({
        "$setElementOrder/containers": [{ name: "c" }, { name: "a" }, { name: "b" }],
      }),
      result: podSpec({ containers: containers("c", "a", "b") }),
    },
    {
      name: "upstream case: set elements order in a list with server-only items",
      live: podSpec({ containers: containers("1=a", "2", "9", "3", "4") }),
      patch: podSpec({
        "$setElementOrder/containers": [{ name: "2" }, { name: "1" }, { name: "4" }, { name: "3" }],
      }),
      result: podSpec({ containers: containers("2", "1=a", "9", "4", "3") }),
    },
    {
      name: "upstream case: merge lists of scalars with an order",
      live: { metadata: { finalizers: ["1", "2", "4"] } },
      patch: { metadata: { "$setElementOrder/finalizers": ["1", "2", "3"], finalizers: ["3"] } },
      result: { metadata: { finalizers: ["1", "2", "3", "4"] } },
    },
    {
      name: "elements named only by the order are ignored",
      live: podSpec({ containers: containers("1", "3") }),
      patch: podSpec({
        "$setElementOrder/containers": [{ name: "3" }, { name: "2" }, { name: "1" }],
        containers: [
          { name: "3", image: "c" },
          { name: "1", image: "a" },
        ],
      }),
      result: podSpec({ containers: containers("3=c", "1=a") }),
    },
    {
      name: "upstream case: an order over a list with duplicate keys",
      live: { metadata: { finalizers: ["1", "2", "3", "2", "4"] } },
      patch: { metadata: { "$setElementOrder/finalizers": ["2", "1", "4", "3", "2"] } },
      result: { metadata: { finalizers: ["2", "2", "1", "4", "3"] } },
    },
    {
      name: "orders a list the live object lacks, skipping its directive elements",
      live: podSpec({ containers: containers("app") }),
      patch: podSpec({
        "$setElementOrder/initContainers": [{ name: "b" }, { name: "x" }, { name: "a" }],
        initContainers: [{ name: "b" }, { name: "a", $patch: "replace" }, { name: "a" }],
      }),
      result: podSpec({ containers: containers("app"), initContainers: containers("b", "a") }),
    },
    {
      name: "an empty $setElementOrder leaves upstream's sort reversing the new list",
      live: { metadata: { name: "x" } },
      patch: { metadata: { "$setElementOrder/finalizers": [], finalizers: ["a", "b", "c"] } },
      result: { metadata: { name: "x", finalizers: ["c", "b", "a"] } },
    },
    {
      name: "orders a replaced list of scalars",
      live: podSpec({ containers: [{ name: "a", args: ["x", "y"] }] }),
      patch: podSpec({ containers: [{ name: "a", "$setElementOrder/args": ["y", "x"] }] }),
      result: podSpec({ containers: [{ name: "a", args: ["y", "x"] }] }),
    },
  ]);
});

describe("applyStrategicMergePatch() fields replaced whole", () => {
  runCases([
    {
      name: "a PodDisruptionBudget's selector (patch strategy replace) takes the patch's value alone",
      schema: PDB,
      live: { spec: { minAvailable: 1, selector: { matchLabels: { app: "a", old: "y" } } } },
      patch: { spec: { selector: { matchLabels: { app: "b" }, matchExpressions: null } } },
      result: { spec: { minAvailable: 1, selector: { matchLabels: { app: "b" } } } },
    },
  ]);
});

describe("applyStrategicMergePatch() $retainKeys", () => {
  runCases([
    {
      name: "kubectl apply switching a Deployment to Recreate clears rollingUpdate",
      live: {
        spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%" } } },
      },
      patch: {
        spec: { strategy: { $retainKeys: ["type"], rollingUpdate: null, type: "Recreate" } },
      },
      result: { spec: { strategy: { type: "Recreate" } } },
    },
    {
      name: "kubectl apply switching a volume from emptyDir to a config map",
      live: podSpec({
        volumes: [
          { name: "data", emptyDir: {} },
          { name: "tmp", emptyDir: {} },
        ],
      }),
      patch: podSpec({
        "$setElementOrder/volumes": [{ name: "data" }, { name: "tmp" }],
        volumes: [{ $retainKeys: ["configMap", "name"], configMap: { name: "cm" }, name: "data" }],
      }),
      result: podSpec({
        volumes: [
          { name: "data", configMap: { name: "cm" } },
          { name: "tmp", emptyDir: {} },
        ],
      }),
    },
    {
      name: "$retainKeys alone clears what it does not list",
      live: { spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } },
      patch: { spec: { strategy: { $retainKeys: ["type"] } } },
      result: { spec: { strategy: { type: "RollingUpdate" } } },
    },
  ]);
});

describe("applyStrategicMergePatch() free-form and unknown fields", () => {
  runCases([
    {
      name: "a field of type any merges objects and replaces lists",
      schema: CONTROLLER_REVISION,
      live: { data: { spec: { template: { spec: { containers: [{ name: "a" }] } } }, keep: 1 } },
      patch: { data: { spec: { template: { spec: { containers: [{ name: "b" }] } } } } },
      result: { data: { spec: { template: { spec: { containers: [{ name: "b" }] } } }, keep: 1 } },
    },
    {
      name: "an unknown field merges like a merge patch",
      live: podSpec({ extra: { a: 1, list: [1, 2] } }),
      patch: podSpec({ extra: { b: 2, list: [3], a: null } }),
      result: podSpec({ extra: { b: 2, list: [3] } }),
    },
    {
      name: "managedFields, an atomic list, is replaced",
      live: { metadata: { managedFields: [{ manager: "a" }, { manager: "b" }] } },
      patch: { metadata: { managedFields: [{ manager: "c", fieldsV1: { "f:spec": {} } }] } },
      result: { metadata: { managedFields: [{ manager: "c", fieldsV1: { "f:spec": {} } }] } },
    },
    {
      name: "quantities and int-or-strings are replaced, resource maps merge by name",
      live: podSpec({
        containers: [{ name: "a", resources: { limits: { cpu: "1", memory: "1Gi" } } }],
      }),
      patch: podSpec({
        containers: [{ name: "a", resources: { limits: { cpu: "500m", memory: null } } }],
      }),
      result: podSpec({ containers: [{ name: "a", resources: { limits: { cpu: "500m" } } }] }),
    },
  ]);
});

describe("applyStrategicMergePatch() refusals", () => {
  const cases: {
    name: string;
    live?: unknown;
    patch: unknown;
    kind?: "invalid" | "failed";
    message: RegExp;
  }[] = [
    {
      name: "a patch that is a list",
      patch: [{ a: 1 }],
      message: /must be a JSON object, not a list/,
    },
    { name: "a patch that is not JSON", patch: { a: Number.NaN }, message: /not JSON/ },
    {
      name: "a keyed element without its merge key",
      live: podSpec({ containers: containers("a") }),
      patch: podSpec({ containers: [{ image: "x" }] }),
      message:
        /spec\.template\.spec\.containers\[0\]: the element does not contain the merge key "name"/,
    },
    {
      name: "a new keyed element without its merge key",
      patch: podSpec({ containers: [{ image: "x" }] }),
      message: /merge key "name"/,
    },
    {
      name: "a $patch: delete element without its merge key",
      live: podSpec({ containers: containers("a") }),
      patch: podSpec({ containers: [{ $patch: "delete" }] }),
      message: /merge key "name"/,
    },
    {
      name: "$patch: merge in a map",
      live: { spec: { strategy: { type: "Recreate" } } },
      patch: { spec: { strategy: { $patch: "merge", type: "RollingUpdate" } } },
      message: /spec\.strategy: "\$patch": "merge" is not allowed/,
    },
    {
      name: "an unknown $patch in a map",
      patch: { spec: { $patch: "remove" } },
      message: /unknown "\$patch" directive "remove" in a map/,
    },
    {
      name: "$patch: merge in a list",
      live: podSpec({ containers: containers("a") }),
      patch: podSpec({ containers: [{ name: "a", $patch: "merge" }] }),
      message: /"\$patch": "merge" is not allowed in a list/,
    },
    {
      name: "an unknown $patch in a list",
      live: podSpec({ containers: containers("a") }),
      patch: podSpec({ containers: [{ name: "a", $patch: 1 }] }),
      message: /unknown "\$patch" directive 1 in a list/,
    },
    {
      name: "a $setElementOrder that is not a list",
      patch: podSpec({ "$setElementOrder/containers": { name: "a" } }),
      message: /"\$setElementOrder\/containers" must be a list/,
    },
    {
      name: "a $setElementOrder whose entries lack the merge key",
      live: podSpec({ containers: containers("a") }),
      patch: podSpec({ "$setElementOrder/containers": ["a"] }),
      message: /must list objects with the merge key "name", not the string "a"/,
    },
    {
      name: "a patch list out of $setElementOrder's order",
      live: podSpec({ containers: containers("1", "3", "2") }),
      patch: podSpec({
        "$setElementOrder/containers": [{ name: "1" }, { name: "2" }, { name: "3" }],
        containers: [{ name: "3" }, { name: "1" }],
      }),
      message: /the order of the list does not match "\$setElementOrder\/containers"/,
    },
    {
      name: "a patch list naming an element $setElementOrder lacks",
      live: { metadata: { finalizers: ["a"] } },
      patch: { metadata: { "$setElementOrder/finalizers": ["a"], finalizers: ["b"] } },
      message: /does not match/,
    },
    {
      name: "$setElementOrder on a field that is not a list",
      patch: { spec: { "$setElementOrder/strategy": [] } },
      message: /names strategy, which is not a list/,
    },
    {
      name: "a directive prefix without its slash",
      patch: { metadata: { $setElementOrderfinalizers: ["a"] } },
      message: /is not a directive; write "\$setElementOrder\/<field>"/,
    },
    {
      name: "$deleteFromPrimitiveList with objects",
      live: { metadata: { finalizers: ["a"] } },
      patch: { metadata: { "$deleteFromPrimitiveList/finalizers": [{ a: 1 }] } },
      message: /must be a list of scalars/,
    },
    {
      name: "$deleteFromPrimitiveList on a list of objects",
      live: podSpec({ containers: containers("a") }),
      patch: podSpec({ "$deleteFromPrimitiveList/containers": ["a"] }),
      message: /list mixes elements of different types/,
    },
    {
      name: "$retainKeys that is not a list of names",
      live: { spec: { strategy: { type: "Recreate" } } },
      patch: { spec: { strategy: { $retainKeys: "type" } } },
      message: /"\$retainKeys" must be a list of field names/,
    },
    {
      name: "a patch member $retainKeys does not list",
      live: { spec: { strategy: { type: "Recreate" } } },
      patch: { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: { maxSurge: 1 } } } },
      message: /field "rollingUpdate" is set by the patch but not in "\$retainKeys"/,
    },
    {
      name: "a scalar where an object is required",
      patch: { spec: "replicas=3" },
      message: /spec: expected an object, not the string "replicas=3"/,
    },
    {
      name: "a list where an object is required",
      live: { spec: { template: {} } },
      patch: { spec: { template: [] } },
      message: /spec\.template: expected an object, not a list/,
    },
    {
      name: "an object where a list is required",
      live: podSpec({ containers: containers("a") }),
      patch: podSpec({ containers: { name: "a" } }),
      message: /containers: expected a list, not an object/,
    },
    {
      name: "an object where a scalar is required",
      patch: { spec: { replicas: { value: 3 } } },
      message: /spec\.replicas: expected a scalar, not an object/,
    },
    {
      name: "a scalar in a keyed list",
      live: podSpec({ containers: containers("a") }),
      patch: podSpec({ containers: ["a"] }),
      message: /list mixes elements of different types/,
    },
    {
      name: "a set mixing types",
      live: { metadata: { finalizers: ["a"] } },
      patch: { metadata: { finalizers: [1] } },
      message: /list mixes elements of different types \(string and number\)/,
    },
    {
      name: "a list of lists in a merged list, which upstream answers with 422",
      live: { metadata: { finalizers: ["a"] } },
      patch: { metadata: { finalizers: [["b"]] } },
      kind: "failed",
      message: /lists of lists are not supported/,
    },
    {
      name: "a live keyed list with an element lacking the merge key",
      live: podSpec({ containers: [{ image: "x" }] }),
      patch: podSpec({ containers: containers("a") }),
      kind: "failed",
      message: /the live list has an element without the merge key "name"/,
    },
    {
      name: "a target that is not an object",
      live: ["a"],
      patch: {},
      kind: "failed",
      message: /the target is a list/,
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.name}`, () => {
      assert.throws(
        () => applyStrategicMergePatch(c.live ?? {}, c.patch, DEPLOYMENT),
        (err: unknown) => {
          assert.ok(err instanceof PatchError, String(err));
          assert.equal(err.kind, c.kind ?? "invalid");
          assert.match(err.message, /^Cannot apply strategic merge patch: /);
          assert.match(err.message, c.message);
          return true;
        },
      );
    });
  }

  it("refuses a target that is not JSON, naming where", () => {
    assert.throws(
      () => applyStrategicMergePatch({ spec: { replicas: () => 1 } }, {}, DEPLOYMENT),
      /the target is not JSON: the value at \/spec\/replicas is function/,
    );
  });
});

describe("applyStrategicMergePatch() purity", () => {
  it("leaves both inputs untouched and shares nothing with them", () => {
    const live = podSpec({
      containers: containers("a=1", "b=2"),
      volumes: [{ name: "v", emptyDir: {} }],
    });
    const patch = podSpec({
      "$setElementOrder/containers": [{ name: "b" }, { name: "a" }],
      containers: [{ name: "b", image: "3", env: [{ name: "E", value: "v" }] }],
      volumes: [{ $retainKeys: ["name", "configMap"], name: "v", configMap: { name: "c" } }],
    });
    const result = apply(DEPLOYMENT, live, patch);
    assert.deepEqual(
      result,
      podSpec({
        containers: [
          { name: "b", image: "3", env: [{ name: "E", value: "v" }] },
          { name: "a", image: "1" },
        ],
        volumes: [{ name: "v", configMap: { name: "c" } }],
      }),
    );
  });

  it("an empty patch returns an equal copy of the target", () => {
    const live = { metadata: { name: "web" }, spec: { replicas: 2 } };
    const result = applyStrategicMergePatch(live, {}, DEPLOYMENT);
    assert.deepEqual(result, live);
    assert.notEqual(result, live);
  });
});
