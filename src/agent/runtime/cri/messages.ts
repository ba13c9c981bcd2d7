/**
 * The CRI v1 (`runtime.v1`) messages this client sends and reads, as protobuf schemas. Field numbers and
 * types follow the upstream API; fields Kates does not use yet are left out (the decoder skips them).
 */
import { message, type FieldSpec, type MessageSchema, type ScalarType } from "./protobuf.js";

function f(no: number, type: ScalarType | "map" | MessageSchema): FieldSpec {
  return { no, type };
}

function rep(no: number, type: ScalarType | MessageSchema): FieldSpec {
  return { no, type, repeated: true };
}

const empty = (name: string) => message(`runtime.v1.${name}`, {});

export const VersionRequest = message("runtime.v1.VersionRequest", { version: f(1, "string") });
export const VersionResponse = message("runtime.v1.VersionResponse", {
  version: f(1, "string"),
  runtimeName: f(2, "string"),
  runtimeVersion: f(3, "string"),
  runtimeApiVersion: f(4, "string"),
});

export const DNSConfig = message("runtime.v1.DNSConfig", {
  servers: rep(1, "string"),
  searches: rep(2, "string"),
  options: rep(3, "string"),
});

export const PortMapping = message("runtime.v1.PortMapping", {
  protocol: f(1, "enum"),
  containerPort: f(2, "int32"),
  hostPort: f(3, "int32"),
  hostIp: f(4, "string"),
});

export const ImageSpec = message("runtime.v1.ImageSpec", {
  image: f(1, "string"),
  annotations: f(2, "map"),
  userSpecifiedImage: f(18, "string"),
  runtimeHandler: f(19, "string"),
});

export const Mount = message("runtime.v1.Mount", {
  containerPath: f(1, "string"),
  hostPath: f(2, "string"),
  readonly: f(3, "bool"),
  selinuxRelabel: f(4, "bool"),
  propagation: f(5, "enum"),
});

export const NamespaceOption = message("runtime.v1.NamespaceOption", {
  network: f(1, "enum"),
  pid: f(2, "enum"),
  ipc: f(3, "enum"),
  targetId: f(4, "string"),
});

export const Int64Value = message("runtime.v1.Int64Value", { value: f(1, "int64") });

export const SecurityProfile = message("runtime.v1.SecurityProfile", {
  profileType: f(1, "enum"),
  localhostRef: f(2, "string"),
});

export const LinuxSandboxSecurityContext = message("runtime.v1.LinuxSandboxSecurityContext", {
  namespaceOptions: f(1, NamespaceOption),
  runAsUser: f(3, Int64Value),
  readonlyRootfs: f(4, "bool"),
  supplementalGroups: rep(5, "int64"),
  privileged: f(6, "bool"),
  runAsGroup: f(8, Int64Value),
  seccomp: f(9, SecurityProfile),
});

export const LinuxContainerResources = message("runtime.v1.LinuxContainerResources", {
  cpuPeriod: f(1, "int64"),
  cpuQuota: f(2, "int64"),
  cpuShares: f(3, "int64"),
  memoryLimitInBytes: f(4, "int64"),
  oomScoreAdj: f(5, "int64"),
  cpusetCpus: f(6, "string"),
  cpusetMems: f(7, "string"),
  unified: f(9, "map"),
  memorySwapLimitInBytes: f(10, "int64"),
});

export const LinuxPodSandboxConfig = message("runtime.v1.LinuxPodSandboxConfig", {
  cgroupParent: f(1, "string"),
  securityContext: f(2, LinuxSandboxSecurityContext),
  sysctls: f(3, "map"),
  overhead: f(4, LinuxContainerResources),
  resources: f(5, LinuxContainerResources),
});

export const PodSandboxMetadata = message("runtime.v1.PodSandboxMetadata", {
  name: f(1, "string"),
  uid: f(2, "string"),
  namespace: f(3, "string"),
  attempt: f(4, "uint32"),
});

export const PodSandboxConfig = message("runtime.v1.PodSandboxConfig", {
  metadata: f(1, PodSandboxMetadata),
  hostname: f(2, "string"),
  logDirectory: f(3, "string"),
  dnsConfig: f(4, DNSConfig),
  portMappings: rep(5, PortMapping),
  labels: f(6, "map"),
  annotations: f(7, "map"),
  linux: f(8, LinuxPodSandboxConfig),
});

export const RunPodSandboxRequest = message("runtime.v1.RunPodSandboxRequest", {
  config: f(1, PodSandboxConfig),
  runtimeHandler: f(2, "string"),
});
export const RunPodSandboxResponse = message("runtime.v1.RunPodSandboxResponse", {
  podSandboxId: f(1, "string"),
});

export const PodSandboxIdRequest = (name: string) =>
  message(`runtime.v1.${name}`, { podSandboxId: f(1, "string") });
