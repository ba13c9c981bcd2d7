/**
 * A scanner over raw JSON text that finds what a strict decoder finds: keys that occur twice in one
 * object (JSON.parse keeps the last one silently) and, given a schema, keys the schema does not
 * declare, in document order as upstream reports them. It builds no object tree: it runs on every
 * write body, after JSON.parse has accepted it.
 */
import { MAX_JSON_DEPTH } from "../patch/json-value.js";
import { StatusError } from "../../api/errors.js";
import { renderPath, type PathSegments } from "./field-path.js";
import {
  fieldsOf,
  fixedObjectNode,
  FREE,
  listNode,
  NodeKind,
  OPAQUE,
  type FieldEntry,
  type FieldNode,
} from "./schema-nodes.js";

/** One problem a strict decoder finds in a body. */
export interface FieldFinding {
  readonly type: "unknown" | "duplicate";
  /** Upstream's path of the field: `spec.replicas`, `spec.template.spec.containers[0].imagee`. */
  readonly path: string;
}

/** What one scan found. */
export interface JsonScan {
  /** Distinct findings in document order, at most `limit` of them. */
  readonly findings: FieldFinding[];
  /** How many unknown fields the body holds, counted past the limit, so callers know to prune. */
  readonly unknownFields: number;
}

/** The schema of a JSON patch document: a list of operations, as upstream decodes them strictly. */
export const JSON_PATCH: FieldNode = listNode(
  fixedObjectNode("JSONPatchOperation", () => ({
    op: OPAQUE,
    path: OPAQUE,
    from: OPAQUE,
    value: FREE,
  })),
);

/**
 * Scans a JSON document against `root`: duplicate keys wherever upstream's decoder checks them
 * (not inside unknown fields, nor inside opaque values), and, when `root` holds object types,
 * unknown fields. Keeps the first `limit` distinct findings, as upstream keeps 100. The text is
 * expected to have been accepted by JSON.parse: broken structure is refused with a 400, but
 * malformed literals are not looked at.
 */
export function scanJson(text: string, root: FieldNode, limit = Infinity): JsonScan {
  const scanner = new Scanner(text, limit);
  scanner.scanDocument(root);
  return { findings: scanner.findings, unknownFields: scanner.unknownFields };
}

// Every object visit gets a fresh stamp; a field whose `seen` equals the visit's stamp was met
// before in that object. Stamps are never reused, so nothing needs clearing between objects.
let lastStamp = 0;

const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function hasBackslash(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === BACKSLASH) return true;
  return false;
}

/** Keys seen in one map: a short array while small, a Set once past a couple of dozen. */
class KeySet {
  keys: string[] = [];
  count = 0;
  set: Set<string> | undefined = undefined;

  reset(): void {
    this.count = 0;
    this.set = undefined;
  }

  /** Records `key`; true when it was already recorded. */
  addIsDuplicate(key: string): boolean {
    const set = this.set;
    if (set !== undefined) {
      if (set.has(key)) return true;
      set.add(key);
      return false;
    }
    const keys = this.keys;
    const count = this.count;
    for (let i = 0; i < count; i++) if (keys[i] === key) return true;
    if (count < 24) {
      keys[count] = key;
      this.count = count + 1;
      return false;
    }
    this.set = new Set(keys);
    this.set.add(key);
    return false;
  }
}

class Scanner {
  readonly findings: FieldFinding[] = [];
  unknownFields = 0;
  pos = 0;
  readonly text: string;
  readonly limit: number;
  /** Stamps above this one belong to this scan (an aborted earlier scan may leave older ones). */
  readonly firstStamp: number;
  readonly path: PathSegments = [];
  readonly keySets: KeySet[] = [];
  reported: Set<string> | undefined = undefined;

  constructor(text: string, limit: number) {
    this.text = text;
    this.limit = limit;
    this.firstStamp = lastStamp;
  }

  scanDocument(root: FieldNode): void {
    this.skipSpace();
    this.value(root, 0);
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail();
  }

