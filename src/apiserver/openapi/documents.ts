/**
 * The OpenAPI documents of a server, generated once and kept as the bytes served: the `/openapi/v3`
 * index, one OpenAPI 3.0 document per group-version, and the Swagger 2.0 document in JSON and
 * protobuf. Each body has a digest that is its ETag and the `hash` of its index entry, so clients
 * can cache a document for as long as its URL does not change.
 */
import { createHash } from "node:crypto";
import type { ResourceDefinition } from "../../api/resource.js";
import { documentV2 } from "./document-v2.js";
import { groupVersionDocumentV3 } from "./document-v3.js";
import { buildModel, type ApiModel } from "./model.js";
import { encodeDocumentV2 } from "./protobuf-v2.js";

/** One served body and its digest. */
export interface ServedDocument {
  readonly body: Buffer;
  /** Upper-case hex SHA-512 of the body, as upstream's `hash` parameters are. */
  readonly hash: string;
  /** The quoted hash, for the ETag header. */
  readonly etag: string;
}

/** How long generating each part took, in milliseconds, and the byte size of each document. */
export interface GenerationStats {
  readonly v3Ms: number;
  readonly v2Ms: number;
  readonly v3Bytes: Readonly<Record<string, number>>;
  readonly v2JsonBytes: number;
  readonly v2ProtobufBytes: number;
}

interface V3Documents {
  readonly index: ServedDocument;
  readonly byKey: ReadonlyMap<string, ServedDocument>;
}

/**
 * Generation is lazy: the v3 documents on the first v3 request, the v2 ones on the first v2
 * request.
 */
export class OpenApiDocuments {
  readonly #resources: readonly ResourceDefinition[];
  readonly #serverVersion: string;
  #model: ApiModel | undefined;
  #v3: V3Documents | undefined;
  #v2: { json: ServedDocument; protobuf: ServedDocument } | undefined;
  #v3Ms = 0;
  #v2Ms = 0;

  /** `serverVersion` is the `info.version` of every document (the server's gitVersion). */
  constructor(resources: readonly ResourceDefinition[], serverVersion: string) {
    this.#resources = resources;
    this.#serverVersion = serverVersion;
  }

  /** The `/openapi/v3` index: `{"paths":{"apis/apps/v1":{"serverRelativeURL":"...?hash=..."}}}`. */
  index(): ServedDocument {
    return this.#documentsV3().index;
  }

  /**
   * The OpenAPI 3.0 document of a group-version by its index key, or undefined when none is served.
   */
  groupVersion(key: string): ServedDocument | undefined {
    return this.#documentsV3().byKey.get(key);
  }

  /** The Swagger 2.0 document as JSON. */
  v2Json(): ServedDocument {
    return this.#documentsV2().json;
  }

  /** The Swagger 2.0 document as a gnostic `openapi.v2.Document` protobuf message. */
  v2Protobuf(): ServedDocument {
    return this.#documentsV2().protobuf;
  }

  /** Generates everything not yet generated and reports what it cost. */
  stats(): GenerationStats {
    const v3 = this.#documentsV3();
    const v2 = this.#documentsV2();
    const v3Bytes: Record<string, number> = {};
    for (const [key, doc] of v3.byKey) v3Bytes[key] = doc.body.length;
    return {
      v3Ms: this.#v3Ms,
      v2Ms: this.#v2Ms,
      v3Bytes,
      v2JsonBytes: v2.json.body.length,
      v2ProtobufBytes: v2.protobuf.body.length,
    };
  }

  #modelOnce(): ApiModel {
    this.#model ??= buildModel(this.#resources);
    return this.#model;
  }

  #documentsV3(): V3Documents {
    if (this.#v3) return this.#v3;
    const started = performance.now();
    const model = this.#modelOnce();
    const byKey = new Map<string, ServedDocument>();
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const gv of model.groupVersions) {
      const doc = served(
        JSON.stringify(groupVersionDocumentV3(gv, model.lookup, this.#serverVersion)),
      );
      byKey.set(gv.key, doc);
      paths[gv.key] = { serverRelativeURL: `/openapi/v3/${gv.key}?hash=${doc.hash}` };
    }
    this.#v3 = { index: served(JSON.stringify({ paths })), byKey };
    this.#v3Ms += performance.now() - started;
    return this.#v3;
  }

  #documentsV2(): { json: ServedDocument; protobuf: ServedDocument } {
    if (this.#v2) return this.#v2;
    const started = performance.now();
    const model = this.#modelOnce();
    const doc = documentV2(model.groupVersions, model.lookup, this.#serverVersion);
    this.#v2 = { json: served(JSON.stringify(doc)), protobuf: served(encodeDocumentV2(doc)) };
    this.#v2Ms += performance.now() - started;
    return this.#v2;
  }
}

function served(body: string | Buffer): ServedDocument {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const hash = createHash("sha512").update(bytes).digest("hex").toUpperCase();
  return { body: bytes, hash, etag: `"${hash}"` };
}
