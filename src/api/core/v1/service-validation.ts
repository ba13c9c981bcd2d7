/**
 * Validation of Service (core/v1), following upstream's rules: ports, type-specific fields, cluster IPs
 * and IP families, traffic policies, and what an update may change.
 */
import type { FieldError } from "../../errors.js";
import {
  check,
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkQualifiedName,
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
  root,
  validateLabels,
  type Path,
} from "../../validation.js";
import { checkCIDR, checkIP, checkNonSpecialIP, ipFamily, isDualStack } from "./net-checks.js";
import {
  CLUSTER_IP_NONE,
  PROTOCOLS,
  SERVICE_TYPES,
  type Service,
  type ServicePort,
  type ServiceSpec,
} from "./service-types.js";

/** The node port range of a default cluster (`--service-node-port-range`). */
export const NODE_PORT_RANGE = { first: 30000, last: 32767 } as const;

const spec = root("spec");
const IP_FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"];
const TRAFFIC_POLICIES = ["Cluster", "Local"];
const TRAFFIC_DISTRIBUTIONS = ["PreferClose", "PreferSameNode", "PreferSameZone"];
const MAX_CLIENT_IP_TIMEOUT = 86400;
const LB_SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges";

function headless(s: ServiceSpec): boolean {
  return s.clusterIPs?.length === 1 && s.clusterIPs[0] === CLUSTER_IP_NONE;
}

function externallyAccessible(s: ServiceSpec): boolean {
  return (
    s.type === "LoadBalancer" ||
    s.type === "NodePort" ||
    (s.type === "ClusterIP" && !!s.externalIPs?.length)
  );
}

function portNumberProblems(value: unknown): string[] {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535
    ? []
    : ["must be between 1 and 65535, inclusive"];
}

/** Checks a target port: a port number, or the name of a container port. */
export function validatePortNumOrName(value: unknown, path: Path): FieldError[] {
  if (typeof value === "number")
    return portNumberProblems(value).map((p) => invalid(path, value, p));
  if (typeof value !== "string") return [invalid(path, value, "must be an integer or a string")];
  const problems: string[] = [];
  if (value.length > 15) problems.push("must be no more than 15 characters");
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value)) {
    problems.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }
  if (value.includes("--")) problems.push("must not contain consecutive hyphens");
  if (!/[a-z]/.test(value)) problems.push("must contain at least one letter (a-z)");
  return problems.map((p) => invalid(path, value, p));
}

function validatePort(
  port: ServicePort,
  requireName: boolean,
  names: Set<string>,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  if (requireName && !port.name) errors.push(required(path.child("name")));
  else if (port.name) {
    errors.push(...check(path.child("name"), port.name, checkDNS1123Label));
    if (names.has(port.name)) errors.push(duplicate(path.child("name"), port.name));
    names.add(port.name);
  }
  errors.push(
    ...portNumberProblems(port.port).map((p) => invalid(path.child("port"), port.port, p)),
  );
  if (!port.protocol) errors.push(required(path.child("protocol")));
  else if (!(PROTOCOLS as readonly string[]).includes(port.protocol)) {
    errors.push(notSupported(path.child("protocol"), port.protocol, PROTOCOLS));
  }
  errors.push(...validatePortNumOrName(port.targetPort, path.child("targetPort")));
  if (port.appProtocol !== undefined) {
    errors.push(...check(path.child("appProtocol"), port.appProtocol, checkQualifiedName));
  }
  if (port.nodePort) {
    const n = port.nodePort;
    if (!Number.isInteger(n) || n < NODE_PORT_RANGE.first || n > NODE_PORT_RANGE.last) {
      errors.push(
        invalid(
          path.child("nodePort"),
          n,
          `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.first}-${NODE_PORT_RANGE.last}`,
        ),
      );
    }
  }
  return errors;
}

function validatePorts(s: ServiceSpec): FieldError[] {
  const errors: FieldError[] = [];
  const ports = s.ports ?? [];
  const path = spec.child("ports");
  const names = new Set<string>();
  ports.forEach((port, i) =>
    errors.push(...validatePort(port, ports.length > 1, names, path.index(i))),
  );

  const nodePorts = new Set<string>();
  const servicePorts = new Set<string>();
  ports.forEach((port, i) => {
    if (s.type === "ClusterIP" && port.nodePort) {
      errors.push(
        forbidden(path.index(i).child("nodePort"), "may not be used when `type` is 'ClusterIP'"),
      );
    }
    if (port.nodePort) {
      const key = `${port.protocol}/${port.nodePort}`;
      if (nodePorts.has(key))
        errors.push(duplicate(path.index(i).child("nodePort"), port.nodePort));
      nodePorts.add(key);
    }
    const key = `${port.protocol}/${port.port}`;
    if (servicePorts.has(key))
      errors.push(duplicate(path.index(i), { port: port.port, protocol: port.protocol }));
    servicePorts.add(key);
  });
  return errors;
}

