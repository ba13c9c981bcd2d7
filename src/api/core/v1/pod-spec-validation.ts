/**
 * Validation of pod specs and pod templates (upstream's ValidatePodSpec and
 * ValidatePodTemplateSpec), and of what an update of a pod may change.
 */
import type { FieldError } from "../../errors.js";
import type { ObjectMeta } from "../../meta/types.js";
import {
  check,
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkQualifiedName,
  duplicate,
  forbidden,
  invalid,
  required,
  validateAnnotations,
  validateLabels,
  type Path,
} from "../../validation.js";
import {
  validateAffinity,
  validateTolerations,
  validateTopologySpreadConstraints,
} from "./affinity-validation.js";
import {
  imageWhitespace,
  validateContainers,
  validateEphemeralContainers,
  validateInitContainers,
  type ContainerContext,
} from "./container-validation.js";
import { MAX_INT32, inRange, isSet, items, oneOf, validIP } from "./pod-checks.js";
import type {
  Container,
  PodDNSConfig,
  PodResourceClaim,
  PodSpec,
  PodTemplateSpec,
} from "./pod-shapes.js";
import { validateResourceRequirements } from "./resources-validation.js";
import { validatePodSecurityContext } from "./security-validation.js";
import { validateVolumes } from "./volume-validation.js";

/** How a pod spec is being validated. */
export interface PodSpecValidationOptions {
  /** The spec belongs to a Pod object, not to a template; some rules are stricter then. */
  isPod?: boolean;
  /** Metadata of the pod, to check the names of the claims its ephemeral volumes create. */
  podMeta?: ObjectMeta;
}

const MAX_DNS_NAMESERVERS = 3;
const MAX_DNS_SEARCH_PATHS = 32;
const MAX_DNS_SEARCH_CHARS = 2048;
const DNS1123_SUBDOMAIN_WITH_UNDERSCORE =
  /^[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?(\.[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?)*$/;

/** Validates a pod spec; `path` is where the spec sits (`spec`, or `spec.template.spec`). */
export function validatePodSpec(
  spec: PodSpec,
  path: Path,
  opts: PodSpecValidationOptions = {},
): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof spec !== "object" || spec === null) return [invalid(path, spec, "must be an object")];

  if (!isSet(spec.terminationGracePeriodSeconds))
    errors.push(required(path.child("terminationGracePeriodSeconds")));
  const hostUsers = spec.hostUsers !== false;
  const volumes = validateVolumes(spec.volumes, opts.podMeta, path.child("volumes"));
  errors.push(...volumes.errors);
  const claims = validatePodResourceClaims(spec.resourceClaims, path.child("resourceClaims"));
  errors.push(...claims.errors);

  const ctx: ContainerContext = {
    volumes: volumes.volumes,
    claimNames: claims.names,
    gracePeriod:
      typeof spec.terminationGracePeriodSeconds === "number"
        ? spec.terminationGracePeriodSeconds
        : undefined,
    restartPolicy: spec.restartPolicy,
    hostUsers,
  };
  errors.push(...validateContainers(spec.containers, ctx, path.child("containers")));
  errors.push(
    ...validateInitContainers(
      spec.initContainers,
      spec.containers,
      ctx,
      path.child("initContainers"),
    ),
  );
  const others = [...items(spec.containers), ...items(spec.initContainers)];
  errors.push(
    ...validateEphemeralContainers(
      spec.ephemeralContainers,
      others,
      ctx,
      path.child("ephemeralContainers"),
    ),
  );
  if (isSet(spec.resources)) {
    if (isSet(spec.resources?.claims)) {
      errors.push(
        forbidden(
          path.child("resources").child("claims"),
          "claims may not be set in pod-level resources",
        ),
      );
    }
    errors.push(
      ...validateResourceRequirements(spec.resources, claims.names, path.child("resources")),
    );
  }

  errors.push(...validateHostNetworkPorts(spec, path, opts.isPod === true));
  errors.push(
    ...oneOf(spec.restartPolicy, ["Always", "OnFailure", "Never"], path.child("restartPolicy"), {
      required: true,
    }),
  );
  errors.push(
    ...oneOf(
      spec.dnsPolicy,
      ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
      path.child("dnsPolicy"),
      {
        required: true,
      },
    ),
  );
  errors.push(...validateLabels(spec.nodeSelector, path.child("nodeSelector")));
  errors.push(
    ...validatePodSecurityContext(spec.securityContext, spec, path.child("securityContext")),
  );
  items(spec.imagePullSecrets).forEach((ref, i) => {
    const extra =
      typeof ref === "object" && ref !== null && Object.keys(ref).some((k) => k !== "name");
    if (extra)
      errors.push(invalid(path.child("imagePullSecrets").index(i), ref, "only name may be set"));
  });
  errors.push(...validateAffinity(spec.affinity, path.child("affinity")));
  errors.push(...validateDNSConfig(spec.dnsConfig, spec.dnsPolicy, path.child("dnsConfig")));
  items(spec.readinessGates).forEach((gate, i) => {
    errors.push(
      ...check(
        path.child("readinessGates").index(i).child("conditionType"),
        gate?.conditionType ?? "",
        checkQualifiedName,
      ),
    );
  });
  errors.push(...validateSchedulingGates(spec.schedulingGates, path.child("schedulingGates")));
  errors.push(
    ...validateTopologySpreadConstraints(
      spec.topologySpreadConstraints,
      path.child("topologySpreadConstraints"),
    ),
  );
  if (!hostUsers) {
    for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
      if (spec[field] === true)
        errors.push(forbidden(path.child(field), "may not be set when `hostUsers` is false"));
    }
  }
  errors.push(...namedFields(spec, path));
  errors.push(...validateTolerations(spec.tolerations, path.child("tolerations")));
  items(spec.hostAliases).forEach((alias, i) => {
    const p = path.child("hostAliases").index(i);
    errors.push(...validIP(alias?.ip, p.child("ip")));
    items(alias?.hostnames).forEach((h, j) =>
      errors.push(...check(p.child("hostnames").index(j), String(h), checkDNS1123Subdomain)),
    );
  });
  if (isSet(spec.preemptionPolicy)) {
    errors.push(
      ...oneOf(
        spec.preemptionPolicy,
        ["PreemptLowerPriority", "Never"],
        path.child("preemptionPolicy"),
        { required: true },
      ),
    );
  }
  if (isSet(spec.overhead)) {
    errors.push(
      ...validateResourceRequirements(
        { limits: spec.overhead ?? {} },
        new Set(),
        path.child("overhead"),
      ),
    );
  }
  errors.push(...validateOS(spec, path));
  return errors;
}

