/**
 * Node (core/v1): a machine that runs pods. The node agent registers it with its status (capacity,
 * addresses, system info) and keeps that status current; users and controllers change its spec to cordon
 * it or taint it.
 */
import { ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import {
  boolean,
  defineType,
  f,
  int32,
  int64,
  keyedList,
  list,
  map,
  quantity,
  set,
  string,
  time,
} from "../../schema.js";
import {
  check,
  checkLabelValue,
  checkQualifiedName,
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
  root,
  type Path,
} from "../../validation.js";
import { checkCIDR, cidrFamily, isDualStack } from "./net-checks.js";
import { validateResourceList } from "./resource-list.js";
import { sameValue } from "./same-value.js";

const CORE = "io.k8s.api.core.v1";

/** Effects a taint may have on pods that do not tolerate it. */
export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface NodeAddress {
  type: string;
  address: string;
}

export interface NodeSystemInfo {
  machineID?: string;
  systemUUID?: string;
  bootID?: string;
  kernelVersion?: string;
  osImage?: string;
  containerRuntimeVersion?: string;
  kubeletVersion?: string;
  kubeProxyVersion?: string;
  operatingSystem?: string;
  architecture?: string;
  swap?: { capacity?: number };
}

export interface NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
  providerID?: string;
  unschedulable?: boolean;
  taints?: Taint[];
  configSource?: Record<string, unknown>;
  externalID?: string;
}

export interface NodeStatus {
  capacity?: Record<string, string | number>;
  allocatable?: Record<string, string | number>;
  phase?: string;
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  nodeInfo?: NodeSystemInfo;
  images?: { names?: string[]; sizeBytes?: number }[];
  volumesInUse?: string[];
  volumesAttached?: { name: string; devicePath: string }[];
  config?: Record<string, unknown>;
  runtimeHandlers?: { name?: string; features?: Record<string, boolean> }[];
  features?: Record<string, boolean>;
  declaredFeatures?: string[];
}

/** A Node as stored and served. */
export interface Node extends KubeObject {
  spec?: NodeSpec;
  status?: NodeStatus;
}

const Taint = defineType({
  name: `${CORE}.Taint`,
  description: "Repels pods that do not tolerate it from the node it is on.",
  fields: {
    key: f(string(), 1, "The taint key.", { required: true }),
    value: f(string(), 2, "The taint value, matched by tolerations with operator Equal."),
    effect: f(
      string({ enum: TAINT_EFFECTS }),
      3,
      "What happens to pods that do not tolerate the taint.",
      {
        required: true,
      },
    ),
    timeAdded: f(time(), 4, "When a NoExecute taint was added.", { pointer: true }),
  },
});

const ConfigMapNodeConfigSource = defineType({
  name: `${CORE}.ConfigMapNodeConfigSource`,
  description:
    "A config map holding a node agent configuration (a deprecated dynamic-config feature).",
  fields: {
    namespace: f(string(), 1, "Namespace of the config map.", { required: true }),
    name: f(string(), 2, "Name of the config map.", { required: true }),
    uid: f(string(), 3, "UID of the config map."),
    resourceVersion: f(string(), 4, "Resource version of the config map."),
    kubeletConfigKey: f(string(), 5, "Key of the config map that holds the configuration.", {
      required: true,
    }),
  },
});

const NodeConfigSource = defineType({
  name: `${CORE}.NodeConfigSource`,
  description: "Where a node agent's configuration comes from; deprecated and unused.",
  fields: {
    configMap: f(ConfigMapNodeConfigSource, 2, "The config map holding the configuration."),
  },
});

const NodeSpec = defineType({
  name: `${CORE}.NodeSpec`,
  description: "How a node is set up for scheduling.",
  fields: {
    podCIDR: f(string(), 1, "The pod IP range of this node; the first entry of podCIDRs."),
    podCIDRs: f(
      set(string(), "merge"),
      7,
      "The pod IP ranges of this node, at most one per IP family.",
    ),
    providerID: f(string(), 3, "The node's ID in its cloud provider, as <provider>://<id>."),
    unschedulable: f(
      boolean(),
      4,
      "If true, no new pods are scheduled onto the node (it is cordoned).",
    ),
    taints: f(list(Taint), 5, "Taints that keep pods without matching tolerations away."),
    configSource: f(NodeConfigSource, 6, "Deprecated: a source of node agent configuration."),
    externalID: f(string(), 2, "Deprecated and ignored."),
  },
});