export const StopPodSandboxRequest = PodSandboxIdRequest("StopPodSandboxRequest");
export const StopPodSandboxResponse = empty("StopPodSandboxResponse");
export const RemovePodSandboxRequest = PodSandboxIdRequest("RemovePodSandboxRequest");
export const RemovePodSandboxResponse = empty("RemovePodSandboxResponse");

export const PodSandboxStatusRequest = message("runtime.v1.PodSandboxStatusRequest", {
  podSandboxId: f(1, "string"),
  verbose: f(2, "bool"),
});

export const PodIP = message("runtime.v1.PodIP", { ip: f(1, "string") });
export const PodSandboxNetworkStatus = message("runtime.v1.PodSandboxNetworkStatus", {
  ip: f(1, "string"),
  additionalIps: rep(2, PodIP),
});

export const PodSandboxStatus = message("runtime.v1.PodSandboxStatus", {
  id: f(1, "string"),
  metadata: f(2, PodSandboxMetadata),
  state: f(3, "enum"),
  createdAt: f(4, "int64"),
  network: f(5, PodSandboxNetworkStatus),
  labels: f(7, "map"),
  annotations: f(8, "map"),
  runtimeHandler: f(9, "string"),
});

export const PodSandboxStatusResponse = message("runtime.v1.PodSandboxStatusResponse", {
  status: f(1, PodSandboxStatus),
  info: f(2, "map"),
});

export const PodSandboxStateValue = message("runtime.v1.PodSandboxStateValue", {
  state: f(1, "enum"),
});
export const PodSandboxFilter = message("runtime.v1.PodSandboxFilter", {
  id: f(1, "string"),
  state: f(2, PodSandboxStateValue),
  labelSelector: f(3, "map"),
});
export const ListPodSandboxRequest = message("runtime.v1.ListPodSandboxRequest", {
  filter: f(1, PodSandboxFilter),
});
export const PodSandbox = message("runtime.v1.PodSandbox", {
  id: f(1, "string"),
  metadata: f(2, PodSandboxMetadata),
  state: f(3, "enum"),
  createdAt: f(4, "int64"),
  labels: f(5, "map"),
  annotations: f(6, "map"),
  runtimeHandler: f(7, "string"),
});
export const ListPodSandboxResponse = message("runtime.v1.ListPodSandboxResponse", {
  items: rep(1, PodSandbox),
});

export const KeyValue = message("runtime.v1.KeyValue", {
  key: f(1, "string"),
  value: f(2, "string"),
});

export const Capability = message("runtime.v1.Capability", {
  addCapabilities: rep(1, "string"),
  dropCapabilities: rep(2, "string"),
  addAmbientCapabilities: rep(3, "string"),
});

export const LinuxContainerSecurityContext = message("runtime.v1.LinuxContainerSecurityContext", {
  capabilities: f(1, Capability),
  privileged: f(2, "bool"),
  namespaceOptions: f(3, NamespaceOption),
  runAsUser: f(5, Int64Value),
  runAsUsername: f(6, "string"),
  readonlyRootfs: f(7, "bool"),
  supplementalGroups: rep(8, "int64"),
  noNewPrivs: f(11, "bool"),
  runAsGroup: f(12, Int64Value),
  maskedPaths: rep(13, "string"),
  readonlyPaths: rep(14, "string"),
  seccomp: f(15, SecurityProfile),
});

export const LinuxContainerConfig = message("runtime.v1.LinuxContainerConfig", {
  resources: f(1, LinuxContainerResources),
  securityContext: f(2, LinuxContainerSecurityContext),
});

export const ContainerMetadata = message("runtime.v1.ContainerMetadata", {
  name: f(1, "string"),
  attempt: f(2, "uint32"),
});

export const Device = message("runtime.v1.Device", {
  containerPath: f(1, "string"),
  hostPath: f(2, "string"),
  permissions: f(3, "string"),
});

export const ContainerConfig = message("runtime.v1.ContainerConfig", {
  metadata: f(1, ContainerMetadata),
  image: f(2, ImageSpec),
  command: rep(3, "string"),
  args: rep(4, "string"),
  workingDir: f(5, "string"),
  envs: rep(6, KeyValue),
  mounts: rep(7, Mount),
  devices: rep(8, Device),
  labels: f(9, "map"),
  annotations: f(10, "map"),
  logPath: f(11, "string"),
  stdin: f(12, "bool"),
  stdinOnce: f(13, "bool"),
  tty: f(14, "bool"),
  linux: f(15, LinuxContainerConfig),
});

export const CreateContainerRequest = message("runtime.v1.CreateContainerRequest", {
  podSandboxId: f(1, "string"),
  config: f(2, ContainerConfig),
  sandboxConfig: f(3, PodSandboxConfig),
});
export const CreateContainerResponse = message("runtime.v1.CreateContainerResponse", {
  containerId: f(1, "string"),
});

