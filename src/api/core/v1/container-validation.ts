/**
 * Validation of containers: the checks every kind of container shares, and the rules for regular,
 * init and ephemeral containers.
 */
import type { FieldError } from "../../errors.js";
import {
  check,
  checkDNS1123Label,
  checkPortName,
  checkPortNumber,
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
  type Path,
} from "../../validation.js";
import { validateEnv, validateEnvFrom } from "./env-validation.js";
import { isEmptyValue, isSet, items, oneOf } from "./pod-checks.js";
import { validateLifecycle, validateProbe } from "./probe-validation.js";
import type {
  Container,
  ContainerPort,
  EphemeralContainer,
  Volume,
  VolumeDevice,
  VolumeMount,
} from "./pod-shapes.js";
import { validateResourceRequirements } from "./resources-validation.js";
import { validateContainerSecurityContext } from "./security-validation.js";

/** What container validation needs to know about the pod the containers are in. */
export interface ContainerContext {
  /** The pod's valid volumes by name. */
  volumes: ReadonlyMap<string, Volume>;
  /** Names of the pod's resource claims. */
  claimNames: ReadonlySet<string>;
  /** The pod's termination grace period, which bounds sleep actions. */
  gracePeriod: number | undefined;
  restartPolicy: string | undefined;
  /** Whether the pod shares the node's user namespace. */
  hostUsers: boolean;
}

const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const TERMINATION_MESSAGE_POLICIES = ["FallbackToLogsOnError", "File"];

/** Container fields an ephemeral container may not set: they would make it part of the workload. */
const EPHEMERAL_FORBIDDEN = [
  "ports",
  "resources",
  "resizePolicy",
  "restartPolicy",
  "restartPolicyRules",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "lifecycle",
] as const;

/** Validates the regular containers of a pod spec; there must be at least one. */
export function validateContainers(
  containers: readonly Container[] | undefined,
  ctx: ContainerContext,
  path: Path,
): FieldError[] {
  const list = items(containers);
  if (list.length === 0) return [required(path)];
  const errors: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = path.index(i);
    if (typeof c !== "object" || c === null) {
      errors.push(invalid(p, c, "must be an object"));
      return;
    }
    errors.push(...validateContainerCommon(c, ctx, p));
    if (names.has(c.name ?? "")) errors.push(duplicate(p.child("name"), c.name ?? ""));
    names.add(c.name ?? "");
    errors.push(...validateHooksAndProbes(c, ctx, p));
    if (isSet(c.restartPolicy))
      errors.push(forbidden(p.child("restartPolicy"), "may only be set for init containers"));
  });
  errors.push(...hostPortConflicts(list, path));
  return errors;
}

/** Validates init containers; their names must also differ from the regular containers'. */
export function validateInitContainers(
  containers: readonly Container[] | undefined,
  regular: readonly Container[] | undefined,
  ctx: ContainerContext,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set(items(regular).map((c) => c?.name ?? ""));
  items(containers).forEach((c, i) => {
    const p = path.index(i);
    if (typeof c !== "object" || c === null) {
      errors.push(invalid(p, c, "must be an object"));
      return;
    }
    errors.push(...validateContainerCommon(c, ctx, p));
    if (isSet(c.restartPolicy))
      errors.push(...oneOf(c.restartPolicy, ["Always"], p.child("restartPolicy")));
    if (names.has(c.name ?? "")) errors.push(duplicate(p.child("name"), c.name ?? ""));
    else if (c.name) names.add(c.name);
    // Init containers run one at a time, so only ports within one of them can collide.
    errors.push(...hostPortConflicts([c], path));

    if (c.restartPolicy === "Always") {
      errors.push(...validateHooksAndProbes(c, ctx, p));
    } else {
      for (const field of [
        "lifecycle",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
      ] as const) {
        if (isSet(c[field])) {
          errors.push(
            forbidden(
              p.child(field),
              "may only be set for init containers with restartPolicy Always",
            ),
          );
        }
      }
    }
  });
  return errors;
}

