/**
 * Kubernetes `Status` errors. Everything the API refuses is refused with one of these, carrying the reason and
 * HTTP code that clients such as kubectl read.
 */

/** The `Status` object of the core API, as sent on the wire. */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: { resourceVersion?: string };
  status: "Success" | "Failure";
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export type StatusReason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "BadRequest"
  | "Forbidden"
  | "Unauthorized"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "UnsupportedMediaType"
  | "RequestEntityTooLarge"
  | "TooManyRequests"
  | "Expired"
  | "Gone"
  | "InternalError"
  | "Timeout"
  | "ServiceUnavailable";

export interface StatusCause {
  type?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** What a resource is called in messages: `deployments.apps` for the resource, `Deployment.apps` for the kind. */
export interface QualifiedResource {
  group: string;
  /** The plural resource name (`deployments`) for NotFound-style messages. */
  resource: string;
}

/** The type of one validation failure, as upstream's field.ErrorType names it in `causes`. */
export type FieldErrorType =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueDuplicate"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueNotFound"
  | "FieldValueTypeInvalid";

/** One failed check of a field; `field` is a path such as `spec.containers[0].name`. */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** The offending value, when there is one to show. */
  value?: unknown;
  /** Why it is wrong (for Invalid, NotSupported, Forbidden, TooLong); empty for Required. */
  detail: string;
}

/** Renders one field error as upstream does: `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export function fieldErrorMessage(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

function fieldErrorBody(e: FieldError): string {
  const shown = e.value === undefined ? "" : formatValue(e.value);
  switch (e.type) {
    case "FieldValueRequired":
      return e.detail ? `Required value: ${e.detail}` : "Required value";
    case "FieldValueInvalid":
      return `Invalid value: ${shown}${e.detail ? `: ${e.detail}` : ""}`;
    case "FieldValueNotSupported":
      return `Unsupported value: ${shown}${e.detail ? `: ${e.detail}` : ""}`;
    case "FieldValueDuplicate":
      return `Duplicate value: ${shown}`;
    case "FieldValueForbidden":
      return e.detail ? `Forbidden: ${e.detail}` : "Forbidden";
    case "FieldValueTooLong":
      return `Too long: ${e.detail}`;
    case "FieldValueTooMany":
      return `Too many: ${e.detail}`;
    case "FieldValueNotFound":
      return `Not found: ${shown}`;
    case "FieldValueTypeInvalid":
      return `Invalid value: ${shown}: ${e.detail}`;
  }
}

function formatValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null) return "null";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** An error that the API returns as a `Status`. */
export class StatusError extends Error {
  readonly status: Status;

  constructor(
    code: number,
    reason: StatusReason,
    message: string,
    details?: StatusDetails,
    opts?: ErrorOptions,
  ) {
    super(message, opts);
    this.name = "StatusError";
    this.status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    };
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): StatusReason | undefined {
    return this.status.reason;
  }

  static notFound(qr: QualifiedResource, name: string): StatusError {
    return new StatusError(
      404,
      "NotFound",
      `${qualified(qr)} "${name}" not found`,
      details(qr, name),
    );
  }

  static alreadyExists(qr: QualifiedResource, name: string): StatusError {
    return new StatusError(
      409,
      "AlreadyExists",
      `${qualified(qr)} "${name}" already exists`,
      details(qr, name),
    );
  }

  static conflict(qr: QualifiedResource, name: string, why: string): StatusError {
    return new StatusError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${qualified(qr)} "${name}": ${why}`,
      details(qr, name),
    );
  }

  /** The usual optimistic-concurrency failure of an update with a stale resourceVersion. */
  static staleObject(qr: QualifiedResource, name: string): StatusError {
    return StatusError.conflict(
      qr,
      name,
      "the object has been modified; please apply your changes to the latest version and try again",
    );
  }

  /**
   * A 422 listing every field error as a cause. `kind` is the kind qualified with its group
   * (`Deployment.apps`), as upstream names it in these messages.
   */
  static invalid(
    kind: { group: string; kind: string },
    name: string,
    errors: FieldError[],
  ): StatusError {
    const qualifiedKind = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
    const messages = errors.map(fieldErrorMessage);
    const summary = messages.length === 1 ? messages[0] : `[${messages.join(", ")}]`;
    return new StatusError(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${summary}`, {
      name,
      group: kind.group,
      kind: kind.kind,
      causes: errors.map((e) => ({ type: e.type, message: fieldErrorBody(e), field: e.field })),
    });
  }

  static badRequest(message: string, causes?: StatusCause[]): StatusError {
    return new StatusError(400, "BadRequest", message, causes ? { causes } : undefined);
  }

  static forbidden(qr: QualifiedResource, name: string, why: string): StatusError {
    const what = name ? `${qualified(qr)} "${name}"` : qualified(qr);
    return new StatusError(403, "Forbidden", `${what} is forbidden: ${why}`, details(qr, name));
  }

  static methodNotAllowed(message: string): StatusError {
    return new StatusError(405, "MethodNotAllowed", message);
  }

  static notAcceptable(message: string): StatusError {
    return new StatusError(406, "NotAcceptable", message);
  }

  static unsupportedMediaType(contentType: string): StatusError {
    return new StatusError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`,
    );
  }

  static tooLarge(limit: number): StatusError {
    return new StatusError(
      413,
      "RequestEntityTooLarge",
      `Request entity too large: limit is ${limit}`,
    );
  }

  /** The resourceVersion a client asked for is older than the history the server keeps. */
  static expired(message: string): StatusError {
    return new StatusError(410, "Expired", message);
  }

  static tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
    return new StatusError(429, "TooManyRequests", message, { retryAfterSeconds });
  }

  static timeout(message: string): StatusError {
    return new StatusError(504, "Timeout", message);
  }

  static internal(message: string, cause?: unknown): StatusError {
    return new StatusError(500, "InternalError", `Internal error occurred: ${message}`, undefined, {
      cause,
    });
  }
}

function qualified(qr: QualifiedResource): string {
  return qr.group ? `${qr.resource}.${qr.group}` : qr.resource;
}

function details(qr: QualifiedResource, name: string): StatusDetails {
  return { ...(name ? { name } : {}), group: qr.group, kind: qr.resource };
}

/** True when `err` is a StatusError with this reason. */
export function hasReason(err: unknown, reason: StatusReason): boolean {
  return err instanceof StatusError && err.reason === reason;
}

export const isNotFound = (err: unknown): boolean => hasReason(err, "NotFound");
export const isAlreadyExists = (err: unknown): boolean => hasReason(err, "AlreadyExists");
export const isConflict = (err: unknown): boolean => hasReason(err, "Conflict");
export const isInvalid = (err: unknown): boolean => hasReason(err, "Invalid");
export const isExpired = (err: unknown): boolean => hasReason(err, "Expired");
