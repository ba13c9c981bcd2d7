/** Validation of probes and lifecycle hooks, whose handlers share one shape. */
import type { FieldError } from "../../errors.js";
import {
  checkPortName,
  checkPortNumber,
  forbidden,
  invalid,
  notSupported,
  required,
  type Path,
} from "../../validation.js";
import { checkHTTPHeaderName, isSet, items, nonNegative } from "./pod-checks.js";
import type { Handler, HTTPGetAction, Lifecycle, Probe } from "./pod-shapes.js";

const PROBE_HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"] as const;
const LIFECYCLE_HANDLERS = ["exec", "httpGet", "tcpSocket", "sleep"] as const;

/** Validates one probe of a container; `kind` decides which probe-specific rules apply. */
export function validateProbe(
  probe: Probe | undefined,
  kind: "liveness" | "readiness" | "startup",
  path: Path,
): FieldError[] {
  if (!isSet(probe) || typeof probe !== "object") return [];
  const errors = validateHandler(probe, PROBE_HANDLERS, undefined, path);
  for (const field of [
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
  ] as const) {
    errors.push(...nonNegative(probe[field], path.child(field)));
  }
  const grace = probe.terminationGracePeriodSeconds;
  if (kind === "readiness") {
    if (isSet(grace))
      errors.push(
        invalid(
          path.child("terminationGracePeriodSeconds"),
          grace,
          "may not be set for readiness probes",
        ),
      );
  } else if (isSet(grace) && (typeof grace !== "number" || grace <= 0)) {
    errors.push(
      invalid(path.child("terminationGracePeriodSeconds"), grace, "must be greater than 0"),
    );
  }
  if (kind !== "readiness" && isSet(probe.successThreshold) && probe.successThreshold !== 1) {
    errors.push(invalid(path.child("successThreshold"), probe.successThreshold, "must be 1"));
  }
  return errors;
}

/** Validates a container's lifecycle hooks; sleeps may not outlast the pod's grace period. */
export function validateLifecycle(
  lifecycle: Lifecycle,
  gracePeriod: number | undefined,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const hook of ["postStart", "preStop"] as const) {
    const handler = lifecycle[hook];
    if (isSet(handler))
      errors.push(
        ...validateHandler(handler ?? {}, LIFECYCLE_HANDLERS, gracePeriod, path.child(hook)),
      );
  }
  return errors;
}

function validateHandler(
  handler: Handler,
  allowed: readonly (keyof Handler)[],
  gracePeriod: number | undefined,
  path: Path,
): FieldError[] {
  const errors: FieldError[] = [];
  let count = 0;
  for (const kind of allowed) {
    if (!isSet(handler[kind])) continue;
    if (count > 0) {
      errors.push(forbidden(path.child(kind), "may not specify more than one handler"));
      continue;
    }
    count++;
    errors.push(...validateAction(handler, kind, gracePeriod, path.child(kind)));
  }
  if (count === 0) errors.push(required(path, "must specify a handler"));
  return errors;
}

function validateAction(
  handler: Handler,
  kind: keyof Handler,
  gracePeriod: number | undefined,
  path: Path,
): FieldError[] {
  switch (kind) {
    case "exec":
      return items(handler.exec?.command).length > 0 ? [] : [required(path.child("command"))];
    case "httpGet":
      return validateHTTPGet(handler.httpGet ?? {}, path);
    case "tcpSocket":
      return validatePortNumOrName(handler.tcpSocket?.port, path.child("port"));
    case "grpc": {
      const port = handler.grpc?.port;
      return checkPortNumber(port).map((m) => invalid(path.child("port"), port ?? 0, m));
    }
    case "sleep": {
      const seconds = handler.sleep?.seconds;
      const bad =
        typeof seconds !== "number" ||
        seconds < 0 ||
        (gracePeriod !== undefined && seconds > gracePeriod);
      if (!bad) return [];
      const limit = gracePeriod === undefined ? "" : ` (${gracePeriod})`;
      return [
        invalid(
          path,
          seconds ?? null,
          `must be at least 0 and at most terminationGracePeriodSeconds${limit}`,
        ),
      ];
    }
  }
}

function validateHTTPGet(action: HTTPGetAction, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  if (!action.path) errors.push(required(path.child("path")));
  errors.push(...validatePortNumOrName(action.port, path.child("port")));
  if (action.scheme !== "HTTP" && action.scheme !== "HTTPS") {
    errors.push(notSupported(path.child("scheme"), action.scheme ?? "", ["HTTP", "HTTPS"]));
  }
  for (const header of items(action.httpHeaders)) {
    const name = header?.name ?? "";
    errors.push(
      ...checkHTTPHeaderName(name).map((m) => invalid(path.child("httpHeaders"), name, m)),
    );
  }
  return errors;
}

/** Errors unless a port is a number from 1 to 65535 or a valid port name. */
export function validatePortNumOrName(port: unknown, path: Path): FieldError[] {
  if (typeof port === "number") return checkPortNumber(port).map((m) => invalid(path, port, m));
  if (typeof port === "string") return checkPortName(port).map((m) => invalid(path, port, m));
  return [invalid(path, port ?? null, "must be a port number or name")];
}