/**
 * Validates ephemeral containers: names unique among all the pod's containers, a target that is one
 * of them, and none of the fields that only workload containers may set.
 */
export function validateEphemeralContainers(
  containers: readonly EphemeralContainer[] | undefined,
  others: readonly Container[],
  ctx: ContainerContext,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  const otherNames = new Set(others.map((c) => c?.name ?? ""));
  const names = new Set(otherNames);
  items(containers).forEach((c, i) => {
    const p = path.index(i);
    if (typeof c !== "object" || c === null) {
      errors.push(invalid(p, c, "must be an object"));
      return;
    }
    errors.push(...validateContainerCommon(c, ctx, p));
    errors.push(...imageWhitespace(c, p));
    if (names.has(c.name ?? "")) errors.push(duplicate(p.child("name"), c.name ?? ""));
    else names.add(c.name ?? "");
    if (c.targetContainerName && !otherNames.has(c.targetContainerName)) {
      errors.push({
        type: "FieldValueNotFound",
        field: String(p.child("targetContainerName")),
        value: c.targetContainerName,
        detail: "",
      });
    }
    for (const field of EPHEMERAL_FORBIDDEN) {
      if (!isEmptyValue(c[field])) {
        errors.push(forbidden(p.child(field), "may not be set for an ephemeral container"));
      }
    }
    items(c.volumeMounts).forEach((m, j) => {
      for (const field of ["subPath", "subPathExpr"] as const) {
        if (m?.[field]) {
          errors.push(
            forbidden(
              p.child("volumeMounts").index(j).child(field),
              "may not be set for an ephemeral container",
            ),
          );
        }
      }
    });
  });
  return errors;
}

/** The check of pods only (not templates): images may not have leading or trailing spaces. */
export function imageWhitespace(c: Container, path: Path): FieldError[] {
  const image = c.image ?? "";
  return image.trim() === image
    ? []
    : [invalid(path.child("image"), image, "must not have leading or trailing whitespace")];
}

function validateContainerCommon(c: Container, ctx: ContainerContext, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  if (!c.name) errors.push(required(path.child("name")));
  else errors.push(...check(path.child("name"), c.name, checkDNS1123Label));
  if (!c.image) errors.push(required(path.child("image")));
  errors.push(
    ...oneOf(
      c.terminationMessagePolicy,
      TERMINATION_MESSAGE_POLICIES,
      path.child("terminationMessagePolicy"),
      { required: true },
    ),
  );

  errors.push(...validatePorts(c.ports, path.child("ports")));
  errors.push(...validateEnv(c.env, path.child("env")));
  errors.push(...validateEnvFrom(c.envFrom, path.child("envFrom")));
  errors.push(...validateVolumeMounts(c, ctx.volumes, path.child("volumeMounts")));
  errors.push(...validateVolumeDevices(c, ctx.volumes, path.child("volumeDevices")));
  errors.push(
    ...oneOf(c.imagePullPolicy, PULL_POLICIES, path.child("imagePullPolicy"), { required: true }),
  );
  errors.push(
    ...validateResourceRequirements(c.resources, ctx.claimNames, path.child("resources")),
  );
  errors.push(
    ...validateResizePolicy(c.resizePolicy, ctx.restartPolicy, path.child("resizePolicy")),
  );
  errors.push(
    ...validateContainerSecurityContext(
      c.securityContext,
      ctx.hostUsers,
      path.child("securityContext"),
    ),
  );
  return errors;
}

function validateHooksAndProbes(c: Container, ctx: ContainerContext, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  if (isSet(c.lifecycle))
    errors.push(...validateLifecycle(c.lifecycle ?? {}, ctx.gracePeriod, path.child("lifecycle")));
  errors.push(...validateProbe(c.livenessProbe, "liveness", path.child("livenessProbe")));
  errors.push(...validateProbe(c.readinessProbe, "readiness", path.child("readinessProbe")));
  errors.push(...validateProbe(c.startupProbe, "startup", path.child("startupProbe")));
  return errors;
}

