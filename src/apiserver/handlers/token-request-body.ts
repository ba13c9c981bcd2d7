/**
 * Decoding a TokenRequest body: the types of the fields the token handler reads are checked as
 * upstream's JSON decoder checks them, and refused with its 400 message, so the handler works on a
 * well-typed request.
 */
import {
  TOKEN_REQUEST_KIND,
  type BoundObjectReference,
  type TokenRequest,
  type TokenRequestSpec,
} from "../../api/authentication/v1/index.js";
import { StatusError } from "../../api/errors.js";
import type { ObjectMeta } from "../../api/meta/types.js";

const API_VERSION = `${TOKEN_REQUEST_KIND.group}/${TOKEN_REQUEST_KIND.version}`;
const REF_FIELDS = ["kind", "apiVersion", "name", "uid"] as const;
/** The metadata fields the handler compares with the service account's. */
const META_FIELDS = ["name", "namespace", "uid"] as const;

type Json = Record<string, unknown>;

/** A TokenRequest from a decoded body (JSON, YAML or protobuf); mistyped fields are 400s. */
export function decodeTokenRequest(body: Json): TokenRequest {
  if (body["apiVersion"] !== undefined && body["apiVersion"] !== API_VERSION) {
    throw StatusError.badRequest(
      `the API version in the data (${String(body["apiVersion"])}) does not match the expected API version (${API_VERSION})`,
    );
  }
  if (body["kind"] !== undefined && body["kind"] !== TOKEN_REQUEST_KIND.kind) {
    throw StatusError.badRequest(
      `the kind in the data (${String(body["kind"])}) does not match the expected kind (${TOKEN_REQUEST_KIND.kind})`,
    );
  }
  const metadata = objectOrNull(body["metadata"], "TokenRequest.metadata", "v1.ObjectMeta") ?? {};
  for (const name of META_FIELDS) {
    const v = metadata[name];
    if (v !== undefined && v !== null && typeof v !== "string") {
      throw typeError(v, `ObjectMeta.metadata.${name}`, "string");
    }
  }
  // Status is the server's to fill in, but a body whose status is not an object does not decode.
  objectOrNull(body["status"], "TokenRequest.status", "v1.TokenRequestStatus");
  return {
    apiVersion: API_VERSION,
    kind: TOKEN_REQUEST_KIND.kind,
    metadata: metadata as ObjectMeta,
    spec: decodeSpec(body["spec"]),
  };
}

function decodeSpec(value: unknown): TokenRequestSpec {
  const spec = objectOrNull(value, "TokenRequest.spec", "v1.TokenRequestSpec") ?? {};
  // Upstream's JSON has no omitempty on these, so an answer shows them even when null.
  const out: TokenRequestSpec = { audiences: null, boundObjectRef: null };

  const audiences = spec["audiences"];
  if (audiences !== undefined && audiences !== null) {
    const field = "TokenRequestSpec.spec.audiences";
    if (!Array.isArray(audiences)) throw typeError(audiences, field, "[]string");
    for (const a of audiences) if (typeof a !== "string") throw typeError(a, field, "string");
    out.audiences = audiences as string[];
  }

  const seconds = spec["expirationSeconds"];
  if (seconds !== undefined && seconds !== null) {
    if (typeof seconds !== "number" || !Number.isSafeInteger(seconds)) {
      throw typeError(seconds, "TokenRequestSpec.spec.expirationSeconds", "int64");
    }
    out.expirationSeconds = seconds;
  }

  const ref = objectOrNull(
    spec["boundObjectRef"],
    "TokenRequestSpec.spec.boundObjectRef",
    "v1.BoundObjectReference",
  );
  if (ref) {
    const bound: BoundObjectReference = {};
    for (const name of REF_FIELDS) {
      const v = ref[name];
      if (v === undefined || v === null) continue;
      if (typeof v !== "string") {
        throw typeError(v, `BoundObjectReference.spec.boundObjectRef.${name}`, "string");
      }
      bound[name] = v;
    }
    out.boundObjectRef = bound;
  }
  return out;
}

function objectOrNull(value: unknown, field: string, goType: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw typeError(value, field, goType);
  return value as Json;
}

/** Upstream's decoding failure: the kind it could not handle and Go's unmarshal error. */
function typeError(value: unknown, field: string, goType: string): StatusError {
  return StatusError.badRequest(
    `TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal ${jsonKind(value)} into Go struct field ${field} of type ${goType}`,
  );
}

/** How Go's encoding/json names a JSON value in an unmarshal error. */
function jsonKind(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? "number" : `number ${value}`;
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  return typeof value;
}
