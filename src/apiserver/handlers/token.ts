/**
 * The `token` subresource of service accounts: a POST of a TokenRequest (authentication.k8s.io/v1)
 * answers with the request, its defaults filled in, and a signed token for the service account in
 * `status`, optionally bound to a pod, secret or node. Nothing is stored.
 */
import { randomUUID } from "node:crypto";
import {
  TOKEN_REQUEST_KIND,
  defaultTokenRequest,
  validateTokenRequest,
  type TokenRequest,
} from "../../api/authentication/v1/index.js";
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta/types.js";
import { invalid, root } from "../../api/validation.js";
import type { KubernetesClaim, TokenClaims, TokenIssuer } from "../auth/service-account-tokens.js";
import { writeJson } from "../http/respond.js";
import type { RequestContext } from "./context.js";
import { checkWriteParams } from "./params.js";
import { decodeTokenRequest } from "./token-request-body.js";
import { readObject } from "./write.js";

/** The lifetime kubelet asks for on projected tokens, which the server extends (see below). */
export const WARN_ONLY_EXPIRATION_SECONDS = 3607;

/** How long an extended projected token lives: one year. */
export const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 3600;

/** The resources a token request reads; a missing object is a StatusError NotFound. */
export type TokenObjectGetter = (
  plural: "serviceaccounts" | "pods" | "secrets" | "nodes",
  namespace: string,
  name: string,
) => Promise<KubeObject>;

/** What the handler needs from the server. */
export interface TokenRequestDeps {
  issuer: TokenIssuer;
  get: TokenObjectGetter;
  /**
   * Upstream's `--service-account-extend-token-expiration` (on by default): a pod-bound token asked
   * for with kubelet's 3607 seconds and only API audiences is valid for a year, with a `warnafter`
   * claim at the requested expiry, so that clients that do not reload tokens keep working.
   */
  extendExpiration?: boolean;
  /** The clock and the token ID source, for tests. */
  now?: () => Date;
  newId?: () => string;
}

/** Serves `…/serviceaccounts/<name>/token`: only POST is allowed. */
export async function createToken(ctx: RequestContext, deps: TokenRequestDeps): Promise<void> {
  const { namespace, name, verb } = ctx.info;
  if (verb !== "create") {
    throw StatusError.methodNotAllowed(
      `${ctx.req.method} is not allowed on serviceaccounts/token: only POST is`,
    );
  }
  // The dry run is checked but changes nothing: issuing a token stores nothing, so upstream answers
  // a dry run exactly as it answers a real request.
  checkWriteParams(ctx.query);
  if (!namespace) throw StatusError.badRequest("namespace is required");
  const request = decodeTokenRequest(await readObject(ctx));
  writeJson(ctx.res, 201, await issueToken(namespace, name, request, deps));
}

/**
 * Answers a token request for service account `namespace/name`: the checks and lookups of
 * upstream's TokenREST, in its order, then the signed token in `status`.
 */
