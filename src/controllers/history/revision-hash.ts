/**
 * The hashes that name controllers' objects, spelled in upstream's safe alphabet:
 * - `hashControllerRevision`: FNV-1 of a revision's data (a StatefulSet's revision names). Upstream
 *   hashes the raw bytes it stores (JSON with sorted keys); this hashes the same canonical form, so
 *   equal data gives an equal name however the object's keys happen to be ordered.
 * - `computeHash`: FNV-1a of a pod template (a DaemonSet's revision names and its pods' hash
 *   label, a Deployment's pod-template-hash). Upstream hashes Go's printed form of its structs,
 *   which a TypeScript server cannot reproduce; this hashes `canonicalJson` instead, so values
 *   differ from upstream's while keeping the properties that matter: same template, same hash; a
 *   short label value; a collision count that changes it.
 */

// Upstream's alphabet for encoded strings: digits and consonants that cannot spell words.
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** Which 32-bit FNV variant: FNV-1 (multiply, then xor) or FNV-1a (xor, then multiply). */
export type FnvVariant = "fnv1" | "fnv1a";

/** The 32-bit FNV hash of `parts` (strings as UTF-8 bytes), fed in order as one byte stream. */
export function fnv32(
  parts: readonly (string | Uint8Array)[],
  variant: FnvVariant = "fnv1",
): number {
  let h = FNV32_OFFSET;
  for (const part of parts) {
    const bytes = typeof part === "string" ? Buffer.from(part, "utf8") : part;
    for (const byte of bytes) {
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

/**
 * A canonical JSON text for comparing and hashing templates: object keys sorted; members that are
 * null, undefined, or empty objects or arrays left out, since the API treats them as absent
 * (upstream's semantic equality does too). Undefined for a value that is absent as a whole.
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

/** The canonical text of revision data: JSON with sorted keys, empty members kept. */
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

/**
 * The hash of a pod template and its owner's collision count (upstream's ComputeHash): FNV-1a
 * over `canonicalJson(template)`, then, when the count is set, the count as a little-endian
 * 32-bit number padded to eight bytes, so that a count of 0 differs from none.
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  const parts: (string | Uint8Array)[] = [canonicalJson(template) ?? ""];
  if (collisionCount !== undefined) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    parts.push(bytes);
  }
  return safeEncodeString(String(fnv32(parts, "fnv1a")));
}

/** Upstream's longest owner-name prefix, so that `<prefix>-<hash>` fits in 253 characters. */
const MAX_PREFIX_LENGTH = 223;

/** The name of a revision: `<prefix>-<hash>`, the prefix cut to 223 characters. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.slice(0, MAX_PREFIX_LENGTH)}-${hash}`;
}
