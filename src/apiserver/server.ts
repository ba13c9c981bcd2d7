/**
 * The API server: an HTTP server that takes each request through authentication, authorization and the
 * handlers (discovery, the generic REST verbs, watch, subresources), over the stores of every kind.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StatusError } from "../api/errors.js";
import { allResources } from "../api/registry.js";
import type { ResourceDefinition } from "../api/resource.js";
import type { Backend } from "../storage/backend.js";
import type { Logger } from "../util/log.js";
import { Admission } from "./admission/admission.js";
import { DefaultStorageClass } from "./admission/default-storage-class.js";
import { DefaultTolerationSeconds } from "./admission/default-toleration-seconds.js";
import { NamespaceLifecycle } from "./admission/namespace-lifecycle.js";
import { ServiceAllocation } from "./admission/service-allocation.js";
import { AllowAllAuthenticator, type Authenticator } from "./auth/authenticator.js";
import { AlwaysAllowAuthorizer, type Authorizer } from "./auth/authorizer.js";
import { TokenIssuer } from "./auth/service-account-tokens.js";
import { bootstrap } from "./bootstrap.js";
import { KubernetesEndpointReconciler, resolveAdvertiseAddress } from "./endpoint-reconciler.js";
import { bindPod } from "./handlers/binding.js";
import type { RequestContext, ResourceContext } from "./handlers/context.js";
import { DiscoveryDocuments } from "./handlers/discovery.js";
import { evictPod } from "./handlers/eviction.js";
import { isOpenApiPath, serveOpenApi } from "./handlers/openapi.js";
import { getObject, listObjects } from "./handlers/read.js";
import { handleScale } from "./handlers/scale.js";
import { finalizeNamespace } from "./handlers/namespace-finalize.js";
import { createToken, type TokenRequestDeps } from "./handlers/token.js";
import { watchObjects } from "./handlers/watch.js";
import {
  createObject,
  deleteCollection,
  deleteObject,
  patchObject,
  updateObject,
} from "./handlers/write.js";
import { writeError, writeJson } from "./http/respond.js";
import { objectKey, resourcePrefix } from "./registry/keys.js";
import { DEFAULT_EVENT_TTL_MS, EventExpiry } from "./registry/event-ttl.js";
import { Store } from "./registry/store.js";
import { WatchCache } from "./registry/watch-cache.js";
import { createReview } from "./handlers/reviews.js";
import { parseRequestInfo } from "./request-info.js";
import { versionInfo } from "./version.js";

export interface ApiServerOptions {
  backend: Backend;
  /** Address to listen on; port 0 picks a free port. */
  host: string;
  port: number;
  logger: Logger;
  resources?: readonly ResourceDefinition[];
  authenticator?: Authenticator;
  authorizer?: Authorizer;
  /** The range cluster IPs of Services come from. */
  serviceCidr?: string;
  /** How many recent changes of each resource the watch cache keeps for watches that start in the past. */
  watchCacheWindow?: number;
  /** PEM key file that signs service account tokens, made when missing; none: a key in memory. */
  serviceAccountKeyFile?: string;
  /**
   * The address the `kubernetes` Service's endpoints name; by default `host`, or for a wildcard or
   * loopback `host` the machine's address on its default route.
   */
  advertiseAddress?: string;
  /** How often the `kubernetes` Service's endpoints are checked (ms); 10 s by default. */
  endpointReconcileIntervalMs?: number;
  /** How long an Event lives after its last write (`--event-ttl`); 1 h by default, as upstream. */
  eventTtlMs?: number;
}

/** A running API server. */
export class ApiServer {
  readonly #opts: ApiServerOptions;
  readonly #log: Logger;
  readonly #watchCache: WatchCache;
  readonly #stores = new Map<string, Store>();
  /** Kinds that are answered, not stored (access reviews), by `group/plural`. */
  readonly #virtual = new Map<string, ResourceDefinition>();
  readonly #discovery: DiscoveryDocuments;
  readonly #authn: Authenticator;
  readonly #authz: Authorizer;
  readonly #http: Server;
  #tokens: TokenRequestDeps | undefined;
  #endpointReconciler: KubernetesEndpointReconciler | undefined;
  #eventExpiry: EventExpiry | undefined;
  #ready = false;