function validateTypeSpecific(s: ServiceSpec): FieldError[] {
  const errors: FieldError[] = [];
  if (!s.ports?.length && !headless(s) && s.type !== "ExternalName")
    errors.push(required(spec.child("ports")));
  if ((s.type === "LoadBalancer" || s.type === "NodePort") && headless(s)) {
    errors.push(
      invalid(
        spec.child("clusterIPs").index(0),
        CLUSTER_IP_NONE,
        `may not be set to 'None' for ${s.type} services`,
      ),
    );
  }
  if (s.type === "ExternalName") {
    if (s.clusterIPs?.length)
      errors.push(forbidden(spec.child("clusterIPs"), "may not be set for ExternalName services"));
    if (s.ipFamilies?.length)
      errors.push(forbidden(spec.child("ipFamilies"), "may not be set for ExternalName services"));
    if (s.ipFamilyPolicy !== undefined) {
      errors.push(
        forbidden(spec.child("ipFamilyPolicy"), "may not be set for ExternalName services"),
      );
    }
    // A trailing dot marks the name as fully qualified.
    const cname = (s.externalName ?? "").replace(/\.$/, "");
    if (cname) errors.push(...check(spec.child("externalName"), cname, checkDNS1123Subdomain));
    else errors.push(required(spec.child("externalName")));
  }
  if (!s.type) errors.push(required(spec.child("type")));
  else if (!(SERVICE_TYPES as readonly string[]).includes(s.type)) {
    errors.push(notSupported(spec.child("type"), s.type, SERVICE_TYPES));
  }
  return errors;
}

function validateSessionAffinity(s: ServiceSpec): FieldError[] {
  const path = spec.child("sessionAffinity");
  if (!s.sessionAffinity) return [required(path)];
  if (s.sessionAffinity === "None") {
    return s.sessionAffinityConfig
      ? [
          forbidden(
            spec.child("sessionAffinityConfig"),
            "must not be set when session affinity is None",
          ),
        ]
      : [];
  }
  if (s.sessionAffinity !== "ClientIP")
    return [notSupported(path, s.sessionAffinity, ["ClientIP", "None"])];
  const timeoutPath = spec.child("sessionAffinityConfig").child("clientIP").child("timeoutSeconds");
  const timeout = s.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (timeout === undefined) return [required(timeoutPath)];
  if (!Number.isInteger(timeout) || timeout <= 0 || timeout > MAX_CLIENT_IP_TIMEOUT) {
    return [
      invalid(
        timeoutPath,
        timeout,
        `must be greater than 0 and less than ${MAX_CLIENT_IP_TIMEOUT}`,
      ),
    ];
  }
  return [];
}

/** Checks clusterIP against clusterIPs, the IPs themselves, and their agreement with ipFamilies. */
function validateClusterIPs(s: ServiceSpec): FieldError[] {
  if (s.type === "ExternalName") return [];
  const errors: FieldError[] = [];
  const path = spec.child("clusterIPs");
  const ips = s.clusterIPs ?? [];
  if (s.clusterIP) {
    if (!ips.length) errors.push(required(path));
    else if (ips[0] !== s.clusterIP)
      errors.push(invalid(path, ips, "first value must match `clusterIP`"));
  } else if (ips.length) {
    errors.push(invalid(path, ips, "must be empty when `clusterIP` is not specified"));
  }

  const families = s.ipFamilies ?? [];
  const seen = new Set<string>();
  families.forEach((family, i) => {
    if (family !== "IPv4" && family !== "IPv6") {
      errors.push(notSupported(spec.child("ipFamilies").index(i), family, ["IPv4", "IPv6"]));
    }
    if (seen.has(family)) errors.push(duplicate(spec.child("ipFamilies").index(i), family));
    seen.add(family);
  });
  if (s.ipFamilyPolicy !== undefined && !IP_FAMILY_POLICIES.includes(s.ipFamilyPolicy)) {
    errors.push(notSupported(spec.child("ipFamilyPolicy"), s.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }

  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === CLUSTER_IP_NONE) {
      if (ips.length > 1) {
        badIPs = true;
        errors.push(invalid(path, ips, "'None' must be the first and only value"));
      }
      return;
    }
    const problems = checkIP(ip);
    if (problems.length) badIPs = true;
    errors.push(...problems.map((p) => invalid(path.index(i), ip, p)));
  });
  if (ips.length > 2) errors.push(invalid(path, ips, "may only hold up to 2 values"));
  if (badIPs) return errors;
  if (ips.length > 1 && !isDualStack(ips, ipFamily)) {
    errors.push(invalid(path, ips, "may specify no more than one IP for each IP family"));
  }
  if (!headless(s)) {
    ips.forEach((ip, i) => {
      const family = families[i];
      if (family === "IPv4" && ipFamily(ip) === 6) {
        errors.push(
          invalid(path.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``),
        );
      }
      if (family === "IPv6" && ipFamily(ip) !== 6) {
        errors.push(
          invalid(path.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``),
        );
      }
    });
  }
  return errors;
}

