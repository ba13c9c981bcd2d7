/** Schemas of a pod's observed state (core/v1 PodStatus and the container statuses in it). */
import {
  boolean,
  defineType,
  f,
  int32,
  int64,
  keyedList,
  list,
  map,
  mergeList,
  quantity,
  set,
  string,
  time,
} from "../../schema.js";
import { ResourceRequirements, SIGNALS } from "./container-types.js";

const CORE = "io.k8s.api.core.v1";

export const PodCondition = defineType({
  name: `${CORE}.PodCondition`,
  description: "One aspect of a pod's state, such as whether it is scheduled or ready.",
  fields: {
    type: f(
      string(),
      1,
      "Type of the condition: PodScheduled, Initialized, ContainersReady, Ready or custom.",
      {
        required: true,
      },
    ),
    observedGeneration: f(int64(), 7, "The pod generation the condition was set for."),
    status: f(string(), 2, "True, False or Unknown.", { required: true }),
    lastProbeTime: f(time(), 3, "When the condition was last checked."),
    lastTransitionTime: f(time(), 4, "When the condition last changed status."),
    reason: f(string(), 5, "Machine-readable reason for the last transition, in CamelCase."),
    message: f(string(), 6, "Human-readable details of the last transition."),
  },
});

export const HostIP = defineType({
  name: `${CORE}.HostIP`,
  description: "An IP address of the node the pod runs on.",
  fields: {
    ip: f(string(), 1, "The address.", { required: true }),
  },
});

export const PodIP = defineType({
  name: `${CORE}.PodIP`,
  description: "An IP address of the pod.",
  fields: {
    ip: f(string(), 1, "The address.", { required: true }),
  },
});

export const ContainerStateWaiting = defineType({
  name: `${CORE}.ContainerStateWaiting`,
  description: "A container that has not started yet.",
  fields: {
    reason: f(string(), 1, "Why it is waiting, such as ContainerCreating or CrashLoopBackOff."),
    message: f(string(), 2, "Details of why it is waiting."),
  },
});

export const ContainerStateRunning = defineType({
  name: `${CORE}.ContainerStateRunning`,
  description: "A running container.",
  fields: {
    startedAt: f(time(), 1, "When the container last started."),
  },
});

export const ContainerStateTerminated = defineType({
  name: `${CORE}.ContainerStateTerminated`,
  description: "A container that ran and exited.",
  fields: {
    exitCode: f(int32(), 1, "Exit status of the last run.", { required: true }),
    signal: f(int32(), 2, "Signal that ended the last run, if any."),
    reason: f(string(), 3, "Why it exited, such as Completed, Error or OOMKilled."),
    message: f(string(), 4, "Details of the exit."),
    startedAt: f(time(), 5, "When the last run started."),
    finishedAt: f(time(), 6, "When the last run ended."),
    containerID: f(string(), 7, "Runtime ID of the container, as `<type>://<id>`."),
  },
});

export const ContainerState = defineType({
  name: `${CORE}.ContainerState`,
  description: "The state of a container; exactly one field is set (waiting when none is).",
  fields: {
    waiting: f(ContainerStateWaiting, 1, "Set while the container has not started."),
    running: f(ContainerStateRunning, 2, "Set while the container runs."),
    terminated: f(ContainerStateTerminated, 3, "Set once the container has exited."),
  },
});

export const ImageVolumeStatus = defineType({
  name: `${CORE}.ImageVolumeStatus`,
  description: "Which image an image volume was made from.",
  fields: {
    imageRef: f(string(), 1, "Digest of the image that was pulled.", { required: true }),
  },
});

export const VolumeStatus = defineType({
  name: `${CORE}.VolumeStatus`,
  description: "Status specific to a kind of volume; at most one field is set.",
  fields: {
    image: f(ImageVolumeStatus, 1, "Status of an image volume."),
  },
});

export const VolumeMountStatus = defineType({
  name: `${CORE}.VolumeMountStatus`,
  description: "The state of one volume mount of a container.",
  fields: {
    name: f(string(), 1, "Name of the volume mount.", { required: true }),
    mountPath: f(string(), 2, "Where the volume is mounted.", { required: true }),
    readOnly: f(boolean(), 3, "Whether the mount is read-only."),
    recursiveReadOnly: f(string(), 4, "Whether submounts are read-only: Disabled or Enabled.", {
      pointer: true,
    }),
    volumeStatus: f(VolumeStatus, 5, "Status specific to the volume's kind."),
  },
});

