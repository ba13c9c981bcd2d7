/**
 * EndpointSlice (discovery.k8s.io/v1): a slice of the network endpoints behind a Service, the set
 * that proxies and DNS read. The EndpointSlice controller writes them; each holds one address type.
 */
import { ageColumn } from "../../columns.js";
import { checkNonSpecialIP, ipFamily } from "../../core/v1/net-checks.js";
// Defines the ObjectReference type that targetRef names.
import "../../core/v1/reference-types.js";
import { sameValue } from "../../core/v1/same-value.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { boolean, defineType, f, int32, list, ref, set, string, stringMap } from "../../schema.js";
import {
  check,
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkLabelValue,
  checkQualifiedName,
  duplicate,
  immutable,
  invalid,
  notSupported,
  required,
  root,
  validateLabels,
  type Path,
} from "../../validation.js";

/** The state of one endpoint. */
export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** One endpoint of an EndpointSlice. */
export interface Endpoint {
  addresses?: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string };
  deprecatedTopology?: Record<string, string>;
  nodeName?: string;
  zone?: string;
  hints?: { forZones?: { name?: string }[]; forNodes?: { name?: string }[] };
}

/** A port the endpoints of a slice expose. */
export interface EndpointPort {
  name?: string;
  protocol?: string;
  port?: number;
  appProtocol?: string;
}

/** An EndpointSlice as stored and served. */
export interface EndpointSlice extends KubeObject {
  /** `IPv4`, `IPv6` or `FQDN`. */
  addressType?: string;
  endpoints?: Endpoint[];
  ports?: EndpointPort[];
}

/** The label that names the Service an EndpointSlice belongs to. */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

const DISCOVERY = "io.k8s.api.discovery.v1";

const Conditions = defineType({
  name: `${DISCOVERY}.EndpointConditions`,
  description: "The state of an endpoint.",
  fields: {
    ready: f(boolean(), 1, "True when the endpoint is ready for traffic; unknown when unset.", {
      pointer: true,
    }),
    serving: f(boolean(), 2, "Like ready, but also true while the endpoint is terminating.", {
      pointer: true,
    }),
    terminating: f(boolean(), 3, "True when the endpoint is shutting down.", { pointer: true }),
  },
});

const ForZone = defineType({
  name: `${DISCOVERY}.ForZone`,
  description: "A zone that should use an endpoint.",
  fields: { name: f(string(), 1, "Name of the zone.", { required: true }) },
});

const ForNode = defineType({
  name: `${DISCOVERY}.ForNode`,
  description: "A node that should use an endpoint.",
  fields: { name: f(string(), 1, "Name of the node.", { required: true }) },
});

const Hints = defineType({
  name: `${DISCOVERY}.EndpointHints`,
  description: "Hints on where an endpoint should be used, for topology-aware routing.",
  fields: {
    forZones: f(list(ForZone), 1, "Zones that should use this endpoint."),
    forNodes: f(list(ForNode), 2, "Nodes that should use this endpoint."),
  },
});

const EndpointSchema = defineType({
  name: `${DISCOVERY}.Endpoint`,
  description: "One endpoint: the addresses of a backend, and its state and placement.",
  fields: {
    addresses: f(
      set(string()),
      1,
      "Addresses of the endpoint, of the slice's address type; proxies use the first.",
      { required: true },
    ),
    conditions: f(Conditions, 2, "The state of the endpoint."),
    hostname: f(
      string(),
      3,
      "Host name of the endpoint, a DNS label, used by DNS for headless services.",
      { pointer: true },
    ),
    targetRef: f(
      ref("io.k8s.api.core.v1.ObjectReference"),
      4,
      "The object behind the endpoint, usually a pod.",
    ),
    deprecatedTopology: f(
      stringMap(),
      5,
      "Topology labels of the endpoint; replaced by nodeName and zone.",
    ),
    nodeName: f(string(), 6, "Node that hosts the endpoint.", { pointer: true }),
    zone: f(string(), 7, "Zone the endpoint is in.", { pointer: true }),
    hints: f(Hints, 8, "Where the endpoint should be used."),
  },
});

const PortSchema = defineType({
  name: `${DISCOVERY}.EndpointPort`,
  description: "A port the endpoints of a slice listen on.",
  mapType: "atomic",
  fields: {
    name: f(string(), 1, "Name of the port, matching a Service port name; may be empty.", {
      pointer: true,
    }),
    protocol: f(string({ enum: ["SCTP", "TCP", "UDP"] }), 2, "TCP (the default), UDP or SCTP.", {
      pointer: true,
    }),
    port: f(int32(), 3, "Port number; unset means all ports.", { pointer: true }),
    appProtocol: f(
      string(),
      4,
      "Application protocol of the port, such as http or kubernetes.io/h2c.",
      { pointer: true },
    ),
  },
});

