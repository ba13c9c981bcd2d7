/** Reading and decoding request bodies: size limit, JSON and YAML. */
import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { StatusError } from "../../api/errors.js";

/** Bodies larger than this are refused with 413, as upstream refuses requests over 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the whole body, refusing it with 413 once it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(StatusError.tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        reject(StatusError.tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!refused) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}

/** The media type of a Content-Type header, without parameters, lower-cased. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Whether a media type (without parameters) is one of YAML's. */
export function isYaml(type: string): boolean {
  return (
    type === "application/yaml" ||
    type === "application/x-yaml" ||
    type === "text/yaml" ||
    type.endsWith("+yaml")
  );
}

/**
 * Decodes a JSON or YAML body into a value. Anything that does not parse is a 400 BadRequest naming the
 * problem; a body of another media type is a 415.
 */
export function decodeBody(body: Buffer | string, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (body.length === 0)
    throw StatusError.badRequest("The request body is empty; an object is required");
  const text = typeof body === "string" ? body : body.toString("utf8");
  if (type === "" || type === "application/json" || type.endsWith("+json")) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw StatusError.badRequest(`The request body is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (isYaml(type)) {
    try {
      // Repeated keys keep the last value, as upstream's decoder does; field validation reports them.
      return parseYaml(text, { version: "1.1", maxAliasCount: 100, uniqueKeys: false }) as unknown;
    } catch (err) {
      throw StatusError.badRequest(`The request body is not valid YAML: ${(err as Error).message}`);
    }
  }
  throw StatusError.unsupportedMediaType(type);
}

/** Decodes a body that must be a JSON object (an API object or options). */
export function decodeObject(
  body: Buffer | string,
  contentType: string | undefined,
): Record<string, unknown> {
  const value = decodeBody(body, contentType);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw StatusError.badRequest("The request body must be a JSON or YAML object");
  }
  return value as Record<string, unknown>;
}
