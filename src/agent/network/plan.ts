/**
 * The address plan of a local cluster's network: from a cluster id, a node count and three address
 * ranges, the name, node IP, pod range, namespaces and interface names of every node. Pure: the
 * same inputs give the same plan, so a crashed `kates up` can be cleaned up or resumed from its
 * cluster id alone.
 */
import { randomBytes } from "node:crypto";
import {
  type Cidr,
  blockSize,
  formatCidr,
  formatIp,
  hostAt,
  overlaps,
  parseCidr,
  subnet,
  subnetCount,
} from "./cidr.js";

/** The inputs of a plan; every range has an upstream-like default. */
export interface ClusterNetworkOptions {
  /** Short id that names every namespace and link: 1-8 of `a-z0-9`, starting with a letter. */
  clusterId: string;
  /** How many nodes, at least 1. */
  nodes: number;
  /**
   * Pod addresses of the whole cluster (kube-controller-manager's `--cluster-cidr`); 10.244.0.0/16.
   */
  clusterCidr?: string;
  /** Prefix length of each node's pod range (`--node-cidr-mask-size`); 24. */
  nodePodPrefix?: number;
  /** The network the node IPs come from, the cluster's "switch"; 172.18.0.0/24. */
  nodeCidr?: string;
  /** Service VIPs (`--service-cluster-ip-range`); 10.96.0.0/12. */
  serviceCidr?: string;
  /** Node names are `<prefix>-<index>`; "node". */
  nodeNamePrefix?: string;
}

/** One node's share of the plan. */
export interface NodeNetworkPlan {
  /** 0-based position; node i gets the i-th pod range. */
  readonly index: number;
  /** The Node object's name. */
  readonly name: string;
  /**
   * The node's network namespace, `kates-<cluster>-<node>`: its agent, containerd and pods live
   * there.
   */
  readonly namespace: string;
  /** The node's interface on the switch, inside its namespace. */
  readonly interface: "eth0";
  /**
   * The node's address (its InternalIP) and the same with the switch's prefix length, for `ip
   * addr`.
   */
  readonly nodeIp: string;
  readonly nodeIpWithPrefix: string;
  /**
   * The node's pod range (`spec.podCIDR`), its gateway on the pod bridge, and that bridge's name.
   */
  readonly podCidr: string;
  readonly podGateway: string;
  readonly podBridge: string;
  /** The other end of `eth0`: a port of the switch bridge, in the switch namespace. */
  readonly switchPort: string;
}

/** The whole cluster's network. */
export interface ClusterNetworkPlan {
  readonly clusterId: string;
  readonly clusterCidr: string;
  readonly nodeCidr: string;
  readonly serviceCidr: string;
  /** The namespace holding the switch bridge, `kates-<cluster>-net`, and the bridge's name. */
  readonly switchNamespace: string;
  readonly switchBridge: string;
  readonly nodes: readonly NodeNetworkPlan[];
}

/** Linux refuses interface names longer than this (IFNAMSIZ - 1). */
export const MAX_INTERFACE_NAME = 15;

/**
 * Node IPs start here in the node network: .0 is the network, .1 is kept free (a gateway in kind's
 * scheme).
 */
const FIRST_NODE_HOST = 2;

const CLUSTER_ID = /^[a-z][a-z0-9]{0,7}$/;
const NODE_NAME_PREFIX = /^[a-z]([a-z0-9-]{0,40}[a-z0-9])?$/;

/** A fresh random cluster id: a letter then five of `a-z0-9`. */
export function newClusterId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(6);
  let id = alphabet[(bytes[0] ?? 0) % 26] ?? "k";
  for (let i = 1; i < 6; i++) id += alphabet[(bytes[i] ?? 0) % alphabet.length] ?? "0";
  return id;
}

/** Checks a cluster id; throws with the reason when it cannot name namespaces and links. */
export function validateClusterId(clusterId: string): void {
  if (!CLUSTER_ID.test(clusterId)) {
    throw new Error(
      `Cannot use cluster id ${JSON.stringify(clusterId)}: want 1-8 of a-z0-9 starting with a letter`,
    );
  }
}

/**
 * The file that names a namespace, as `ip netns` makes it: what `nsenter --net=` takes to start a
 * node's containerd and agent inside the node's namespace.
 */
export function namespacePath(namespace: string): string {
  return `/var/run/netns/${namespace}`;
}

/** The switch namespace of a cluster. */
export function switchNamespaceName(clusterId: string): string {
  return `kates-${clusterId}-net`;
}

/** Every namespace of a cluster starts with this; no other cluster's does (ids hold no `-`). */
export function namespacePrefix(clusterId: string): string {
  return `kates-${clusterId}-`;
}

