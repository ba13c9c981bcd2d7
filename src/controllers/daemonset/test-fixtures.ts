/** Builders of DaemonSets, nodes and daemon pods for the DaemonSet controller's table tests. */
import type { DaemonSet, DaemonSetUpdateStrategy } from "../../api/apps/v1/daemon-set.js";
import type { Node, Taint } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { PodSpec } from "../../api/core/v1/pod-shapes.js";
import { affinityForNode } from "./placement.js";

/** The fixed "now" of the tests. */
export const NOW = Date.parse("2024-06-01T12:00:00Z");

/** An RFC 3339 time `s` seconds before NOW. */
export function ago(s: number): string {
  return new Date(NOW - s * 1000).toISOString().replace(".000Z", "Z");
}

/** A DaemonSet `ds` of app `web` at template generation `generation`. */
export function makeDaemonSet(
  opts: {
    spec?: PodSpec;
    strategy?: DaemonSetUpdateStrategy;
    minReadySeconds?: number;
    generation?: number;
  } = {},
): DaemonSet {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: {
      name: "ds",
      namespace: "default",
      uid: "ds-uid",
      generation: opts.generation ?? 1,
      annotations: { "deprecated.daemonset.template.generation": String(opts.generation ?? 1) },
    },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "c", image: "nginx" }], ...opts.spec },
      },
      updateStrategy: opts.strategy ?? {
        type: "RollingUpdate",
        rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
      },
      minReadySeconds: opts.minReadySeconds ?? 0,
      revisionHistoryLimit: 10,
    },
    status: { observedGeneration: 1 },
  };
}

/** A node with labels and taints. */
export function makeNode(
  name: string,
  opts: { labels?: Record<string, string>; taints?: Taint[] } = {},
): Node {
  return {
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...opts.labels } },
    spec: opts.taints ? { taints: opts.taints } : {},
  };
}

/** What a test daemon pod is. */
export interface PodShape {
  /** The revision hash label; "new" by default. */
  hash?: string;
  phase?: string;
  ready?: boolean;
  /** Seconds since the pod became ready. */
  readyFor?: number;
  /** Seconds since creation; sorts pods by age. */
  age?: number;
  deleting?: boolean;
  /** Bound to its node (default), or only pinned by affinity. */
  bound?: boolean;
}

/** A daemon pod `name` for `node`. */
export function makePod(name: string, node: string, shape: PodShape = {}): Pod {
  const ready = shape.ready ?? shape.phase === undefined;
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      creationTimestamp: ago(shape.age ?? 100),
      labels: { app: "web", "controller-revision-hash": shape.hash ?? "new" },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "DaemonSet", name: "ds", uid: "ds-uid", controller: true },
      ],
    },
    spec: {
      containers: [{ name: "c", image: "nginx" }],
      affinity: affinityForNode(undefined, node),
      ...(shape.bound === false ? {} : { nodeName: node }),
    },
    status: {
      phase: shape.phase ?? "Running",
      conditions: [
        {
          type: "Ready",
          status: ready ? "True" : "False",
          lastTransitionTime: ago(shape.readyFor ?? 60),
        },
      ],
    },
  };
  if (shape.deleting) pod.metadata.deletionTimestamp = ago(1);
  return pod;
}
