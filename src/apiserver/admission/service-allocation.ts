/**
 * Allocation of Service cluster IPs and node ports, as the service registry does upstream: a free address
 * from the service CIDR for every Service that wants one, and a free port from the node-port range for every
 * NodePort or LoadBalancer port (and health check) without one. Runs after the Service strategy has carried
 * allocated values over an update that omits them, so only new values are claimed.
 */
import { StatusError } from "../../api/errors.js";
import type { FieldError } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta/types.js";
import { CLUSTER_IP_NONE } from "../../api/core/v1/service-types.js";
import {
  needsClusterIP,
  needsHealthCheckNodePort,
  needsNodePorts,
  type Service,
} from "../../api/core/v1/service.js";
import { invalid, root, type Path } from "../../api/validation.js";
import type { AdmissionAttributes, MutatingPlugin } from "./admission.js";

/** An IPv4 CIDR as a base address and a size. */
export interface Ipv4Range {
  base: number;
  size: number;
}

export function parseCidr(cidr: string): Ipv4Range {
  const [addr, bits] = cidr.split("/");
  const prefix = Number(bits);
  const base = ipToNumber(addr ?? "");
  if (base === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
    throw new Error(
      `Cannot use service CIDR ${cidr}: expected an IPv4 CIDR with a prefix of 8 to 30 bits`,
    );
  }
  const size = 2 ** (32 - prefix);
  return { base: base - (base % size), size };
}

export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;
/** Reservations of writes not yet seen in the cache are kept this long. */
const RESERVATION_MS = 30_000;

export class ServiceAllocation implements MutatingPlugin {
  readonly name = "ServiceAllocation";
  readonly #range: Ipv4Range;
  readonly #services: () => Iterable<KubeObject>;
  readonly #reservedIps = new Map<number, number>();
  readonly #reservedPorts = new Map<number, number>();

  /** `services` lists every stored Service (from the watch cache). */
  constructor(serviceCidr: string, services: () => Iterable<KubeObject>) {
    this.#range = parseCidr(serviceCidr);
    this.#services = services;
  }

  /** The first usable address of the range, which the `kubernetes` Service takes. */
  get firstAddress(): string {
    return numberToIp(this.#range.base + 1);
  }

  admit(attrs: AdmissionAttributes): void {
    if (attrs.def.kind !== "Service" || attrs.def.group !== "" || attrs.subresource) return;
    if (attrs.operation !== "CREATE" && attrs.operation !== "UPDATE") return;
    const svc = attrs.object as Service | undefined;
    if (!svc) return;
    const spec = (svc.spec ??= {});
    const oldSpec = (attrs.oldObject as Service | undefined)?.spec;
    const errors: FieldError[] = [];
    const { ips, ports } = this.#inUse(attrs.oldObject);

    if (needsClusterIP(spec)) {
      if (!spec.clusterIP) {
        const ip = this.#freeIp(ips);
        if (ip === undefined)
          throw StatusError.internal("failed to allocate a service IP: the range is full");
        spec.clusterIP = numberToIp(ip);
        if (!attrs.dryRun) this.#reservedIps.set(ip, Date.now());
      } else if (spec.clusterIP !== CLUSTER_IP_NONE && spec.clusterIP !== oldSpec?.clusterIP) {
        errors.push(...this.#claimIp(spec.clusterIP, ips, attrs.dryRun));
      }
      spec.clusterIPs = [spec.clusterIP];
      spec.ipFamilies ??= ["IPv4"];
    }

    const claimPort = (
      port: number | undefined,
      previous: number | undefined,
      path: Path,
    ): number | undefined => {
      if (port === undefined || port === 0) {
        const free = this.#freePort(ports);
        if (free === undefined)
          throw StatusError.internal("failed to allocate a node port: the range is full");
        ports.add(free);
        if (!attrs.dryRun) this.#reservedPorts.set(free, Date.now());
        return free;
      }
      if (port === previous) return port;
      if (port < NODE_PORT_MIN || port > NODE_PORT_MAX) {
        errors.push(
          invalid(
            path,
            port,
            `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`,
          ),
        );
      } else if (ports.has(port)) {
        errors.push(invalid(path, port, "provided port is already allocated"));
      } else {
        ports.add(port);
        if (!attrs.dryRun) this.#reservedPorts.set(port, Date.now());
      }
      return port;
    };
    if (needsNodePorts(spec)) {
      const previous = new Set((oldSpec?.ports ?? []).map((p) => p.nodePort));
      (spec.ports ?? []).forEach((port, i) => {
        const path = root("spec").child("ports").index(i).child("nodePort");
        const claimed = claimPort(
          port.nodePort,
          previous.has(port.nodePort) ? port.nodePort : undefined,
          path,
        );
        if (claimed !== undefined) port.nodePort = claimed;
      });
    }
    if (needsHealthCheckNodePort(spec)) {
      const path = root("spec").child("healthCheckNodePort");
      const claimed = claimPort(spec.healthCheckNodePort, oldSpec?.healthCheckNodePort, path);
      if (claimed !== undefined) spec.healthCheckNodePort = claimed;
    }
    if (errors.length)
      throw StatusError.invalid({ group: "", kind: "Service" }, attrs.name, errors);
  }

  #claimIp(text: string, used: Set<number>, dryRun: boolean): FieldError[] {
    const path = root("spec").child("clusterIPs").index(0);
    const ip = ipToNumber(text);
    if (ip === undefined)
      return [invalid(path, text, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")];
    if (ip <= this.#range.base || ip >= this.#range.base + this.#range.size - 1) {
      return [
        invalid(path, text, `failed to allocate IP ${text}: provided IP is not in the valid range`),
      ];
    }
    if (used.has(ip))
      return [
        invalid(path, text, `failed to allocate IP ${text}: provided IP is already allocated`),
      ];
    if (!dryRun) this.#reservedIps.set(ip, Date.now());
    return [];
  }

  /** Addresses and node ports held by stored Services (except the one being updated) and recent writes. */
  #inUse(self: KubeObject | undefined): { ips: Set<number>; ports: Set<number> } {
    const ips = new Set<number>();
    const ports = new Set<number>();
    for (const svc of this.#services()) {
      if (self && svc.metadata.uid === self.metadata.uid) continue;
      const spec = (svc as Service).spec ?? {};
      const ip = spec.clusterIP ? ipToNumber(spec.clusterIP) : undefined;
      if (ip !== undefined) ips.add(ip);
      for (const p of spec.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
      if (spec.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
    }
    const cutoff = Date.now() - RESERVATION_MS;
    for (const [reserved, map] of [
      [ips, this.#reservedIps],
      [ports, this.#reservedPorts],
    ] as const) {
      for (const [value, at] of map) {
        if (at < cutoff) map.delete(value);
        else reserved.add(value);
      }
    }
    return { ips, ports };
  }

  #freeIp(used: Set<number>): number | undefined {
    // Start at a random offset so concurrent servers rarely collide, then scan; skip network and broadcast.
    const usable = this.#range.size - 2;
    const start = Math.floor(Math.random() * usable);
    for (let i = 0; i < usable; i++) {
      const ip = this.#range.base + 1 + ((start + i) % usable);
      // The first address belongs to the kubernetes Service, and the tenth is kept for cluster DNS.
      if (ip === this.#range.base + 1 || ip === this.#range.base + 10) continue;
      if (!used.has(ip)) return ip;
    }
    return undefined;
  }

  #freePort(used: Set<number>): number | undefined {
    const span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const port = NODE_PORT_MIN + ((start + i) % span);
      if (!used.has(port)) return port;
    }
    return undefined;
  }
}
