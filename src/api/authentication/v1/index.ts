/**
 * The types of the authentication.k8s.io group, version v1. None is a served resource of its own:
 * TokenRequest is the body of the service account `token` subresource.
 */
export {
  DEFAULT_TOKEN_EXPIRATION_SECONDS,
  MAX_TOKEN_EXPIRATION_SECONDS,
  MIN_TOKEN_EXPIRATION_SECONDS,
  TOKEN_REQUEST_KIND,
  defaultTokenRequest,
  validateTokenRequest,
  type BoundObjectReference,
  type TokenRequest,
  type TokenRequestSpec,
  type TokenRequestStatus,
} from "./token-request.js";
