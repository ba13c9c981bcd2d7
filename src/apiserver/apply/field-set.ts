/**
 * Field sets: the fields of an object a manager owns, as a trie of path elements. Each edge is one
 * path element in its FieldsV1 spelling (`f:name`, `k:{"name":"web"}`, `v:"x"`, `i:0`), so a set
 * walks beside an object without building path strings, and encodes to FieldsV1 by sorting keys.
 */

/** A set of field paths: a trie node whose children are keyed by serialized path elements. */
export class FieldSet {
  /** Whether the path leading to this node is itself in the set (FieldsV1 writes it as `.`). */
  member = false;
  /** Children by serialized path element; never holds an empty child. */
  children: Map<string, FieldSet> | undefined = undefined;

  /** The child under `key`, created when missing. */
  child(key: string): FieldSet {
    let map = this.children;
    if (map === undefined) this.children = map = new Map();
    let node = map.get(key);
    if (node === undefined) map.set(key, (node = new FieldSet()));
    return node;
  }

  /** The child under `key`, if any. */
  get(key: string): FieldSet | undefined {
    return this.children?.get(key);
  }

  /** True when no path is in the set. */
  isEmpty(): boolean {
    return !this.member && (this.children === undefined || this.children.size === 0);
  }

  /** Adds one path, given as serialized path elements. */
  insert(path: readonly string[]): void {
    if (path.length === 0) {
      this.member = true;
      return;
    }
    let node = this.child(path[0] as string);
    for (let i = 1; i < path.length; i++) node = node.child(path[i] as string);
    node.member = true;
  }

  /** Whether one path is in the set. */
  has(path: readonly string[]): boolean {
    if (path.length === 0) return this.member;
    let node = this.get(path[0] as string);
    for (let i = 1; i < path.length && node !== undefined; i++) node = node.get(path[i] as string);
    return node?.member ?? false;
  }

  /** Adds every path of `other` to this set. */
  union(other: FieldSet): void {
    if (other.member) this.member = true;
    if (other.children === undefined) return;
    for (const [key, child] of other.children) this.child(key).union(child);
  }

  /**
   * Removes every path of `other` from this set (exact paths only: removing `.spec` keeps
   * `.spec.replicas`). Returns whether anything was removed.
   */
  subtract(other: FieldSet): boolean {
    let changed = false;
    if (other.member && this.member) {
      this.member = false;
      changed = true;
    }
    if (other.children === undefined || this.children === undefined) return changed;
    for (const [key, theirs] of other.children) {
      const mine = this.children.get(key);
      if (mine === undefined) continue;
      if (mine.subtract(theirs)) changed = true;
      if (mine.isEmpty()) this.children.delete(key);
    }
    return changed;
  }

  /** The paths in both sets, as a new set. */
  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    if (this.children === undefined || other.children === undefined) return out;
    for (const [key, mine] of this.children) {
      const theirs = other.children.get(key);
      if (theirs === undefined) continue;
      const both = mine.intersection(theirs);
      if (!both.isEmpty()) (out.children ??= new Map()).set(key, both);
    }
    return out;
  }

  /** A deep copy. */
  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    if (this.children !== undefined) {
      out.children = new Map();
      for (const [key, child] of this.children) out.children.set(key, child.clone());
    }
    return out;
  }

  /**
   * Every path in the set, in upstream's iteration order: at each level the members in path-element
   * order, then the children's paths in path-element order.
   */
  paths(): string[][] {
    const out: string[][] = [];
    collectPaths(this, [], out);
    return out;
  }
}

function collectPaths(node: FieldSet, prefix: string[], out: string[][]): void {
  if (node.children === undefined) return;
  const keys = sortKeys([...node.children.keys()]);
  for (const key of keys) if (node.children.get(key)?.member) out.push([...prefix, key]);
  for (const key of keys) {
    prefix.push(key);
    collectPaths(node.children.get(key) as FieldSet, prefix, out);
    prefix.pop();
  }
}

// Path elements.

/** The path element of a field of a struct or a key of a map. */
export function fieldKey(name: string): string {
  return "f:" + name;
}

/** The path element of a set member (a list of unique scalars). */
export function valueKey(value: unknown): string {
  return "v:" + goJson(value);
}

/** The path element of a list element by position (lists that are neither sets nor keyed). */
export function indexKey(index: number): string {
  return "i:" + index;
}

/** The path element of a keyed-list element, from its key fields sorted by name. */
export function keyKey(fields: readonly (readonly [string, unknown])[]): string {
  let out = "k:{";
  for (let i = 0; i < fields.length; i++) {
    const [name, value] = fields[i] as readonly [string, unknown];
    if (i > 0) out += ",";
    out += goJson(name) + ":" + goJson(value);
  }
  return out + "}";
}

/**
 * JSON as Go's encoding/json writes it: HTML-sensitive characters escaped and object members
 * sorted, so that keys built here match the ones upstream writes byte for byte.
 */