const NodeCondition = defineType({
  name: `${CORE}.NodeCondition`,
  description: "One observed aspect of a node's health, such as Ready or MemoryPressure.",
  fields: {
    type: f(string(), 1, "Type of the condition.", { required: true }),
    status: f(string(), 2, "True, False or Unknown.", { required: true }),
    lastHeartbeatTime: f(time(), 3, "When the node agent last reported this condition."),
    lastTransitionTime: f(time(), 4, "When the condition last changed status."),
    reason: f(string(), 5, "Machine-readable reason for the last transition."),
    message: f(string(), 6, "Human-readable details of the last transition."),
  },
});

const NodeAddress = defineType({
  name: `${CORE}.NodeAddress`,
  description: "One address of a node.",
  fields: {
    type: f(string(), 1, "Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.", {
      required: true,
    }),
    address: f(string(), 2, "The address.", { required: true }),
  },
});

const DaemonEndpoint = defineType({
  name: `${CORE}.DaemonEndpoint`,
  description: "A port on which a daemon of the node listens.",
  fields: {
    Port: f(int32(), 1, "The port number.", { required: true }),
  },
});

const NodeDaemonEndpoints = defineType({
  name: `${CORE}.NodeDaemonEndpoints`,
  description: "Ports of the daemons running on a node.",
  fields: {
    kubeletEndpoint: f(DaemonEndpoint, 1, "The port of the node agent's API."),
  },
});

const NodeSwapStatus = defineType({
  name: `${CORE}.NodeSwapStatus`,
  description: "Swap memory of a node.",
  fields: {
    capacity: f(int64(), 1, "Total swap memory in bytes.", { pointer: true }),
  },
});

const NodeSystemInfo = defineType({
  name: `${CORE}.NodeSystemInfo`,
  description: "Identity and software versions of a node.",
  fields: {
    machineID: f(string(), 1, "The machine ID reported by the node.", { required: true }),
    systemUUID: f(string(), 2, "The system UUID reported by the node.", { required: true }),
    bootID: f(string(), 3, "ID of the current boot of the node.", { required: true }),
    kernelVersion: f(string(), 4, "Kernel version reported by `uname -r`.", { required: true }),
    osImage: f(string(), 5, "The operating system image, from /etc/os-release.", {
      required: true,
    }),
    containerRuntimeVersion: f(string(), 6, "Container runtime name and version.", {
      required: true,
    }),
    kubeletVersion: f(string(), 7, "Version of the node agent.", { required: true }),
    kubeProxyVersion: f(string(), 8, "Deprecated: version of the service proxy.", {
      required: true,
    }),
    operatingSystem: f(string(), 9, "The operating system, such as linux.", { required: true }),
    architecture: f(string(), 10, "The CPU architecture, such as amd64.", { required: true }),
    swap: f(NodeSwapStatus, 11, "Swap memory of the node."),
  },
});

const ContainerImage = defineType({
  name: `${CORE}.ContainerImage`,
  description: "An image present on a node.",
  fields: {
    names: f(list(string()), 1, "Names of the image, by tag and by digest."),
    sizeBytes: f(int64(), 2, "Size of the image in bytes."),
  },
});

const AttachedVolume = defineType({
  name: `${CORE}.AttachedVolume`,
  description: "A volume attached to a node.",
  fields: {
    name: f(string(), 1, "Unique name of the volume.", { required: true }),
    devicePath: f(string(), 2, "Where the volume's device appears on the node.", {
      required: true,
    }),
  },
});

const NodeConfigStatus = defineType({
  name: `${CORE}.NodeConfigStatus`,
  description: "Deprecated: the state of dynamic node agent configuration.",
  fields: {
    assigned: f(NodeConfigSource, 1, "The configuration the node was told to use."),
    active: f(NodeConfigSource, 2, "The configuration the node uses."),
    lastKnownGood: f(NodeConfigSource, 3, "The configuration the node falls back to."),
    error: f(string(), 4, "A problem with the configuration, if any."),
  },
});

const NodeRuntimeHandlerFeatures = defineType({
  name: `${CORE}.NodeRuntimeHandlerFeatures`,
  description: "Features a runtime handler supports.",
  fields: {
    recursiveReadOnlyMounts: f(boolean(), 1, "Whether recursive read-only mounts are supported.", {
      pointer: true,
    }),
    userNamespaces: f(boolean(), 2, "Whether user namespaces are supported.", { pointer: true }),
  },
});

