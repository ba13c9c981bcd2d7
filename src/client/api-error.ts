/** The error every client call throws when the API answers with a failure `Status`. */
import type { Status, StatusDetails } from "../api/errors.js";

/** A failed API call: the server's `Status` (or one made from a non-Status error body). */
export class ApiError extends Error {
  readonly status: Status;

  constructor(status: Status, opts?: ErrorOptions) {
    super(status.message || `The server answered with HTTP ${status.code}`, opts);
    this.name = "ApiError";
    this.status = status;
  }

  /** The HTTP status code. */
  get code(): number {
    return this.status.code;
  }

  /** The machine-readable reason, such as `NotFound`, when the server gave one. */
  get reason(): string | undefined {
    return this.status.reason;
  }

  /** Details naming the object and the causes, when the server gave them. */
  get details(): StatusDetails | undefined {
    return this.status.details;
  }

  /** An error from an HTTP status code and a body that may or may not hold a Status. */
  static fromResponse(code: number, body: string): ApiError {
    let parsed: unknown;
    try {
      parsed = body ? JSON.parse(body) : undefined;
    } catch {
      // Not JSON (a proxy's HTML page, a plain-text message): the body becomes the message below.
    }
    if (isStatus(parsed)) return new ApiError({ ...parsed, code: parsed.code || code });
    return new ApiError({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: body.trim() || `The server answered with HTTP ${code}`,
      ...(reasonForCode(code) ? { reason: reasonForCode(code)! } : {}),
      code,
    });
  }
}

/** Whether a value is a `Status` object as the API sends it. */
export function isStatus(value: unknown): value is Status {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "Status" &&
    typeof (value as { code?: unknown }).code === "number"
  );
}

function reasonForCode(code: number): Status["reason"] | undefined {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return undefined;
  }
}

function hasReason(err: unknown, reason: string, code: number): boolean {
  if (!(err instanceof ApiError)) return false;
  return err.reason === reason || (err.reason === undefined && err.code === code);
}

/** Whether an error is the API's NotFound (404). */
export const isNotFound = (err: unknown): boolean => hasReason(err, "NotFound", 404);
/** Whether an error is the API's AlreadyExists (409 on create). */
export const isAlreadyExists = (err: unknown): boolean =>
  err instanceof ApiError && err.reason === "AlreadyExists";
/** Whether an error is the API's Conflict (409: a stale resourceVersion or a failed precondition). */
export const isConflict = (err: unknown): boolean =>
  err instanceof ApiError && err.reason === "Conflict";
/** Whether an error is the API's Invalid (422). */
export const isInvalid = (err: unknown): boolean => hasReason(err, "Invalid", 422);
/** Whether an error is a 410: the resourceVersion asked for is too old (Expired or Gone). */
export const isGone = (err: unknown): boolean => err instanceof ApiError && err.code === 410;
/** Whether an error is TooManyRequests (429), such as an eviction a disruption budget forbids. */
export const isTooManyRequests = (err: unknown): boolean => hasReason(err, "TooManyRequests", 429);
