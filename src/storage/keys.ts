/**
 * Keys and their order, shared by every backend. Keys sort by Unicode code point, which is the byte order
 * of their UTF-8 form and so the order SQLite's BINARY collation gives; JavaScript's `<` compares UTF-16
 * code units instead and disagrees for characters above U+FFFF.
 */

import { InvalidKeyError } from "./backend.js";

/** The largest code point, banned from keys so that `prefix + KEY_LIMIT` bounds every key under `prefix`. */
export const KEY_LIMIT = "\u{10FFFF}";

// In a `u` regex `\p{Cs}` matches only lone surrogates; a well-formed pair counts as one code point.
const BAD_KEY_CHARS = /[\0\u{10FFFF}]|\p{Cs}/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** Throws InvalidKeyError unless `key` can be stored and ordered the same way by every backend. */
export function checkKey(key: string): void {
  if (typeof key !== "string" || key.length === 0) {
    throw new InvalidKeyError(String(key), "a key must be a non-empty string");
  }
  if (BAD_KEY_CHARS.test(key)) {
    throw new InvalidKeyError(key, "a key must not contain NUL, U+10FFFF or a lone surrogate");
  }
}

/** Throws InvalidKeyError unless `prefix` (which may be empty) is a valid key prefix. */
export function checkPrefix(prefix: string): void {
  if (typeof prefix !== "string")
    throw new InvalidKeyError(String(prefix), "a prefix must be a string");
  if (prefix.length > 0) checkKey(prefix);
}

/**
 * Throws InvalidKeyError unless `startKey` can bound a range. It need not be a storable key: paging
 * continues from `lastKey + "\0"`, the smallest key after `lastKey`.
 */
export function checkStartKey(startKey: string | undefined): void {
  if (startKey === undefined) return;
  if (typeof startKey !== "string")
    throw new InvalidKeyError(String(startKey), "a start key must be a string");
  if (LONE_SURROGATE.test(startKey)) {
    throw new InvalidKeyError(startKey, "a start key must not contain a lone surrogate");
  }
}

/** Throws InvalidKeyError unless `value` survives a round trip through UTF-8 unchanged. */
export function checkValue(key: string, value: string): void {
  if (typeof value !== "string") throw new InvalidKeyError(key, "the value must be a string");
  if (LONE_SURROGATE.test(value)) {
    throw new InvalidKeyError(key, "the value must not contain a lone surrogate");
  }
}

/** Throws RangeError unless `revision` is a non-negative integer; `what` names it in the message. */
export function checkRevision(revision: number, what: string): void {
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new RangeError(`Cannot use ${what} ${String(revision)}: expected a non-negative integer`);
  }
}

/** Compares two keys by Unicode code point: negative, zero or positive like `Array.sort` wants. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

// Surrogates (U+D800-DFFF) start characters above U+FFFF, so they must rank above U+E000-FFFF.
function codeUnitRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/** The half-open key range [from, to) holding the keys under `prefix` that are at least `startKey`. */
export function keyRange(prefix: string, startKey?: string): { from: string; to: string } {
  const to = prefix + KEY_LIMIT;
  const from = startKey !== undefined && compareKeys(startKey, prefix) > 0 ? startKey : prefix;
  return { from, to };
}

/** The index of the first element of sorted `keys` that is not less than `key`. */
export function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid] as string, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