const ContainerIdRequest = (name: string) =>
  message(`runtime.v1.${name}`, { containerId: f(1, "string") });
export const StartContainerRequest = ContainerIdRequest("StartContainerRequest");
export const StartContainerResponse = empty("StartContainerResponse");
export const StopContainerRequest = message("runtime.v1.StopContainerRequest", {
  containerId: f(1, "string"),
  timeout: f(2, "int64"),
});
export const StopContainerResponse = empty("StopContainerResponse");
export const RemoveContainerRequest = ContainerIdRequest("RemoveContainerRequest");
export const RemoveContainerResponse = empty("RemoveContainerResponse");

export const ContainerStateValue = message("runtime.v1.ContainerStateValue", {
  state: f(1, "enum"),
});
export const ContainerFilter = message("runtime.v1.ContainerFilter", {
  id: f(1, "string"),
  state: f(2, ContainerStateValue),
  podSandboxId: f(3, "string"),
  labelSelector: f(4, "map"),
});
export const ListContainersRequest = message("runtime.v1.ListContainersRequest", {
  filter: f(1, ContainerFilter),
});
export const Container = message("runtime.v1.Container", {
  id: f(1, "string"),
  podSandboxId: f(2, "string"),
  metadata: f(3, ContainerMetadata),
  image: f(4, ImageSpec),
  imageRef: f(5, "string"),
  state: f(6, "enum"),
  createdAt: f(7, "int64"),
  labels: f(8, "map"),
  annotations: f(9, "map"),
  imageId: f(10, "string"),
});
export const ListContainersResponse = message("runtime.v1.ListContainersResponse", {
  containers: rep(1, Container),
});

export const ContainerStatusRequest = message("runtime.v1.ContainerStatusRequest", {
  containerId: f(1, "string"),
  verbose: f(2, "bool"),
});
export const ContainerStatus = message("runtime.v1.ContainerStatus", {
  id: f(1, "string"),
  metadata: f(2, ContainerMetadata),
  state: f(3, "enum"),
  createdAt: f(4, "int64"),
  startedAt: f(5, "int64"),
  finishedAt: f(6, "int64"),
  exitCode: f(7, "int32"),
  image: f(8, ImageSpec),
  imageRef: f(9, "string"),
  reason: f(10, "string"),
  message: f(11, "string"),
  labels: f(12, "map"),
  annotations: f(13, "map"),
  mounts: rep(14, Mount),
  logPath: f(15, "string"),
  imageId: f(17, "string"),
});
export const ContainerStatusResponse = message("runtime.v1.ContainerStatusResponse", {
  status: f(1, ContainerStatus),
  info: f(2, "map"),
});

export const ExecSyncRequest = message("runtime.v1.ExecSyncRequest", {
  containerId: f(1, "string"),
  cmd: rep(2, "string"),
  timeout: f(3, "int64"),
});
export const ExecSyncResponse = message("runtime.v1.ExecSyncResponse", {
  stdout: f(1, "bytes"),
  stderr: f(2, "bytes"),
  exitCode: f(3, "int32"),
});

export const AuthConfig = message("runtime.v1.AuthConfig", {
  username: f(1, "string"),
  password: f(2, "string"),
  auth: f(3, "string"),
  serverAddress: f(4, "string"),
  identityToken: f(5, "string"),
  registryToken: f(6, "string"),
});
export const PullImageRequest = message("runtime.v1.PullImageRequest", {
  image: f(1, ImageSpec),
  auth: f(2, AuthConfig),
  sandboxConfig: f(3, PodSandboxConfig),
});
export const PullImageResponse = message("runtime.v1.PullImageResponse", {
  imageRef: f(1, "string"),
});

export const ImageFilter = message("runtime.v1.ImageFilter", { image: f(1, ImageSpec) });
export const ListImagesRequest = message("runtime.v1.ListImagesRequest", {
  filter: f(1, ImageFilter),
});
export const Image = message("runtime.v1.Image", {
  id: f(1, "string"),
  repoTags: rep(2, "string"),
  repoDigests: rep(3, "string"),
  size: f(4, "uint64"),
  uid: f(5, Int64Value),
  username: f(6, "string"),
  spec: f(7, ImageSpec),
  pinned: f(8, "bool"),
});
export const ListImagesResponse = message("runtime.v1.ListImagesResponse", {
  images: rep(1, Image),
});
export const ImageStatusRequest = message("runtime.v1.ImageStatusRequest", {
  image: f(1, ImageSpec),
  verbose: f(2, "bool"),
});
export const ImageStatusResponse = message("runtime.v1.ImageStatusResponse", {
  image: f(1, Image),
  info: f(2, "map"),
});
export const RemoveImageRequest = message("runtime.v1.RemoveImageRequest", {
  image: f(1, ImageSpec),
});
export const RemoveImageResponse = empty("RemoveImageResponse");
