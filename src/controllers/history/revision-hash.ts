/**
 * Names of ControllerRevisions: a 32-bit FNV hash of the revision's data (plus the owner's
 * collision count), spelled in upstream's safe alphabet, after the owner's name. Upstream hashes
 * the raw bytes it stores (JSON with sorted keys); this hashes the same canonical form, so equal
 * data gives an equal name however the object's keys happen to be ordered.
 */

// Upstream's alphabet for encoded strings: digits and consonants that cannot spell words.
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** Which 32-bit FNV variant: FNV-1 (multiply, then xor) or FNV-1a (xor, then multiply). */
export type FnvVariant = "fnv1" | "fnv1a";

/** The 32-bit FNV hash of the UTF-8 bytes of `parts`, fed in order. */
export function fnv32(parts: readonly string[], variant: FnvVariant = "fnv1"): number {
  let h = FNV32_OFFSET;
  for (const part of parts) {
    for (const byte of Buffer.from(part, "utf8")) {
      if (variant === "fnv1") h = (Math.imul(h, FNV32_PRIME) ^ byte) >>> 0;
      else h = Math.imul((h ^ byte) >>> 0, FNV32_PRIME) >>> 0;
    }
  }
  return h;
}

/** A string re-spelled character by character in the safe alphabet (upstream's SafeEncodeString). */
export function safeEncodeString(text: string): string {
  let out = "";
  for (const ch of text) out += SAFE_ALPHABET[(ch.codePointAt(0) ?? 0) % SAFE_ALPHABET.length];
  return out;
}

/**
 * A copy of a JSON value whose object keys are sorted at every level, as Go's encoder writes a
 * map; `undefined` members are dropped (JSON has no such value).
 */
export function sortedJsonValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortedJsonValue(v)));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) out[key] = sortedJsonValue(member);
  }
  return out;
}

/** The canonical text of revision data: JSON with sorted keys. */
export function canonicalRevisionData(data: unknown): string {
  return JSON.stringify(sortedJsonValue(data)) ?? "null";
}

/**
 * The hash of revision data for its name: FNV-1 over the canonical data, then the collision
 * count in decimal when there is one (upstream's HashControllerRevision).
 */
export function hashControllerRevision(data: unknown, collisionCount?: number): string {
  const parts = [canonicalRevisionData(data)];
  if (collisionCount !== undefined) parts.push(String(collisionCount));
  return safeEncodeString(String(fnv32(parts)));
}

/** Upstream's longest owner-name prefix, so that `<prefix>-<hash>` fits in 253 characters. */
const MAX_PREFIX_LENGTH = 223;

/** The name of a revision: `<prefix>-<hash>`, the prefix cut to 223 characters. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.slice(0, MAX_PREFIX_LENGTH)}-${hash}`;
}