const NodeRuntimeHandler = defineType({
  name: `${CORE}.NodeRuntimeHandler`,
  description: "A runtime handler of the node's container runtime.",
  fields: {
    name: f(string(), 1, "Handler name; empty for the default handler."),
    features: f(NodeRuntimeHandlerFeatures, 2, "Features the handler supports."),
  },
});

const NodeFeatures = defineType({
  name: `${CORE}.NodeFeatures`,
  description: "Features the node supports.",
  fields: {
    supplementalGroupsPolicy: f(
      boolean(),
      1,
      "Whether the SupplementalGroupsPolicy pod field is honoured.",
      { pointer: true },
    ),
  },
});

const NodeStatus = defineType({
  name: `${CORE}.NodeStatus`,
  description: "The observed state of a node, reported by its agent.",
  fields: {
    capacity: f(map(quantity()), 1, "Total resources of the node."),
    allocatable: f(map(quantity()), 2, "Resources available to pods; capacity when unset."),
    phase: f(string(), 3, "Deprecated and unused."),
    conditions: f(
      keyedList(NodeCondition, ["type"], { mergeKey: "type" }),
      4,
      "Observed conditions of the node, such as Ready.",
    ),
    addresses: f(
      keyedList(NodeAddress, ["type"], { mergeKey: "type" }),
      5,
      "Addresses by which the node can be reached.",
    ),
    daemonEndpoints: f(NodeDaemonEndpoints, 6, "Ports of the daemons on the node."),
    nodeInfo: f(NodeSystemInfo, 7, "Identity and versions of the node."),
    images: f(list(ContainerImage), 8, "Images present on the node."),
    volumesInUse: f(list(string()), 9, "Attached volumes that are in use by pods."),
    volumesAttached: f(list(AttachedVolume), 10, "Volumes attached to the node."),
    config: f(NodeConfigStatus, 11, "Deprecated: dynamic configuration state."),
    runtimeHandlers: f(list(NodeRuntimeHandler), 12, "Runtime handlers of the container runtime."),
    features: f(NodeFeatures, 13, "Features the node supports."),
    declaredFeatures: f(list(string()), 14, "Feature names the node declares it supports."),
  },
});

defineType({
  name: `${CORE}.Node`,
  description: "A worker machine that runs pods.",
  gvk: { group: "", version: "v1", kind: "Node" },
  fields: {
    ...objectFields(),
    spec: f(NodeSpec, 2, "How the node is set up for scheduling."),
    status: f(NodeStatus, 3, "The observed state of the node."),
  },
});

/**
 * podCIDR is kept as the first podCIDRs entry; a client that sends only podCIDR gets podCIDRs from it, as
 * upstream's conversion does.
 */
function defaults(node: Node): void {
  const spec = node.spec;
  if (spec) {
    if (spec.podCIDRs?.length) spec.podCIDR = spec.podCIDRs[0] as string;
    else if (spec.podCIDR) spec.podCIDRs = [spec.podCIDR];
  }
  const status = node.status;
  if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
}

/** Validates taints as upstream does, under `metadata.taints` (upstream reports them there). */
export function validateTaints(taints: readonly Taint[], path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  taints.forEach((taint, i) => {
    const p = path.index(i);
    errors.push(...check(p.child("key"), taint.key ?? "", checkQualifiedName));
    const valueProblems = checkLabelValue(taint.value ?? "");
    if (valueProblems.length)
      errors.push(invalid(p.child("value"), taint.value, valueProblems.join("; ")));
    if (!taint.effect) errors.push(required(p.child("effect")));
    else if (!(TAINT_EFFECTS as readonly string[]).includes(taint.effect)) {
      errors.push(notSupported(p.child("effect"), taint.effect, TAINT_EFFECTS));
    }
    const id = `${taint.effect}\u0000${taint.key}`;
    if (seen.has(id)) {
      errors.push({
        ...duplicate(p, taint),
        detail: "taints must be unique by key and effect pair",
      });
      return;
    }
    seen.add(id);
  });
  return errors;
}

function validatePodCIDRs(cidrs: readonly string[]): FieldError[] {
  const path = root("spec").child("podCIDRs");
  const errors = cidrs.flatMap((c, i) => check(path.index(i), c, checkCIDR));
  if (errors.length === 0 && cidrs.length > 1 && !isDualStack(cidrs, cidrFamily)) {
    errors.push(invalid(path, cidrs, "may specify no more than one CIDR for each IP family"));
  }
  return errors;
}