/** The checks of names and numbers that the spec holds directly. */
function namedFields(spec: PodSpec, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const subdomains = ["serviceAccountName", "nodeName", "priorityClassName"] as const;
  for (const field of subdomains) {
    const value = spec[field];
    if (value) errors.push(...check(path.child(field), value, checkDNS1123Subdomain));
  }
  if (isSet(spec.runtimeClassName)) {
    errors.push(
      ...check(path.child("runtimeClassName"), spec.runtimeClassName ?? "", checkDNS1123Subdomain),
    );
  }
  if (isSet(spec.activeDeadlineSeconds)) {
    errors.push(
      ...inRange(spec.activeDeadlineSeconds, 1, MAX_INT32, path.child("activeDeadlineSeconds")),
    );
  }
  if (spec.hostname)
    errors.push(...check(path.child("hostname"), spec.hostname, checkDNS1123Label));
  if (spec.subdomain)
    errors.push(...check(path.child("subdomain"), spec.subdomain, checkDNS1123Label));
  return errors;
}

function validatePodResourceClaims(
  claims: readonly PodResourceClaim[] | undefined,
  path: Path,
): { names: Set<string>; errors: FieldError[] } {
  const names = new Set<string>();
  const errors: FieldError[] = [];
  items(claims).forEach((claim, i) => {
    const p = path.index(i);
    const name = claim?.name ?? "";
    if (!name) errors.push(required(p.child("name")));
    else if (names.has(name)) errors.push(duplicate(p.child("name"), name));
    else {
      errors.push(...check(p.child("name"), name, checkDNS1123Label));
      names.add(name);
    }
    const byName = isSet(claim?.resourceClaimName);
    const byTemplate = isSet(claim?.resourceClaimTemplateName);
    if (byName && byTemplate) {
      errors.push(
        invalid(
          p,
          claim,
          "at most one of `resourceClaimName` and `resourceClaimTemplateName` may be set",
        ),
      );
    }
    if (!byName && !byTemplate)
      errors.push(
        invalid(p, claim, "must set one of `resourceClaimName` and `resourceClaimTemplateName`"),
      );
    for (const field of ["resourceClaimName", "resourceClaimTemplateName"] as const) {
      if (isSet(claim?.[field]))
        errors.push(...check(p.child(field), claim?.[field] ?? "", checkDNS1123Subdomain));
    }
  });
  return { names, errors };
}