defineType({
  name: `${DISCOVERY}.EndpointSlice`,
  description: "A subset of the endpoints behind a Service.",
  gvk: { group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice" },
  fields: {
    ...objectFields(),
    addressType: f(
      string({ enum: ["FQDN", "IPv4", "IPv6"] }),
      4,
      "Type of all addresses in the slice: IPv4, IPv6 or FQDN; fixed at creation.",
      {
        required: true,
      },
    ),
    endpoints: f(list(EndpointSchema), 2, "The endpoints, at most 1000.", { required: true }),
    ports: f(
      list(PortSchema),
      3,
      "Ports every endpoint of the slice exposes; empty means none are known.",
    ),
  },
});

/** Fills in upstream's defaults: ports without a name get an empty one, and TCP. */
export function defaultEndpointSlice(slice: EndpointSlice): void {
  for (const port of slice.ports ?? []) {
    port.name ??= "";
    port.protocol ??= "TCP";
  }
}

const ADDRESS_TYPES = ["IPv4", "IPv6", "FQDN"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_TOPOLOGY_LABELS = 16;
const MAX_PORTS = 20_000;
const MAX_HINTS = 8;

function tooMany(path: Path, actual: number, max: number): FieldError {
  return {
    type: "FieldValueTooMany",
    field: String(path),
    value: actual,
    detail: `must have at most ${max} items`,
  };
}

/** Problems with `value` as a fully qualified domain name: two or more DNS labels. */
function checkFQDN(value: string): string[] {
  const name = value.endsWith(".") ? value.slice(0, -1) : value;
  if (name === "") return ["must not be empty"];
  const problems = checkDNS1123Subdomain(name);
  if (!name.includes("."))
    problems.push("must be a domain with at least two labels separated by dots");
  return problems;
}

function validateAddress(
  address: unknown,
  addressType: string | undefined,
  path: Path,
): FieldError[] {
  if (typeof address !== "string") return [invalid(path, address, "must be a string")];
  switch (addressType) {
    case "IPv4":
    case "IPv6": {
      const want = addressType === "IPv4" ? 4 : 6;
      if (ipFamily(address) !== want)
        return [invalid(path, address, `must be a valid ${addressType} address`)];
      return checkNonSpecialIP(address).map((p) => invalid(path, address, p));
    }
    case "FQDN":
      return check(path, address, checkFQDN);
    default:
      // An unknown address type is reported once, on addressType.
      return [];
  }
}

function validateHints(hints: NonNullable<Endpoint["hints"]>, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  for (const [field, checker] of [
    ["forZones", checkLabelValue],
    ["forNodes", checkDNS1123Subdomain],
  ] as const) {
    const entries = hints[field] ?? [];
    const p = path.child(field);
    if (entries.length > MAX_HINTS) {
      errors.push(tooMany(p, entries.length, MAX_HINTS));
      continue;
    }
    const seen = new Set<string>();
    entries.forEach((entry, i) => {
      const name = entry.name ?? "";
      const np = p.index(i).child("name");
      if (seen.has(name)) errors.push(duplicate(np, name));
      seen.add(name);
      errors.push(...check(np, name, checker));
    });
  }
  return errors;
}

function validateEndpoints(slice: EndpointSlice, path: Path): FieldError[] {
  const endpoints = slice.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) return [tooMany(path, endpoints.length, MAX_ENDPOINTS)];
  const errors: FieldError[] = [];
  endpoints.forEach((endpoint, i) => {
    const p = path.index(i);
    const addresses = endpoint.addresses ?? [];
    const addressesPath = p.child("addresses");
    if (addresses.length === 0)
      errors.push(required(addressesPath, "must contain at least 1 address"));
    else if (addresses.length > MAX_ADDRESSES)
      errors.push(tooMany(addressesPath, addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) =>
      errors.push(...validateAddress(a, slice.addressType, addressesPath.index(j))),
    );

    if (endpoint.nodeName !== undefined)
      errors.push(...check(p.child("nodeName"), endpoint.nodeName, checkDNS1123Subdomain));
    const topology = endpoint.deprecatedTopology ?? {};
    const topologyPath = p.child("deprecatedTopology");
    if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS) {
      errors.push(tooMany(topologyPath, Object.keys(topology).length, MAX_TOPOLOGY_LABELS));
    }
    errors.push(...validateLabels(endpoint.deprecatedTopology, topologyPath));
    if (endpoint.zone !== undefined) {
      errors.push(
        ...validateLabels({ "topology.kubernetes.io/zone": endpoint.zone }, p.child("zone")),
      );
    }
    if (endpoint.hostname !== undefined)
      errors.push(...check(p.child("hostname"), endpoint.hostname, checkDNS1123Label));
    if (endpoint.hints) errors.push(...validateHints(endpoint.hints, p.child("hints")));
  });
  return errors;
}

