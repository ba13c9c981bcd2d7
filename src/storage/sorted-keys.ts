/**
 * A sorted set of keys (in `compareKeys` order) that stays cheap to change at any size: keys live in
 * chunks of at most CHUNK, so an insert or delete moves at most one chunk's entries instead of shifting
 * every key after it, as one flat array would (a 20,000-object resource made that the create path's
 * largest single cost).
 */
import { compareKeys, lowerBound } from "./keys.js";

const CHUNK = 512;

export class SortedKeys {
  /** Non-empty sorted chunks, in order: every key of a chunk sorts before every key of the next. */
  #chunks: string[][] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds `key`; false if it was already there. */
  insert(key: string): boolean {
    if (this.#chunks.length === 0) {
      this.#chunks.push([key]);
      this.#size = 1;
      return true;
    }
    const c = Math.min(this.#chunkFor(key), this.#chunks.length - 1);
    const chunk = this.#chunks[c]!;
    const i = lowerBound(chunk, key);
    if (i < chunk.length && chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    this.#size++;
    if (chunk.length > CHUNK) this.#chunks.splice(c + 1, 0, chunk.splice(CHUNK / 2));
    return true;
  }

  /** Removes `key`; false if it was not there. */
  delete(key: string): boolean {
    const c = this.#chunkFor(key);
    const chunk = this.#chunks[c];
    if (!chunk) return false;
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return false;
    chunk.splice(i, 1);
    this.#size--;
    if (chunk.length === 0) this.#chunks.splice(c, 1);
    return true;
  }

  /** How many keys sort before `key`. */
  rank(key: string): number {
    const c = this.#chunkFor(key);
    let n = 0;
    for (let i = 0; i < c; i++) n += this.#chunks[i]!.length;
    const chunk = this.#chunks[c];
    return chunk ? n + lowerBound(chunk, key) : n;
  }

  /** The keys in [from, to), in order. */
  *range(from: string, to?: string): Generator<string> {
    const first = this.#chunkFor(from);
    for (let c = first; c < this.#chunks.length; c++) {
      const chunk = this.#chunks[c]!;
      for (let i = c === first ? lowerBound(chunk, from) : 0; i < chunk.length; i++) {
        const key = chunk[i]!;
        if (to !== undefined && compareKeys(key, to) >= 0) return;
        yield key;
      }
    }
  }

  /** The index of the first chunk whose last key is not less than `key` (the chunk count if none). */
  #chunkFor(key: string): number {
    let lo = 0;
    let hi = this.#chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.#chunks[mid]!;
      if (compareKeys(chunk[chunk.length - 1]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
