/**
 * KubeClient: the REST client every component uses to talk to the API. HTTP/1.1 with keep-alive
 * connections; JSON bodies; failures thrown as ApiError carrying the server's Status.
 */
import { Agent, request as httpRequest, type IncomingMessage } from "node:http";
import type { DeleteOptions, KubeObject, ListMeta } from "../api/meta/types.js";
import { ApiError } from "./api-error.js";
import { readKubeconfigServer } from "./kubeconfig.js";
import { apiVersionFor, resourcePath, type ResourceDescriptor } from "./resource.js";
import { openWatch, type WatchOptions, type WatchStream } from "./watch.js";

/** Options of a client. */
export interface KubeClientOptions {
  /** Sent as User-Agent on every request; `kates` by default. */
  userAgent?: string;
  /** The field manager of writes that do not name one (required by server-side apply). */
  fieldManager?: string;
  /** Most connections kept open to the server at once for ordinary requests; 64 by default. */
  maxSockets?: number;
}

/** A list as the API returns it. */
export interface ObjectList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

/** Where an object lives: its namespace, for namespaced resources. */
export interface Scope {
  namespace?: string;
}

/** Options of list (and of watch, which adds its own). */
export interface ListOptions extends Scope {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: "Exact" | "NotOlderThan";
}

/** Options of create, update and updateStatus. */
export interface WriteOptions extends Scope {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: "Ignore" | "Warn" | "Strict";
}

/** The patch formats the API accepts. */
export type PatchType = "merge" | "strategic" | "json" | "apply";

/** Options of patch. */
export interface PatchOptions extends WriteOptions {
  /** `strategic` by default, as kubectl patches. */
  type?: PatchType;
  /** Server-side apply only: take fields over from other managers instead of failing on conflicts. */
  force?: boolean;
  /** Patch a subresource such as `status` or `scale`. */
  subresource?: string;
}

/** Options of delete: where the object is, plus the DeleteOptions body. */
export interface DeleteRequestOptions extends Scope, Omit<DeleteOptions, "dryRun"> {
  dryRun?: boolean;
}

/** Errors of requests that failed on a kept-alive socket the server had closed. */
const STALE_SOCKET = new WeakSet<Error>();

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  json: "application/json-patch+json",
  apply: "application/apply-patch+yaml",
};

interface RawRequest {
  method: string;
  path: string;
  query?: URLSearchParams | undefined;
  body?: unknown;
  contentType?: string;
}

/** A REST client of one API server. */
export class KubeClient {
  /** The server's base URL, such as `http://127.0.0.1:6443`. */
  readonly baseUrl: string;
  /** The default field manager of writes. */
  readonly fieldManager: string | undefined;
  readonly #agent: Agent;
  readonly #watchAgent: Agent;
  readonly #host: string;
  readonly #port: number;
  readonly #basePath: string;
  readonly #userAgent: string;