/**
 * With host networking, container ports are host ports: a pod must state them equal (templates may
 * leave 0).
 */
function validateHostNetworkPorts(spec: PodSpec, path: Path, isPod: boolean): FieldError[] {
  if (spec.hostNetwork !== true) return [];
  const errors: FieldError[] = [];
  items(spec.containers).forEach((c, i) => {
    items(c?.ports).forEach((port, j) => {
      const hostPort = port?.hostPort ?? 0;
      if ((isPod || hostPort !== 0) && hostPort !== (port?.containerPort ?? 0)) {
        const p = path.child("containers").index(i).child("ports").index(j).child("hostPort");
        errors.push(invalid(p, hostPort, "must equal `containerPort` when `hostNetwork` is true"));
      }
    });
  });
  return errors;
}

function validateDNSConfig(
  config: PodDNSConfig | undefined,
  policy: string | undefined,
  path: Path,
): FieldError[] {
  if (policy === "None") {
    if (!isSet(config)) return [required(path, "must set `dnsConfig` when `dnsPolicy` is None")];
    if (items(config?.nameservers).length === 0) {
      return [
        required(
          path.child("nameservers"),
          "must set at least one nameserver when `dnsPolicy` is None",
        ),
      ];
    }
  }
  if (!isSet(config) || typeof config !== "object") return [];
  const errors: FieldError[] = [];
  const nameservers = items(config.nameservers);
  if (nameservers.length > MAX_DNS_NAMESERVERS) {
    errors.push(
      invalid(
        path.child("nameservers"),
        nameservers,
        `may not have more than ${MAX_DNS_NAMESERVERS} nameservers`,
      ),
    );
  }
  nameservers.forEach((ns, i) => errors.push(...validIP(ns, path.child("nameservers").index(i))));
  const searches = items(config.searches);
  if (searches.length > MAX_DNS_SEARCH_PATHS) {
    errors.push(
      invalid(
        path.child("searches"),
        searches,
        `may not have more than ${MAX_DNS_SEARCH_PATHS} search paths`,
      ),
    );
  }
  if (searches.join(" ").length > MAX_DNS_SEARCH_CHARS) {
    errors.push(
      invalid(
        path.child("searches"),
        searches,
        `may not have more than ${MAX_DNS_SEARCH_CHARS} characters, spaces included`,
      ),
    );
  }
  searches.forEach((search, i) => {
    if (search === ".") return;
    const trimmed = String(search).replace(/\.$/, "");
    if (trimmed.length > 253 || !DNS1123_SUBDOMAIN_WITH_UNDERSCORE.test(trimmed)) {
      errors.push(
        invalid(
          path.child("searches").index(i),
          trimmed,
          "must be a DNS subdomain (underscores allowed)",
        ),
      );
    }
  });
  items(config.options).forEach((option, i) => {
    if (!option?.name) errors.push(required(path.child("options").index(i), "must not be empty"));
  });
  return errors;
}

function validateSchedulingGates(gates: PodSpec["schedulingGates"], path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  items(gates).forEach((gate, i) => {
    const name = gate?.name ?? "";
    errors.push(...check(path.index(i), name, checkQualifiedName));
    if (seen.has(name)) errors.push(duplicate(path.index(i), name));
    seen.add(name);
  });
  return errors;
}

