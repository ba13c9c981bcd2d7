/**
 * Schemas of the pod spec (core/v1 PodSpec and PodTemplateSpec), which every workload kind embeds.
 * The types it is built from live in the neighbouring *-types.ts files; importing this module
 * defines them all.
 */
import { ObjectMeta } from "../../meta/v1.js";
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
  string,
  stringMap,
} from "../../schema.js";
import { Affinity, Toleration, TopologySpreadConstraint } from "./affinity-types.js";
import { Container, EphemeralContainer, ResourceRequirements } from "./container-types.js";
import { LocalObjectReference } from "./reference-types.js";
import { PodSecurityContext } from "./security-types.js";
import { Volume } from "./volume-types.js";

const CORE = "io.k8s.api.core.v1";

export const HostAlias = defineType({
  name: `${CORE}.HostAlias`,
  description: "An entry added to the pod's /etc/hosts.",
  fields: {
    ip: f(string(), 1, "IP address of the entry.", { required: true }),
    hostnames: f(list(string()), 2, "Host names for the address."),
  },
});

export const PodDNSConfigOption = defineType({
  name: `${CORE}.PodDNSConfigOption`,
  description: "One resolver option of the pod.",
  fields: {
    name: f(string(), 1, "Name of the option, such as ndots."),
    value: f(string(), 2, "Value of the option, if it takes one.", { pointer: true }),
  },
});

export const PodDNSConfig = defineType({
  name: `${CORE}.PodDNSConfig`,
  description: "Resolver settings merged into those the DNS policy produces.",
  fields: {
    nameservers: f(list(string()), 1, "Extra name server addresses, at most 3 in all."),
    searches: f(list(string()), 2, "Extra search domains."),
    options: f(
      list(PodDNSConfigOption),
      3,
      "Resolver options; an option given here replaces the policy's.",
    ),
  },
});

export const PodReadinessGate = defineType({
  name: `${CORE}.PodReadinessGate`,
  description: "A pod condition that must be True for the pod to count as ready.",
  fields: {
    conditionType: f(string(), 1, "Type of the condition in the pod's status.", { required: true }),
  },
});

export const PodSchedulingGate = defineType({
  name: `${CORE}.PodSchedulingGate`,
  description: "A gate that holds the pod back from scheduling until it is removed.",
  fields: {
    name: f(string(), 1, "Name of the gate, a qualified name unique in the pod.", {
      required: true,
    }),
  },
});

export const PodOS = defineType({
  name: `${CORE}.PodOS`,
  description: "The operating system the pod's containers need.",
  fields: {
    name: f(string(), 1, "linux or windows.", { required: true }),
  },
});

export const PodResourceClaim = defineType({
  name: `${CORE}.PodResourceClaim`,
  description: "A ResourceClaim the pod uses, named for its containers to refer to.",
  fields: {
    name: f(string(), 1, "Name of the claim within the pod, a DNS label.", { required: true }),
    resourceClaimName: f(string(), 3, "Name of an existing ResourceClaim in the pod's namespace.", {
      pointer: true,
    }),
    resourceClaimTemplateName: f(
      string(),
      4,
      "Name of a ResourceClaimTemplate from which a claim is created for the pod.",
      { pointer: true },
    ),
  },
});

export const PodSchedulingGroup = defineType({
  name: `${CORE}.PodSchedulingGroup`,
  description: "The scheduling group the pod belongs to, for gang scheduling.",
  fields: {
    podGroupName: f(string(), 1, "Name of the PodGroup the pod belongs to.", { pointer: true }),
  },
});

