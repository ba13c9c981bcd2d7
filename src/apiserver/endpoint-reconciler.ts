/**
 * The API server's own endpoints, as upstream's endpoint reconciler keeps them: the `kubernetes`
 * Service in `default` has no selector, so no controller writes its endpoints; the server itself
 * keeps an Endpoints object (labelled so that the mirroring controller leaves it alone) and an
 * EndpointSlice, both named `kubernetes`, with its advertised address and port. It writes them at
 * start and checks them again every interval, so a deleted or edited object comes back.
 */
import { readFileSync } from "node:fs";
import { isIPv4 } from "node:net";
import { networkInterfaces } from "node:os";
import { isDeepStrictEqual } from "node:util";
import type { Endpoints } from "../api/core/v1/endpoints.js";
import type { EndpointSlice } from "../api/discovery/v1/endpoint-slice.js";
import { isAlreadyExists, isNotFound } from "../api/errors.js";
import type { KubeObject } from "../api/meta/types.js";
import type { Logger } from "../util/log.js";
import { ADMIN } from "./auth/authenticator.js";
import type { Store } from "./registry/store.js";

/** The label that keeps the EndpointSlice mirroring controller off an Endpoints object. */
export const SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror";
/** Upstream's --endpoint-reconciler-interval. */
export const ENDPOINT_RECONCILE_INTERVAL_MS = 10_000;

const NAME = "kubernetes";
const NAMESPACE = "default";
/** Field manager of the server's writes. */
const FIELD_MANAGER = "kube-apiserver";

/** The Endpoints object of the `kubernetes` Service for an API server at `ip:port`. */
export function kubernetesEndpoints(ip: string, port: number): Endpoints {
  return {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: NAME, namespace: NAMESPACE, labels: { [SKIP_MIRROR_LABEL]: "true" } },
    subsets: [{ addresses: [{ ip }], ports: [{ name: "https", port, protocol: "TCP" }] }],
  };
}

/** The EndpointSlice of the `kubernetes` Service for an API server at `ip:port`. */
export function kubernetesEndpointSlice(ip: string, port: number): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: NAME,
      namespace: NAMESPACE,
      labels: { "kubernetes.io/service-name": NAME },
    },
    addressType: isIPv4(ip) ? "IPv4" : "IPv6",
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: "https", port, protocol: "TCP" }],
  };
}

/**
 * The address the server advertises to pods: `bindHost` when it is a routable address, else (for
 * a wildcard or loopback bind, which pods cannot reach) the first IPv4 address of the interface
 * of the default route, else of any interface; undefined when the machine has none.
 */
export function resolveAdvertiseAddress(bindHost: string): string | undefined {
  const special =
    bindHost === "" ||
    bindHost === "0.0.0.0" ||
    bindHost === "::" ||
    bindHost === "localhost" ||
    bindHost === "::1" ||
    bindHost.startsWith("127.");
  if (!special) return bindHost;
  const interfaces = networkInterfaces();
  const ipv4Of = (name: string): string | undefined =>
    interfaces[name]?.find((a) => a.family === "IPv4" && !a.internal)?.address;
  const preferred = defaultRouteInterface();
  const chosen = preferred ? ipv4Of(preferred) : undefined;
  if (chosen) return chosen;
  for (const name of Object.keys(interfaces)) {
    const address = ipv4Of(name);
    if (address) return address;
  }
  return undefined;
}

/** The interface of the IPv4 default route, read from /proc/net/route (Linux); undefined elsewhere. */
function defaultRouteInterface(): string | undefined {
  let table: string;
  try {
    table = readFileSync("/proc/net/route", "utf8");
  } catch {
    // Not Linux, or no procfs: fall back to the first interface with an address.
    return undefined;
  }
  for (const line of table.split("\n").slice(1)) {
    const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
    if (iface && destination === "00000000" && mask === "00000000") return iface;
  }
  return undefined;
}

/** Keeps the `kubernetes` Service's Endpoints and EndpointSlice pointing at this server. */
export class KubernetesEndpointReconciler {
  readonly #endpoints: Store;
  readonly #slices: Store;
  readonly #ip: string;
  readonly #port: number;
  readonly #intervalMs: number;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(opts: {
    endpoints: Store;
    endpointSlices: Store;
    ip: string;
    port: number;
    intervalMs?: number;
    logger: Logger;
  }) {
    this.#endpoints = opts.endpoints;
    this.#slices = opts.endpointSlices;
    this.#ip = opts.ip;
    this.#port = opts.port;
    this.#intervalMs = opts.intervalMs ?? ENDPOINT_RECONCILE_INTERVAL_MS;
    this.#log = opts.logger;
  }

  /** Reconciles once now (awaited), then every interval until `stop()`. */
  async start(): Promise<void> {
    await this.#tick();
    this.#timer = setInterval(() => void this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops the periodic checks and waits for one under way. The objects stay. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #tick(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = this.reconcile()
      .catch((err: unknown) =>
        this.#log.warn("Cannot reconcile the kubernetes service endpoints", { err }),
      )
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** One check: creates, repairs or (for a changed address type) recreates the two objects. */
  async reconcile(): Promise<void> {
    const endpoints = kubernetesEndpoints(this.#ip, this.#port);
    await ensure(this.#endpoints, endpoints, true, (current) => {
      const labels = current.metadata.labels ?? {};
      return (
        labels[SKIP_MIRROR_LABEL] === "true" &&
        isDeepStrictEqual((current as Endpoints).subsets ?? [], endpoints.subsets)
      );
    });
    const slice = kubernetesEndpointSlice(this.#ip, this.#port);
    const current = await getOrUndefined(this.#slices);
    if (current && (current as EndpointSlice).addressType !== slice.addressType) {
      // The address type of a slice cannot change: replace it.
      await this.#slices.delete(NAMESPACE, NAME, {}, { user: ADMIN, dryRun: false });
    }
    await ensure(this.#slices, slice, false, (cur) => {
      const s = cur as EndpointSlice;
      return (
        s.addressType === slice.addressType &&
        isDeepStrictEqual(s.endpoints ?? [], slice.endpoints) &&
        isDeepStrictEqual(s.ports ?? [], slice.ports) &&
        isDeepStrictEqual(s.metadata.labels ?? {}, slice.metadata.labels)
      );
    });
  }
}

async function getOrUndefined(store: Store): Promise<KubeObject | undefined> {
  try {
    return (await store.get(NAMESPACE, NAME)).obj;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Creates `want` when missing; otherwise, unless `matches(current)`, writes its content over it,
 * with its labels added to the current ones (`keepLabels`) or instead of them.
 */
async function ensure(
  store: Store,
  want: KubeObject,
  keepLabels: boolean,
  matches: (current: KubeObject) => boolean,
): Promise<void> {
  const opts = { dryRun: false, user: ADMIN, fieldManager: FIELD_MANAGER };
  const current = await getOrUndefined(store);
  if (!current) {
    try {
      await store.create(NAMESPACE, structuredClone(want), opts);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return;
  }
  if (matches(current)) return;
  await store.update(
    NAMESPACE,
    NAME,
    (cur) => {
      const { metadata: _metadata, ...content } = structuredClone(want);
      const next: KubeObject = { ...content, metadata: { ...cur.metadata } };
      next.metadata.labels = keepLabels
        ? { ...cur.metadata.labels, ...want.metadata.labels }
        : { ...want.metadata.labels };
      return next;
    },
    opts,
  );
}
