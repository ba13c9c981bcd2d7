/**
 * Service account tokens: JSON Web Tokens signed with the server's key, as upstream's issuer makes
 * them (RS256 for RSA keys, ES256/384/512 for EC keys; a `kid` header derived from the public key;
 * claims with their keys in sorted order). The key lives in a PEM file so tokens outlive a restart.
 */
import {
  createPrivateKey,
  createPublicKey,
  createHash,
  generateKeyPair,
  randomUUID,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";
import { link, mkdir, open, readFile, unlink } from "node:fs/promises";
import { dirname } from "node:path";

/** The issuer of tokens when the server is given none, as kubeadm configures clusters. */
export const DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** How far clocks may disagree when checking a token's times, as upstream's JWT library allows. */
export const CLOCK_LEEWAY_SECONDS = 60;

/** An object named in the `kubernetes.io` claim; empty members are left out, as upstream does. */
export interface ClaimRef {
  name?: string;
  uid?: string;
}

/** The private `kubernetes.io` claim of a service account token. */
export interface KubernetesClaim {
  namespace?: string;
  serviceaccount?: ClaimRef;
  pod?: ClaimRef;
  secret?: ClaimRef;
  node?: ClaimRef;
  /** For extended pod-bound tokens: when using the token should start being reported as stale. */
  warnafter?: number;
}

/** The claims of a token; times are seconds since the epoch. */
export interface TokenClaims {
  iss?: string;
  sub?: string;
  aud?: string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  "kubernetes.io"?: KubernetesClaim;
}

/** Why a token was refused. */
export class TokenVerificationError extends Error {
  constructor(message: string, opts?: ErrorOptions) {
    super(message, opts);
    this.name = "TokenVerificationError";
  }
}

export interface TokenIssuerOptions {
  /** The `iss` of every token; defaults to DEFAULT_ISSUER. */
  issuer?: string;
  /** The audiences that mean "this API server"; defaults to the issuer alone. */
  apiAudiences?: readonly string[];
}

interface Algorithm {
  name: "RS256" | "ES256" | "ES384" | "ES512";
  hash: "sha256" | "sha384" | "sha512";
}

const EC_ALGORITHMS: Record<string, Algorithm> = {
  prime256v1: { name: "ES256", hash: "sha256" },
  secp384r1: { name: "ES384", hash: "sha384" },
  secp521r1: { name: "ES512", hash: "sha512" },
};

/**
 * Signs and verifies service account tokens with one private key. Issuing and verifying are
 * synchronous and safe to call concurrently; the key never changes after construction.
 */
export class TokenIssuer {
  /** The `iss` claim of every token this issuer signs. */
  readonly issuer: string;
  /** The audiences of a token whose request names none, and those verify() accepts by default. */
  readonly apiAudiences: readonly string[];
  /** The key ID in every token's header: the unpadded base64url SHA-256 of the DER public key. */
  readonly keyId: string;
  /** The JWS algorithm the key signs with. */
  readonly algorithm: Algorithm["name"];
  /** The public half of the signing key, for anyone who verifies tokens elsewhere. */
  readonly publicKey: KeyObject;
  readonly #privateKey: KeyObject;
  readonly #alg: Algorithm;
  readonly #header: string;

  constructor(privateKey: KeyObject, opts: TokenIssuerOptions = {}) {
    if (privateKey.type !== "private") {
      throw new Error(`Cannot sign service account tokens with a ${privateKey.type} key`);
    }
    this.#alg = algorithmOf(privateKey);
    this.#privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    this.algorithm = this.#alg.name;
    this.issuer = opts.issuer ?? DEFAULT_ISSUER;
    this.apiAudiences = opts.apiAudiences?.length ? [...opts.apiAudiences] : [this.issuer];
    const der = this.publicKey.export({ type: "spki", format: "der" });
    this.keyId = createHash("sha256").update(der).digest("base64url");
    this.#header = base64url(JSON.stringify({ alg: this.algorithm, kid: this.keyId }));
  }

  /**
   * An issuer whose key is read from `keyFile`, or, when the file does not exist, generated (RSA
   * 2048, as kubeadm's `sa.key`) and written there with mode 0600. Without a file the key lives in
   * memory and dies with the process.
   */
  static async open(opts: TokenIssuerOptions & { keyFile?: string } = {}): Promise<TokenIssuer> {
    const key = opts.keyFile ? await loadOrCreateKey(opts.keyFile) : await generateRsaKey();
    return new TokenIssuer(key, opts);
  }

  /** Signs `claims` into a compact JWT; `iss` is always this issuer's. */
  issue(claims: TokenClaims): string {
    const payload = base64url(JSON.stringify(sortKeys({ ...claims, iss: this.issuer })));
    const input = `${this.#header}.${payload}`;
    const signature = sign(this.#alg.hash, Buffer.from(input), {
      key: this.#privateKey,
      dsaEncoding: "ieee-p1363",
    });
    return `${input}.${signature.toString("base64url")}`;
  }

  /**
   * Checks a token's signature, issuer, times (with a minute of leeway) and audiences, and returns
   * its claims. `audiences` are those the caller accepts (by default the API audiences); the token
   * must name at least one. Throws a TokenVerificationError saying why a token is refused. Whether
   * the service account and bound objects still exist is for the caller to check.
   */
  verify(token: string, opts: { audiences?: readonly string[]; now?: Date } = {}): TokenClaims {
    const parts = token.split(".");
    if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]*$/.test(p))) {
      throw new TokenVerificationError(
        "the token is not a compact JWS: want three base64url parts",
      );
    }
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const header = decodeJsonPart(headerPart, "header");
    if (header["alg"] !== this.algorithm) {
      throw new TokenVerificationError(`unexpected signature algorithm ${String(header["alg"])}`);
    }
    if (header["crit"] !== undefined) {
      throw new TokenVerificationError("the token has critical header parameters");
    }
    if (header["kid"] !== undefined && header["kid"] !== this.keyId) {
      throw new TokenVerificationError("invalid signature, no keys found");
    }
    const valid = verify(
      this.#alg.hash,
      Buffer.from(`${headerPart}.${payloadPart}`),
      { key: this.publicKey, dsaEncoding: "ieee-p1363" },
      Buffer.from(signaturePart, "base64url"),
    );
    if (!valid) throw new TokenVerificationError("invalid signature");

    const claims = checkClaimTypes(decodeJsonPart(payloadPart, "payload"));
    if (claims.iss !== this.issuer) {
      throw new TokenVerificationError(`token issuer ${JSON.stringify(claims.iss)} is invalid`);
    }
    checkTimes(claims, Math.floor((opts.now ?? new Date()).getTime() / 1000));
    const wanted = opts.audiences ?? this.apiAudiences;
    if (!(claims.aud ?? []).some((a) => wanted.includes(a))) {
      throw new TokenVerificationError(
        `token audiences ${JSON.stringify(claims.aud ?? [])} is invalid for the target audiences ${JSON.stringify(wanted)}`,
      );
    }
    return claims;
  }
}