export const LinuxContainerUser = defineType({
  name: `${CORE}.LinuxContainerUser`,
  description: "The Linux identity the first process of a container runs as.",
  fields: {
    uid: f(int64(), 1, "User ID.", { required: true }),
    gid: f(int64(), 2, "Primary group ID.", { required: true }),
    supplementalGroups: f(list(int64()), 3, "Supplemental group IDs."),
  },
});

export const ContainerUser = defineType({
  name: `${CORE}.ContainerUser`,
  description: "The identity the first process of a container runs as.",
  fields: {
    linux: f(LinuxContainerUser, 1, "The Linux identity, on Linux nodes."),
  },
});

export const ResourceHealth = defineType({
  name: `${CORE}.ResourceHealth`,
  description: "Health of one device allocated to a container.",
  fields: {
    resourceID: f(string(), 1, "ID of the device, unique within its resource.", { required: true }),
    health: f(string(), 2, "Healthy, Unhealthy or Unknown."),
    message: f(string(), 6, "Details of the device's health.", { pointer: true }),
  },
});

export const ResourceStatus = defineType({
  name: `${CORE}.ResourceStatus`,
  description: "Health of the devices allocated to a container for one resource.",
  fields: {
    name: f(string(), 1, "The resource, or `claim:<claim>/<request>` for claims.", {
      required: true,
    }),
    resources: f(keyedList(ResourceHealth, ["resourceID"]), 2, "Health of each allocated device."),
  },
});

export const ContainerStatus = defineType({
  name: `${CORE}.ContainerStatus`,
  description: "The observed state of one container of the pod.",
  fields: {
    name: f(string(), 1, "Name of the container in the pod's spec.", { required: true }),
    state: f(ContainerState, 2, "Current state of the container."),
    lastState: f(
      ContainerState,
      3,
      "State of the container's previous run, when it has restarted.",
    ),
    ready: f(boolean(), 4, "Whether the container passes its readiness probe.", { required: true }),
    restartCount: f(int32(), 5, "How many times the container has been restarted.", {
      required: true,
    }),
    image: f(string(), 6, "Image the container runs.", { required: true }),
    imageID: f(string(), 7, "ID of the image the container runs, usually a digest.", {
      required: true,
    }),
    containerID: f(string(), 8, "Runtime ID of the container, as `<type>://<id>`."),
    started: f(boolean(), 9, "Whether the container has started and passed its startup probe.", {
      pointer: true,
    }),
    allocatedResources: f(
      map(quantity()),
      10,
      "Resources the node has allocated to the container.",
    ),
    resources: f(
      ResourceRequirements,
      11,
      "Resources actually configured for the running container.",
    ),
    volumeMounts: f(
      keyedList(VolumeMountStatus, ["mountPath"], { mergeKey: "mountPath" }),
      12,
      "State of the container's volume mounts.",
    ),
    user: f(ContainerUser, 13, "Identity the container's first process runs as."),
    allocatedResourcesStatus: f(
      keyedList(ResourceStatus, ["name"], { mergeKey: "name" }),
      14,
      "Health of the devices allocated to the container.",
    ),
    stopSignal: f(string({ enum: SIGNALS }), 15, "Signal that will stop the container.", {
      pointer: true,
    }),
  },
});

export const PodResourceClaimStatus = defineType({
  name: `${CORE}.PodResourceClaimStatus`,
  description: "The ResourceClaim created for one of the pod's claim templates.",
  fields: {
    name: f(string(), 1, "Name of the entry in the pod's `resourceClaims`.", { required: true }),
    resourceClaimName: f(
      string(),
      2,
      "Name of the created ResourceClaim; unset when none was needed.",
      { pointer: true },
    ),
  },
});