function validatePorts(ports: readonly ContainerPort[] | undefined, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  items(ports).forEach((port, i) => {
    const p = path.index(i);
    if (port?.name) {
      const problems = checkPortName(port.name);
      if (problems.length)
        errors.push(...problems.map((m) => invalid(p.child("name"), port.name, m)));
      else if (names.has(port.name)) errors.push(duplicate(p.child("name"), port.name));
      else names.add(port.name);
    }
    if (!port?.containerPort) errors.push(required(p.child("containerPort")));
    else
      errors.push(
        ...checkPortNumber(port.containerPort).map((m) =>
          invalid(p.child("containerPort"), port.containerPort, m),
        ),
      );
    if (port?.hostPort)
      errors.push(
        ...checkPortNumber(port.hostPort).map((m) =>
          invalid(p.child("hostPort"), port.hostPort, m),
        ),
      );
    errors.push(...oneOf(port?.protocol, PROTOCOLS, p.child("protocol"), { required: true }));
  });
  return errors;
}

/** Duplicate host ports (same protocol, host IP and port) among the given containers. */
function hostPortConflicts(containers: readonly Container[], path: Path): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    items(c?.ports).forEach((port, pi) => {
      if (!port?.hostPort) return;
      const key = `${port.protocol ?? ""}/${port.hostIP ?? ""}/${port.hostPort}`;
      if (seen.has(key))
        errors.push(duplicate(path.index(ci).child("ports").index(pi).child("hostPort"), key));
      seen.add(key);
    });
  });
  return errors;
}

function validateVolumeMounts(
  c: Container,
  volumes: ReadonlyMap<string, Volume>,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  const devices = new Map(items(c.volumeDevices).map((d) => [d?.name ?? "", d?.devicePath ?? ""]));
  const devicePaths = new Set(devices.values());
  const mountPaths = new Set<string>();
  const privileged = c.securityContext?.privileged === true;

  items(c.volumeMounts).forEach((m: VolumeMount, i) => {
    const p = path.index(i);
    const name = m?.name ?? "";
    const mountPath = m?.mountPath ?? "";
    if (!name) errors.push(required(p.child("name")));
    if (!volumes.has(name))
      errors.push({
        type: "FieldValueNotFound",
        field: String(p.child("name")),
        value: name,
        detail: "",
      });
    if (!mountPath) errors.push(required(p.child("mountPath")));
    if (mountPaths.has(mountPath))
      errors.push(invalid(p.child("mountPath"), mountPath, "must be unique"));
    mountPaths.add(mountPath);
    if (devices.has(name))
      errors.push(invalid(p.child("name"), name, "must not also be in volumeDevices"));
    if (devicePaths.has(mountPath))
      errors.push(
        invalid(p.child("mountPath"), mountPath, "must not also be a path in volumeDevices"),
      );

    if (isSet(volumes.get(name)?.image)) {
      if (m.subPath)
        errors.push(invalid(p.child("subPath"), m.subPath, "not allowed for image volumes"));
      if (m.subPathExpr)
        errors.push(
          invalid(p.child("subPathExpr"), m.subPathExpr, "not allowed for image volumes"),
        );
    }
    if (m?.subPath) errors.push(...relativeSubPath(m.subPath, p.child("subPath")));
    if (m?.subPathExpr) {
      if (m.subPath)
        errors.push(
          invalid(p.child("subPathExpr"), m.subPathExpr, "may not be set together with subPath"),
        );
      errors.push(...relativeSubPath(m.subPathExpr, p.child("subPathExpr")));
    }
    if (isSet(m?.mountPropagation)) {
      errors.push(
        ...oneOf(
          m.mountPropagation,
          ["Bidirectional", "HostToContainer", "None"],
          p.child("mountPropagation"),
        ),
      );
      if (m.mountPropagation === "Bidirectional" && !privileged) {
        errors.push(
          forbidden(
            p.child("mountPropagation"),
            "Bidirectional mount propagation needs a privileged container",
          ),
        );
      }
    }
    errors.push(...validateRecursiveReadOnly(m ?? {}, p.child("recursiveReadOnly")));
  });
  return errors;
}

