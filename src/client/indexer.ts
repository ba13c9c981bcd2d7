/**
 * Indexer: the informer's cache. Objects by `namespace/name` key, plus named indexes (the namespace index
 * is always there) mapping an index value to the keys of the objects that produce it.
 */
import type { KubeObject } from "../api/meta/types.js";
import { objectKey } from "./resource.js";

/** Computes the values under which an object is indexed; none leaves it out of the index. */
export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => readonly string[];

/** The name of the built-in index of objects by namespace. */
export const NAMESPACE_INDEX = "namespace";

/** The namespace index function: cluster-scoped objects are indexed under "". */
export const namespaceIndexFunc: IndexFunc = (obj) => [obj.metadata.namespace ?? ""];

/**
 * A keyed, indexed store of objects. It hands out the stored objects themselves, not copies: callers
 * must treat them as read-only (copy before changing, as with upstream's listers).
 */
export class Indexer<T extends KubeObject = KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #indexFuncs = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys. */
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc as IndexFunc<T>, ...indexers });
  }

  /** Adds index functions; objects already stored are indexed at once. Names must be new. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.#indexFuncs.has(name))
        throw new Error(`Cannot add index ${name}: it already exists`);
      this.#indexFuncs.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.#indices.set(name, index);
      for (const [key, obj] of this.#items) addToIndex(index, fn(obj), key);
    }
  }

  /** The number of stored objects. */
  get size(): number {
    return this.#items.size;
  }

  /** Stores an object (adding or replacing it); returns the object it replaced. */
  set(obj: T): T | undefined {
    const key = objectKey(obj.metadata);
    const old = this.#items.get(key);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#indexFuncs) {
      const index = this.#indices.get(name)!;
      if (old) removeFromIndex(index, fn(old), key);
      addToIndex(index, fn(obj), key);
    }
    return old;
  }

  /** Removes the object under `key`; returns it. */
  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#items.delete(key);
    for (const [name, fn] of this.#indexFuncs)
      removeFromIndex(this.#indices.get(name)!, fn(old), key);
    return old;
  }

  /** The object under a `namespace/name` (or `name`) key. */
  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** Every stored object. */
  list(): T[] {
    return [...this.#items.values()];
  }

  /** Every key. */
  keys(): string[] {
    return [...this.#items.keys()];
  }

  /** The keys of the objects indexed under `value` by the index `name`. */
  indexKeys(name: string, value: string): string[] {
    const set = this.#index(name).get(value);
    return set ? [...set] : [];
  }

  /** The objects indexed under `value` by the index `name`. */
  byIndex(name: string, value: string): T[] {
    const set = this.#index(name).get(value);
    if (!set) return [];
    const out: T[] = [];
    for (const key of set) out.push(this.#items.get(key)!);
    return out;
  }

  /** The values the index `name` holds objects under. */
  indexValues(name: string): string[] {
    return [...this.#index(name).keys()];
  }

  #index(name: string): Map<string, Set<string>> {
    const index = this.#indices.get(name);
    if (!index) throw new Error(`Cannot use index ${name}: no such index`);
    return index;
  }
}

function addToIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const value of values) {
    let set = index.get(value);
    if (!set) index.set(value, (set = new Set()));
    set.add(key);
  }
}

function removeFromIndex(
  index: Map<string, Set<string>>,
  values: readonly string[],
  key: string,
): void {
  for (const value of values) {
    const set = index.get(value);
    if (!set) continue;
    set.delete(key);
    if (set.size === 0) index.delete(value);
  }
}
