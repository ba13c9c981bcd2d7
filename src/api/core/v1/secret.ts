/**
 * Secret (core/v1): sensitive data such as passwords, tokens and keys. Values are base64 in JSON; clients
 * may send plain strings in `stringData`, which the server merges into `data` and never stores or returns.
 */
import { ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { boolean, defineType, f, map, string } from "../../schema.js";
import { forbidden, immutable, invalid, required, root, tooLong } from "../../validation.js";
import { checkConfigKey } from "./config-map.js";
import { sameValue } from "./same-value.js";

const CORE = "io.k8s.api.core.v1";

/** The most bytes a secret's data may hold in all. */
export const MAX_SECRET_SIZE = 1024 * 1024;

/** Secret types with required content, and the keys they use. */
export const SecretTypes = {
  opaque: "Opaque",
  serviceAccountToken: "kubernetes.io/service-account-token",
  dockercfg: "kubernetes.io/dockercfg",
  dockerConfigJson: "kubernetes.io/dockerconfigjson",
  basicAuth: "kubernetes.io/basic-auth",
  sshAuth: "kubernetes.io/ssh-auth",
  tls: "kubernetes.io/tls",
} as const;

/** The annotation naming the service account a token secret belongs to. */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name";

/** A Secret as stored and served; `data` values are base64. */
export interface Secret extends KubeObject {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
  immutable?: boolean;
}

defineType({
  name: `${CORE}.Secret`,
  description: "Sensitive data, such as a password, a token or a key, for pods to consume.",
  gvk: { group: "", version: "v1", kind: "Secret" },
  fields: {
    ...objectFields(),
    immutable: f(
      boolean(),
      5,
      "If true, the data can no longer be changed; only deletion is allowed.",
      { pointer: true },
    ),
    data: f(
      map(string({ format: "byte" })),
      2,
      "The secret data, base64 encoded in JSON, keyed by file-name-like keys.",
    ),
    stringData: f(
      map(string()),
      4,
      "Write-only plain-text data, merged into data on write (overriding its keys); never returned.",
    ),
    type: f(
      string(),
      3,
      "What the secret holds, which decides its required keys; Opaque when unset.",
    ),
  },
});

/**
 * Merges stringData into data (its values win) and drops it, as upstream's conversion does. Malformed
 * stringData is left in place for validation to refuse.
 */
function defaults(secret: Secret): void {
  secret.type ||= SecretTypes.opaque;
  const plain: unknown = secret.stringData;
  if (plain === undefined) return;
  if (plain === null) {
    delete secret.stringData;
    return;
  }
  if (typeof plain !== "object" || Object.values(plain).some((v) => typeof v !== "string")) return;
  const data = { ...secret.data };
  for (const [key, value] of Object.entries(plain as Record<string, string>)) {
    data[key] = Buffer.from(value, "utf8").toString("base64");
  }
  secret.data = data;
  delete secret.stringData;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes a data value, or returns undefined when it is not valid base64. */
function decode(value: unknown): Buffer | undefined {
  if (typeof value !== "string" || !BASE64.test(value)) return undefined;
  return Buffer.from(value, "base64");
}

function validateSecret(secret: Secret): FieldError[] {
  const errors: FieldError[] = [];
  const dataPath = root("data");
  const decoded = new Map<string, Buffer>();
  let size = 0;
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    for (const problem of checkConfigKey(key))
      errors.push(invalid(dataPath.key(key), key, problem));
    const bytes = decode(value);
    if (!bytes) {
      errors.push(
        invalid(dataPath.key(key), "<secret contents redacted>", "must be base64 encoded"),
      );
      continue;
    }
    decoded.set(key, bytes);
    size += bytes.length;
  }
  if (size > MAX_SECRET_SIZE) errors.push(tooLong(dataPath, MAX_SECRET_SIZE));
  const plain: unknown = secret.stringData;
  if (plain !== undefined) {
    // Only malformed stringData survives defaulting.
    if (typeof plain !== "object" || plain === null || Array.isArray(plain)) {
      errors.push(invalid(root("stringData"), plain, "must be a map of strings"));
    } else {
      for (const [key, value] of Object.entries(plain)) {
        if (typeof value !== "string")
          errors.push(invalid(root("stringData").key(key), value, "must be a string"));
      }
    }
  }
  errors.push(...validateTypedContent(secret, decoded));
  return errors;
}

/** The keys (and their form) that a secret's type requires. */
function validateTypedContent(secret: Secret, data: Map<string, Buffer>): FieldError[] {
  const dataPath = root("data");
  const has = (key: string) => Object.hasOwn(secret.data ?? {}, key);
  switch (secret.type) {
    case SecretTypes.serviceAccountToken:
      // Only the account name is needed up front; the token controller adds the uid and token.
      return secret.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION]
        ? []
        : [required(root("metadata").child("annotations").key(SERVICE_ACCOUNT_NAME_ANNOTATION))];
    case SecretTypes.dockercfg:
      return validateJSONKey(data, has, ".dockercfg");
    case SecretTypes.dockerConfigJson:
      return validateJSONKey(data, has, ".dockerconfigjson");
    case SecretTypes.basicAuth:
      // Either may be empty, but one of them must be there.
      return has("username") || has("password")
        ? []
        : [required(dataPath.key("username")), required(dataPath.key("password"))];
    case SecretTypes.sshAuth:
      return (data.get("ssh-privatekey")?.length ?? 0) > 0
        ? []
        : [required(dataPath.key("ssh-privatekey"))];
    case SecretTypes.tls:
      return [
        ...(has("tls.crt") ? [] : [required(dataPath.key("tls.crt"))]),
        ...(has("tls.key") ? [] : [required(dataPath.key("tls.key"))]),
      ];
    default:
      return [];
  }
}

