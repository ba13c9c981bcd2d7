/**
 * Validation of Ingress (networking.k8s.io/v1), following upstream's rules: a default backend or
 * rules, host names (wildcards allowed, IPs not), paths by path type, backends (a service by name and
 * port, or a resource, exactly one), TLS hosts and secret names, and the load balancer status.
 */
import { checkIP, ipFamily } from "../../core/v1/net-checks.js";
import type { FieldError } from "../../errors.js";
import {
  check,
  checkDNS1035Label,
  checkDNS1123Subdomain,
  checkPortName,
  checkPortNumber,
  invalid,
  notSupported,
  required,
  root,
  type Path,
} from "../../validation.js";
import {
  PATH_TYPES,
  type HTTPIngressPath,
  type Ingress,
  type IngressBackend,
  type IngressRule,
  type IngressStatus,
  type IngressTLS,
  type TypedLocalObjectReference,
} from "./ingress-types.js";
import { checkPathSegmentName, checkWildcardDNS1123Subdomain } from "./name-checks.js";

/** The annotation that named an Ingress's class before `spec.ingressClassName` existed. */
export const INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

const BAD_PATH_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const BAD_PATH_SUFFIXES = ["/..", "/."];

/** Checks a host that is either a DNS name or a wildcard DNS name. */
function validateHostName(host: string, path: Path): FieldError[] {
  return host.includes("*")
    ? check(path, host, checkWildcardDNS1123Subdomain)
    : check(path, host, checkDNS1123Subdomain);
}

function validateResourceBackend(ref: TypedLocalObjectReference, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  if (ref.apiGroup != null) {
    errors.push(...check(path.child("apiGroup"), ref.apiGroup, checkDNS1123Subdomain));
  }
  for (const name of ["kind", "name"] as const) {
    const value = ref[name];
    if (!value) errors.push(required(path.child(name)));
    else errors.push(...check(path.child(name), value, checkPathSegmentName));
  }
  return errors;
}

/** Checks a backend: exactly one of a service (with a port name or number) and a resource. */
export function validateIngressBackend(backend: IngressBackend, path: Path): FieldError[] {
  const { service, resource } = backend;
  if (service != null && resource != null) {
    return [invalid(path, "", "cannot set both resource and service backends")];
  }
  if (resource != null) return validateResourceBackend(resource, path.child("resource"));
  if (service == null) return [invalid(path, "", "resource or service backend is required")];

  const servicePath = path.child("service");
  const errors: FieldError[] = service.name
    ? check(servicePath.child("name"), service.name, checkDNS1035Label)
    : [required(servicePath.child("name"))];
  const portName = service.port?.name ?? "";
  const portNumber = service.port?.number ?? 0;
  const portPath = servicePath.child("port");
  if (portName && portNumber) {
    errors.push(invalid(path, "", "cannot set both port name & port number"));
  } else if (portName) {
    errors.push(...check(portPath.child("name"), portName, checkPortName));
  } else if (portNumber) {
    errors.push(
      ...checkPortNumber(portNumber).map((p) => invalid(portPath.child("number"), portNumber, p)),
    );
  } else {
    errors.push(required(path, "port name or number is required"));
  }
  return errors;
}

function validatePathText(value: string, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  for (const seq of BAD_PATH_SEQUENCES) {
    if (value.includes(seq)) errors.push(invalid(path, value, `must not contain '${seq}'`));
  }
  for (const suffix of BAD_PATH_SUFFIXES) {
    if (value.endsWith(suffix)) errors.push(invalid(path, value, `cannot end with '${suffix}'`));
  }
  return errors;
}

