import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import type { TokenRequest } from "../../api/authentication/v1/index.js";
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta/types.js";
import { DEFAULT_ISSUER, TokenIssuer } from "../auth/service-account-tokens.js";
import { decodeProtobufObject } from "../protobuf/decode.js";
import { encodeProtobufObject } from "../protobuf/encode.js";
import { issueToken, type TokenObjectGetter, type TokenRequestDeps } from "./token.js";
import { decodeTokenRequest } from "./token-request-body.js";

const NOW = 1_750_000_000;
const issuer = new TokenIssuer(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey);

const OBJECTS: Record<string, KubeObject> = {
  "serviceaccounts/default/sa1": { metadata: { name: "sa1", namespace: "default", uid: "sa-uid" } },
  "pods/default/web": {
    metadata: { name: "web", namespace: "default", uid: "pod-uid" },
    spec: { serviceAccountName: "sa1", nodeName: "n1" },
  },
  "pods/default/gone-node": {
    metadata: { name: "gone-node", namespace: "default", uid: "pod2-uid" },
    spec: { serviceAccountName: "sa1", nodeName: "n9" },
  },
  "pods/default/pending": {
    metadata: { name: "pending", namespace: "default", uid: "pod3-uid" },
    spec: { serviceAccountName: "sa1" },
  },
  "pods/default/other-sa": {
    metadata: { name: "other-sa", namespace: "default", uid: "pod4-uid" },
    spec: { serviceAccountName: "default" },
  },
  "secrets/default/s1": { metadata: { name: "s1", namespace: "default", uid: "secret-uid" } },
  "nodes//n1": { metadata: { name: "n1", uid: "node-uid" } },
};

const get: TokenObjectGetter = async (plural, namespace, name) => {
  const obj = OBJECTS[`${plural}/${namespace}/${name}`];
  if (!obj) throw StatusError.notFound({ group: "", resource: plural }, name);
  return structuredClone(obj);
};

const deps: TokenRequestDeps = {
  issuer,
  get,
  now: () => new Date(NOW * 1000),
  newId: () => "jti-1",
};

function request(spec: Partial<TokenRequest["spec"]> = {}, metadata = {}): TokenRequest {
  return decodeTokenRequest({ metadata, spec: { audiences: null, ...spec } });
}

async function issue(
  spec: Partial<TokenRequest["spec"]> = {},
  opts: {
    name?: string;
    metadata?: Record<string, unknown>;
    deps?: Partial<TokenRequestDeps>;
  } = {},
): Promise<{ answer: TokenRequest; claims: ReturnType<TokenIssuer["verify"]> }> {
  const answer = await issueToken("default", opts.name ?? "sa1", request(spec, opts.metadata), {
    ...deps,
    ...opts.deps,
  });
  const claims = issuer.verify(answer.status!.token, {
    now: new Date(NOW * 1000),
    audiences: answer.spec.audiences!,
  });
  return { answer, claims };
}

async function refusal(promise: Promise<unknown>): Promise<StatusError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail("expected a StatusError");
}