/**
 * Matches every interface name this code gives a cluster's links (`k<role>-<cluster>[-<index>]`).
 */
export function interfaceNamePattern(clusterId: string): RegExp {
  validateClusterId(clusterId);
  return new RegExp(`^k[a-z]-${clusterId}(-[0-9]+)?$`);
}

/** An interface name of role `role` (one letter) for a cluster; throws past 15 characters. */
export function interfaceName(role: string, clusterId: string, index?: number): string {
  const name = `k${role}-${clusterId}${index === undefined ? "" : `-${index}`}`;
  if (!/^[a-z]$/.test(role) || name.length > MAX_INTERFACE_NAME) {
    throw new Error(`Cannot name interface ${name}: longer than ${MAX_INTERFACE_NAME} characters`);
  }
  return name;
}

/**
 * Computes the plan; throws on inputs that cannot give every node a distinct, valid address and
 * name.
 */
export function planClusterNetwork(options: ClusterNetworkOptions): ClusterNetworkPlan {
  const { clusterId, nodes } = options;
  validateClusterId(clusterId);
  if (!Number.isInteger(nodes) || nodes < 1) {
    throw new Error(`Cannot plan a network for ${nodes} nodes: want a whole number of at least 1`);
  }
  const prefix = options.nodeNamePrefix ?? "node";
  if (!NODE_NAME_PREFIX.test(prefix)) {
    throw new Error(`Cannot use node name prefix ${JSON.stringify(prefix)}: not a DNS label`);
  }

  const clusterCidr = parseCidr(options.clusterCidr ?? "10.244.0.0/16");
  const nodeCidr = parseCidr(options.nodeCidr ?? "172.18.0.0/24");
  const serviceCidr = parseCidr(options.serviceCidr ?? "10.96.0.0/12");
  const podPrefix = options.nodePodPrefix ?? 24;
  checkRanges({ clusterCidr, nodeCidr, serviceCidr });
  if (!Number.isInteger(podPrefix) || podPrefix < clusterCidr.prefix || podPrefix > 30) {
    throw new Error(
      `Cannot give each node a /${podPrefix} of ${formatCidr(clusterCidr)}: want a prefix from /${clusterCidr.prefix} to /30`,
    );
  }
  if (subnetCount(clusterCidr, podPrefix) < nodes) {
    throw new Error(
      `Cannot give ${nodes} nodes a /${podPrefix} each: ${formatCidr(clusterCidr)} holds ${subnetCount(clusterCidr, podPrefix)}`,
    );
  }
  // The last address of the node network is its broadcast address.
  if (blockSize(nodeCidr.prefix) - 1 - FIRST_NODE_HOST < nodes) {
    throw new Error(`Cannot give ${nodes} nodes an address in ${formatCidr(nodeCidr)}: too small`);
  }

  const nodePlans: NodeNetworkPlan[] = [];
  for (let index = 0; index < nodes; index++) {
    const name = `${prefix}-${index}`;
    if (name === "net") throw new Error(`Cannot name a node "net": the switch namespace uses it`);
    const podCidr = subnet(clusterCidr, podPrefix, index);
    const nodeIp = formatIp(hostAt(nodeCidr, FIRST_NODE_HOST + index));
    nodePlans.push({
      index,
      name,
      namespace: `${namespacePrefix(clusterId)}${name}`,
      interface: "eth0",
      nodeIp,
      nodeIpWithPrefix: `${nodeIp}/${nodeCidr.prefix}`,
      podCidr: formatCidr(podCidr),
      podGateway: formatIp(hostAt(podCidr, 1)),
      podBridge: interfaceName("c", clusterId, index),
      switchPort: interfaceName("v", clusterId, index),
    });
  }

  return {
    clusterId,
    clusterCidr: formatCidr(clusterCidr),
    nodeCidr: formatCidr(nodeCidr),
    serviceCidr: formatCidr(serviceCidr),
    switchNamespace: switchNamespaceName(clusterId),
    switchBridge: interfaceName("s", clusterId),
    nodes: nodePlans,
  };
}

function checkRanges(ranges: Record<"clusterCidr" | "nodeCidr" | "serviceCidr", Cidr>): void {
  const entries = Object.entries(ranges);
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [aName, a] = entries[i] ?? ["", ranges.clusterCidr];
      const [bName, b] = entries[j] ?? ["", ranges.clusterCidr];
      if (overlaps(a, b)) {
        throw new Error(
          `Cannot use ${aName} ${formatCidr(a)} with ${bName} ${formatCidr(b)}: the ranges overlap`,
        );
      }
    }
  }
}