  constructor(baseUrl: string, opts: KubeClientOptions = {}) {
    const url = new URL(baseUrl);
    if (url.protocol !== "http:") {
      throw new Error(
        `Cannot use server ${baseUrl}: only http:// is supported until the server speaks TLS`,
      );
    }
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#host = url.hostname.replace(/^\[|\]$/g, "");
    this.#port = url.port ? Number(url.port) : 80;
    this.#basePath = url.pathname.replace(/\/+$/, "");
    this.#userAgent = opts.userAgent ?? "kates";
    this.fieldManager = opts.fieldManager;
    this.#agent = new Agent({
      keepAlive: true,
      maxSockets: opts.maxSockets ?? 64,
      scheduling: "lifo",
    });
    // Watches hold their connection for minutes; they get their own pool so that they never take the
    // sockets ordinary requests queue for.
    this.#watchAgent = new Agent({ keepAlive: false });
  }

  /** A client of the server in a kubeconfig's current context (or the one named). */
  static fromKubeconfig(
    path: string,
    opts: KubeClientOptions & { context?: string } = {},
  ): KubeClient {
    const { server } = readKubeconfigServer(path, opts.context);
    return new KubeClient(server, opts);
  }

  /** Reads one object. */
  async get<T extends KubeObject = KubeObject>(
    res: ResourceDescriptor,
    name: string,
    opts: Scope = {},
  ): Promise<T> {
    return this.#json<T>({
      method: "GET",
      path: resourcePath(res, scopeOf(res, opts.namespace), name),
    });
  }

  /** Lists objects: one page when `limit` is set (follow `metadata.continue`), else all of them. */
  async list<T extends KubeObject = KubeObject>(
    res: ResourceDescriptor,
    opts: ListOptions = {},
  ): Promise<ObjectList<T>> {
    const query = new URLSearchParams();
    if (opts.labelSelector) query.set("labelSelector", opts.labelSelector);
    if (opts.fieldSelector) query.set("fieldSelector", opts.fieldSelector);
    if (opts.limit !== undefined) query.set("limit", String(opts.limit));
    if (opts.continue) query.set("continue", opts.continue);
    if (opts.resourceVersion !== undefined) query.set("resourceVersion", opts.resourceVersion);
    if (opts.resourceVersionMatch) query.set("resourceVersionMatch", opts.resourceVersionMatch);
    return this.#json<ObjectList<T>>({
      method: "GET",
      path: resourcePath(res, opts.namespace),
      query,
    });
  }

  /** Creates an object; its namespace comes from `opts` or its metadata. */
  async create<T extends KubeObject = KubeObject>(
    res: ResourceDescriptor,
    obj: T,
    opts: WriteOptions = {},
  ): Promise<T> {
    const namespace = scopeOf(res, opts.namespace ?? obj.metadata.namespace);
    return this.#json<T>({
      method: "POST",
      path: resourcePath(res, namespace),
      query: this.#writeQuery(opts),
      body: withTypeMeta(res, obj),
    });
  }

  /**
   * Replaces an object (PUT), or one of its subresources that takes the whole object (a namespace's
   * `finalize`); a stale `metadata.resourceVersion` fails with a Conflict.
   */
  async update<T extends KubeObject = KubeObject>(
    res: ResourceDescriptor,
    obj: T,
    opts: WriteOptions & { subresource?: string } = {},
  ): Promise<T> {
    return this.#put(res, obj, opts, opts.subresource);
  }

  /** Replaces an object's status through the `status` subresource. */
  async updateStatus<T extends KubeObject = KubeObject>(
    res: ResourceDescriptor,
    obj: T,
    opts: WriteOptions = {},
  ): Promise<T> {
    return this.#put(res, obj, opts, "status");
  }

  /**
   * Patches an object. `patch` is the document (an array of operations for JSON patch, the applied
   * configuration for server-side apply, which needs a field manager from `opts` or the client).
   */
  async patch<T extends KubeObject = KubeObject>(
    res: ResourceDescriptor,
    name: string,
    patch: unknown,
    opts: PatchOptions = {},
  ): Promise<T> {
    const type = opts.type ?? "strategic";
    const query = this.#writeQuery(opts);
    if (type === "apply") {
      if (!query.has("fieldManager")) {
        throw new Error(
          `Cannot apply ${res.resource} ${name}: no field manager (set one on the client or the call)`,
        );
      }
      if (opts.force) query.set("force", "true");
    } else if (opts.force) {
      throw new Error(
        `Cannot patch ${res.resource} ${name}: force applies only to server-side apply`,
      );
    }
    return this.#json<T>({
      method: "PATCH",
      path: resourcePath(res, scopeOf(res, opts.namespace), name, opts.subresource),
      query,
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
    });
  }

  /**
   * Deletes an object. Resolves with what the server answers: the object (still present while
   * finalizers or a grace period hold it, or for kinds that return it) or a Success Status.
   */
  async delete(
    res: ResourceDescriptor,
    name: string,
    opts: DeleteRequestOptions = {},
  ): Promise<KubeObject> {
    const { namespace, dryRun, ...options } = opts;
    const body: Record<string, unknown> = { kind: "DeleteOptions", apiVersion: "v1", ...options };
    if (dryRun) body["dryRun"] = ["All"];
    return this.#json<KubeObject>({
      method: "DELETE",
      path: resourcePath(res, scopeOf(res, namespace), name),
      body,
    });
  }

  /** POSTs a body to an object's subresource, such as a pod's `binding` or `eviction`. */
  async post<T = unknown>(
    res: ResourceDescriptor,
    name: string,
    subresource: string,
    body: unknown,
    opts: WriteOptions = {},
  ): Promise<T> {
    return this.#json<T>({
      method: "POST",
      path: resourcePath(res, scopeOf(res, opts.namespace), name, subresource),
      query: this.#writeQuery(opts),
      body,
    });
  }

  /** Opens a watch; iterate the returned stream for events, and stop it when done. */
  watch<T extends KubeObject = KubeObject>(
    res: ResourceDescriptor,
    opts: WatchOptions = {},
  ): WatchStream<T> {
    return openWatch<T>(
      (path, signal) => this.#open("GET", path, signal),
      resourcePath(res, opts.namespace),
      opts,
    );
  }

  /** Closes idle connections; requests still in flight finish. */
  close(): void {
    this.#agent.destroy();
    this.#watchAgent.destroy();
  }

  #put<T extends KubeObject>(
    res: ResourceDescriptor,
    obj: T,
    opts: WriteOptions,
    subresource: string | undefined,
  ): Promise<T> {
    const namespace = scopeOf(res, opts.namespace ?? obj.metadata.namespace);
    const name = obj.metadata.name ?? "";
    return this.#json<T>({
      method: "PUT",
      path: resourcePath(res, namespace, name, subresource),
      query: this.#writeQuery(opts),
      body: withTypeMeta(res, obj),
    });
  }

  #writeQuery(opts: WriteOptions): URLSearchParams {
    const query = new URLSearchParams();
    if (opts.dryRun) query.set("dryRun", "All");
    const manager = opts.fieldManager ?? this.fieldManager;
    if (manager) query.set("fieldManager", manager);
    if (opts.fieldValidation) query.set("fieldValidation", opts.fieldValidation);
    return query;
  }

  async #json<T>(req: RawRequest): Promise<T> {
    const path = req.query && req.query.size > 0 ? `${req.path}?${req.query}` : req.path;
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const { status, text } = await this.#send(req.method, path, body, req.contentType);
    if (status < 200 || status > 299) throw ApiError.fromResponse(status, text);
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new Error(
        `Cannot parse the answer to ${req.method} ${path}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  /** Sends a request; a request that finds its kept-alive socket closed by the server is sent again once. */
  async #send(
    method: string,
    path: string,
    body: string | undefined,
    contentType = "application/json",
  ): Promise<{ status: number; text: string }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#sendOnce(method, path, body, contentType);
      } catch (err) {
        if (attempt === 0 && STALE_SOCKET.has(err as Error)) continue;
        throw err;
      }
    }
  }

  #sendOnce(
    method: string,
    path: string,
    body: string | undefined,
    contentType: string,
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {
        Accept: "application/json",
        "User-Agent": this.#userAgent,
      };
      if (body !== undefined) {
        headers["Content-Type"] = contentType;
        headers["Content-Length"] = Buffer.byteLength(body);
      }
      const options = {
        host: this.#host,
        port: this.#port,
        method,
        path: this.#basePath + path,
        headers,
        agent: this.#agent,
      };
      const req = httpRequest(options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text =
            chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, text });
        });
        res.on("error", reject);
      });
      req.on("error", (err) => {
        const wrapped = new Error(`Cannot ${method} ${this.baseUrl}${path}: ${err.message}`, {
          cause: err,
        });
        // A kept-alive socket the server closed while it sat idle fails before any answer: the
        // request never reached the server, so it is safe to send again.
        const code = (err as NodeJS.ErrnoException).code;
        if (req.reusedSocket && (code === "ECONNRESET" || code === "EPIPE"))
          STALE_SOCKET.add(wrapped);
        reject(wrapped);
      });
      req.end(body);
    });
  }

  /** Starts a streaming GET; resolves with the response once its head arrives. */
  #open(method: string, path: string, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: this.#host,
          port: this.#port,
          method,
          path: this.#basePath + path,
          headers: { Accept: "application/json", "User-Agent": this.#userAgent },
          agent: this.#watchAgent,
          signal,
        },
        resolve,
      );
      req.on("error", (err) =>
        reject(new Error(`Cannot watch ${this.baseUrl}${path}: ${err.message}`, { cause: err })),
      );
      req.end();
    });
  }
}

function scopeOf(res: ResourceDescriptor, namespace: string | undefined): string | undefined {
  if (!res.namespaced) return undefined;
  if (!namespace) throw new Error(`Cannot address ${res.resource}: a namespace is required`);
  return namespace;
}

/** The object with apiVersion and kind filled in when the caller left them out, as the API requires. */
function withTypeMeta<T extends KubeObject>(res: ResourceDescriptor, obj: T): T {
  if (obj.apiVersion && obj.kind) return obj;
  if (!res.kind) return obj;
  return { ...obj, apiVersion: obj.apiVersion ?? apiVersionFor(res), kind: obj.kind ?? res.kind };
}