describe("issueToken()", () => {
  it("answers with defaults filled in and a token for the service account", async () => {
    const { answer, claims } = await issue();
    assert.deepEqual(answer, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      metadata: {
        name: "sa1",
        namespace: "default",
        uid: "sa-uid",
        creationTimestamp: "2025-06-15T15:06:40Z",
      },
      spec: { audiences: [DEFAULT_ISSUER], boundObjectRef: null, expirationSeconds: 3600 },
      status: { token: answer.status!.token, expirationTimestamp: "2025-06-15T16:06:40Z" },
    });
    assert.deepEqual(claims, {
      aud: [DEFAULT_ISSUER],
      exp: NOW + 3600,
      iat: NOW,
      iss: DEFAULT_ISSUER,
      jti: "jti-1",
      "kubernetes.io": { namespace: "default", serviceaccount: { name: "sa1", uid: "sa-uid" } },
      nbf: NOW,
      sub: "system:serviceaccount:default:sa1",
    });
  });

  it("gives the token the requested audiences and lifetime", async () => {
    const { answer, claims } = await issue({ audiences: ["vault", "x"], expirationSeconds: 600 });
    assert.deepEqual(claims.aud, ["vault", "x"]);
    assert.equal(claims.exp, NOW + 600);
    assert.equal(answer.status!.expirationTimestamp, "2025-06-15T15:16:40Z");
  });

  const bounds: [number, string | undefined][] = [
    [
      599,
      "spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes",
    ],
    [
      0,
      "spec.expirationSeconds: Invalid value: 0: may not specify a duration less than 10 minutes",
    ],
    [600, undefined],
    [2 ** 32, undefined],
    [
      2 ** 32 + 1,
      "spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds",
    ],
  ];
  for (const [seconds, message] of bounds) {
    it(`${message ? "refuses" : "accepts"} expirationSeconds ${seconds}`, async () => {
      const result = issue({ expirationSeconds: seconds });
      if (!message) {
        assert.equal((await result).claims.exp, NOW + seconds);
        return;
      }
      const err = await refusal(result);
      assert.equal(err.code, 422);
      assert.equal(err.message, `TokenRequest.authentication.k8s.io "" is invalid: ${message}`);
    });
  }

  it("is a 404 when the service account does not exist", async () => {
    const err = await refusal(issue({}, { name: "nope" }));
    assert.equal(err.code, 404);
    assert.equal(err.message, 'serviceaccounts "nope" not found');
  });

  it("binds to a pod, naming it and its node in the claims", async () => {
    const { claims } = await issue({
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web" },
    });
    assert.deepEqual(claims["kubernetes.io"], {
      namespace: "default",
      node: { name: "n1", uid: "node-uid" },
      pod: { name: "web", uid: "pod-uid" },
      serviceaccount: { name: "sa1", uid: "sa-uid" },
    });
  });

  it("names a bound pod's node without a uid when the Node is gone, and no node when unscheduled", async () => {
    const gone = await issue({
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "gone-node" },
    });
    assert.deepEqual(gone.claims["kubernetes.io"]?.node, { name: "n9" });
    const pending = await issue({
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "pending" },
    });
    assert.equal(pending.claims["kubernetes.io"]?.node, undefined);
  });

  it("binds to a secret and to a node", async () => {
    const secret = await issue({
      boundObjectRef: { kind: "Secret", apiVersion: "v1", name: "s1" },
    });
    assert.deepEqual(secret.claims["kubernetes.io"]?.secret, { name: "s1", uid: "secret-uid" });
    const node = await issue({ boundObjectRef: { kind: "Node", apiVersion: "v1", name: "n1" } });
    assert.deepEqual(node.claims["kubernetes.io"]?.node, { name: "n1", uid: "node-uid" });
    assert.equal(node.claims["kubernetes.io"]?.pod, undefined);
  });

  const refused: [
    string,
    Partial<TokenRequest["spec"]>,
    Record<string, unknown>,
    number,
    string,
  ][] = [
    [
      "a bound pod that does not exist",
      { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "ghost" } },
      {},
      404,
      'pods "ghost" not found',
    ],
    [
      "a bound secret that does not exist",
      { boundObjectRef: { kind: "Secret", apiVersion: "v1", name: "ghost" } },
      {},
      404,
      'secrets "ghost" not found',
    ],
    [
      "a pod that runs as another service account",
      { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "other-sa" } },
      {},
      400,
      'cannot bind token for serviceaccount "sa1" to pod running with different serviceaccount name.',
    ],
    [
      "a bound object of another kind",
      { boundObjectRef: { kind: "Deployment", apiVersion: "apps/v1", name: "web" } },
      {},
      400,
      "cannot bind token to object of type apps/v1, Kind=Deployment",
    ],
    [
      "a bound object whose UID is stale",
      { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web", uid: "old" } },
      {},
      409,
      'Operation cannot be fulfilled on Pod "web": the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated',
    ],
    [
      "a body that names another service account",
      {},
      { name: "sa2" },
      422,
      'TokenRequest.authentication.k8s.io "sa1" is invalid: metadata.name: Invalid value: "sa2": must match the service account name if specified',
    ],
    [
      "a body in another namespace",
      {},
      { namespace: "kube-system" },
      422,
      'TokenRequest.authentication.k8s.io "sa1" is invalid: metadata.namespace: Invalid value: "kube-system": must match the service account namespace if specified',
    ],
    [
      "a body with another service account's UID",
      {},
      { uid: "x" },
      409,
      'Operation cannot be fulfilled on TokenRequest.authentication.k8s.io "sa1": the UID in the token request (x) does not match the UID of the service account (sa-uid)',
    ],
  ];
  for (const [what, spec, metadata, code, message] of refused) {
    it(`refuses ${what} with ${code}`, async () => {
      const err = await refusal(issue(spec, { metadata }));
      assert.equal(err.code, code);
      assert.equal(err.message, message);
    });
  }

  it("extends a pod-bound token asked for with kubelet's 3607 seconds to a year, warning after 3607", async () => {
    const ref = { kind: "Pod", apiVersion: "v1", name: "web" };
    const { answer, claims } = await issue({ boundObjectRef: ref, expirationSeconds: 3607 });
    assert.equal(claims.exp, NOW + 365 * 24 * 3600);
    assert.equal(claims["kubernetes.io"]?.warnafter, NOW + 3607);
    assert.equal(answer.status!.expirationTimestamp, "2025-06-15T16:06:47Z");
  });

  const notExtended: [string, Partial<TokenRequest["spec"]>, Partial<TokenRequestDeps>][] = [
    ["not bound to a pod", { expirationSeconds: 3607 }, {}],
    [
      "for another audience",
      {
        expirationSeconds: 3607,
        audiences: ["vault"],
        boundObjectRef: { kind: "Pod", name: "web" },
      },
      {},
    ],
    [
      "when extension is off",
      { expirationSeconds: 3607, boundObjectRef: { kind: "Pod", name: "web" } },
      { extendExpiration: false },
    ],
  ];
  for (const [what, spec, extra] of notExtended) {
    it(`does not extend a 3607-second token ${what}`, async () => {
      const { claims } = await issue(spec, { deps: extra });
      assert.equal(claims.exp, NOW + 3607);
      assert.equal(claims["kubernetes.io"]?.warnafter, undefined);
    });
  }
});

