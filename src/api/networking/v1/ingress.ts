/**
 * Ingress (networking.k8s.io/v1): HTTP routing from outside the cluster to services, served by the
 * controller of the Ingress's class. This file holds the resource definition and its table columns;
 * schemas are in ingress-types.ts and validation in ingress-validation.ts.
 */
import { ageColumn } from "../../columns.js";
import { defineResource } from "../../resource.js";
import type { Ingress, IngressRule, IngressStatus, IngressTLS } from "./ingress-types.js";
import { validateIngress, validateIngressStatus } from "./ingress-validation.js";

export * from "./ingress-types.js";

/** Hosts the HOSTS column names before it summarises the rest. */
const MAX_SHOWN_HOSTS = 3;
/** Width of the ADDRESS column in the narrow table, as kubectl clips it. */
const LOAD_BALANCER_WIDTH = 16;

/**
 * The HOSTS column: up to three rule hosts, `*` when no rule names one. Upstream counts the rules
 * beyond the third, hosted or not, in its `+ N more...`; so do we.
 */
export function formatIngressHosts(rules: readonly IngressRule[] | undefined): string {
  const all = rules ?? [];
  const shown: string[] = [];
  let more = false;
  for (const rule of all) {
    if (shown.length === MAX_SHOWN_HOSTS) {
      more = true;
      break;
    }
    if (rule.host) shown.push(rule.host);
  }
  if (shown.length === 0) return "*";
  const text = shown.join(",");
  return more ? `${text} + ${all.length - MAX_SHOWN_HOSTS} more...` : text;
}

/** The PORTS column: 80, plus 443 when the Ingress has TLS settings. */
export function formatIngressPorts(tls: readonly IngressTLS[] | undefined): string {
  return tls?.length ? "80, 443" : "80";
}

/**
 * The ADDRESS column: the load balancer's IPs or host names, sorted and without duplicates, clipped
 * to 16 characters as the narrow table shows them (the server serves one table for every mode).
 */
export function formatIngressAddress(status: IngressStatus | undefined): string {
  const addresses = new Set<string>();
  for (const entry of status?.loadBalancer?.ingress ?? []) {
    if (entry.ip) addresses.add(entry.ip);
    else if (entry.hostname) addresses.add(entry.hostname);
  }
  const text = [...addresses].sort().join(",");
  return text.length > LOAD_BALANCER_WIDTH ? `${text.slice(0, LOAD_BALANCER_WIDTH - 3)}...` : text;
}

/** The resource definition of networking.k8s.io/v1 Ingress. */
export const ingresses = defineResource<Ingress>({
  group: "networking.k8s.io",
  version: "v1",
  kind: "Ingress",
  plural: "ingresses",
  singular: "ingress",
  shortNames: ["ing"],
  namespaced: true,
  schema: "io.k8s.api.networking.v1.Ingress",
  statusSubresource: true,
  tracksGeneration: true,
  columns: [
    {
      name: "Class",
      type: "string",
      description: "The IngressClass whose controller serves the Ingress.",
      priority: 0,
      cell: (ing) => ing.spec?.ingressClassName ?? "<none>",
    },
    {
      name: "Hosts",
      type: "string",
      description: "Hosts the Ingress's rules match.",
      priority: 0,
      cell: (ing) => formatIngressHosts(ing.spec?.rules),
    },
    {
      name: "Address",
      type: "string",
      description: "Entry points of the Ingress's load balancer.",
      priority: 0,
      cell: (ing) => formatIngressAddress(ing.status),
    },
    {
      name: "Ports",
      type: "string",
      description: "Ports the load balancer opens: 80, and 443 with TLS.",
      priority: 0,
      cell: (ing) => formatIngressPorts(ing.spec?.tls),
    },
    ageColumn(),
  ],
  validate: validateIngress,
  validateStatusUpdate: (ing) => validateIngressStatus(ing.status),
});
