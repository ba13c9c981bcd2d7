import assert from "node:assert/strict";
import { createPrivateKey, generateKeyPairSync, verify as cryptoVerify } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  DEFAULT_ISSUER,
  TokenIssuer,
  TokenVerificationError,
  type TokenClaims,
} from "./service-account-tokens.js";

// A throwaway P-256 key made for this test with openssl, and the key ID openssl computes for it:
// `openssl pkey -pubout -outform DER | openssl dgst -sha256 -binary | basenc --base64url`.
const EC_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRHJX5iX2LNYTMtZp
djPsdZnhHnk3R0NaEwUQBi3G8TyhRANCAASv50rABwDsH+t40XnlWaNt/6FzU00v
itI+ymUr42q/pXUQSaJ0RBUJ0K//80kvVWcPoBEvAaYXU0HVcscnQ+F2
-----END PRIVATE KEY-----
`;
const EC_KEY_ID = "dX8AF9ROD4YBm0rwjCqHL0hF0u0TLZYbSMGRSFo1Hno";

const NOW = 1_750_000_000;
const AT_NOW = new Date(NOW * 1000);

function claims(overrides: Partial<TokenClaims> = {}): TokenClaims {
  return {
    sub: "system:serviceaccount:default:sa1",
    aud: [DEFAULT_ISSUER],
    iat: NOW,
    nbf: NOW,
    exp: NOW + 3600,
    jti: "9a1c0c8e-1111-4222-8333-444455556666",
    "kubernetes.io": { namespace: "default", serviceaccount: { name: "sa1", uid: "u-1" } },
    ...overrides,
  };
}

function decodePart(token: string, i: number): unknown {
  return JSON.parse(Buffer.from(token.split(".")[i]!, "base64url").toString("utf8"));
}

function rsaIssuer(opts: { issuer?: string } = {}): TokenIssuer {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return new TokenIssuer(privateKey, opts);
}

describe("TokenIssuer with an RSA key", () => {
  let issuer: TokenIssuer;
  before(() => {
    issuer = rsaIssuer();
  });

  it("issue() signs RS256 with a kid header and sorted claims, and verify() returns them", () => {
    const token = issuer.issue(claims());
    assert.deepEqual(decodePart(token, 0), { alg: "RS256", kid: issuer.keyId });
    const payloadText = Buffer.from(token.split(".")[1]!, "base64url").toString("utf8");
    assert.equal(
      payloadText,
      `{"aud":["${DEFAULT_ISSUER}"],"exp":${NOW + 3600},"iat":${NOW},"iss":"${DEFAULT_ISSUER}",` +
        `"jti":"9a1c0c8e-1111-4222-8333-444455556666","kubernetes.io":{"namespace":"default",` +
        `"serviceaccount":{"name":"sa1","uid":"u-1"}},"nbf":${NOW},"sub":"system:serviceaccount:default:sa1"}`,
    );
    assert.deepEqual(issuer.verify(token, { now: AT_NOW }), { ...claims(), iss: DEFAULT_ISSUER });
  });

  it("issue() makes a signature that node:crypto verifies with the public key alone", () => {
    const token = issuer.issue(claims());
    const [h, p, s] = token.split(".") as [string, string, string];
    const ok = cryptoVerify(
      "sha256",
      Buffer.from(`${h}.${p}`),
      issuer.publicKey,
      Buffer.from(s, "base64url"),
    );
    assert.ok(ok);
  });

  it("issue() always sets iss to the issuer's, whatever the claims say", () => {
    const token = issuer.issue({ ...claims(), iss: "https://evil.example" });
    assert.equal(issuer.verify(token, { now: AT_NOW }).iss, DEFAULT_ISSUER);
  });

  const refusals: [
    string,
    (token: string) => string,
    { now?: Date; audiences?: string[] },
    RegExp,
  ][] = [
    [
      "a changed payload",
      (t) => swapPart(t, 1, { ...claims(), sub: "system:admin" }),
      {},
      /^invalid signature$/,
    ],
    ["alg none", (t) => swapPart(t, 0, { alg: "none" }), {}, /unexpected signature algorithm none/],
    ["another kid", (t) => swapPart(t, 0, { alg: "RS256", kid: "other" }), {}, /no keys found/],
    ["critical headers", (t) => swapPart(t, 0, { alg: "RS256", crit: ["b64"] }), {}, /critical/],
    ["two parts", (t) => t.split(".").slice(0, 2).join("."), {}, /three base64url parts/],
    ["padding", (t) => `${t}=`, {}, /three base64url parts/],
    ["a header that is not JSON", (t) => swapRaw(t, 0, "not json"), {}, /header is not JSON/],
    [
      "an expiry a minute and a second ago",
      (t) => t,
      { now: new Date((NOW + 3600 + 61) * 1000) },
      /service account token has expired/,
    ],
    [
      "a start more than a minute ahead",
      (t) => t,
      { now: new Date((NOW - 61) * 1000) },
      /not valid yet/,
    ],
    [
      "audiences the caller does not accept",
      (t) => t,
      { audiences: ["vault"] },
      /token audiences \["https:\/\/kubernetes.default.svc.cluster.local"\] is invalid for the target audiences \["vault"\]/,
    ],
  ];
  for (const [what, change, opts, message] of refusals) {
    it(`verify() refuses a token with ${what}`, () => {
      const token = change(issuer.issue(claims()));
      assert.throws(
        () => issuer.verify(token, { now: AT_NOW, ...opts }),
        (err: unknown) => err instanceof TokenVerificationError && message.test(err.message),
      );
    });
  }

  it("verify() allows a minute of clock skew on both sides", () => {
    const token = issuer.issue(claims());
    issuer.verify(token, { now: new Date((NOW + 3600 + 60) * 1000) });
    issuer.verify(token, { now: new Date((NOW - 60) * 1000) });
  });

  it("verify() accepts a token for any one of the caller's audiences, and aud given as one string", () => {
    const token = issuer.issue(claims({ aud: ["vault", "other"] }));
    assert.deepEqual(issuer.verify(token, { now: AT_NOW, audiences: ["other"] }).aud, [
      "vault",
      "other",
    ]);
  });

  it("verify() refuses a token signed by another key, and one from another issuer", () => {
    const other = rsaIssuer();
    const foreign = other.issue(claims());
    assert.throws(() => issuer.verify(foreign, { now: AT_NOW }), /no keys found/);
    const withoutKid = swapPart(foreign, 0, { alg: "RS256" });
    assert.throws(() => issuer.verify(withoutKid, { now: AT_NOW }), /^.*invalid signature$/);
  });

  it("verify() refuses a token of the same key from another issuer", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const ours = new TokenIssuer(privateKey);
    const theirs = new TokenIssuer(privateKey, { issuer: "https://other.example" });
    const token = theirs.issue(claims());
    assert.throws(() => ours.verify(token, { now: AT_NOW }), /issuer "https:\/\/other.example"/);
  });
});

describe("TokenIssuer with an EC key", () => {
  it("derives the kid openssl derives, and signs ES256 with 64-byte signatures", () => {
    const issuer = new TokenIssuer(createPrivateKey(EC_KEY));
    assert.equal(issuer.keyId, EC_KEY_ID);
    assert.equal(issuer.algorithm, "ES256");
    const token = issuer.issue(claims());
    assert.deepEqual(decodePart(token, 0), { alg: "ES256", kid: EC_KEY_ID });
    assert.equal(Buffer.from(token.split(".")[2]!, "base64url").length, 64);
    assert.equal(issuer.verify(token, { now: AT_NOW }).sub, "system:serviceaccount:default:sa1");
  });

  it("refuses keys it cannot sign with", () => {
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 });
    assert.throws(() => new TokenIssuer(weak.privateKey), /1024-bit RSA key: at least 2048/);
    const ed = generateKeyPairSync("ed25519");
    assert.throws(() => new TokenIssuer(ed.privateKey), /ed25519 key/);
    assert.throws(() => new TokenIssuer(ed.publicKey), /with a public key/);
    const k256 = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
    assert.throws(() => new TokenIssuer(k256.privateKey), /curve secp256k1/);
  });
});

describe("TokenIssuer.open()", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "kates-sa-key-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("generates a key into a missing file (and folder) with mode 0600, then reuses it", async () => {
    const file = join(dir, "nested", "sa.key");
    const first = await TokenIssuer.open({ keyFile: file });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(file, "utf8"), /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.equal(first.algorithm, "RS256");

    const token = first.issue(claims());
    const second = await TokenIssuer.open({ keyFile: file });
    assert.equal(second.keyId, first.keyId);
    assert.equal(second.verify(token, { now: AT_NOW }).sub, "system:serviceaccount:default:sa1");
  });

  it("gives two servers that start at once on one missing file the same key", async () => {
    const file = join(dir, "race", "sa.key");
    const [a, b] = await Promise.all([
      TokenIssuer.open({ keyFile: file }),
      TokenIssuer.open({ keyFile: file }),
    ]);
    assert.equal(a.keyId, b.keyId);
    assert.deepEqual(readdirSync(join(dir, "race")), ["sa.key"]);
  });

  it("loads a key it did not make (an EC key in PKCS#8)", async () => {
    const file = join(dir, "ec.key");
    writeFileSync(file, EC_KEY, { mode: 0o600 });
    const issuer = await TokenIssuer.open({ keyFile: file, issuer: "https://kates.example" });
    assert.equal(issuer.keyId, EC_KEY_ID);
    assert.equal(issuer.issuer, "https://kates.example");
    assert.deepEqual(issuer.apiAudiences, ["https://kates.example"]);
  });

  it("refuses a file that holds no private key, naming the file", async () => {
    const file = join(dir, "broken.key");
    writeFileSync(file, "not a key\n");
    await assert.rejects(TokenIssuer.open({ keyFile: file }), (err: Error) =>
      err.message.startsWith(`Cannot load the service account key ${file}: not a PEM private key`),
    );
  });

  it("without a file, holds a fresh key in memory", async () => {
    const a = await TokenIssuer.open();
    const b = await TokenIssuer.open();
    assert.notEqual(a.keyId, b.keyId);
    assert.equal(a.issuer, DEFAULT_ISSUER);
  });
});

function swapPart(token: string, i: number, value: unknown): string {
  return swapRaw(token, i, JSON.stringify(value));
}

function swapRaw(token: string, i: number, text: string): string {
  const parts = token.split(".");
  parts[i] = Buffer.from(text).toString("base64url");
  return parts.join(".");
}
