/**
 * Endpoints (core/v1): the addresses and ports that back a service, kept by the endpoints controller (or
 * by hand for services without a selector). Named like its service.
 */
import { ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { defineType, f, int32, list, string } from "../../schema.js";
import {
  check,
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkQualifiedName,
  invalid,
  notSupported,
  required,
  root,
  type Path,
} from "../../validation.js";
import { checkIP, checkNonSpecialIP } from "./net-checks.js";
import { ObjectReference } from "./reference-types.js";
import { PROTOCOLS } from "./service-types.js";

const CORE = "io.k8s.api.core.v1";

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** An Endpoints object as stored and served. */
export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

const EndpointAddress = defineType({
  name: `${CORE}.EndpointAddress`,
  description: "One address of an endpoint.",
  mapType: "atomic",
  fields: {
    ip: f(string(), 1, "The IP of the endpoint.", { required: true }),
    hostname: f(string(), 3, "Hostname of the endpoint, for DNS records of headless services."),
    nodeName: f(string(), 4, "Node that hosts the endpoint.", { pointer: true }),
    targetRef: f(ObjectReference, 2, "The object behind the endpoint, usually a pod."),
  },
});

const EndpointPort = defineType({
  name: `${CORE}.EndpointPort`,
  description: "One port of an endpoint.",
  mapType: "atomic",
  fields: {
    name: f(
      string(),
      1,
      "Name of the port, matching the service port's name; required with several ports.",
    ),
    port: f(int32(), 2, "The port number.", { required: true }),
    protocol: f(string({ enum: PROTOCOLS }), 3, "TCP, UDP or SCTP; TCP when unset."),
    appProtocol: f(string(), 4, "Application protocol spoken on the port.", { pointer: true }),
  },
});

const EndpointSubset = defineType({
  name: `${CORE}.EndpointSubset`,
  description: "Addresses that all share the same ports.",
  fields: {
    addresses: f(list(EndpointAddress), 1, "Addresses that are ready to serve."),
    notReadyAddresses: f(list(EndpointAddress), 2, "Addresses that are not ready yet."),
    ports: f(list(EndpointPort), 3, "Ports served at every address."),
  },
});

defineType({
  name: `${CORE}.Endpoints`,
  description: "The addresses and ports that implement a service.",
  gvk: { group: "", version: "v1", kind: "Endpoints" },
  fields: {
    ...objectFields(),
    subsets: f(list(EndpointSubset), 2, "Sets of addresses with the ports they serve."),
  },
});

function defaults(ep: Endpoints): void {
  for (const subset of ep.subsets ?? [])
    for (const port of subset.ports ?? []) port.protocol ||= "TCP";
}

function validateAddress(address: EndpointAddress, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const ipProblems = checkIP(address.ip ?? "");
  errors.push(...ipProblems.map((p) => invalid(path.child("ip"), address.ip ?? "", p)));
  if (ipProblems.length === 0) {
    errors.push(
      ...checkNonSpecialIP(address.ip).map((p) => invalid(path.child("ip"), address.ip, p)),
    );
  }
  if (address.hostname)
    errors.push(...check(path.child("hostname"), address.hostname, checkDNS1123Label));
  if (address.nodeName !== undefined) {
    errors.push(...check(path.child("nodeName"), address.nodeName, checkDNS1123Subdomain));
  }
  return errors;
}

function validatePort(port: EndpointPort, requireName: boolean, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  if (requireName && !port.name) errors.push(required(path.child("name")));
  else if (port.name) errors.push(...check(path.child("name"), port.name, checkDNS1123Label));
  if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) {
    errors.push(invalid(path.child("port"), port.port, "must be between 1 and 65535, inclusive"));
  }
  if (!port.protocol) errors.push(required(path.child("protocol")));
  else if (!(PROTOCOLS as readonly string[]).includes(port.protocol)) {
    errors.push(notSupported(path.child("protocol"), port.protocol, PROTOCOLS));
  }
  if (port.appProtocol !== undefined) {
    errors.push(...check(path.child("appProtocol"), port.appProtocol, checkQualifiedName));
  }
  return errors;
}

function validateEndpoints(ep: Endpoints): FieldError[] {
  const errors: FieldError[] = [];
  (ep.subsets ?? []).forEach((subset, i) => {
    const path = root("subsets").index(i);
    if (!subset.addresses?.length && !subset.notReadyAddresses?.length) {
      errors.push(required(path, "must specify `addresses` or `notReadyAddresses`"));
    }
    (subset.addresses ?? []).forEach((a, j) =>
      errors.push(...validateAddress(a, path.child("addresses").index(j))),
    );
    (subset.notReadyAddresses ?? []).forEach((a, j) =>
      errors.push(...validateAddress(a, path.child("notReadyAddresses").index(j))),
    );
    const ports = subset.ports ?? [];
    ports.forEach((p, j) =>
      errors.push(...validatePort(p, ports.length > 1, path.child("ports").index(j))),
    );
  });
  return errors;
}

/** Most addresses the ENDPOINTS column lists before summarising the rest. */
const MAX_SHOWN = 3;

/** The ENDPOINTS column: up to three `ip:port` pairs, then `+ N more...`; `<none>` without subsets. */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return "<none>";
  const shown: string[] = [];
  let count = 0;
  let more = false;
  const add = (text: string) => {
    if (shown.length === MAX_SHOWN) more = true;
    else shown.push(text);
  };
  for (const subset of subsets) {
    const addresses = subset.addresses ?? [];
    const ports = subset.ports ?? [];
    // Headless services may have endpoints without ports.
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) add(a.ip);
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) add(hostPort(a.ip, port.port));
    }
  }
  const text = shown.join(",");
  return more ? `${text} + ${count - MAX_SHOWN} more...` : text;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export const endpoints = defineResource<Endpoints>({
  group: "",
  version: "v1",
  kind: "Endpoints",
  plural: "endpoints",
  singular: "endpoints",
  shortNames: ["ep"],
  namespaced: true,
  schema: `${CORE}.Endpoints`,
  allowCreateOnUpdate: true,
  columns: [
    {
      name: "Endpoints",
      type: "string",
      description: "Addresses and ports of the endpoints.",
      priority: 0,
      cell: formatEndpoints,
    },
    ageColumn(),
  ],
  defaults,
  validate: validateEndpoints,
});
