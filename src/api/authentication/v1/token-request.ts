/**
 * TokenRequest (authentication.k8s.io/v1): the body and answer of a service account's `token`
 * subresource (`kubectl create token`). It is never stored: a create answers with the request, its
 * defaults filled in, and a signed token in `status`.
 */
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineType, f, int64, list, string, time } from "../../schema.js";
import { invalid, root } from "../../validation.js";

const AUTHN = "io.k8s.api.authentication.v1";

/** The group, version and kind of a TokenRequest. */
export const TOKEN_REQUEST_KIND = {
  group: "authentication.k8s.io",
  version: "v1",
  kind: "TokenRequest",
} as const;

/** The lifetime a token gets when the request names none: one hour, as upstream defaults it. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

/** The shortest lifetime a request may ask for: ten minutes. */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;

/** The longest lifetime a request may ask for: 2^32 seconds. */
export const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;

/** The object a token is bound to: the token is valid only while that object exists. */
export interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

/** What the client asks for. */
export interface TokenRequestSpec {
  audiences: string[] | null;
  expirationSeconds?: number | null;
  boundObjectRef?: BoundObjectReference | null;
}

/** The issued token and when it expires. */
export interface TokenRequestStatus {
  token: string;
  expirationTimestamp: string;
}

export interface TokenRequest extends KubeObject {
  spec: TokenRequestSpec;
  status?: TokenRequestStatus;
}

const BoundObjectReferenceType = defineType({
  name: `${AUTHN}.BoundObjectReference`,
  description: "An object a token is bound to; the token stops being valid when it is deleted.",
  fields: {
    kind: f(string(), 1, "Kind of the object: Pod, Secret or Node."),
    apiVersion: f(string(), 2, "API version of the object."),
    name: f(string(), 3, "Name of the object."),
    uid: f(string(), 4, "UID of the object; when empty, the UID of the object that exists now."),
  },
});

defineType({
  name: `${AUTHN}.TokenRequest`,
  description: "Asks for a token that authenticates as a service account.",
  gvk: TOKEN_REQUEST_KIND,
  fields: {
    ...objectFields(),
    spec: f(
      defineType({
        name: `${AUTHN}.TokenRequestSpec`,
        description: "The audiences, lifetime and binding of the token asked for.",
        fields: {
          audiences: f(
            list(string()),
            1,
            "Who the token is meant for; a recipient must find itself in this list. Empty means the API server.",
            { required: true },
          ),
          expirationSeconds: f(
            int64(),
            4,
            "Requested lifetime in seconds, at least 600; the answer's expirationTimestamp says what was granted.",
            { pointer: true },
          ),
          boundObjectRef: f(
            BoundObjectReferenceType,
            3,
            "An object the token is bound to: it stops being valid when the object is deleted.",
          ),
        },
      }),
      2,
      "What is asked for.",
      { required: true },
    ),
    status: f(
      defineType({
        name: `${AUTHN}.TokenRequestStatus`,
        description: "The issued token.",
        fields: {
          token: f(string(), 1, "The bearer token.", { required: true }),
          expirationTimestamp: f(time(), 2, "When the token expires.", { required: true }),
        },
      }),
      3,
      "The token, filled in by the server.",
    ),
  },
});

/** Fills in upstream's default lifetime when the request names none. */
export function defaultTokenRequest(request: TokenRequest): void {
  request.spec.expirationSeconds ??= DEFAULT_TOKEN_EXPIRATION_SECONDS;
}

/** Checks the requested lifetime against upstream's bounds: ten minutes to 2^32 seconds. */
export function validateTokenRequest(request: TokenRequest): FieldError[] {
  const seconds = request.spec.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS;
  const path = root("spec").child("expirationSeconds");
  if (seconds < MIN_TOKEN_EXPIRATION_SECONDS) {
    return [invalid(path, seconds, "may not specify a duration less than 10 minutes")];
  }
  if (seconds > MAX_TOKEN_EXPIRATION_SECONDS) {
    return [invalid(path, seconds, "may not specify a duration larger than 2^32 seconds")];
  }
  return [];
}
