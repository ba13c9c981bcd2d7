/** Writing responses: JSON objects, Status errors, and content negotiation of the Accept header. */
import type { ServerResponse } from "node:http";
import { StatusError, type Status } from "../../api/errors.js";
import { WarningRecorder } from "../field-validation/warnings.js";
import { CachedObject } from "../registry/codec.js";

/**
 * Writes `body` (an object or an already serialised JSON string) with `code`. Objects from the store are
 * passed as their `.json`; passing the CachedObject itself is a programming error.
 */
export function writeJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  if (body instanceof CachedObject) throw new Error("Cannot write a CachedObject: pass its json");
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

const recorders = new WeakMap<ServerResponse, WarningRecorder>();

/** Adds `Warning` headers (299, as upstream sends them) to a response not yet written. */
export function addWarnings(res: ServerResponse, texts: readonly string[]): void {
  if (texts.length === 0 || res.headersSent) return;
  let recorder = recorders.get(res);
  if (!recorder) recorders.set(res, (recorder = new WarningRecorder()));
  for (const text of texts) recorder.add(text);
  res.setHeader("Warning", recorder.headerValues());
}

/** Writes a Status for any error; errors that are not StatusErrors become 500 InternalError. */
export function writeError(res: ServerResponse, err: unknown): Status {
  const status = toStatus(err);
  if (res.headersSent) {
    res.destroy();
    return status;
  }
  const headers: Record<string, string> = {};
  const retry = status.details?.retryAfterSeconds;
  if (retry !== undefined) headers["Retry-After"] = String(retry);
  writeJson(res, status.code, status, headers);
  return status;
}

/** The Status an error becomes on the wire. */
export function toStatus(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  return StatusError.internal(err instanceof Error ? err.message : String(err), err).status;
}

/** One entry of an Accept header: `application/json;as=Table;g=meta.k8s.io;v=v1`. */
export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** Parses an Accept header into its media ranges, in the order given. */
export function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept) return [{ type: "*/*", params: {} }];
  return accept.split(",").map((part) => {
    const [type, ...rest] = part.split(";");
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    return { type: (type ?? "").trim().toLowerCase(), params };
  });
}

/** What representation a client asked for. */
export type Representation = "object" | "table" | "partial-metadata" | "partial-metadata-list";

/**
 * Picks the representation to answer with: the first range we can serve wins. JSON is always served for
 * plain JSON, protobuf (answered with JSON, which clients accept) and wildcards; anything else is 406.
 */
export function negotiate(accept: string | undefined): Representation {
  for (const range of parseAccept(accept)) {
    const as = range.params["as"];
    if (as) {
      if (range.params["g"] !== "meta.k8s.io") continue;
      if (as === "Table") return "table";
      if (as === "PartialObjectMetadata") return "partial-metadata";
      if (as === "PartialObjectMetadataList") return "partial-metadata-list";
      continue;
    }
    if (
      range.type === "application/json" ||
      range.type === "application/*" ||
      range.type === "*/*" ||
      range.type === "application/vnd.kubernetes.protobuf"
    ) {
      return "object";
    }
  }
  throw StatusError.notAcceptable(
    `only the following media types are accepted: application/json, application/vnd.kubernetes.protobuf (got ${accept})`,
  );
}