export function goJson(value: unknown): string {
  if (typeof value === "string") return escapeHtml(JSON.stringify(value));
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return "[" + value.map(goJson).join(",") + "]";
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
    .map((k) => goJson(k) + ":" + goJson(record[k]));
  return "{" + members.join(",") + "}";
}

const HTML_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

function escapeHtml(json: string): string {
  return /[<>&\u2028\u2029]/.test(json)
    ? json.replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c] as string)
    : json;
}

// Ordering: fields, then keys, then values, then indexes, as upstream sorts path elements.

const RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Sorts serialized path elements in upstream's order; returns the same array. */
export function sortKeys(keys: string[]): string[] {
  if (keys.length < 2) return keys;
  let parsed: Map<string, unknown> | undefined;
  const parse = (key: string): unknown => {
    parsed ??= new Map();
    let v = parsed.get(key);
    if (v === undefined) parsed.set(key, (v = JSON.parse(key.slice(2)) as unknown));
    return v;
  };
  return keys.sort((a, b) => {
    const ra = RANK[a.charAt(0)] ?? 4;
    const rb = RANK[b.charAt(0)] ?? 4;
    if (ra !== rb) return ra - rb;
    switch (ra) {
      case 0:
        return a < b ? -1 : a > b ? 1 : 0;
      case 1:
        return compareKeyFields(parse(a), parse(b));
      case 2:
        return compareValues(parse(a), parse(b));
      case 3:
        return Number(a.slice(2)) - Number(b.slice(2));
      default:
        return a < b ? -1 : a > b ? 1 : 0;
    }
  });
}

function compareKeyFields(a: unknown, b: unknown): number {
  const fa = Object.entries(a as Record<string, unknown>);
  const fb = Object.entries(b as Record<string, unknown>);
  for (let i = 0; ; i++) {
    if (i >= fa.length || i >= fb.length) return fa.length - fb.length;
    const [na, va] = fa[i] as [string, unknown];
    const [nb, vb] = fb[i] as [string, unknown];
    if (na !== nb) return na < nb ? -1 : 1;
    const c = compareValues(va, vb);
    if (c !== 0) return c;
  }
}

/** Upstream's total order of values: numbers, strings, booleans, lists, maps, then null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return (a as number) - (b as number);
    case 1:
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case 2:
      return Number(a) - Number(b);
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < la.length && i < lb.length; i++) {
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
      return la.length - lb.length;
    }
    case 4:
      return compareKeyFields(sortedObject(a), sortedObject(b));
    default:
      return 0;
  }
}

function valueRank(v: unknown): number {
  if (typeof v === "number") return 0;
  if (typeof v === "string") return 1;
  if (typeof v === "boolean") return 2;
  if (Array.isArray(v)) return 3;
  if (typeof v === "object" && v !== null) return 4;
  return 5;
}

function sortedObject(v: unknown): Record<string, unknown> {
  const record = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(record).sort()) out[k] = record[k];
  return out;
}

// Rendering paths for messages: `.spec.containers[name="web"].image`.

/** One path element as upstream prints it in conflict messages. */
export function elementString(key: string): string {
  const body = key.slice(2);
  switch (key.charAt(0)) {
    case "f":
      return "." + body;
    case "k": {
      const fields = Object.entries(JSON.parse(body) as Record<string, unknown>);
      return "[" + fields.map(([n, v]) => `${n}=${valueString(v)}`).join(",") + "]";
    }
    case "v":
      return "[=" + valueString(JSON.parse(body)) + "]";
    case "i":
      return "[" + body + "]";
    default:
      return "{{invalid path element}}";
  }
}

/** A whole path as upstream prints it. */
export function pathString(path: readonly string[]): string {
  let out = "";
  for (const key of path) out += elementString(key);
  return out;
}

function valueString(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(valueString).join(",") + "]";
  if (typeof v === "object") {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${valueString(x)}`)
      .join("");
  }
  return String(v);
}

/**
 * Builds a set during a walk: the walk pushes and pops path elements, and only paths it marks
 * create nodes, so walking a large unchanged subtree allocates nothing.
 */
export class SetBuilder {
  readonly set: FieldSet;
  readonly #keys: string[] = [];
  readonly #nodes: (FieldSet | undefined)[];

  constructor(set: FieldSet = new FieldSet()) {
    this.set = set;
    this.#nodes = [set];
  }

  /** The current path. */
  get path(): readonly string[] {
    return this.#keys;
  }

  push(key: string): void {
    this.#keys.push(key);
    this.#nodes.push(undefined);
  }

  pop(): void {
    this.#keys.pop();
    this.#nodes.pop();
  }

  /** Adds the current path to the set. */
  mark(): void {
    const nodes = this.#nodes;
    let i = nodes.length - 1;
    while (nodes[i] === undefined) i--;
    let node = nodes[i] as FieldSet;
    for (i++; i < nodes.length; i++) nodes[i] = node = node.child(this.#keys[i - 1] as string);
    node.member = true;
  }
}
