/** Builders of nodes and pods for the scheduler's tests and benchmark. */
import type { Node, Taint } from "../api/core/v1/node.js";
import type { Pod } from "../api/core/v1/pod.js";
import type { PodSpec } from "../api/core/v1/pod-shapes.js";

/** What a test node may set. */
export interface NodeShape {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
  images?: { names: string[]; sizeBytes: number }[];
}

/** A node with allocatable resources (defaults: 4 CPU, 16Gi, 110 pods) and a hostname label. */
export function makeNode(name: string, shape: NodeShape = {}): Node {
  return {
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...shape.labels } },
    spec: {
      ...(shape.taints ? { taints: shape.taints } : {}),
      ...(shape.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      allocatable: {
        cpu: shape.cpu ?? "4",
        memory: shape.memory ?? "16Gi",
        pods: shape.pods ?? "110",
        ...shape.extra,
      },
      ...(shape.images ? { images: shape.images } : {}),
    },
  };
}

/** What a test pod may set. */
export interface PodShape {
  namespace?: string;
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
  node?: string;
  priority?: number;
  startTime?: string;
  spec?: PodSpec;
}

/** A pod with one container requesting the given CPU and memory (none when omitted). */
export function makePod(name: string, shape: PodShape = {}): Pod {
  const requests: Record<string, string> = {};
  if (shape.cpu) requests["cpu"] = shape.cpu;
  if (shape.memory) requests["memory"] = shape.memory;
  const namespace = shape.namespace ?? "default";
  return {
    metadata: {
      name,
      namespace,
      uid: `${namespace}-${name}`,
      ...(shape.labels ? { labels: shape.labels } : {}),
    },
    spec: {
      containers: [{ name: "c", image: "app:1", resources: { requests } }],
      ...(shape.node ? { nodeName: shape.node } : {}),
      ...(shape.priority !== undefined ? { priority: shape.priority } : {}),
      ...shape.spec,
    },
    ...(shape.startTime ? { status: { startTime: shape.startTime } } : {}),
  };
}
