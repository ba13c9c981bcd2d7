/**
 * Comparing two versions of an object field by field, as upstream's structured comparison does:
 * which fields a write added or changed, and which it removed. Update operations give the first
 * to their manager and take both away from every other manager; apply uses them to find conflicts.
 */
import { SetBuilder, type FieldSet } from "./field-set.js";
import { elementKey, type ListShape, type MapShape, type Shape, type StructNode } from "./shape.js";

/** The outcome of comparing an old object with a new one. */
export interface Comparison {
  /** Fields the new object added or changed (upstream's Added and Modified). */
  touched: FieldSet;
  /** Fields the new object no longer has, with everything below them. */
  removed: FieldSet;
  /** Whether the objects differ anywhere, including fields that are never tracked. */
  differs: boolean;
}

/** Top-level fields that are never tracked: they identify the object rather than describe it. */
export const UNTRACKED_ROOT: ReadonlySet<string> = new Set(["apiVersion", "kind"]);

/** Metadata the server owns, which upstream strips from every manager's set. */
export const UNTRACKED_META: ReadonlySet<string> = new Set([
  "name",
  "namespace",
  "creationTimestamp",
  "selfLink",
  "uid",
  "clusterName",
  "generation",
  "managedFields",
  "resourceVersion",
]);

/** True when a top-level field or metadata field is left out of field sets. */
export function isUntracked(depth: 0 | 1, name: string, ignoreStatus: boolean): boolean {
  if (depth === 0) return UNTRACKED_ROOT.has(name) || (ignoreStatus && name === "status");
  return UNTRACKED_META.has(name);
}

/**
 * Compares `lhs` (the live object; undefined on create, which compares against upstream's zero
 * object of the kind) with `rhs`. With `ignoreStatus`, `status` is left out entirely.
 */