  private constructor(opts: ApiServerOptions, address: string) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: "apiserver" });
    this.#watchCache = new WatchCache(
      opts.backend,
      opts.watchCacheWindow ? { windowSize: opts.watchCacheWindow } : {},
    );
    this.#authn = opts.authenticator ?? new AllowAllAuthenticator();
    this.#authz = opts.authorizer ?? new AlwaysAllowAuthorizer();
    const resources = opts.resources ?? allResources;
    this.#discovery = new DiscoveryDocuments(resources, address);
    this.#http = createServer(
      { keepAliveTimeout: 65_000 },
      (req, res) => void this.#handle(req, res),
    );
    this.#http.on("clientError", (_err, socket) => socket.destroy());
  }

  /** Starts serving: fills the watch cache, listens, then creates the initial objects. */
  static async start(opts: ApiServerOptions): Promise<ApiServer> {
    const server = new ApiServer(opts, `${opts.host}:${opts.port}`);
    await server.#start();
    return server;
  }

  /** The base URL clients use, such as `http://127.0.0.1:6443`. */
  get url(): string {
    const addr = this.#http.address() as AddressInfo;
    const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
    return `http://${host}:${addr.port}`;
  }

  /** The signer of service account tokens, for in-process components and tests. */
  get tokenIssuer(): TokenIssuer {
    if (!this.#tokens) throw new Error("Cannot use the token issuer: the server has not started");
    return this.#tokens.issuer;
  }

  /** The store of a resource, for in-process components and tests. */
  store(group: string, plural: string): Store {
    const store = this.#stores.get(`${group}/${plural}`);
    if (!store) throw new Error(`Cannot find the store of ${plural}.${group}: not registered`);
    return store;
  }

  async #start(): Promise<void> {
    const keyFile = this.#opts.serviceAccountKeyFile;
    // Generating a key takes a moment in the thread pool, so it overlaps filling the watch cache.
    // It is awaited below; the catch only keeps an early failure from counting as unhandled.
    const issuer = TokenIssuer.open(keyFile ? { keyFile } : {});
    issuer.catch(() => undefined);
    const all = this.#opts.resources ?? allResources;
    for (const def of all) if (def.virtual) this.#virtual.set(`${def.group}/${def.plural}`, def);
    const resources = all.filter((def) => !def.virtual);
    await this.#watchCache.start(
      resources.map((def) => resourcePrefix(def)),
      (err) => this.#log.error("Storage watch failed", { err }),
    );
    const namespaces = findDefinition(resources, "", "namespaces");
    const services = findDefinition(resources, "", "services");
    const namespaceCache = namespaces && this.#watchCache.resource(resourcePrefix(namespaces));
    const serviceCache = services && this.#watchCache.resource(resourcePrefix(services));
    const allocation = new ServiceAllocation(this.#opts.serviceCidr ?? "10.96.0.0/12", () =>
      serviceCache ? [...serviceCache.range("")].map((e) => e.obj) : [],
    );
    const classes = findDefinition(resources, "storage.k8s.io", "storageclasses");
    const classCache = classes && this.#watchCache.resource(resourcePrefix(classes));
    const defaultClass = new DefaultStorageClass(() =>
      classCache ? [...classCache.range("")].map((e) => e.obj) : [],
    );
    const admission = new Admission(
      [allocation, new DefaultTolerationSeconds(), defaultClass],
      [
        new NamespaceLifecycle((name) =>
          namespaces ? namespaceCache?.get(objectKey(namespaces, "", name))?.obj : undefined,
        ),
      ],
    );
    for (const def of resources) {
      this.#stores.set(
        `${def.group}/${def.plural}`,
        new Store(def, this.#opts.backend, this.#watchCache, admission),
      );
    }
    const events = findDefinition(resources, "", "events");
    if (events) {
      this.#eventExpiry = new EventExpiry({
        store: this.store("", "events"),
        cache: this.#watchCache.resource(resourcePrefix(events)),
        ttlMs: this.#opts.eventTtlMs ?? DEFAULT_EVENT_TTL_MS,
        logger: this.#log,
      });
      this.#eventExpiry.start();
    }
    this.#tokens = {
      issuer: await issuer,
      get: async (plural, namespace, name) => {
        const store = this.#stores.get(`/${plural}`);
        if (!store) throw StatusError.notFound({ group: "", resource: plural }, name);
        return (await store.get(namespace, name)).obj;
      },
    };

    await new Promise<void>((resolve, reject) => {
      this.#http.once("error", reject);
      this.#http.listen(this.#opts.port, this.#opts.host, () => resolve());
    });
    const port = (this.#http.address() as AddressInfo).port;
    if (namespaces && services) {
      await bootstrap(
        {
          namespaces: this.store("", "namespaces"),
          services: this.store("", "services"),
          ...(classes ? { storageClasses: this.store("storage.k8s.io", "storageclasses") } : {}),
        },
        allocation.firstAddress,
        port,
      );
    }
    await this.#startEndpointReconciler(resources, port);
    this.#ready = true;
    this.#log.info("Serving the API", { url: this.url, resources: resources.length });
  }

  async #startEndpointReconciler(
    resources: readonly ResourceDefinition[],
    port: number,
  ): Promise<void> {
    if (
      !findDefinition(resources, "", "endpoints") ||
      !findDefinition(resources, "discovery.k8s.io", "endpointslices")
    )
      return;
    const ip = this.#opts.advertiseAddress ?? resolveAdvertiseAddress(this.#opts.host);
    if (!ip) {
      this.#log.warn("No address to advertise: the kubernetes service gets no endpoints", {
        host: this.#opts.host,
      });
      return;
    }
    this.#endpointReconciler = new KubernetesEndpointReconciler({
      endpoints: this.store("", "endpoints"),
      endpointSlices: this.store("discovery.k8s.io", "endpointslices"),
      ip,
      port,
      logger: this.#log,
      ...(this.#opts.endpointReconcileIntervalMs
        ? { intervalMs: this.#opts.endpointReconcileIntervalMs }
        : {}),
    });
    await this.#endpointReconciler.start();
  }

  /** Stops accepting requests, ends open watches, and stops following storage. The backend stays open. */
  async close(): Promise<void> {
    await this.#endpointReconciler?.stop();
    this.#ready = false;
    this.#eventExpiry?.stop();
    const closed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
    this.#http.closeAllConnections();
    await closed;
    this.#watchCache.stop();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let ctx: RequestContext | undefined;
    try {
      const raw = req.url ?? "/";
      const q = raw.indexOf("?");
      const path = q < 0 ? raw : raw.slice(0, q);
      const query = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
      const info = parseRequestInfo(req.method ?? "GET", path, query);
      const user = await this.#authn.authenticate(req);
      if (!user) throw new StatusError(401, "Unauthorized", "Unauthorized");
      ctx = { req, res, info, query, user };
      const decision = await this.#authz.authorize({
        user,
        verb: info.verb,
        resource: info.resource,
        subresource: info.subresource,
        group: info.group,
        namespace: info.namespace,
        name: info.name,
        path: info.path,
      });
      if (!decision.allowed) {
        throw new StatusError(
          403,
          "Forbidden",
          `User "${user.username}" cannot ${info.verb} ${info.resource || info.path}: ${decision.reason}`,
        );
      }
      await this.#route(ctx);
    } catch (err) {
      const status = writeError(res, err);
      if (status.code >= 500)
        this.#log.error("Request failed", { method: req.method, path: req.url, err });
    } finally {
      if (this.#log.enabled("debug")) {
        this.#log.debug("Request", {
          method: req.method,
          path: req.url,
          code: res.statusCode,
          ms: Math.round(performance.now() - started),
        });
      }
    }
  }

  async #route(ctx: RequestContext): Promise<void> {
    const { info } = ctx;
    if (!info.prefix) return this.#nonResource(ctx);
    if (info.discovery) return this.#discovery.serve(ctx);

    const virtual = this.#virtual.get(`${info.group}/${info.resource}`);
    if (virtual && virtual.version === info.version && !info.subresource) {
      return createReview(ctx, virtual, this.#authz);
    }
    const store = this.#stores.get(`${info.group}/${info.resource}`);
    if (!store || store.def.version !== info.version) {
      throw new StatusError(404, "NotFound", "the server could not find the requested resource");
    }
    const def = store.def;
    if (!def.namespaced && info.namespace) {
      throw new StatusError(404, "NotFound", "the server could not find the requested resource");
    }
    const rctx: ResourceContext = { ...ctx, def, store };

    if (info.subresource === "token" && def.group === "" && def.plural === "serviceaccounts") {
      return createToken(ctx, this.#tokens!);
    }
    if (info.subresource === "scale") return handleScale(rctx);
    if (info.subresource === "binding" && def.group === "" && def.plural === "pods") {
      return bindPod(rctx);
    }
    if (info.subresource === "eviction" && def.group === "" && def.plural === "pods") {
      return evictPod(rctx, this.store("policy", "poddisruptionbudgets"));
    }
    if (info.subresource === "finalize" && def.group === "" && def.plural === "namespaces") {
      return finalizeNamespace(rctx);
    }
    if (info.subresource && !(info.subresource === "status" && def.statusSubresource)) {
      throw new StatusError(404, "NotFound", "the server could not find the requested resource");
    }
    switch (info.verb) {
      case "get":
        return getObject(rctx);
      case "list":
        return listObjects(rctx);
      case "watch":
        return watchObjects(rctx);
      case "create":
        if (info.name)
          throw StatusError.methodNotAllowed(`POST is not allowed on a single ${def.singular}`);
        return createObject(rctx);
      case "update":
        return updateObject(rctx);
      case "patch":
        return patchObject(rctx);
      case "delete":
        if (info.subresource)
          throw StatusError.methodNotAllowed("DELETE is not allowed on the status subresource");
        return deleteObject(rctx);
      case "deletecollection":
        return deleteCollection(rctx);
      default:
        throw StatusError.methodNotAllowed(`${ctx.req.method} is not allowed on ${def.plural}`);
    }
  }

  #nonResource(ctx: RequestContext): void {
    const path = ctx.info.path.replace(/\/+$/, "") || "/";
    if (ctx.req.method !== "GET" && ctx.req.method !== "HEAD") {
      throw StatusError.methodNotAllowed(`${ctx.req.method} is not allowed on ${path}`);
    }
    if (path === "/version") return writeJson(ctx.res, 200, versionInfo());
    if (isOpenApiPath(path)) return serveOpenApi(ctx, path, this.#opts.resources ?? allResources);
    if (/^\/(healthz|livez|readyz)(\/.*)?$/.test(path)) {
      const ok = path.startsWith("/livez") || this.#ready;
      ctx.res.writeHead(ok ? 200 : 500, { "Content-Type": "text/plain; charset=utf-8" });
      ctx.res.end(ok ? "ok" : "not ready");
      return;
    }
    if (path === "/") {
      return writeJson(ctx.res, 200, {
        paths: [
          "/api",
          "/api/v1",
          "/apis",
          "/healthz",
          "/livez",
          "/openapi/v2",
          "/openapi/v3",
          "/readyz",
          "/version",
        ],
      });
    }
    throw new StatusError(404, "NotFound", "the server could not find the requested resource");
  }
}

/** The definition of `plural` in `group` among the served resources, if it is served. */
function findDefinition(
  resources: readonly ResourceDefinition[],
  group: string,
  plural: string,
): ResourceDefinition | undefined {
  return resources.find((d) => d.group === group && d.plural === plural);
}