export async function issueToken(
  namespace: string,
  name: string,
  request: TokenRequest,
  deps: TokenRequestDeps,
): Promise<TokenRequest> {
  const meta = request.metadata;
  if (meta.name && meta.name !== name) {
    throw invalidRequest(
      name,
      "name",
      meta.name,
      "must match the service account name if specified",
    );
  }
  if (meta.namespace && meta.namespace !== namespace) {
    throw invalidRequest(
      name,
      "namespace",
      meta.namespace,
      "must match the service account namespace if specified",
    );
  }
  const sa = await deps.get("serviceaccounts", namespace, name);
  const saUid = sa.metadata.uid ?? "";
  if (meta.uid && meta.uid !== saUid) {
    throw StatusError.conflict(
      { group: TOKEN_REQUEST_KIND.group, resource: TOKEN_REQUEST_KIND.kind },
      name,
      `the UID in the token request (${meta.uid}) does not match the UID of the service account (${saUid})`,
    );
  }

  const spec = request.spec;
  const audiences = spec.audiences?.length ? spec.audiences : [...deps.issuer.apiAudiences];
  spec.audiences = audiences;
  meta.name ||= name;
  meta.namespace ||= namespace;
  meta.uid ||= saUid;
  // Taken before the token is built, so that the expiry reported is never after the token's own.
  const now = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
  meta.creationTimestamp = rfc3339(now);
  delete request.status;
  defaultTokenRequest(request);
  const errors = validateTokenRequest(request);
  if (errors.length) throw StatusError.invalid(TOKEN_REQUEST_KIND, "", errors);

  const bound = await boundObjects(namespace, name, request, deps.get);
  const requested = spec.expirationSeconds!;
  let lifetime = requested;
  let warnAfter: number | undefined;
  const apiAudiences = deps.issuer.apiAudiences;
  if (
    (deps.extendExpiration ?? true) &&
    bound.pod &&
    requested === WARN_ONLY_EXPIRATION_SECONDS &&
    audiences.every((a) => apiAudiences.includes(a))
  ) {
    warnAfter = now + requested;
    lifetime = EXTENDED_EXPIRATION_SECONDS;
  }

  const kubernetes: KubernetesClaim = {
    namespace,
    serviceaccount: claimRef(sa),
    ...(bound.pod && { pod: claimRef(bound.pod) }),
    ...(bound.secret && { secret: claimRef(bound.secret) }),
    ...(bound.node && { node: claimRef(bound.node) }),
    ...(warnAfter !== undefined && { warnafter: warnAfter }),
  };
  const claims: TokenClaims = {
    sub: `system:serviceaccount:${namespace}:${name}`,
    aud: audiences,
    iat: now,
    nbf: now,
    exp: now + lifetime,
    jti: (deps.newId ?? randomUUID)(),
    "kubernetes.io": kubernetes,
  };
  request.status = {
    token: deps.issuer.issue(claims),
    expirationTimestamp: rfc3339(now + requested),
  };
  return request;
}

interface BoundObjects {
  pod?: KubeObject;
  secret?: KubeObject;
  /** The node a bound pod runs on (only its name when the Node is gone), or a bound node. */
  node?: KubeObject;
}

/** Looks the bound object up; missing objects, other kinds and stale UIDs are refused. */
async function boundObjects(
  namespace: string,
  saName: string,
  request: TokenRequest,
  get: TokenObjectGetter,
): Promise<BoundObjects> {
  const ref = request.spec.boundObjectRef;
  if (!ref) return {};
  const { group, version } = parseApiVersion(ref.apiVersion ?? "");
  const kind = ref.kind ?? "";
  const refName = ref.name ?? "";
  let bound: BoundObjects;
  let uid: string | undefined;
  if (group === "" && kind === "Pod") {
    const pod = await get("pods", namespace, refName);
    const spec = (pod["spec"] ?? {}) as { serviceAccountName?: string; nodeName?: string };
    if (spec.serviceAccountName !== saName) {
      throw StatusError.badRequest(
        `cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`,
      );
    }
    bound = { pod };
    uid = pod.metadata.uid;
    if (spec.nodeName) bound.node = await nodeOfPod(spec.nodeName, get);
  } else if (group === "" && kind === "Secret") {
    const secret = await get("secrets", namespace, refName);
    bound = { secret };
    uid = secret.metadata.uid;
  } else if (group === "" && kind === "Node") {
    const node = await get("nodes", "", refName);
    bound = { node };
    uid = node.metadata.uid;
  } else {
    throw StatusError.badRequest(
      `cannot bind token to object of type ${group}/${version}, Kind=${kind}`,
    );
  }
  if (ref.uid && ref.uid !== uid) {
    throw StatusError.conflict(
      { group, resource: kind },
      refName,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  return bound;
}

/** The node a pod is scheduled to; a missing Node still gives its name, as upstream embeds it. */
async function nodeOfPod(nodeName: string, get: TokenObjectGetter): Promise<KubeObject> {
  try {
    return await get("nodes", "", nodeName);
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return { metadata: { name: nodeName } };
    throw err;
  }
}

/** Splits an apiVersion as upstream does; one that does not parse names no group or version. */
function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const parts = apiVersion.split("/");
  if (parts.length === 1) return { group: "", version: apiVersion };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return { group: "", version: "" };
}

function claimRef(obj: KubeObject): { name?: string; uid?: string } {
  const { name, uid } = obj.metadata;
  return { ...(name && { name }), ...(uid && { uid }) };
}

function invalidRequest(
  name: string,
  field: "name" | "namespace",
  value: string,
  detail: string,
): StatusError {
  return StatusError.invalid(TOKEN_REQUEST_KIND, name, [
    invalid(root("metadata").child(field), value, detail),
  ]);
}

function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
