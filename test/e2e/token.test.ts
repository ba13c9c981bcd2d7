/**
 * End-to-end: `kubectl create token` (kubectl 1.33 and 1.32 send the TokenRequest as protobuf, 1.27 as
 * JSON) against a Kates API server, and the token subresource's answers over plain HTTP.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  DEFAULT_ISSUER,
  type TokenClaims,
} from "../../src/apiserver/auth/service-account-tokens.js";
import { api, startCluster, versionedKubectl, type TestCluster } from "../harness.js";

const NS = "/api/v1/namespaces/default";
const TOKEN = `${NS}/serviceaccounts/sa1/token`;

describe("the service account token subresource", () => {
  let cluster: TestCluster;
  let saUid: string;
  let podUid: string;
  const post = (path: string, body: unknown) =>
    api(cluster.url, path, { method: "POST", body: JSON.stringify(body) });

  /** Checks a printed token against the server's key and returns its claims. */
  const verified = (token: string, audiences?: string[]): TokenClaims => {
    const issuer = cluster.server.tokenIssuer;
    const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as unknown;
    assert.deepEqual(header, { alg: "RS256", kid: issuer.keyId });
    return issuer.verify(token, audiences ? { audiences } : {});
  };

  before(async () => {
    cluster = await startCluster();
    const sa = await post(`${NS}/serviceaccounts`, { metadata: { name: "sa1" } });
    assert.equal(sa.status, 201);
    saUid = sa.body.metadata.uid;
    const pod = await post(`${NS}/pods`, {
      metadata: { name: "web" },
      spec: { serviceAccountName: "sa1", containers: [{ name: "c", image: "busybox" }] },
    });
    assert.equal(pod.status, 201);
    podUid = pod.body.metadata.uid;
  });
  after(() => cluster.close());

  for (const minor of [33, 32, 27]) {
    const binary = versionedKubectl(minor);

    it(`kubectl 1.${minor} create token prints a token that verifies and names the service account`, async () => {
      const started = Math.floor(Date.now() / 1000);
      const out = await cluster.kubectl(["create", "token", "sa1", "-n", "default"], { binary });
      assert.equal(out.code, 0, out.stderr);
      const claims = verified(out.stdout);
      assert.equal(claims.sub, "system:serviceaccount:default:sa1");
      assert.deepEqual(claims.aud, [DEFAULT_ISSUER]);
      assert.equal(claims.iss, DEFAULT_ISSUER);
      assert.equal(claims.exp! - claims.iat!, 3600);
      assert.ok(claims.iat! >= started - 1 && claims.iat! <= started + 60);
      assert.match(claims.jti!, /^[0-9a-f-]{36}$/);
      assert.deepEqual(claims["kubernetes.io"], {
        namespace: "default",
        serviceaccount: { name: "sa1", uid: saUid },
      });
    });

    it(`kubectl 1.${minor} create token --duration=10m --audience asks for that lifetime and audiences`, async () => {
      const out = await cluster.kubectl(
        [
          "create",
          "token",
          "sa1",
          "--duration=10m",
          "--audience=https://vault.example",
          "--audience=ci",
        ],
        { binary },
      );
      assert.equal(out.code, 0, out.stderr);
      const claims = verified(out.stdout, ["ci"]);
      assert.equal(claims.exp! - claims.iat!, 600);
      assert.deepEqual(claims.aud, ["https://vault.example", "ci"]);
      assert.throws(() => verified(out.stdout), /token audiences .* is invalid/);
    });

    it(`kubectl 1.${minor} create token binds a token to a pod`, async () => {
      const out = await cluster.kubectl(
        ["create", "token", "sa1", "--bound-object-kind=Pod", "--bound-object-name=web"],
        { binary },
      );
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(verified(out.stdout)["kubernetes.io"]?.pod, { name: "web", uid: podUid });
    });
  }

  it("kubectl create token refuses a lifetime under ten minutes", async () => {
    const out = await cluster.kubectl(["create", "token", "sa1", "--duration=1m"], {
      binary: versionedKubectl(33),
    });
    assert.equal(out.code, 1);
    assert.match(
      out.stderr,
      /failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/,
    );
  });

  it("kubectl create token reports a missing service account or bound pod", async () => {
    const missing = await cluster.kubectl(["create", "token", "nope"], {
      binary: versionedKubectl(32),
    });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /failed to create token: serviceaccounts "nope" not found/);
    const ghost = await cluster.kubectl(
      ["create", "token", "sa1", "--bound-object-kind=Pod", "--bound-object-name=ghost"],
      { binary: versionedKubectl(33) },
    );
    assert.equal(ghost.code, 1);
    assert.match(ghost.stderr, /pods "ghost" not found/);
  });

  it("kubectl create token -o json prints the whole TokenRequest", async () => {
    const out = await cluster.kubectl(["create", "token", "sa1", "-o", "json"], {
      binary: versionedKubectl(33),
    });
    assert.equal(out.code, 0, out.stderr);
    const answer = JSON.parse(out.stdout);
    assert.equal(answer.kind, "TokenRequest");
    assert.deepEqual(answer.spec, {
      audiences: [DEFAULT_ISSUER],
      boundObjectRef: null,
      expirationSeconds: 3600,
    });
    assert.equal(verified(answer.status.token).sub, "system:serviceaccount:default:sa1");
    const expires = Date.parse(answer.status.expirationTimestamp);
    assert.equal(expires - Date.parse(answer.metadata.creationTimestamp), 3600_000);
  });

  it("answers a dry run as a real request, and refuses an unknown dryRun value", async () => {
    const dry = await post(`${TOKEN}?dryRun=All`, { spec: { expirationSeconds: 900 } });
    assert.equal(dry.status, 201);
    assert.equal(verified(dry.body.status.token).exp! - verified(dry.body.status.token).iat!, 900);
    const bad = await post(`${TOKEN}?dryRun=Some`, { spec: {} });
    assert.equal(bad.status, 400);
  });

  it("allows only POST on the subresource", async () => {
    const res = await api(cluster.url, TOKEN);
    assert.equal(res.status, 405);
    assert.equal(res.body.reason, "MethodNotAllowed");
  });

  it("lists serviceaccounts/token in legacy and aggregated discovery", async () => {
    const legacy = await api(cluster.url, "/api/v1");
    const entry = legacy.body.resources.find(
      (r: { name: string }) => r.name === "serviceaccounts/token",
    );
    assert.deepEqual(entry, {
      name: "serviceaccounts/token",
      singularName: "",
      namespaced: true,
      kind: "TokenRequest",
      verbs: ["create"],
      group: "authentication.k8s.io",
      version: "v1",
    });
    const aggregated = await api(cluster.url, "/api", {
      headers: { Accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" },
    });
    const sa = aggregated.body.items[0].versions[0].resources.find(
      (r: { resource: string }) => r.resource === "serviceaccounts",
    );
    assert.deepEqual(sa.subresources, [
      {
        subresource: "token",
        responseKind: { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" },
        verbs: ["create"],
      },
    ]);
  });
});