function validateHTTPPath(p: HTTPIngressPath, path: Path): FieldError[] {
  if (p.pathType == null) return [required(path.child("pathType"), "pathType must be specified")];

  const text = p.path ?? "";
  const textPath = path.child("path");
  const errors: FieldError[] = [];
  switch (p.pathType) {
    case "Exact":
    case "Prefix":
      if (!text.startsWith("/")) errors.push(invalid(textPath, text, "must be an absolute path"));
      errors.push(...validatePathText(text, textPath));
      break;
    case "ImplementationSpecific":
      if (text !== "" && !text.startsWith("/"))
        errors.push(invalid(textPath, text, "must be an absolute path"));
      break;
    default:
      errors.push(notSupported(path.child("pathType"), p.pathType, PATH_TYPES));
  }
  errors.push(...validateIngressBackend(p.backend ?? {}, path.child("backend")));
  return errors;
}

function validateRule(rule: IngressRule, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  if (rule.host) {
    const hostPath = path.child("host");
    if (ipFamily(rule.host) !== 0)
      errors.push(invalid(hostPath, rule.host, "must be a DNS name, not an IP address"));
    errors.push(...validateHostName(rule.host, hostPath));
  }
  if (rule.http != null) {
    const pathsPath = path.child("http").child("paths");
    const paths = rule.http.paths ?? [];
    if (paths.length === 0) errors.push(required(pathsPath));
    paths.forEach((p, i) => errors.push(...validateHTTPPath(p, pathsPath.index(i))));
  }
  return errors;
}

function validateTLS(tls: IngressTLS, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  (tls.hosts ?? []).forEach((host, i) =>
    errors.push(...validateHostName(host, path.child("hosts").index(i))),
  );
  if (tls.secretName) {
    errors.push(...check(path.child("secretName"), tls.secretName, checkDNS1123Subdomain));
  }
  return errors;
}

/** Checks an Ingress (upstream's ValidateIngressCreate, less the metadata the server checks). */
export function validateIngress(ing: Ingress): FieldError[] {
  const spec = ing.spec ?? {};
  const path = root("spec");
  const rules = spec.rules ?? [];
  const errors: FieldError[] = [];
  if (rules.length === 0 && spec.defaultBackend == null) {
    errors.push(
      invalid(path, spec.rules ?? null, "either `defaultBackend` or `rules` must be specified"),
    );
  }
  if (spec.defaultBackend != null) {
    errors.push(...validateIngressBackend(spec.defaultBackend, path.child("defaultBackend")));
  }
  rules.forEach((rule, i) => errors.push(...validateRule(rule, path.child("rules").index(i))));
  (spec.tls ?? []).forEach((tls, i) =>
    errors.push(...validateTLS(tls, path.child("tls").index(i))),
  );
  if (spec.ingressClassName != null) {
    errors.push(
      ...check(path.child("ingressClassName"), spec.ingressClassName, checkDNS1123Subdomain),
    );
  }

  // Upstream checks this on create only; our strategy runs `validate` on updates too, so an update
  // that makes the two disagree is refused as well.
  const annotation = ing.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (
    annotation !== undefined &&
    spec.ingressClassName != null &&
    annotation !== spec.ingressClassName
  ) {
    errors.push(
      invalid(
        root("annotations").child(INGRESS_CLASS_ANNOTATION),
        annotation,
        "must match `ingressClassName` when both are specified",
      ),
    );
  }
  return errors;
}

/** Checks an Ingress's status as written through the status subresource. */
export function validateIngressStatus(status: IngressStatus | undefined): FieldError[] {
  const path = root("status").child("loadBalancer").child("ingress");
  const errors: FieldError[] = [];
  (status?.loadBalancer?.ingress ?? []).forEach((entry, i) => {
    const p = path.index(i);
    if (entry.ip) errors.push(...check(p.child("ip"), entry.ip, checkIP));
    if (entry.hostname) {
      errors.push(...check(p.child("hostname"), entry.hostname, checkDNS1123Subdomain));
      if (ipFamily(entry.hostname) !== 0) {
        errors.push(
          invalid(p.child("hostname"), entry.hostname, "must be a DNS name, not an IP address"),
        );
      }
    }
  });
  return errors;
}
