/**
 * The pod-template-hash: the label that tells the pods (and ReplicaSets) of one Deployment
 * template from those of another, and the suffix of the ReplicaSet's name. It is a 32-bit FNV-1a
 * hash of the template, plus the Deployment's collision count when a hash already names another
 * template, written in upstream's alphabet without vowels (so it never spells a word).
 *
 * Upstream hashes Go's printed form of its structs, which a TypeScript server cannot reproduce;
 * this hashes a canonical JSON form instead. Values therefore differ from upstream's for the same
 * template, but keep the properties that matter: same template, same hash; the format of a label
 * value; a collision count that changes it.
 */
import type { PodTemplateSpec } from "../../api/core/v1/pod-spec.js";
import type { LabelSelector } from "../../api/meta/types.js";

/** The label (on ReplicaSets, their selectors, and pods) that carries the template hash. */
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

// Upstream's alphabet for encoded strings: digits and consonants that cannot form bad words.
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Feeds UTF-8 bytes of `text` into a running 32-bit FNV-1a hash. */
function fnvString(hash: number, text: string): number {
  let h = hash;
  for (const byte of Buffer.from(text, "utf8")) {
    h ^= byte;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h;
}

function fnvByte(hash: number, byte: number): number {
  return Math.imul((hash ^ byte) >>> 0, FNV_PRIME) >>> 0;
}

/**
 * A canonical JSON text: object keys sorted; members that are null, undefined, or empty objects
 * or arrays left out, since the API treats them as absent (`EqualIgnoreHash` does too).
 */
export function canonicalJson(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return `[${value.map((v) => canonicalJson(v) ?? "null").join(",")}]`;
  }
  if (typeof value === "object") {
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const text = canonicalJson((value as Record<string, unknown>)[key]);
      if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
    }
    return parts.length ? `{${parts.join(",")}}` : undefined;
  }
  return JSON.stringify(value);
}

/** A decimal string re-spelled in the safe alphabet, character by character (upstream's encoding). */
export function safeEncodeString(text: string): string {
  let out = "";
  for (const ch of text) out += SAFE_ALPHABET[(ch.codePointAt(0) ?? 0) % SAFE_ALPHABET.length];
  return out;
}

/**
 * The pod-template-hash of `template` (without its hash label) and `collisionCount`. The count,
 * when set, is hashed as four little-endian bytes after the template.
 */
export function computePodTemplateHash(
  template: PodTemplateSpec | undefined,
  collisionCount?: number,
): string {
  let h = fnvString(FNV_OFFSET, canonicalJson(withoutHashLabel(template)) ?? "");
  if (collisionCount !== undefined) {
    const n = collisionCount >>> 0;
    for (let shift = 0; shift < 32; shift += 8) h = fnvByte(h, (n >>> shift) & 0xff);
  }
  return safeEncodeString(String(h));
}

/** A shallow copy of `template` whose labels lack the hash label (other fields are shared). */
export function withoutHashLabel(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const labels = template?.metadata?.labels;
  if (!labels || !(POD_TEMPLATE_HASH_LABEL in labels)) return template ?? {};
  const rest = { ...labels };
  delete rest[POD_TEMPLATE_HASH_LABEL];
  return { ...template, metadata: { ...template.metadata, labels: rest } };
}

/**
 * Whether two templates are the same but for the hash label, treating absent, null and empty
 * values alike (upstream compares them semantically). Quantities are compared as spelled.
 */
export function equalIgnoreHash(
  a: PodTemplateSpec | undefined,
  b: PodTemplateSpec | undefined,
): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}

/** `labels` plus the hash label. */
export function labelsWithHash(
  labels: Readonly<Record<string, string>> | undefined,
  hash: string,
): Record<string, string> {
  return { ...labels, [POD_TEMPLATE_HASH_LABEL]: hash };
}

/** `selector` with `matchLabels` extended by the hash label, so it selects only this template. */
export function selectorWithHash(selector: LabelSelector | undefined, hash: string): LabelSelector {
  const out: LabelSelector = { matchLabels: labelsWithHash(selector?.matchLabels, hash) };
  if (selector?.matchExpressions) {
    out.matchExpressions = selector.matchExpressions.map((e) => ({
      ...e,
      ...(e.values ? { values: [...e.values] } : {}),
    }));
  }
  return out;
}
