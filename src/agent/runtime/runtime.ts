/**
 * The container runtime as the node agent sees it: an interface shaped like the Kubernetes CRI v1
 * (`runtime.v1.RuntimeService` and `ImageService`), so the containerd client and a simulated runtime can
 * stand behind the same calls. Names and meanings follow the CRI; timestamps are nanoseconds since the
 * epoch, as the CRI reports them.
 *
 * Contract (as the CRI's): stop and remove calls are idempotent and succeed for an object that is already
 * gone; status calls of a missing object fail with a not-found error. Sandboxes and containers survive a
 * restart of the agent: they are found again by listing them. Calls may run concurrently.
 */

/** `runtime.v1.PodSandboxState`. */
export const SandboxState = { Ready: 0, NotReady: 1 } as const;
/** `runtime.v1.ContainerState`. */
export const ContainerState = { Created: 0, Running: 1, Exited: 2, Unknown: 3 } as const;
/** `runtime.v1.NamespaceMode`: which namespace a pod or container gets. */
export const NamespaceMode = { Pod: 0, Container: 1, Node: 2, Target: 3 } as const;
/** `runtime.v1.Protocol`. */
export const Protocol = { TCP: 0, UDP: 1, SCTP: 2 } as const;

export type Labels = Record<string, string>;

export interface VersionInfo {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt?: number;
}

export interface NamespaceOption {
  network?: number;
  pid?: number;
  ipc?: number;
  targetId?: string;
}

export interface Int64Value {
  value: number;
}

export interface LinuxContainerResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
  oomScoreAdj?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  unified?: Labels;
  memorySwapLimitInBytes?: number;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  logDirectory?: string;
  dnsConfig?: { servers?: string[]; searches?: string[]; options?: string[] };
  portMappings?: {
    protocol?: number;
    containerPort?: number;
    hostPort?: number;
    hostIp?: string;
  }[];
  labels?: Labels;
  annotations?: Labels;
  linux?: {
    cgroupParent?: string;
    securityContext?: {
      namespaceOptions?: NamespaceOption;
      runAsUser?: Int64Value;
      runAsGroup?: Int64Value;
      readonlyRootfs?: boolean;
      supplementalGroups?: number[];
      privileged?: boolean;
    };
    sysctls?: Labels;
    overhead?: LinuxContainerResources;
    resources?: LinuxContainerResources;
  };
}

export interface PodSandboxStatus {
  id: string;
  metadata?: Required<PodSandboxMetadata>;
  state: number;
  createdAt: number;
  network?: { ip: string; additionalIps: { ip: string }[] };
  labels: Labels;
  annotations: Labels;
  runtimeHandler: string;
}

export interface PodSandbox {
  id: string;
  metadata?: Required<PodSandboxMetadata>;
  state: number;
  createdAt: number;
  labels: Labels;
  annotations: Labels;
  runtimeHandler: string;
}

export interface PodSandboxFilter {
  id?: string;
  state?: { state: number };
  labelSelector?: Labels;
}

export interface ImageSpec {
  image: string;
  annotations?: Labels;
  userSpecifiedImage?: string;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: number;
}

export interface ContainerConfig {
  metadata: { name: string; attempt?: number };
  image: ImageSpec;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: { key: string; value: string }[];
  mounts?: Mount[];
  devices?: { containerPath: string; hostPath: string; permissions: string }[];
  labels?: Labels;
  annotations?: Labels;
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: {
    resources?: LinuxContainerResources;
    securityContext?: {
      capabilities?: { addCapabilities?: string[]; dropCapabilities?: string[] };
      privileged?: boolean;
      namespaceOptions?: NamespaceOption;
      runAsUser?: Int64Value;
      runAsUsername?: string;
      runAsGroup?: Int64Value;
      readonlyRootfs?: boolean;
      supplementalGroups?: number[];
      noNewPrivs?: boolean;
      maskedPaths?: string[];
      readonlyPaths?: string[];
    };
  };
}

export interface Container {
  id: string;
  podSandboxId: string;
  metadata?: { name: string; attempt: number };
  image?: Required<Pick<ImageSpec, "image">> & ImageSpec;
  imageRef: string;
  state: number;
  createdAt: number;
  labels: Labels;
  annotations: Labels;
}

export interface ContainerFilter {
  id?: string;
  state?: { state: number };
  podSandboxId?: string;
  labelSelector?: Labels;
}

export interface ContainerStatus {
  id: string;
  metadata?: { name: string; attempt: number };
  state: number;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  image?: ImageSpec;
  imageRef: string;
  reason: string;
  message: string;
  labels: Labels;
  annotations: Labels;
  mounts: Mount[];
  logPath: string;
}

export interface ExecSyncResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
  exitCode: number;
}

export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  uid?: Int64Value;
  username: string;
  pinned: boolean;
}

/** The CRI runtime and image services, as one interface. */
export interface ContainerRuntime {
  version(): Promise<VersionInfo>;

  /** Creates and starts a sandbox; returns its ID once it is ready. */
  runPodSandbox(config: PodSandboxConfig, runtimeHandler?: string): Promise<string>;
  /** Stops the sandbox and every container in it, releasing its network. Idempotent. */
  stopPodSandbox(podSandboxId: string): Promise<void>;
  /** Removes the sandbox and its containers, forcibly if they run. Idempotent. */
  removePodSandbox(podSandboxId: string): Promise<void>;
  /** Fails with a not-found error when the sandbox does not exist. */
  podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]>;

  createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** Sends the stop signal, then kills after `timeoutSeconds` (0: at once). Idempotent. */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  /** Removes the container, forcibly if it runs. Idempotent. */
  removeContainer(containerId: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  /** Fails with a not-found error when the container does not exist. */
  containerStatus(containerId: string): Promise<ContainerStatus>;
  /** Runs `cmd` in the container and waits for it (0 timeout: no limit). */
  execSync(containerId: string, cmd: string[], timeoutSeconds?: number): Promise<ExecSyncResult>;

  /** Pulls the image; returns its reference (the image ID). */
  pullImage(image: ImageSpec, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string>;
  listImages(filter?: ImageSpec): Promise<Image[]>;
  /** The image, or undefined when it is not present. */
  imageStatus(image: ImageSpec): Promise<Image | undefined>;
  /** Removes the image. Idempotent. */
  removeImage(image: ImageSpec): Promise<void>;

  /** Releases connections; the runtime itself keeps running. */
  close(): void;
}