function validatePorts(ports: EndpointPort[] | undefined, path: Path): FieldError[] {
  const list = ports ?? [];
  if (list.length > MAX_PORTS) return [tooMany(path, list.length, MAX_PORTS)];
  const errors: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((port, i) => {
    const p = path.index(i);
    const name = port.name ?? "";
    if (name !== "") errors.push(...check(p.child("name"), name, checkDNS1123Label));
    if (names.has(name)) errors.push(duplicate(p.child("name"), name));
    names.add(name);
    if (port.protocol === undefined) errors.push(required(p.child("protocol")));
    else if (!PROTOCOLS.includes(port.protocol))
      errors.push(notSupported(p.child("protocol"), port.protocol, PROTOCOLS));
    if (port.appProtocol !== undefined)
      errors.push(...check(p.child("appProtocol"), port.appProtocol, checkQualifiedName));
  });
  return errors;
}

/** Checks an EndpointSlice (upstream's ValidateEndpointSlice). */
export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errors: FieldError[] = [];
  const type = slice.addressType ?? "";
  if (type === "") errors.push(required(root("addressType")));
  else if (!ADDRESS_TYPES.includes(type))
    errors.push(notSupported(root("addressType"), type, ADDRESS_TYPES));
  errors.push(...validateEndpoints(slice, root("endpoints")));
  errors.push(...validatePorts(slice.ports, root("ports")));
  return errors;
}

/** Up to three items joined with commas, then how many more; `<unset>` when there are none. */
function listWithMore(items: string[]): string {
  if (items.length === 0) return "<unset>";
  const shown = items.slice(0, 3).join(",");
  return items.length > 3 ? `${shown} + ${items.length - 3} more...` : shown;
}

/** The PORTS cell: port numbers, or names for ports without one, `*` for all ports. */
export function formatSlicePorts(ports: EndpointPort[] | undefined): string {
  return listWithMore(
    (ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : (p.name ?? "*"))),
  );
}

/** The ENDPOINTS cell: the addresses of all endpoints. */
export function formatSliceEndpoints(endpoints: Endpoint[] | undefined): string {
  return listWithMore((endpoints ?? []).flatMap((e) => e.addresses ?? []));
}

function withoutMetadata(slice: EndpointSlice): Record<string, unknown> {
  const { metadata: _metadata, ...rest } = slice;
  return rest;
}

/** The resource definition of discovery.k8s.io/v1 EndpointSlice. */
export const endpointSlices = defineResource<EndpointSlice>({
  group: "discovery.k8s.io",
  version: "v1",
  kind: "EndpointSlice",
  plural: "endpointslices",
  singular: "endpointslice",
  namespaced: true,
  schema: `${DISCOVERY}.EndpointSlice`,
  columns: [
    {
      name: "AddressType",
      type: "string",
      description: "Type of the addresses.",
      priority: 0,
      cell: (s) => s.addressType ?? "",
    },
    {
      name: "Ports",
      type: "string",
      description: "Ports of the endpoints.",
      priority: 0,
      cell: (s) => formatSlicePorts(s.ports),
    },
    {
      name: "Endpoints",
      type: "string",
      description: "Addresses of the endpoints.",
      priority: 0,
      cell: (s) => formatSliceEndpoints(s.endpoints),
    },
    ageColumn(),
  ],
  defaults: defaultEndpointSlice,
  // A slice has no spec, so its generation counts every change but those to metadata other than
  // labels.
  prepareForCreate: (slice) => {
    slice.metadata.generation = 1;
  },
  prepareForUpdate: (slice, old) => {
    const changed =
      !sameValue(withoutMetadata(slice), withoutMetadata(old)) ||
      !sameValue(slice.metadata.labels, old.metadata.labels);
    slice.metadata.generation = (old.metadata.generation ?? 0) + (changed ? 1 : 0);
  },
  validate: validateEndpointSlice,
  validateUpdate: (slice, old) =>
    slice.addressType === old.addressType
      ? []
      : [immutable(root("addressType"), slice.addressType ?? null)],
});