  value(node: FieldNode, depth: number): void {
    const c = this.text.charCodeAt(this.pos);
    if (c === OPEN_BRACE) {
      const kind = node.kind;
      if (kind === NodeKind.List || kind === NodeKind.Opaque || depth >= MAX_JSON_DEPTH) {
        this.skipComposite();
      } else if (kind === NodeKind.Object) this.struct(node, depth);
      else this.map(kind === NodeKind.Map ? (node.child ?? OPAQUE) : FREE, depth);
    } else if (c === OPEN_BRACKET) {
      const kind = node.kind;
      const items =
        kind === NodeKind.List ? (node.child ?? OPAQUE) : kind === NodeKind.Free ? FREE : OPAQUE;
      if (items.kind !== NodeKind.Opaque && depth < MAX_JSON_DEPTH) this.array(items, depth);
      else this.skipComposite();
    } else if (c === QUOTE) {
      this.pos = this.closingQuote(this.pos + 1) + 1;
    } else {
      this.skipLiteral();
    }
  }

  /** An object of a named type: unknown fields, and duplicates among the declared ones. */
  struct(node: FieldNode, depth: number): void {
    const text = this.text;
    this.pos++;
    this.skipSpace();
    if (text.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos++;
      return;
    }

    const byLength = node.fields === undefined ? (fieldsOf(node), node.byLength) : node.byLength;
    const stamp = ++lastStamp;
    const outer = node.visiting;
    // Nested in itself, the type's field stamps belong to the outer object: keep them intact.
    const seen = outer > this.firstStamp ? this.keySet(depth) : undefined;
    node.visiting = stamp;
    for (;;) {
      const entry = this.field(node, byLength);
      // Upstream checks duplicates only among declared fields, and skips an unknown one whole.
      if (entry === undefined) {
        this.unknownFields++;
        this.report("unknown", this.key());
        this.skipValue();
      } else {
        const key = entry.name;
        if (seen !== undefined) {
          if (seen.addIsDuplicate(key)) this.report("duplicate", key);
        } else if (entry.seen === stamp) this.report("duplicate", key);
        else entry.seen = stamp;
        this.child(entry.node, key, depth);
      }
      if (this.endOfMembers()) break;
    }
    node.visiting = outer;
  }

  /**
   * The declared field named by the key at the position, moving past the key and its colon; or
   * undefined, with the position left at the key, when the type does not declare it.
   */
  field(node: FieldNode, byLength: FieldNode["byLength"]): FieldEntry | undefined {
    const text = this.text;
    const start = this.pos + 1;
    if (text.charCodeAt(this.pos) !== QUOTE) this.fail();
    const end = this.closingQuote(start);
    const bucket = byLength[end - start];
    let entry: FieldEntry | undefined;
    if (bucket !== undefined) {
      const first = text.charCodeAt(start);
      for (let i = 0; i < bucket.length; i++) {
        const candidate = bucket[i]!;
        if (candidate.first === first && text.startsWith(candidate.name, start)) {
          entry = candidate;
          break;
        }
      }
    }
    // A key spelt with escapes matches no bucket by its raw length: decode it and look it up.
    if (entry === undefined && hasBackslash(text, start, end)) {
      entry = node.fields?.get(JSON.parse(text.slice(start - 1, end + 1)) as string);
    }
    if (entry === undefined) return undefined;

    this.pos = end + 1;
    this.skipSpace();
    if (text.charCodeAt(this.pos++) !== COLON) this.fail();
    this.skipSpace();
    return entry;
  }

  /** A map or schema-less object: every key is known; duplicates are reported. */
  map(values: FieldNode, depth: number): void {
    const text = this.text;
    this.pos++;
    this.skipSpace();
    if (text.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos++;
      return;
    }

    const seen = this.keySet(depth);
    for (;;) {
      const key = this.key();
      if (seen.addIsDuplicate(key)) this.report("duplicate", key);
      this.child(values, key, depth);
      if (this.endOfMembers()) return;
    }
  }

