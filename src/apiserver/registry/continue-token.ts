/**
 * Continue tokens of paged lists: the revision the first page was served at and the key to start the next
 * page from, opaque to clients (base64 of JSON, shaped like upstream's so tools that peek at it are not
 * surprised).
 */
import { StatusError } from "../../api/errors.js";

export interface ContinueToken {
  /** The revision every page of the list is served at. */
  revision: number;
  /** The next key to return, relative to the scope prefix of the list. */
  start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(
    JSON.stringify({ v: "meta.k8s.io/v1", rv: token.revision, start: token.start }),
  ).toString("base64url");
}

/** Decodes a token; a malformed one is a 400 BadRequest. */
export function decodeContinue(text: string): ContinueToken {
  try {
    const raw = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Record<
      string,
      unknown
    >;
    if (
      raw["v"] !== "meta.k8s.io/v1" ||
      typeof raw["rv"] !== "number" ||
      typeof raw["start"] !== "string"
    ) {
      throw new Error("unexpected fields");
    }
    if (raw["start"].includes("..") || raw["start"].startsWith("/"))
      throw new Error("bad start key");
    return { revision: raw["rv"], start: raw["start"] };
  } catch (err) {
    throw StatusError.badRequest(`The continue token is not valid: ${(err as Error).message}`);
  }
}