function validateNode(node: Node): FieldError[] {
  const errors: FieldError[] = [];
  const taints = node.spec?.taints ?? [];
  errors.push(...validateTaints(taints, root("metadata").child("taints")));
  errors.push(...validateResourceList(node.status?.capacity, root("status").child("capacity")));
  errors.push(
    ...validateResourceList(node.status?.allocatable, root("status").child("allocatable")),
  );
  errors.push(...validatePodCIDRs(node.spec?.podCIDRs ?? []));
  return errors;
}

function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errors: FieldError[] = [];
  const seen: NodeAddress[] = [];
  (node.status?.addresses ?? []).forEach((address, i) => {
    if (seen.some((a) => a.type === address.type && a.address === address.address)) {
      errors.push(duplicate(root("status").child("addresses").index(i), address));
    }
    seen.push(address);
  });

  const oldCIDRs = old.spec?.podCIDRs ?? [];
  if (oldCIDRs.length > 0 && !sameValue(oldCIDRs, node.spec?.podCIDRs ?? [])) {
    errors.push(
      forbidden(
        root("spec").child("podCIDRs"),
        'node updates may not change podCIDR except from "" to valid',
      ),
    );
  }
  const oldProvider = old.spec?.providerID ?? "";
  if (oldProvider && oldProvider !== (node.spec?.providerID ?? "")) {
    errors.push(
      forbidden(
        root("spec").child("providerID"),
        'node updates may not change providerID except from "" to valid',
      ),
    );
  }
  if ((node.spec?.externalID ?? "") !== (old.spec?.externalID ?? "")) {
    errors.push(forbidden(root("spec").child("externalID"), "may not be updated"));
  }
  return errors;
}

/** The STATUS column: Ready, NotReady or Unknown from the Ready condition, plus SchedulingDisabled. */
export function nodeStatusText(node: Node): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === "Ready");
  const parts = [ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown"];
  if (node.spec?.unschedulable) parts.push("SchedulingDisabled");
  return parts.join(",");
}

const ROLE_PREFIX = "node-role.kubernetes.io/";

/** The node's roles, from `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value, sorted. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(ROLE_PREFIX) && key.length > ROLE_PREFIX.length)
      roles.add(key.slice(ROLE_PREFIX.length));
    else if (key === "kubernetes.io/role" && value) roles.add(value);
  }
  return [...roles].sort();
}

function address(node: Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? "<none>";
}

function infoColumn(name: string, description: string, key: keyof NodeSystemInfo) {
  return {
    name,
    type: "string" as const,
    description,
    priority: 1 as const,
    cell: (node: Node) => (node.status?.nodeInfo?.[key] as string | undefined) || "<unknown>",
  };
}

export const nodes = defineResource<Node>({
  group: "",
  version: "v1",
  kind: "Node",
  plural: "nodes",
  singular: "node",
  shortNames: ["no"],
  namespaced: false,
  schema: `${CORE}.Node`,
  statusSubresource: true,
  keepStatusOnCreate: true,
  columns: [
    {
      name: "Status",
      type: "string",
      description: "Readiness of the node.",
      priority: 0,
      cell: nodeStatusText,
    },
    {
      name: "Roles",
      type: "string",
      description: "Roles of the node, from its node-role labels.",
      priority: 0,
      cell: (node) => nodeRoles(node).join(",") || "<none>",
    },
    ageColumn(),
    {
      name: "Version",
      type: "string",
      description: "Version of the node agent.",
      priority: 0,
      cell: (node) => node.status?.nodeInfo?.kubeletVersion ?? "",
    },
    {
      name: "Internal-IP",
      type: "string",
      description: "The node's first internal IP address.",
      priority: 1,
      cell: (node) => address(node, "InternalIP"),
    },
    {
      name: "External-IP",
      type: "string",
      description: "The node's first external IP address.",
      priority: 1,
      cell: (node) => address(node, "ExternalIP"),
    },
    infoColumn("OS-Image", "The operating system image of the node.", "osImage"),
    infoColumn("Kernel-Version", "The kernel version of the node.", "kernelVersion"),
    infoColumn(
      "Container-Runtime",
      "The container runtime and its version.",
      "containerRuntimeVersion",
    ),
  ],
  fieldSelectors: {
    "spec.unschedulable": (node) => String(node.spec?.unschedulable ?? false),
  },
  defaults,
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
  validateStatusUpdate: (node, old) => [...validateNode(node), ...validateNodeUpdate(node, old)],
});
