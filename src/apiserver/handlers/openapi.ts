/**
 * `/openapi/v3`, `/openapi/v3/<api/v1|apis/group/version>` and `/openapi/v2`: the OpenAPI documents
 * generated from the kinds' schemas (see `../openapi/`). Documents are generated once per server
 * (on the first request) and served as stored bytes with an ETag; a matching If-None-Match gets
 * 304. A v3 request whose `hash` is not the current one is redirected to the current URL, as
 * upstream does, and one whose hash matches may be cached for good.
 */
import type { ServerResponse } from "node:http";
import { StatusError } from "../../api/errors.js";
import type { ResourceDefinition } from "../../api/resource.js";
import { parseAccept } from "../http/respond.js";
import { OpenApiDocuments, type ServedDocument } from "../openapi/documents.js";
import { versionInfo } from "../version.js";
import type { RequestContext } from "./context.js";

/**
 * The media type of the Swagger 2.0 document in protobuf. Clients ask for it under this name or
 * under an older one with `@`, which is not a valid media type (Go's mime parser refuses it), so
 * answers always name this one, as upstream's do.
 */
export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
const OPENAPI_V2_PROTOBUF_AT = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
const OPENAPI_V3_PROTOBUF = "application/com.github.proto-openapi.spec.v3@v1.0+protobuf";

const documentsByResources = new WeakMap<readonly ResourceDefinition[], OpenApiDocuments>();

/** The documents of a set of resources, generated at most once per set (one set per server). */
export function openApiDocuments(resources: readonly ResourceDefinition[]): OpenApiDocuments {
  let docs = documentsByResources.get(resources);
  if (!docs) {
    docs = new OpenApiDocuments(resources, versionInfo()["gitVersion"] ?? "");
    documentsByResources.set(resources, docs);
  }
  return docs;
}

/** Whether a non-resource path is one of the OpenAPI paths. */
export function isOpenApiPath(path: string): boolean {
  return path === "/openapi/v2" || path === "/openapi/v3" || path.startsWith("/openapi/v3/");
}

/**
 * Serves a GET or HEAD of an OpenAPI path (without trailing slashes) for the server's resources.
 */
export function serveOpenApi(
  ctx: RequestContext,
  path: string,
  resources: readonly ResourceDefinition[],
): void {
  const docs = openApiDocuments(resources);
  if (path === "/openapi/v2") {
    const protobuf = wantsV2Protobuf(ctx.req.headers.accept);
    const doc = protobuf ? docs.v2Protobuf() : docs.v2Json();
    write(ctx, doc, protobuf ? OPENAPI_V2_PROTOBUF : "application/json", { Vary: "Accept" });
    return;
  }

  acceptJson(ctx.req.headers.accept, OPENAPI_V3_PROTOBUF);
  if (path === "/openapi/v3") {
    write(ctx, docs.index(), "application/json", {});
    return;
  }
  const key = path.slice("/openapi/v3/".length);
  const doc = docs.groupVersion(key);
  if (!doc) throw new StatusError(404, "NotFound", `No OpenAPI document for ${key}`);
  const hash = ctx.query.get("hash");
  if (hash !== null && hash !== "" && hash !== doc.hash) {
    const location = `/openapi/v3/${key}?hash=${doc.hash}`;
    ctx.res.writeHead(301, { Location: location, "Content-Length": 0 });
    ctx.res.end();
    return;
  }
  const headers: Record<string, string> = { Vary: "Accept" };
  if (hash === doc.hash) {
    // The URL names the content, so it never changes: let clients and proxies keep it.
    headers["Cache-Control"] = "public, immutable";
    headers["Expires"] = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
  }
  write(ctx, doc, "application/json", headers);
}

/**
 * Whether `/openapi/v2` should answer in protobuf: the first media range we can serve decides.
 * Without an Accept header, or with one that only names JSON or wildcards, the answer is JSON.
 */
function wantsV2Protobuf(accept: string | undefined): boolean {
  for (const range of parseAccept(accept)) {
    if (range.type === OPENAPI_V2_PROTOBUF || range.type === OPENAPI_V2_PROTOBUF_AT) return true;
    if (isJsonRange(range.type)) return false;
  }
  throw StatusError.notAcceptable(
    `only the following media types are accepted: application/json, ${OPENAPI_V2_PROTOBUF} (got ${accept})`,
  );
}

/** Refuses an Accept header that allows no JSON (v3 documents are served in JSON only). */
function acceptJson(accept: string | undefined, alternative: string): void {
  if (parseAccept(accept).some((range) => isJsonRange(range.type))) return;
  throw StatusError.notAcceptable(
    `only the following media types are accepted: application/json (got ${accept}; ${alternative} is not served)`,
  );
}

function isJsonRange(type: string): boolean {
  return type === "application/json" || type === "application/*" || type === "*/*";
}

function write(
  ctx: RequestContext,
  doc: ServedDocument,
  contentType: string,
  headers: Record<string, string>,
): void {
  const res: ServerResponse = ctx.res;
  if (matchesEtag(ctx.req.headers["if-none-match"], doc.etag)) {
    res.writeHead(304, { ETag: doc.etag, ...headers });
    res.end();
    return;
  }
  res.writeHead(200, {
    "Content-Type": contentType,
    "Content-Length": doc.body.length,
    ETag: doc.etag,
    ...headers,
  });
  if (ctx.req.method === "HEAD") res.end();
  else res.end(doc.body);
}

/** If-None-Match: `*`, or a list of (possibly weak) entity tags, any of which may match. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  for (const raw of header.split(",")) {
    const tag = raw.trim();
    if (tag === "*" || tag === etag || tag === `W/${etag}`) return true;
  }
  return false;
}
