/** Builders of services, pods and nodes for the endpoint controllers' table tests. */
import type { Node } from "../../api/core/v1/node.js";
import type { Pod } from "../../api/core/v1/pod.js";
import type { Service, ServicePort } from "../../api/core/v1/service.js";

/** What a test service may differ in. */
export interface ServiceOpts {
  name?: string;
  labels?: Record<string, string>;
  selector?: Record<string, string> | null;
  ports?: ServicePort[];
  clusterIP?: string;
  ipFamilies?: string[] | null;
  publishNotReadyAddresses?: boolean;
  type?: string;
  deleting?: boolean;
}

/** A ClusterIP service `web` in `default` selecting `app=web`, port 80 to 8080 by default. */
export function service(o: ServiceOpts = {}): Service {
  const clusterIP = o.clusterIP ?? "10.96.0.10";
  const svc: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: o.name ?? "web",
      namespace: "default",
      uid: `uid-svc-${o.name ?? "web"}`,
      creationTimestamp: "2024-06-01T10:00:00Z",
      ...(o.labels ? { labels: o.labels } : {}),
    },
    spec: {
      type: o.type ?? "ClusterIP",
      clusterIP,
      clusterIPs: [clusterIP],
      ports: o.ports ?? [{ port: 80, targetPort: 8080, protocol: "TCP" }],
      ...(o.selector === null ? {} : { selector: o.selector ?? { app: "web" } }),
      ...(o.ipFamilies === null ? {} : { ipFamilies: o.ipFamilies ?? ["IPv4"] }),
      ...(o.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    },
  };
  if (o.deleting) svc.metadata.deletionTimestamp = "2024-06-01T12:00:00Z";
  return svc;
}

/** What a test pod may differ in. */
export interface PodOpts {
  ip?: string | null;
  ips?: string[];
  ready?: boolean;
  readySince?: string;
  phase?: string;
  deleting?: boolean;
  node?: string | null;
  hostname?: string;
  subdomain?: string;
  namespace?: string;
  labels?: Record<string, string>;
  /** Container ports by name. */
  ports?: { name: string; containerPort: number; protocol?: string }[];
}

/** A running, ready pod `name` labelled `app=web` on node `n1` with IP 10.0.0.<n>. */
export function pod(name: string, n: number, o: PodOpts = {}): Pod {
  const ip = o.ip === undefined ? `10.0.0.${n}` : o.ip;
  const ips = o.ips ?? (ip ? [ip] : []);
  const p: Pod = {
    metadata: {
      name,
      namespace: o.namespace ?? "default",
      uid: `uid-${name}`,
      labels: o.labels ?? { app: "web" },
    },
    spec: {
      containers: [{ name: "c", image: "nginx", ...(o.ports ? { ports: o.ports } : {}) }],
      ...(o.node === null ? {} : { nodeName: o.node ?? "n1" }),
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? "Running",
      ...(ip ? { podIP: ip } : {}),
      ...(ips.length ? { podIPs: ips.map((x) => ({ ip: x })) } : {}),
      conditions: [
        {
          type: "Ready",
          status: (o.ready ?? true) ? "True" : "False",
          lastTransitionTime: o.readySince ?? "2024-06-01T11:00:00Z",
        },
      ],
    },
  };
  if (o.deleting) p.metadata.deletionTimestamp = "2024-06-01T12:00:00Z";
  return p;
}

/** A node with an optional zone label. */
export function node(name: string, zone?: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, ...(zone ? { labels: { "topology.kubernetes.io/zone": zone } } : {}) },
  };
}

/** A node lookup over `nodes`. */
export function nodesOf(...nodes: Node[]): (name: string) => Node | undefined {
  return (name) => nodes.find((n) => n.metadata.name === name);
}