function validateLoadBalancerFields(svc: Service, s: ServiceSpec): FieldError[] {
  const errors: FieldError[] = [];
  const ranges = s.loadBalancerSourceRanges ?? [];
  const annotation = svc.metadata.annotations?.[LB_SOURCE_RANGES_ANNOTATION];
  if (ranges.length) {
    const path = spec.child("LoadBalancerSourceRanges");
    if (s.type !== "LoadBalancer")
      errors.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    // Values may be space-padded, as the annotation they replaced allowed.
    ranges.forEach((r, i) => errors.push(...check(path.index(i), r.trim(), checkCIDR)));
  } else if (annotation !== undefined) {
    const path = root("metadata").child("annotations").key(LB_SOURCE_RANGES_ANNOTATION);
    if (s.type !== "LoadBalancer")
      errors.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    const text = annotation.trim();
    if (text) for (const r of text.split(",")) errors.push(...check(path, r.trim(), checkCIDR));
  }
  if (s.allocateLoadBalancerNodePorts !== undefined && s.type !== "LoadBalancer") {
    errors.push(
      forbidden(
        spec.child("allocateLoadBalancerNodePorts"),
        "may only be used when `type` is 'LoadBalancer'",
      ),
    );
  }
  if (s.type === "LoadBalancer" && s.allocateLoadBalancerNodePorts === undefined) {
    errors.push(required(spec.child("allocateLoadBalancerNodePorts")));
  }
  if (s.loadBalancerClass !== undefined) {
    const path = spec.child("loadBalancerClass");
    if (s.type !== "LoadBalancer") {
      errors.push(
        invalid(path, s.loadBalancerClass, "may only be used when `type` is 'LoadBalancer'"),
      );
    } else {
      errors.push(...check(path, s.loadBalancerClass, checkQualifiedName));
    }
  }
  return errors;
}

