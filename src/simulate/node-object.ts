/** The objects a simulated node writes: its Node, its Lease, and the addresses it hands out. */
import type { Node, NodeCondition } from "../api/core/v1/node.js";
import type { KubeObject } from "../api/meta/types.js";
import { KATES_VERSION, KUBERNETES_MINOR } from "../apiserver/version.js";

/** Label marking nodes that run nothing, as kwok's `type=kwok`. */
export const SIMULATED_LABEL = "kates.dev/simulated";

/** Capacity of each simulated node. */
export interface NodeCapacity {
  cpu: string;
  memory: string;
  pods: string;
}

/** The addresses of node number `index`: its InternalIP and pod range (private, never contacted). */
export function nodeAddresses(index: number): { internalIP: string; podCIDR: string } {
  if (!Number.isInteger(index) || index < 0 || index >= 32768)
    throw new Error(`Cannot address simulated node ${index}: index must be 0 to 32767`);
  const hi = index >> 8;
  const lo = index & 255;
  return {
    internalIP: `172.${16 + (hi >> 4)}.${(hi & 15) * 16 + (lo >> 4)}.${(lo & 15) + 1}`,
    podCIDR: `10.${128 + hi}.${lo}.0/24`,
  };
}

/** The Ready and pressure conditions of a healthy node, with upstream's reasons and messages. */
export function healthyConditions(now: string, since: string): NodeCondition[] {
  const cond = (type: string, status: string, reason: string, message: string): NodeCondition => ({
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: since,
    reason,
    message,
  });
  return [
    cond(
      "MemoryPressure",
      "False",
      "KubeletHasSufficientMemory",
      "kubelet has sufficient memory available",
    ),
    cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
  ];
}

/** The Node a simulated node registers. */
export function simulatedNode(
  name: string,
  index: number,
  capacity: NodeCapacity,
  now: string,
): Node {
  const { internalIP, podCIDR } = nodeAddresses(index);
  const resources = {
    cpu: capacity.cpu,
    memory: capacity.memory,
    pods: capacity.pods,
    "ephemeral-storage": "100Gi",
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
        [SIMULATED_LABEL]: "true",
      },
      annotations: { "node.alpha.kubernetes.io/ttl": "0" },
    },
    spec: { podCIDR, podCIDRs: [podCIDR] },
    status: {
      capacity: resources,
      allocatable: { ...resources },
      conditions: healthyConditions(now, now),
      addresses: [
        { type: "InternalIP", address: internalIP },
        { type: "Hostname", address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: "",
        systemUUID: "",
        bootID: "",
        kernelVersion: "simulated",
        osImage: "Kates simulated node",
        containerRuntimeVersion: `kates-simulated://${KATES_VERSION}`,
        kubeletVersion: `v1.${KUBERNETES_MINOR}.0-kates`,
        kubeProxyVersion: "",
        operatingSystem: "linux",
        architecture: "amd64",
      },
    },
  };
}

/** The node's Lease in kube-node-lease, as the kubelet keeps it. */
export function nodeLease(node: Node, now: string): KubeObject {
  const name = node.metadata.name ?? "";
  const owner = node.metadata.uid
    ? { ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: node.metadata.uid }] }
    : {};
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace: "kube-node-lease", ...owner },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(now) },
  } as KubeObject;
}

/** A MicroTime (microseconds) for Lease times. */
export function microTime(iso: string): string {
  return iso.endsWith("Z") && !iso.includes(".")
    ? iso.replace("Z", ".000000Z")
    : iso.replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** Hands out the addresses of a pod range, skipping the network and first address. */
export class PodIPAllocator {
  readonly #base: number;
  readonly #size: number;
  readonly #used = new Set<number>();
  #next = 2;

  constructor(cidr: string) {
    const [ip, bits] = cidr.split("/");
    const parts = (ip ?? "").split(".").map(Number);
    this.#base = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
    this.#size = 2 ** (32 - Number(bits));
  }

  /** Marks an address as taken (a pod already running there); false when outside the range. */
  reserve(ip: string): boolean {
    const off = toNumber(ip) - this.#base;
    if (off < 0 || off >= this.#size) return false;
    this.#used.add(off);
    return true;
  }

  /** A free address; undefined when the range is full. */
  allocate(): string | undefined {
    for (let tries = 0; tries < this.#size; tries++) {
      const off = this.#next;
      this.#next = this.#next + 1 >= this.#size - 1 ? 2 : this.#next + 1;
      if (!this.#used.has(off)) {
        this.#used.add(off);
        return fromNumber(this.#base + off);
      }
    }
    return undefined;
  }

  /** Returns an address to the range. */
  release(ip: string): void {
    this.#used.delete(toNumber(ip) - this.#base);
  }
}

function toNumber(ip: string): number {
  const p = ip.split(".").map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function fromNumber(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