export function compareObjects(
  root: StructNode,
  lhs: Readonly<Record<string, unknown>> | undefined,
  rhs: Readonly<Record<string, unknown>>,
  ignoreStatus: boolean,
): Comparison {
  const d = new Differ();
  d.members(root, lhs ?? EMPTY, rhs, lhs === undefined, ignoreStatus ? 2 : 1);
  return { touched: d.touched, removed: d.removed, differs: d.differs };
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

type Obj = Readonly<Record<string, unknown>>;

/** Which members a walk leaves untracked: none, the root's, the root's and status, metadata's. */
type Skip = 0 | 1 | 2 | 3;

function skipped(skip: Skip, name: string): boolean {
  switch (skip) {
    case 0:
      return false;
    case 1:
      return UNTRACKED_ROOT.has(name);
    case 2:
      return UNTRACKED_ROOT.has(name) || name === "status";
    case 3:
      return UNTRACKED_META.has(name);
  }
}

/** Walks two values side by side, marking paths in two sets as it finds differences. */
class Differ {
  readonly #t = new SetBuilder();
  readonly #r = new SetBuilder();
  readonly touched = this.#t.set;
  readonly removed = this.#r.set;
  differs = false;

  push(key: string): void {
    this.#t.push(key);
    this.#r.push(key);
  }

  pop(): void {
    this.#t.pop();
    this.#r.pop();
  }

  markTouched(): void {
    this.#t.mark();
    this.differs = true;
  }

  markRemoved(): void {
    this.#r.mark();
    this.differs = true;
  }

  noteSkipped(l: unknown, r: unknown): void {
    if (!this.differs && !sameJson(l, r)) this.differs = true;
  }

  /**
   * Compares the members of two objects of a struct or map type, visiting only the keys they
   * have (schemas declare far more fields than objects set).
   */
  members(shape: StructNode | MapShape, left: Obj, right: Obj, zero: boolean, skip: Skip): void {
    for (const key in right) {
      const r = right[key];
      if (r === undefined) continue;
      this.member(shape, key, left[key], r, zero, skip);
    }
    for (const key in left) {
      const l = left[key];
      if (l === undefined || right[key] !== undefined) continue;
      this.member(shape, key, l, undefined, zero, skip);
    }
  }

  member(
    shape: StructNode | MapShape,
    key: string,
    l: unknown,
    r: unknown,
    zero: boolean,
    skip: Skip,
  ): void {
    if (skip !== 0 && skipped(skip, key)) return this.noteSkipped(l, r);
    if (shape.kind === "map") {
      this.push("f:" + key);
      this.compare(shape.values, l, r, false);
    } else {
      const field = shape.fields.get(key);
      this.push(field === undefined ? "f:" + key : field.key);
      if (field === undefined) this.leaf(l, r);
      else if (skip !== 0 && key === "metadata") this.metadata(field.shape, l, r);
      else this.compare(field.shape, l, r, zero && field.zero);
    }
    this.pop();
  }

  metadata(shape: Shape, l: unknown, r: unknown): void {
    if (shape.kind !== "struct" || !isObject(l ?? EMPTY) || !isObject(r ?? EMPTY)) {
      return this.compare(shape, l, r, false);
    }
    this.members(shape, (l ?? EMPTY) as Obj, (r ?? EMPTY) as Obj, false, 3);
  }

  /** Compares one value; `zero` says the left side is upstream's zero object at this point. */
  compare(shape: Shape, l: unknown, r: unknown, zero: boolean): void {
    if (l === undefined && zero) l = shape.kind === "struct" || shape.kind === "map" ? EMPTY : null;
    if (l === undefined && r === undefined) return;
    if (shape.atomic) return this.leaf(l, r);
    if (shape.kind === "list") return this.compareList(shape, l, r);

    const lo = l === null ? undefined : l;
    const ro = r === null ? undefined : r;
    if ((lo !== undefined && !isObject(lo)) || (ro !== undefined && !isObject(ro))) {
      return this.leaf(l, r);
    }
    if (isEmptyObject(lo) && isEmptyObject(ro)) return this.leaf(l, r);

    this.members(shape, (lo ?? EMPTY) as Obj, (ro ?? EMPTY) as Obj, zero, 0);
    if (l === undefined) this.markTouched();
    else if (r === undefined) this.markRemoved();
  }

  compareList(shape: ListShape, l: unknown, r: unknown): void {
    const la = l === null ? undefined : l;
    const ra = r === null ? undefined : r;
    if ((la !== undefined && !Array.isArray(la)) || (ra !== undefined && !Array.isArray(ra))) {
      return this.leaf(l, r);
    }
    const left = la as readonly unknown[] | undefined;
    const right = ra as readonly unknown[] | undefined;
    if ((left === undefined || left.length === 0) && (right === undefined || right.length === 0)) {
      return this.leaf(l, r);
    }
    const li = indexList(shape, left);
    const ri = indexList(shape, right);
    // An element without a key cannot be tracked on its own: own the list as a whole instead.
    if (li === undefined || ri === undefined) return this.leaf(l, r);

    for (const key of ri.order) this.compareElement(shape, key, li, ri);
    for (const key of li.order) if (!ri.has(key)) this.compareElement(shape, key, li, ri);

    if (l === undefined) this.markTouched();
    else if (r === undefined) this.markRemoved();
  }

  compareElement(shape: ListShape, key: string, li: ListIndex, ri: ListIndex): void {
    const ldup = li.dups?.get(key);
    const rdup = ri.dups?.get(key);
    this.push(key);
    if (ldup === undefined && rdup === undefined) {
      this.compare(shape.items, li.get(key), ri.get(key), false);
    } else if (ldup !== undefined && rdup !== undefined) {
      if (!sameJson(ldup, rdup)) this.markTouched();
    } else if (ldup !== undefined) {
      if (ri.has(key)) this.compare(shape.items, undefined, ri.get(key), false);
      this.markRemoved();
    } else {
      if (li.has(key)) this.compare(shape.items, li.get(key), undefined, false);
      this.markTouched();
    }
    this.pop();
  }

  leaf(l: unknown, r: unknown): void {
    if (l === undefined) this.markTouched();
    else if (r === undefined) this.markRemoved();
    else if (!sameJson(l, r)) this.markTouched();
  }
}

/** The elements of a set or keyed list by path element; duplicates are kept apart. */
export class ListIndex {
  /** Path elements in list order, each once. */
  readonly order: string[] = [];
  /** The first element of each path element, parallel to `order`. */
  readonly values: unknown[] = [];
  /** Every element of a path element that occurs more than once. */
  dups: Map<string, unknown[]> | undefined;
  // Short lists are searched; long ones get a map, so indexing stays linear.
  #positions: Map<string, number> | undefined;

  indexOf(key: string): number {
    if (this.#positions !== undefined) return this.#positions.get(key) ?? -1;
    return this.order.indexOf(key);
  }

  has(key: string): boolean {
    return this.indexOf(key) >= 0;
  }

  get(key: string): unknown {
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }

  add(key: string, item: unknown): void {
    const i = this.indexOf(key);
    if (i >= 0) {
      this.dups ??= new Map();
      const dup = this.dups.get(key);
      if (dup === undefined) this.dups.set(key, [this.values[i], item]);
      else dup.push(item);
      return;
    }
    this.order.push(key);
    this.values.push(item);
    if (this.#positions !== undefined) this.#positions.set(key, this.order.length - 1);
    else if (this.order.length > 16) this.#positions = new Map(this.order.map((k, n) => [k, n]));
  }
}

/** Indexes a list's elements; undefined when an element has no path element. */
export function indexList(
  shape: ListShape,
  list: readonly unknown[] | undefined,
): ListIndex | undefined {
  const index = new ListIndex();
  if (list === undefined) return index;
  for (const item of list) {
    const key = elementKey(shape, item);
    if (typeof key !== "string") return undefined;
    index.add(key, item);
  }
  return index;
}

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isEmptyObject(v: unknown): boolean {
  if (v === undefined) return true;
  for (const _ in v as object) return false;
  return true;
}

/**
 * Deep equality of JSON values (objects by members regardless of order), written for speed:
 * it runs on every leaf of every write.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let members = 0;
  for (const key in x) {
    if (!Object.hasOwn(y, key) || !sameJson(x[key], y[key])) return false;
    members++;
  }
  for (const _ in y) members--;
  return members === 0;
}