describe("decodeTokenRequest()", () => {
  it("takes kubectl 1.27's JSON body, with its nulls", () => {
    const body = JSON.parse(
      '{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},' +
        '"spec":{"audiences":null,"boundObjectRef":null},"status":{"token":"","expirationTimestamp":null}}',
    ) as Record<string, unknown>;
    assert.deepEqual(decodeTokenRequest(body).spec, { audiences: null, boundObjectRef: null });
  });

  it("takes a protobuf body, keeping the pointer expirationSeconds", () => {
    const sent = {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      metadata: {},
      spec: {
        audiences: ["a", "b"],
        expirationSeconds: 600,
        boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web", uid: "u" },
      },
      status: {},
    };
    const decoded = decodeTokenRequest(decodeProtobufObject(encodeProtobufObject(sent)));
    assert.deepEqual(decoded.spec, sent.spec);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    [
      "a string lifetime",
      { spec: { expirationSeconds: "600" } },
      "json: cannot unmarshal string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64",
    ],
    [
      "a fractional lifetime",
      { spec: { expirationSeconds: 600.5 } },
      "json: cannot unmarshal number 600.5 into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64",
    ],
    [
      "one audience as a string",
      { spec: { audiences: "vault" } },
      "json: cannot unmarshal string into Go struct field TokenRequestSpec.spec.audiences of type []string",
    ],
    [
      "a number among the audiences",
      { spec: { audiences: ["a", 1] } },
      "json: cannot unmarshal number into Go struct field TokenRequestSpec.spec.audiences of type string",
    ],
    [
      "a list for boundObjectRef",
      { spec: { boundObjectRef: [] } },
      "json: cannot unmarshal array into Go struct field TokenRequestSpec.spec.boundObjectRef of type v1.BoundObjectReference",
    ],
    [
      "a boolean bound name",
      { spec: { boundObjectRef: { name: true } } },
      "json: cannot unmarshal bool into Go struct field BoundObjectReference.spec.boundObjectRef.name of type string",
    ],
    [
      "a string spec",
      { spec: "x" },
      "json: cannot unmarshal string into Go struct field TokenRequest.spec of type v1.TokenRequestSpec",
    ],
  ];
  for (const [what, body, message] of bad) {
    it(`refuses ${what} with 400`, () => {
      assert.throws(
        () => decodeTokenRequest(body),
        (err: unknown) =>
          err instanceof StatusError &&
          err.code === 400 &&
          err.message ===
            `TokenRequest in version "v1" cannot be handled as a TokenRequest: ${message}`,
      );
    });
  }

  it("refuses a body of another kind", () => {
    assert.throws(
      () => decodeTokenRequest({ apiVersion: "v1", kind: "Pod" }),
      /the API version in the data \(v1\) does not match the expected API version \(authentication.k8s.io\/v1\)/,
    );
    assert.throws(
      () => decodeTokenRequest({ apiVersion: "authentication.k8s.io/v1", kind: "TokenReview" }),
      /the kind in the data \(TokenReview\) does not match the expected kind \(TokenRequest\)/,
    );
  });
});