function relativeSubPath(value: string, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  if (value.startsWith("/")) errors.push(invalid(path, value, "must be a relative path"));
  if (value.split(/[\\/]/).includes(".."))
    errors.push(invalid(path, value, "must not contain '..'"));
  return errors;
}

function validateRecursiveReadOnly(m: VolumeMount, path: Path): FieldError[] {
  if (!isSet(m.recursiveReadOnly) || m.recursiveReadOnly === "Disabled") return [];
  if (m.recursiveReadOnly !== "Enabled" && m.recursiveReadOnly !== "IfPossible") {
    return [notSupported(path, m.recursiveReadOnly, ["Disabled", "Enabled", "IfPossible"])];
  }
  const errors: FieldError[] = [];
  if (!m.readOnly) errors.push(forbidden(path, "may only be set when readOnly is true"));
  if (isSet(m.mountPropagation) && m.mountPropagation !== "None") {
    errors.push(forbidden(path, "may only be set when mountPropagation is None or unset"));
  }
  return errors;
}

function validateVolumeDevices(
  c: Container,
  volumes: ReadonlyMap<string, Volume>,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  const mounts = new Map(items(c.volumeMounts).map((m) => [m?.name ?? "", m?.mountPath ?? ""]));
  const mountPaths = new Set(mounts.values());
  const names = new Set<string>();
  const paths = new Set<string>();
  items(c.volumeDevices).forEach((d: VolumeDevice, i) => {
    const p = path.index(i);
    const name = d?.name ?? "";
    const devicePath = d?.devicePath ?? "";
    const volume = volumes.get(name);
    if (!name) errors.push(required(p.child("name")));
    if (names.has(name)) errors.push(invalid(p.child("name"), name, "must be unique"));
    if (volume && !isSet(volume.persistentVolumeClaim) && !isSet(volume.ephemeral)) {
      errors.push(
        invalid(
          p.child("name"),
          name,
          "block devices need a persistentVolumeClaim or ephemeral volume",
        ),
      );
    }
    if (!volume)
      errors.push({
        type: "FieldValueNotFound",
        field: String(p.child("name")),
        value: name,
        detail: "",
      });
    if (!devicePath) errors.push(required(p.child("devicePath")));
    if (paths.has(devicePath))
      errors.push(invalid(p.child("devicePath"), devicePath, "must be unique"));
    if (devicePath.split("/").includes(".."))
      errors.push(invalid(p.child("devicePath"), devicePath, "must not contain '..'"));
    else paths.add(devicePath);
    if (mounts.has(name))
      errors.push(invalid(p.child("name"), name, "must not also be in volumeMounts"));
    if (mountPaths.has(devicePath))
      errors.push(
        invalid(p.child("devicePath"), devicePath, "must not also be a path in volumeMounts"),
      );
    if (name) names.add(name);
  });
  return errors;
}

function validateResizePolicy(
  policies: Container["resizePolicy"],
  podRestartPolicy: string | undefined,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  items(policies).forEach((policy, i) => {
    const name = policy?.resourceName ?? "";
    if (seen.has(name)) errors.push(duplicate(path.index(i), name));
    seen.add(name);
    errors.push(...oneOf(name, ["cpu", "memory"], path, { required: true }));
    errors.push(
      ...oneOf(policy?.restartPolicy, ["NotRequired", "RestartContainer"], path, {
        required: true,
      }),
    );
    if (podRestartPolicy === "Never" && policy?.restartPolicy !== "NotRequired") {
      errors.push(
        invalid(
          path,
          policy?.restartPolicy ?? "",
          "must be NotRequired when the pod's restartPolicy is Never",
        ),
      );
    }
  });
  return errors;
}