export const PodSpec = defineType({
  name: `${CORE}.PodSpec`,
  description: "The desired state of a pod: its containers, volumes and scheduling constraints.",
  fields: {
    volumes: f(
      keyedList(Volume, ["name"], { mergeKey: "name", strategy: "merge,retainKeys" }),
      1,
      "Volumes the pod's containers can mount.",
    ),
    initContainers: f(
      keyedList(Container, ["name"], { mergeKey: "name" }),
      20,
      "Containers run to completion one by one before the regular containers start.",
    ),
    containers: f(
      keyedList(Container, ["name"], { mergeKey: "name" }),
      2,
      "The pod's containers; at least one, and none may be added or removed later.",
      { required: true },
    ),
    ephemeralContainers: f(
      keyedList(EphemeralContainer, ["name"], { mergeKey: "name" }),
      34,
      "Containers added to the running pod for debugging, through the ephemeralcontainers subresource.",
    ),
    restartPolicy: f(
      string({ enum: ["Always", "Never", "OnFailure"] }),
      3,
      "When containers are restarted: Always, OnFailure or Never; Always by default.",
    ),
    terminationGracePeriodSeconds: f(
      int64(),
      4,
      "Seconds between the stop signal and the kill signal; 30 by default.",
      { pointer: true },
    ),
    activeDeadlineSeconds: f(int64(), 5, "Seconds the pod may be active before it is failed.", {
      pointer: true,
    }),
    dnsPolicy: f(
      string({ enum: ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"] }),
      6,
      "How the pod's resolver is set up; ClusterFirst by default.",
    ),
    nodeSelector: f(stringMap(), 7, "Labels a node must have for the pod to run on it."),
    serviceAccountName: f(string(), 8, "Service account the pod runs as."),
    serviceAccount: f(string(), 9, "Deprecated alias of serviceAccountName."),
    automountServiceAccountToken: f(boolean(), 21, "Whether a service account token is mounted.", {
      pointer: true,
    }),
    nodeName: f(string(), 10, "Node the pod is bound to; set by the scheduler."),
    hostNetwork: f(boolean(), 11, "Whether the pod uses the node's network namespace."),
    hostPID: f(boolean(), 12, "Whether the pod uses the node's process namespace."),
    hostIPC: f(boolean(), 13, "Whether the pod uses the node's IPC namespace."),
    shareProcessNamespace: f(
      boolean(),
      27,
      "Whether the pod's containers share one process namespace.",
      { pointer: true },
    ),
    securityContext: f(PodSecurityContext, 14, "Security settings shared by all containers."),
    imagePullSecrets: f(
      keyedList(LocalObjectReference, ["name"], { mergeKey: "name" }),
      15,
      "Secrets holding registry credentials for pulling the images.",
    ),
    hostname: f(string(), 16, "Host name of the pod; the pod's name by default."),
    subdomain: f(
      string(),
      17,
      "Subdomain giving the pod the name `<hostname>.<subdomain>.<namespace>.svc.<cluster domain>`.",
    ),
    affinity: f(Affinity, 18, "Scheduling constraints relative to nodes and other pods."),
    schedulerName: f(string(), 19, "Scheduler that places the pod; default-scheduler by default."),
    tolerations: f(list(Toleration), 22, "Taints the pod tolerates."),
    hostAliases: f(
      keyedList(HostAlias, ["ip"], { mergeKey: "ip" }),
      23,
      "Entries added to the pod's /etc/hosts.",
    ),
    priorityClassName: f(string(), 24, "PriorityClass giving the pod its priority."),
    priority: f(int32(), 25, "Priority of the pod, filled in from its priority class.", {
      pointer: true,
    }),
    dnsConfig: f(PodDNSConfig, 26, "Resolver settings beyond those of the DNS policy."),
    readinessGates: f(
      list(PodReadinessGate),
      28,
      "Extra conditions that must hold for the pod to be ready.",
    ),
    runtimeClassName: f(
      string(),
      29,
      "RuntimeClass that runs the pod; the node's default when unset.",
      { pointer: true },
    ),
    enableServiceLinks: f(
      boolean(),
      30,
      "Whether the environment gets variables for the services of the namespace; true by default.",
      { pointer: true },
    ),
    preemptionPolicy: f(
      string({ enum: ["Never", "PreemptLowerPriority"] }),
      31,
      "Whether the pod may preempt lower-priority pods; PreemptLowerPriority by default.",
      { pointer: true },
    ),
    overhead: f(
      map(quantity()),
      32,
      "Resources the runtime class uses for running the pod itself.",
    ),
    topologySpreadConstraints: f(
      keyedList(TopologySpreadConstraint, ["topologyKey", "whenUnsatisfiable"], {
        mergeKey: "topologyKey",
      }),
      33,
      "How the pod is spread with similar pods across topology domains.",
    ),
    setHostnameAsFQDN: f(
      boolean(),
      35,
      "Whether the pod's host name is its fully qualified domain name.",
      { pointer: true },
    ),
    os: f(PodOS, 36, "Operating system the pod needs."),
    hostUsers: f(
      boolean(),
      37,
      "Whether the pod uses the node's user namespace; true by default.",
      { pointer: true },
    ),
    schedulingGates: f(
      keyedList(PodSchedulingGate, ["name"], { mergeKey: "name" }),
      38,
      "Gates that hold the pod back from scheduling until all are removed.",
    ),
    resourceClaims: f(
      keyedList(PodResourceClaim, ["name"], { mergeKey: "name", strategy: "merge,retainKeys" }),
      39,
      "ResourceClaims the pod's containers may use.",
    ),
    resources: f(
      ResourceRequirements,
      40,
      "Resources of the pod as a whole, shared by its containers.",
    ),
    hostnameOverride: f(
      string(),
      41,
      "Host name to use instead of the one from name or hostname.",
      { pointer: true },
    ),
    schedulingGroup: f(PodSchedulingGroup, 43, "The scheduling group the pod belongs to."),
  },
});

export const PodTemplateSpec = defineType({
  name: `${CORE}.PodTemplateSpec`,
  description: "The pods a controller creates: their metadata and spec.",
  fields: {
    metadata: f(
      ObjectMeta,
      1,
      "Metadata of the created pods; labels and annotations are what matter.",
    ),
    spec: f(PodSpec, 2, "Spec of the created pods."),
  },
});

// Loads the status types too, so that every type reachable from a pod is defined with the spec.
export { PodStatus } from "./pod-status-types.js";