function algorithmOf(key: KeyObject): Algorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") {
    if ((details.modulusLength ?? 0) < 2048) {
      throw new Error(
        `Cannot sign service account tokens with a ${details.modulusLength}-bit RSA key: at least 2048 bits are needed`,
      );
    }
    return { name: "RS256", hash: "sha256" };
  }
  const ec = key.asymmetricKeyType === "ec" ? EC_ALGORITHMS[details.namedCurve ?? ""] : undefined;
  if (ec) return ec;
  throw new Error(
    `Cannot sign service account tokens with a ${key.asymmetricKeyType} key${details.namedCurve ? ` on curve ${details.namedCurve}` : ""}: use RSA or EC P-256, P-384 or P-521`,
  );
}

async function generateRsaKey(): Promise<KeyObject> {
  // The asynchronous form generates in the thread pool, so a starting server keeps its event loop.
  return new Promise((resolve, reject) =>
    generateKeyPair("rsa", { modulusLength: 2048 }, (err, _pub, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

async function loadOrCreateKey(file: string): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(`Cannot read the service account key ${file}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    pem = await createKeyFile(file);
  }
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new Error(
      `Cannot load the service account key ${file}: not a PEM private key (${(err as Error).message})`,
      { cause: err },
    );
  }
}

/**
 * Writes a new key to a temporary file, flushes it, and links it into place, so that a crash never
 * leaves half a key and a concurrent writer's key is never replaced: the first link wins and the
 * other process reads that one.
 */
async function createKeyFile(file: string): Promise<string> {
  const key = await generateRsaKey();
  const pem = key.export({ type: "pkcs1", format: "pem" }) as string;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomUUID()}.tmp`;
  const handle = await open(tmp, "wx", 0o600);
  try {
    await handle.writeFile(pem);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, file);
    return pem;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return readFile(file, "utf8");
  } finally {
    await unlink(tmp);
  }
}

function base64url(text: string): string {
  return Buffer.from(text).toString("base64url");
}

/** Objects with keys in byte order at every depth, as upstream's JWT library writes claims. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

function decodeJsonPart(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch (err) {
    throw new TokenVerificationError(`the token's ${what} is not JSON`, { cause: err });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TokenVerificationError(`the token's ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** The claims with `aud` as a list (RFC 7519 allows one string); mistyped claims are refused. */
function checkClaimTypes(payload: Record<string, unknown>): TokenClaims {
  for (const name of ["exp", "nbf", "iat"]) {
    const v = payload[name];
    if (v !== undefined && typeof v !== "number") {
      throw new TokenVerificationError(`the token's ${name} claim is not a number`);
    }
  }
  for (const name of ["iss", "sub", "jti"]) {
    const v = payload[name];
    if (v !== undefined && typeof v !== "string") {
      throw new TokenVerificationError(`the token's ${name} claim is not a string`);
    }
  }
  const aud = payload["aud"];
  if (typeof aud === "string") return { ...payload, aud: [aud] } as TokenClaims;
  if (aud !== undefined && !(Array.isArray(aud) && aud.every((a) => typeof a === "string"))) {
    throw new TokenVerificationError("the token's aud claim is not a string or a list of strings");
  }
  return payload as TokenClaims;
}

function checkTimes(claims: TokenClaims, now: number): void {
  if (claims.exp !== undefined && now - CLOCK_LEEWAY_SECONDS > claims.exp) {
    throw new TokenVerificationError("service account token has expired");
  }
  if (claims.nbf !== undefined && now + CLOCK_LEEWAY_SECONDS < claims.nbf) {
    throw new TokenVerificationError("service account token is not valid yet");
  }
  if (claims.iat !== undefined && now + CLOCK_LEEWAY_SECONDS < claims.iat) {
    throw new TokenVerificationError("service account token is issued in the future");
  }
}