  array(items: FieldNode, depth: number): void {
    const text = this.text;
    this.pos++;
    this.skipSpace();
    if (text.charCodeAt(this.pos) === CLOSE_BRACKET) {
      this.pos++;
      return;
    }

    for (let i = 0; ; i++) {
      this.path.push(i);
      this.value(items, depth + 1);
      this.path.pop();
      this.skipSpace();
      const c = text.charCodeAt(this.pos++);
      if (c === CLOSE_BRACKET) return;
      if (c !== COMMA) this.fail();
      this.skipSpace();
    }
  }

  /** Reads a member's key and its colon, leaving the position at the value. */
  key(): string {
    const text = this.text;
    if (text.charCodeAt(this.pos) !== QUOTE) this.fail();
    const start = this.pos + 1;
    const end = this.closingQuote(start);
    const raw = text.slice(start, end);
    this.pos = end + 1;
    this.skipSpace();
    if (text.charCodeAt(this.pos++) !== COLON) this.fail();
    this.skipSpace();
    return raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
  }

  child(node: FieldNode, key: string, depth: number): void {
    if (node.kind === NodeKind.Opaque) {
      this.skipValue();
      return;
    }
    this.path.push(key);
    this.value(node, depth + 1);
    this.path.pop();
  }

  /** Moves past the comma after a member; true at the closing brace instead. */
  endOfMembers(): boolean {
    this.skipSpace();
    const c = this.text.charCodeAt(this.pos++);
    if (c === CLOSE_BRACE) return true;
    if (c !== COMMA) this.fail();
    this.skipSpace();
    return false;
  }

  keySet(depth: number): KeySet {
    const set = (this.keySets[depth] ??= new KeySet());
    set.reset();
    return set;
  }

  report(type: FieldFinding["type"], key: string): void {
    if (this.findings.length >= this.limit) return;
    const path = renderPath(this.path, key);
    const id = type === "unknown" ? `u${path}` : `d${path}`;
    this.reported ??= new Set();
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.findings.push({ type, path });
  }

  skipValue(): void {
    const c = this.text.charCodeAt(this.pos);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) this.skipComposite();
    else if (c === QUOTE) this.pos = this.closingQuote(this.pos + 1) + 1;
    else this.skipLiteral();
  }

  /** Skips an object or array without looking inside, iteratively so nesting cannot overflow. */
  skipComposite(): void {
    const text = this.text;
    const length = text.length;
    let pos = this.pos;
    let depth = 0;
    while (pos < length) {
      const c = text.charCodeAt(pos++);
      if (c === QUOTE) pos = this.closingQuote(pos) + 1;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) {
        this.pos = pos;
        return;
      }
    }
    this.pos = pos;
    this.fail();
  }

  /** The index of the quote that closes the string whose content starts at `from`. */
  closingQuote(from: number): number {
    const text = this.text;
    for (;;) {
      const quote = text.indexOf('"', from);
      if (quote < 0) {
        this.pos = text.length;
        this.fail();
      }
      if (text.charCodeAt(quote - 1) !== BACKSLASH) return quote;
      let backslashes = 1;
      while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) return quote;
      from = quote + 1;
    }
  }

  skipLiteral(): void {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    for (;;) {
      const c = text.charCodeAt(pos);
      // Past the end, c is NaN and every comparison is false.
      if (c <= SPACE || c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c !== c) break;
      pos++;
    }
    this.pos = pos;
    if (pos === start) this.fail();
  }

  /** JSON that JSON.parse accepted holds no control characters outside strings: all is space. */
  skipSpace(): void {
    const text = this.text;
    let pos = this.pos;
    while (text.charCodeAt(pos) <= SPACE) pos++;
    this.pos = pos;
  }

  /** Refuses text that is not JSON with JSON.parse's own words for what is wrong. */
  fail(): never {
    try {
      JSON.parse(this.text);
    } catch (err) {
      throw StatusError.badRequest(`The request body is not valid JSON: ${(err as Error).message}`);
    }
    throw new Error(`Cannot scan JSON at offset ${this.pos}: the scanner refused valid JSON`);
  }
}
