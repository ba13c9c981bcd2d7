/**
 * NetworkPolicy (networking.k8s.io/v1): which traffic the pods a selector picks may receive and
 * send, by peer (pods, namespaces, IP blocks) and port. Kates stores and validates policies; a
 * network plugin enforces them.
 */
import { BlockList } from "node:net";

import { ageColumn } from "../../columns.js";
import { cidrFamily, checkCIDR } from "../../core/v1/net-checks.js";
import { PROTOCOLS } from "../../core/v1/service-types.js";
import type { FieldError } from "../../errors.js";
import type { IntOrString } from "../../int-or-string.js";
import type { KubeObject, LabelSelector } from "../../meta/types.js";
import { LabelSelector as LabelSelectorSchema, objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { defineType, f, int32, intOrString, list, string } from "../../schema.js";
import { formatLabelSelector } from "../../selectors/label-selector.js";
import {
  check,
  checkPortName,
  checkPortNumber,
  forbidden,
  invalid,
  notSupported,
  required,
  root,
  validateLabelSelector,
  type Path,
} from "../../validation.js";

const NETWORKING = "io.k8s.api.networking.v1";

/** The directions of traffic a policy can restrict. */
export const POLICY_TYPES = ["Egress", "Ingress"] as const;

/** A port, or a range of ports, and its protocol. */
export interface NetworkPolicyPort {
  protocol?: string;
  port?: IntOrString;
  endPort?: number;
}

/** A range of IP addresses, less some sub-ranges. */
export interface IPBlock {
  cidr: string;
  except?: string[];
}

/** One peer of a rule: pods, namespaces, both combined, or an IP block alone. */
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

/** Traffic the selected pods may receive. */
export interface NetworkPolicyIngressRule {
  ports?: NetworkPolicyPort[];
  from?: NetworkPolicyPeer[];
}

/** Traffic the selected pods may send. */
export interface NetworkPolicyEgressRule {
  ports?: NetworkPolicyPort[];
  to?: NetworkPolicyPeer[];
}

/** The pods a policy applies to and the traffic it allows them. */
export interface NetworkPolicySpec {
  podSelector?: LabelSelector;
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
  policyTypes?: string[];
}

/** A NetworkPolicy as stored and served. */
export interface NetworkPolicy extends KubeObject {
  spec?: NetworkPolicySpec;
}

const NetworkPolicyPortSchema = defineType({
  name: `${NETWORKING}.NetworkPolicyPort`,
  description: "A port, or a range of ports, and its protocol.",
  fields: {
    protocol: f(string({ enum: PROTOCOLS }), 1, "TCP, UDP or SCTP; TCP when unset.", {
      pointer: true,
    }),
    port: f(intOrString(), 2, "A port number or a named port on the pods; every port when unset.", {
      pointer: true,
    }),
    endPort: f(int32(), 3, "With a numeric port, the last port of the range that starts there.", {
      pointer: true,
    }),
  },
});

const IPBlockSchema = defineType({
  name: `${NETWORKING}.IPBlock`,
  description: "A range of IP addresses, less some sub-ranges.",
  fields: {
    cidr: f(string(), 1, "The range, such as 192.168.1.0/24 or 2001:db8::/64.", {
      required: true,
    }),
    except: f(list(string()), 2, "Sub-ranges of cidr that are not part of the block."),
  },
});

const NetworkPolicyPeerSchema = defineType({
  name: `${NETWORKING}.NetworkPolicyPeer`,
  description: "Pods, namespaces or an IP block that traffic may come from or go to.",
  fields: {
    podSelector: f(
      LabelSelectorSchema,
      1,
      "Pods, in the policy's namespace or in those namespaceSelector picks.",
    ),
    namespaceSelector: f(
      LabelSelectorSchema,
      2,
      "Namespaces whose pods (those podSelector picks, or all) are peers.",
    ),
    ipBlock: f(IPBlockSchema, 3, "A range of IPs; may not be combined with the selectors."),
  },
});

const NetworkPolicyIngressRuleSchema = defineType({
  name: `${NETWORKING}.NetworkPolicyIngressRule`,
  description: "Traffic the selected pods may receive: from these peers, to these ports.",
  fields: {
    ports: f(list(NetworkPolicyPortSchema), 1, "Ports that may be reached; all when empty."),
    from: f(list(NetworkPolicyPeerSchema), 2, "Peers that may connect; any source when empty."),
  },
});

const NetworkPolicyEgressRuleSchema = defineType({
  name: `${NETWORKING}.NetworkPolicyEgressRule`,
  description: "Traffic the selected pods may send: to these peers, on these ports.",
  fields: {
    ports: f(list(NetworkPolicyPortSchema), 1, "Ports that may be reached; all when empty."),
    to: f(
      list(NetworkPolicyPeerSchema),
      2,
      "Peers that may be reached; any destination when empty.",
    ),
  },
});

const NetworkPolicySpecSchema = defineType({
  name: `${NETWORKING}.NetworkPolicySpec`,
  description: "The pods a policy applies to and the traffic it allows them.",
  fields: {
    podSelector: f(
      LabelSelectorSchema,
      1,
      "Pods of the policy's namespace the policy applies to; all of them when empty.",
    ),
    ingress: f(list(NetworkPolicyIngressRuleSchema), 2, "Incoming traffic the pods may receive."),
    egress: f(list(NetworkPolicyEgressRuleSchema), 3, "Outgoing traffic the pods may send."),
    policyTypes: f(
      list(string({ enum: POLICY_TYPES })),
      4,
      "Directions the policy restricts: Ingress, Egress or both; Ingress, plus Egress with egress rules, when unset.",
    ),
  },
});

defineType({
  name: `${NETWORKING}.NetworkPolicy`,
  description: "The network traffic a set of pods may receive and send.",
  gvk: { group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy" },
  fields: {
    ...objectFields(),
    spec: f(NetworkPolicySpecSchema, 2, "The pods the policy applies to and the traffic allowed."),
  },
});

/** Fills in upstream's defaults: ports use TCP; a policy restricts Ingress, and Egress with rules. */
export function defaultNetworkPolicy(np: NetworkPolicy): void {
  const spec = (np.spec ??= {});
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
    for (const port of rule.ports ?? []) port.protocol ??= "TCP";
  }
  if (!spec.policyTypes?.length) {
    spec.policyTypes = spec.egress?.length ? ["Ingress", "Egress"] : ["Ingress"];
  }
}

function validatePort(port: NetworkPolicyPort, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  if (port.protocol != null && !(PROTOCOLS as readonly string[]).includes(port.protocol)) {
    errors.push(notSupported(path.child("protocol"), port.protocol, ["TCP", "UDP", "SCTP"]));
  }
  const endPath = path.child("endPort");
  const end = port.endPort;
  if (port.port == null) {
    if (end != null)
      errors.push(invalid(endPath, end, "may not be specified when `port` is not specified"));
    return errors;
  }
  if (typeof port.port === "number") {
    const start = port.port;
    errors.push(...checkPortNumber(start).map((p) => invalid(path.child("port"), start, p)));
    if (end != null) {
      if (end < start)
        errors.push(invalid(endPath, end, "must be greater than or equal to `port`"));
      errors.push(...checkPortNumber(end).map((p) => invalid(endPath, end, p)));
    }
    return errors;
  }
  if (end != null)
    errors.push(invalid(endPath, end, "may not be specified when `port` is non-numeric"));
  errors.push(...check(path.child("port"), port.port, checkPortName));
  return errors;
}

function subnet(cidr: string): { list: BlockList; family: 4 | 6; bits: number } | undefined {
  const family = cidrFamily(cidr);
  if (family === 0) return undefined;
  const [address = "", bits = ""] = cidr.split("/");
  const list = new BlockList();
  const type = family === 4 ? "ipv4" : "ipv6";
  list.addSubnet(address, Number(bits), type);
  return { list, family, bits: Number(bits) };
}

/** Checks an IP block: a valid CIDR, and excepts that are strict subsets of it. */
export function validateIPBlock(block: IPBlock, path: Path): FieldError[] {
  if (!block.cidr) return [required(path.child("cidr"))];
  const errors = check(path.child("cidr"), block.cidr, checkCIDR);
  const outer = subnet(block.cidr);
  if (!outer) return errors;

  (block.except ?? []).forEach((except, i) => {
    const p = path.child("except").index(i);
    const problems = checkCIDR(except);
    if (problems.length) {
      errors.push(...problems.map((msg) => invalid(p, except, msg)));
      return;
    }
    const [address = "", bits = ""] = except.split("/");
    const inside =
      cidrFamily(except) === outer.family &&
      Number(bits) > outer.bits &&
      outer.list.check(address, outer.family === 4 ? "ipv4" : "ipv6");
    if (!inside) errors.push(invalid(p, except, "must be a strict subset of `cidr`"));
  });
  return errors;
}

function validatePeer(peer: NetworkPolicyPeer, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  let peers = 0;
  if (peer.podSelector != null) {
    peers++;
    errors.push(...validateLabelSelector(peer.podSelector, path.child("podSelector")));
  }
  if (peer.namespaceSelector != null) {
    peers++;
    errors.push(...validateLabelSelector(peer.namespaceSelector, path.child("namespaceSelector")));
  }
  if (peer.ipBlock != null) {
    peers++;
    errors.push(...validateIPBlock(peer.ipBlock, path.child("ipBlock")));
  }
  if (peers === 0) errors.push(required(path, "must specify a peer"));
  else if (peers > 1 && peer.ipBlock != null)
    errors.push(forbidden(path, "may not specify both ipBlock and another peer"));
  return errors;
}

function validateRules(
  rules: readonly (NetworkPolicyIngressRule | NetworkPolicyEgressRule)[],
  peersField: "from" | "to",
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  rules.forEach((rule, i) => {
    const p = path.index(i);
    (rule.ports ?? []).forEach((port, j) =>
      errors.push(...validatePort(port, p.child("ports").index(j))),
    );
    const peers = (rule as Record<string, NetworkPolicyPeer[] | undefined>)[peersField] ?? [];
    peers.forEach((peer, j) => errors.push(...validatePeer(peer, p.child(peersField).index(j))));
  });
  return errors;
}

/** Checks a NetworkPolicy's spec (upstream's ValidateNetworkPolicySpec). */
export function validateNetworkPolicySpec(
  spec: NetworkPolicySpec | undefined,
  path: Path,
): FieldError[] {
  const s = spec ?? {};
  const errors = validateLabelSelector(s.podSelector, path.child("podSelector"));
  errors.push(...validateRules(s.ingress ?? [], "from", path.child("ingress")));
  errors.push(...validateRules(s.egress ?? [], "to", path.child("egress")));

  const types = s.policyTypes ?? [];
  const typesPath = path.child("policyTypes");
  if (types.length > POLICY_TYPES.length) {
    errors.push(invalid(typesPath, types, "may not specify more than two policyTypes"));
    return errors;
  }
  types.forEach((type, i) => {
    if (!(POLICY_TYPES as readonly string[]).includes(type))
      errors.push(notSupported(typesPath.index(i), type, ["Ingress", "Egress"]));
  });
  return errors;
}

/** The resource definition of networking.k8s.io/v1 NetworkPolicy. */
export const networkPolicies = defineResource<NetworkPolicy>({
  group: "networking.k8s.io",
  version: "v1",
  kind: "NetworkPolicy",
  plural: "networkpolicies",
  singular: "networkpolicy",
  shortNames: ["netpol"],
  namespaced: true,
  schema: `${NETWORKING}.NetworkPolicy`,
  tracksGeneration: true,
  columns: [
    {
      name: "Pod-Selector",
      type: "string",
      description: "The pods the policy applies to.",
      priority: 0,
      cell: (np) => formatLabelSelector(np.spec?.podSelector ?? {}),
    },
    ageColumn(),
  ],
  defaults: defaultNetworkPolicy,
  validate: (np) => validateNetworkPolicySpec(np.spec, root("spec")),
});