function validateJSONKey(
  data: Map<string, Buffer>,
  has: (k: string) => boolean,
  key: string,
): FieldError[] {
  const path = root("data").key(key);
  if (!has(key)) return [required(path)];
  const bytes = data.get(key);
  if (!bytes) return [];
  try {
    const parsed: unknown = JSON.parse(bytes.toString("utf8"));
    // `null` decodes into an empty map upstream, so only other non-objects are refused.
    if (parsed !== null && (typeof parsed !== "object" || Array.isArray(parsed))) {
      return [invalid(path, "<secret contents redacted>", "must be a JSON object")];
    }
    return [];
  } catch (err) {
    return [invalid(path, "<secret contents redacted>", (err as Error).message)];
  }
}

function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  const errors: FieldError[] = [];
  if ((secret.type ?? "") !== (old.type ?? "")) errors.push(immutable(root("type"), secret.type));
  if (old.immutable) {
    const detail = "field is immutable when `immutable` is set";
    if (secret.immutable !== true) errors.push(forbidden(root("immutable"), detail));
    if (!sameValue(secret.data, old.data)) errors.push(forbidden(root("data"), detail));
  }
  return errors;
}

export const secrets = defineResource<Secret>({
  group: "",
  version: "v1",
  kind: "Secret",
  plural: "secrets",
  singular: "secret",
  namespaced: true,
  schema: `${CORE}.Secret`,
  columns: [
    {
      name: "Type",
      type: "string",
      description: "What the secret holds.",
      priority: 0,
      cell: (secret) => secret.type ?? "",
    },
    {
      name: "Data",
      type: "string",
      description: "Number of keys in the secret.",
      priority: 0,
      cell: (secret) => Object.keys(secret.data ?? {}).length,
    },
    ageColumn(),
  ],
  fieldSelectors: { type: (secret) => secret.type ?? "" },
  defaults,
  validate: validateSecret,
  validateUpdate: validateSecretUpdate,
});