/** Fields of a pod spec that a Windows pod may not set (Linux-only settings). */
const LINUX_ONLY_POD_FIELDS = [
  "appArmorProfile",
  "seLinuxOptions",
  "seccompProfile",
  "fsGroup",
  "fsGroupChangePolicy",
  "sysctls",
  "runAsUser",
  "runAsGroup",
  "supplementalGroups",
  "supplementalGroupsPolicy",
  "seLinuxChangePolicy",
] as const;
const LINUX_ONLY_CONTAINER_FIELDS = [
  "appArmorProfile",
  "seLinuxOptions",
  "seccompProfile",
  "capabilities",
  "readOnlyRootFilesystem",
  "privileged",
  "allowPrivilegeEscalation",
  "procMount",
  "runAsUser",
  "runAsGroup",
] as const;

function validateOS(spec: PodSpec, path: Path): FieldError[] {
  if (!isSet(spec.os)) return [];
  const osPath = path.child("os");
  const name = spec.os?.name;
  if (!name) return [required(osPath.child("name"), "may not be empty")];
  const errors = oneOf(name, ["linux", "windows"], osPath);
  if (errors.length) return errors;

  const containers = eachContainer(spec, path);
  if (name === "linux") {
    if (isSet(spec.securityContext?.windowsOptions)) {
      errors.push(
        forbidden(
          path.child("securityContext").child("windowsOptions"),
          "may not be set for a linux pod",
        ),
      );
    }
    for (const [c, p] of containers) {
      if (isSet(c.securityContext?.windowsOptions)) {
        errors.push(
          forbidden(
            p.child("securityContext").child("windowsOptions"),
            "may not be set for a linux pod",
          ),
        );
      }
    }
    return errors;
  }

  const sc = spec.securityContext ?? {};
  for (const field of LINUX_ONLY_POD_FIELDS) {
    if (isSet(sc[field]))
      errors.push(
        forbidden(path.child("securityContext").child(field), "may not be set for a windows pod"),
      );
  }
  for (const field of ["hostUsers", "shareProcessNamespace"] as const) {
    if (isSet(spec[field]))
      errors.push(forbidden(path.child(field), "may not be set for a windows pod"));
  }
  for (const field of ["hostPID", "hostIPC"] as const) {
    if (spec[field] === true)
      errors.push(forbidden(path.child(field), "may not be set for a windows pod"));
  }
  for (const [c, p] of containers) {
    const csc = c.securityContext ?? {};
    for (const field of LINUX_ONLY_CONTAINER_FIELDS) {
      if (isSet(csc[field]))
        errors.push(
          forbidden(p.child("securityContext").child(field), "may not be set for a windows pod"),
        );
    }
  }
  return errors;
}

/** Every container of the spec (init, regular, ephemeral) with its path. */
function eachContainer(spec: PodSpec, path: Path): [Container, Path][] {
  const out: [Container, Path][] = [];
  for (const list of ["initContainers", "containers", "ephemeralContainers"] as const) {
    items(spec[list]).forEach((c, i) => {
      if (typeof c === "object" && c !== null) out.push([c, path.child(list).index(i)]);
    });
  }
  return out;
}

/** The checks a Pod's containers get beyond a template's: no spaces around images. */
export function validatePodOnlyContainers(spec: PodSpec, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  for (const list of ["containers", "initContainers"] as const) {
    items(spec[list]).forEach((c, i) => {
      if (typeof c === "object" && c !== null)
        errors.push(...imageWhitespace(c, path.child(list).index(i)));
    });
  }
  return errors;
}

/**
 * Validates a pod template: its labels and annotations (the only metadata a template uses) and its
 * spec. Restart policy rules belong to the kinds that embed templates.
 */
export function validatePodTemplateSpec(template: PodTemplateSpec, path: Path): FieldError[] {
  if (typeof template !== "object" || template === null)
    return [invalid(path, template, "must be an object")];
  // Upstream reports template labels at `<template>.labels`, without `metadata`.
  const errors = validateLabels(template.metadata?.labels, path.child("labels"));
  errors.push(...validateAnnotations(template.metadata?.annotations, path.child("annotations")));
  const spec = isSet(template.spec) ? (template.spec as PodSpec) : {};
  errors.push(...validatePodSpec(spec, path.child("spec")));
  if (items(spec.ephemeralContainers).length > 0) {
    errors.push(
      forbidden(
        path.child("spec").child("ephemeralContainers"),
        "ephemeral containers are not allowed in pod templates",
      ),
    );
  }
  return errors;
}