function validateTrafficPolicies(s: ServiceSpec): FieldError[] {
  const errors: FieldError[] = [];
  const external = spec.child("externalTrafficPolicy");
  if (!externallyAccessible(s)) {
    if (s.externalTrafficPolicy) {
      errors.push(
        invalid(
          external,
          s.externalTrafficPolicy,
          "may only be set for externally-accessible services",
        ),
      );
    }
  } else if (!s.externalTrafficPolicy) errors.push(required(external));
  else if (!TRAFFIC_POLICIES.includes(s.externalTrafficPolicy)) {
    errors.push(notSupported(external, s.externalTrafficPolicy, TRAFFIC_POLICIES));
  }

  const hc = spec.child("healthCheckNodePort");
  if (!(s.type === "LoadBalancer" && s.externalTrafficPolicy === "Local")) {
    if (s.healthCheckNodePort) {
      errors.push(
        invalid(
          hc,
          s.healthCheckNodePort,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
    }
  } else if (!s.healthCheckNodePort) errors.push(required(hc));
  else
    errors.push(
      ...portNumberProblems(s.healthCheckNodePort).map((p) =>
        invalid(hc, s.healthCheckNodePort, p),
      ),
    );

  const internal = spec.child("internalTrafficPolicy");
  if (s.internalTrafficPolicy === undefined) {
    if (s.type !== "ExternalName") errors.push(required(internal, "must be specified"));
  } else if (!TRAFFIC_POLICIES.includes(s.internalTrafficPolicy)) {
    errors.push(notSupported(internal, s.internalTrafficPolicy, TRAFFIC_POLICIES));
  }

  if (
    s.trafficDistribution !== undefined &&
    !TRAFFIC_DISTRIBUTIONS.includes(s.trafficDistribution)
  ) {
    errors.push(
      notSupported(spec.child("trafficDistribution"), s.trafficDistribution, TRAFFIC_DISTRIBUTIONS),
    );
  }
  return errors;
}

/** Validates a service on create and on every update. */
export function validateService(svc: Service): FieldError[] {
  const s = svc.spec ?? {};
  const errors = [...validateTypeSpecific(s), ...validatePorts(s)];
  if (s.selector) errors.push(...validateLabels(s.selector, spec.child("selector")));
  errors.push(...validateSessionAffinity(s));
  errors.push(...validateClusterIPs(s));
  (s.externalIPs ?? []).forEach((ip, i) => {
    const path = spec.child("externalIPs").index(i);
    const problems = checkIP(ip);
    errors.push(
      ...(problems.length ? problems : checkNonSpecialIP(ip)).map((p) => invalid(path, ip, p)),
    );
  });
  errors.push(...validateLoadBalancerFields(svc, s));
  errors.push(...validateTrafficPolicies(s));
  return errors;
}

/**
 * What an update may change: the primary cluster IP is fixed once set (except when the service changes
 * to or from ExternalName), as is a load balancer's class.
 */
export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errors: FieldError[] = [];
  const s = svc.spec ?? {};
  const before = old.spec ?? {};
  if (s.type !== "ExternalName" && before.type !== "ExternalName") {
    const ips = s.clusterIPs ?? [];
    const oldIPs = before.clusterIPs ?? [];
    const path = spec.child("clusterIPs");
    if (oldIPs.length && (!ips.length || ips[0] !== oldIPs[0])) {
      errors.push(invalid(path.index(0), ips.join(","), "may not change once set"));
    }
    if (oldIPs.length === 2 && ips.length === 1 && s.ipFamilyPolicy !== "SingleStack") {
      errors.push(
        invalid(
          path,
          ips,
          "may not remove the secondary cluster IP unless `ipFamilyPolicy` is 'SingleStack'",
        ),
      );
    }
    const families = s.ipFamilies ?? [];
    const oldFamilies = before.ipFamilies ?? [];
    if (oldFamilies.length && families.length && families[0] !== oldFamilies[0]) {
      errors.push(
        invalid(spec.child("ipFamilies").index(0), families[0], "may not change once set"),
      );
    }
  }
  if (
    before.type === "LoadBalancer" &&
    s.type === "LoadBalancer" &&
    before.loadBalancerClass !== s.loadBalancerClass
  ) {
    errors.push(
      invalid(spec.child("loadBalancerClass"), s.loadBalancerClass, "may not change once set"),
    );
  }
  return errors;
}

/** Validates a write of the status subresource: the load balancer's entry points. */
export function validateServiceStatus(svc: Service): FieldError[] {
  const errors: FieldError[] = [];
  const path = root("status").child("loadBalancer").child("ingress");
  (svc.status?.loadBalancer?.ingress ?? []).forEach((ingress, i) => {
    const p = path.index(i);
    if (ingress.ip) errors.push(...check(p.child("ip"), ingress.ip, checkIP));
    if (ingress.ipMode !== undefined) {
      if (!ingress.ip)
        errors.push(forbidden(p.child("ipMode"), "may not be specified when `ip` is not set"));
      else if (ingress.ipMode !== "VIP" && ingress.ipMode !== "Proxy") {
        errors.push(notSupported(p.child("ipMode"), ingress.ipMode, ["Proxy", "VIP"]));
      }
    }
    if (ingress.hostname) {
      errors.push(...check(p.child("hostname"), ingress.hostname, checkDNS1123Subdomain));
      if (ipFamily(ingress.hostname) !== 0)
        errors.push(
          invalid(p.child("hostname"), ingress.hostname, "must be a DNS name, not an IP address"),
        );
    }
    (ingress.ports ?? []).forEach((port, j) => {
      const pp = p.child("ports").index(j);
      errors.push(
        ...portNumberProblems(port.port).map((m) => invalid(pp.child("port"), port.port, m)),
      );
      if (!(PROTOCOLS as readonly string[]).includes(port.protocol)) {
        errors.push(notSupported(pp.child("protocol"), port.protocol, PROTOCOLS));
      }
    });
  });
  return errors;
}