export const ContainerExtendedResourceRequest = defineType({
  name: `${CORE}.ContainerExtendedResourceRequest`,
  description: "Maps a container's extended resource to a request of the pod's special claim.",
  fields: {
    containerName: f(string(), 1, "Name of the container.", { required: true }),
    resourceName: f(string(), 2, "Extended resource the container asks for.", { required: true }),
    requestName: f(string(), 3, "Request of the claim that provides it.", { required: true }),
  },
});

export const PodExtendedResourceClaimStatus = defineType({
  name: `${CORE}.PodExtendedResourceClaimStatus`,
  description: "The ResourceClaim the scheduler created for the pod's extended resources.",
  fields: {
    requestMappings: f(
      list(ContainerExtendedResourceRequest),
      1,
      "Which claim request serves each container's extended resource.",
      { required: true },
    ),
    resourceClaimName: f(string(), 2, "Name of the created ResourceClaim.", { required: true }),
  },
});

export const NodeAllocatableResourceClaimStatus = defineType({
  name: `${CORE}.NodeAllocatableResourceClaimStatus`,
  description: "Node-allocatable resources that a ResourceClaim of the pod provides.",
  fields: {
    resourceClaimName: f(string(), 1, "Name of the ResourceClaim.", { required: true }),
    containers: f(set(string()), 2, "Containers that use the claim."),
    resources: f(map(quantity()), 3, "Amount of each node resource the claim provides.", {
      required: true,
    }),
  },
});

const PHASES = ["Failed", "Pending", "Running", "Succeeded", "Unknown"];

export const PodStatus = defineType({
  name: `${CORE}.PodStatus`,
  description: "The observed state of a pod, written by the kubelet and the scheduler.",
  fields: {
    observedGeneration: f(int64(), 17, "The pod generation this status reflects."),
    phase: f(
      string({ enum: PHASES }),
      1,
      "Where the pod is in its lifecycle: Pending, Running, Succeeded, Failed or Unknown.",
    ),
    conditions: f(
      keyedList(PodCondition, ["type"], { mergeKey: "type" }),
      2,
      "Current conditions of the pod.",
    ),
    message: f(string(), 3, "Human-readable details of the pod's state."),
    reason: f(string(), 4, "Short CamelCase reason for the pod's state, such as Evicted."),
    nominatedNodeName: f(
      string(),
      11,
      "Node the scheduler preempted pods on to make room for this one, until it is bound.",
    ),
    hostIP: f(string(), 5, "Primary IP address of the pod's node."),
    hostIPs: f(mergeList(HostIP, "ip"), 16, "IP addresses of the pod's node, primary first."),
    podIP: f(string(), 6, "Primary IP address of the pod."),
    podIPs: f(
      keyedList(PodIP, ["ip"], { mergeKey: "ip" }),
      12,
      "IP addresses of the pod, at most one per family, primary first.",
    ),
    startTime: f(time(), 7, "When the kubelet accepted the pod, before its images were pulled.", {
      pointer: true,
    }),
    initContainerStatuses: f(list(ContainerStatus), 10, "Status of each init container."),
    containerStatuses: f(list(ContainerStatus), 8, "Status of each regular container."),
    qosClass: f(
      string({ enum: ["BestEffort", "Burstable", "Guaranteed"] }),
      9,
      "Quality of service class computed from the containers' requests and limits.",
    ),
    ephemeralContainerStatuses: f(list(ContainerStatus), 13, "Status of each ephemeral container."),
    resize: f(string(), 14, "Deprecated state of an in-place resize; conditions replace it."),
    resourceClaimStatuses: f(
      keyedList(PodResourceClaimStatus, ["name"], {
        mergeKey: "name",
        strategy: "merge,retainKeys",
      }),
      15,
      "The ResourceClaims created for the pod's claim templates.",
    ),
    extendedResourceClaimStatus: f(
      PodExtendedResourceClaimStatus,
      18,
      "The ResourceClaim created for the pod's extended resources.",
    ),
    allocatedResources: f(map(quantity()), 19, "Pod-level resources the node has allocated."),
    resources: f(ResourceRequirements, 20, "Pod-level resources actually configured."),
    nodeAllocatableResourceClaimStatuses: f(
      list(NodeAllocatableResourceClaimStatus),
      21,
      "Node-allocatable resources provided by the pod's ResourceClaims.",
    ),
  },
});
