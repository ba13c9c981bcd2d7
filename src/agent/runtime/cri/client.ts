/**
 * `CriRuntime`: the `ContainerRuntime` over CRI v1 gRPC, as containerd's CRI plugin serves it.
 */
import type {
  AuthConfig,
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerRuntime,
  ContainerStatus,
  ExecSyncResult,
  Image,
  ImageSpec,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  VersionInfo,
} from "../runtime.js";
import { GrpcClient, type CallOptions } from "./grpc.js";
import * as m from "./messages.js";
import { decodeMessage, encodeMessage, type Message, type MessageSchema } from "./protobuf.js";

const RUNTIME = "/runtime.v1.RuntimeService/";
const IMAGES = "/runtime.v1.ImageService/";

export interface CriRuntimeOptions {
  /** The CRI socket, e.g. containerd's `grpc.address`. */
  socketPath: string;
  /** Deadline of ordinary calls; pulls and exec get their own. Default 2 minutes. */
  timeoutMs?: number;
}

/** A CRI v1 client. One instance is shared by every pod worker; calls may run concurrently. */
export class CriRuntime implements ContainerRuntime {
  readonly #grpc: GrpcClient;
  readonly #timeoutMs: number;

  constructor(opts: CriRuntimeOptions) {
    this.#grpc = new GrpcClient(opts.socketPath);
    this.#timeoutMs = opts.timeoutMs ?? 120_000;
  }

  async version(): Promise<VersionInfo> {
    const res = await this.#call(RUNTIME + "Version", m.VersionRequest, m.VersionResponse, {
      version: "v1",
    });
    return res as unknown as VersionInfo;
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler?: string): Promise<string> {
    const res = await this.#call(
      RUNTIME + "RunPodSandbox",
      m.RunPodSandboxRequest,
      m.RunPodSandboxResponse,
      { config, runtimeHandler },
    );
    return res["podSandboxId"] as string;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.#call(
      RUNTIME + "StopPodSandbox",
      m.StopPodSandboxRequest,
      m.StopPodSandboxResponse,
      { podSandboxId },
    );
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.#call(
      RUNTIME + "RemovePodSandbox",
      m.RemovePodSandboxRequest,
      m.RemovePodSandboxResponse,
      { podSandboxId },
    );
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const res = await this.#call(
      RUNTIME + "PodSandboxStatus",
      m.PodSandboxStatusRequest,
      m.PodSandboxStatusResponse,
      { podSandboxId },
    );
    return required(res, "status", "PodSandboxStatus") as unknown as PodSandboxStatus;
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    const res = await this.#call(
      RUNTIME + "ListPodSandbox",
      m.ListPodSandboxRequest,
      m.ListPodSandboxResponse,
      { filter },
    );
    return res["items"] as PodSandbox[];
  }

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    const res = await this.#call(
      RUNTIME + "CreateContainer",
      m.CreateContainerRequest,
      m.CreateContainerResponse,
      { podSandboxId, config, sandboxConfig },
    );
    return res["containerId"] as string;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.#call(
      RUNTIME + "StartContainer",
      m.StartContainerRequest,
      m.StartContainerResponse,
      { containerId },
    );
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    // The runtime waits up to the timeout before killing; give the call that long on top of ours.
    await this.#call(
      RUNTIME + "StopContainer",
      m.StopContainerRequest,
      m.StopContainerResponse,
      { containerId, timeout: timeoutSeconds },
      { timeoutMs: this.#timeoutMs + timeoutSeconds * 1000 },
    );
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.#call(
      RUNTIME + "RemoveContainer",
      m.RemoveContainerRequest,
      m.RemoveContainerResponse,
      { containerId },
    );
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    const res = await this.#call(
      RUNTIME + "ListContainers",
      m.ListContainersRequest,
      m.ListContainersResponse,
      { filter },
    );
    return res["containers"] as Container[];
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    const res = await this.#call(
      RUNTIME + "ContainerStatus",
      m.ContainerStatusRequest,
      m.ContainerStatusResponse,
      { containerId },
    );
    return required(res, "status", "ContainerStatus") as unknown as ContainerStatus;
  }

  async execSync(containerId: string, cmd: string[], timeoutSeconds = 0): Promise<ExecSyncResult> {
    const res = await this.#call(
      RUNTIME + "ExecSync",
      m.ExecSyncRequest,
      m.ExecSyncResponse,
      { containerId, cmd, timeout: timeoutSeconds },
      // No limit asked means no limit here either, short of a day.
      { timeoutMs: timeoutSeconds > 0 ? this.#timeoutMs + timeoutSeconds * 1000 : 86_400_000 },
    );
    return res as unknown as ExecSyncResult;
  }

  async pullImage(
    image: ImageSpec,
    auth?: AuthConfig,
    sandboxConfig?: PodSandboxConfig,
  ): Promise<string> {
    const res = await this.#call(
      IMAGES + "PullImage",
      m.PullImageRequest,
      m.PullImageResponse,
      { image, auth, sandboxConfig },
      // Pulls of large images over slow links take long; the kubelet gives them no deadline of its own.
      { timeoutMs: 3_600_000 },
    );
    return res["imageRef"] as string;
  }

  async listImages(filter?: ImageSpec): Promise<Image[]> {
    const res = await this.#call(IMAGES + "ListImages", m.ListImagesRequest, m.ListImagesResponse, {
      filter: filter ? { image: filter } : undefined,
    });
    return res["images"] as Image[];
  }

  async imageStatus(image: ImageSpec): Promise<Image | undefined> {
    const res = await this.#call(
      IMAGES + "ImageStatus",
      m.ImageStatusRequest,
      m.ImageStatusResponse,
      { image },
    );
    return res["image"] as Image | undefined;
  }

  async removeImage(image: ImageSpec): Promise<void> {
    await this.#call(IMAGES + "RemoveImage", m.RemoveImageRequest, m.RemoveImageResponse, {
      image,
    });
  }

  close(): void {
    this.#grpc.close();
  }

  async #call(
    method: string,
    req: MessageSchema,
    res: MessageSchema,
    body: Message,
    opts: CallOptions = {},
  ): Promise<Message> {
    const bytes = await this.#grpc.unary(method, encodeMessage(req, body), {
      timeoutMs: opts.timeoutMs ?? this.#timeoutMs,
    });
    return decodeMessage(res, bytes);
  }
}

function required(res: Message, key: string, what: string): Message {
  const v = res[key];
  if (v === undefined)
    throw new Error(`Cannot read ${what}: the runtime answered without a status`);
  return v as Message;
}
