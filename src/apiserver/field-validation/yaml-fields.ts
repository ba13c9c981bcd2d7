/**
 * Duplicate keys of a YAML body. Upstream finds them with go-yaml's strict mode, which names each
 * by line (`line 5: key "replicas" already set in map`) rather than by path; both are kept here.
 */
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node as YamlNode,
  type Pair,
} from "yaml";
import { StatusError } from "../../api/errors.js";
import { renderPath, type PathSegments } from "./field-path.js";
import { goFloat, goQuote } from "./go-format.js";

/** A key that occurs a second time in one mapping of a YAML document. */
export interface YamlDuplicateKey {
  /** The key as go-yaml prints it (`%#v`): `"replicas"` for a string, `9` for an integer. */
  readonly key: string;
  /**
   * The 1-based line go-yaml reports: the line where the repeated key's value starts (for an
   * empty value, the line of whatever follows it).
   */
  readonly line: number;
  /** The path of the key, written as upstream writes field paths. */
  readonly path: string;
}

/**
 * The duplicate keys of a YAML document (YAML 1.1, as the API server reads bodies), in the order
 * go-yaml reports them: a value's own duplicates before its key's. Merge keys (`<<`) and aliases
 * are not followed. A body that is not YAML is a 400.
 */
export function findYamlDuplicateKeys(text: string): YamlDuplicateKey[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: "1.1", uniqueKeys: false, lineCounter });
  const error = doc.errors[0];
  if (error !== undefined) {
    throw StatusError.badRequest(`The request body is not valid YAML: ${error.message}`);
  }

  const found: YamlDuplicateKey[] = [];
  walk(doc.contents, [], { text, lineCounter, found });
  return found;
}

interface Walk {
  readonly text: string;
  readonly lineCounter: LineCounter;
  readonly found: YamlDuplicateKey[];
}

function walk(node: unknown, path: PathSegments, w: Walk): void {
  if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      path.push(i);
      walk(node.items[i], path, w);
      path.pop();
    }
    return;
  }
  if (!isMap(node)) return;

  const seen = new Set<string>();
  for (const pair of node.items) {
    const key = pair.key;
    // Merge keys resolve to a symbol; complex keys are refused by go-yaml before any check.
    if (!isScalar(key) || typeof key.value === "symbol") continue;
    const name = keyText(key.value, key.source);
    path.push(name);
    walk(pair.value, path, w);
    path.pop();

    const identity = keyIdentity(key.value, key.source);
    if (!seen.has(identity)) {
      seen.add(identity);
      continue;
    }
    w.found.push({
      key: goKey(key.value, key.source),
      line: w.lineCounter.linePos(valueOffset(pair, w.text)).line,
      path: renderPath(path, name),
    });
  }
}

/** Where go-yaml's node for a pair's value starts. */
function valueOffset(pair: Pair, text: string): number {
  const value = pair.value as YamlNode | null;
  const range = value?.range;
  if (range !== undefined && range !== null && range[1] > range[0]) return range[0];

  // An empty value takes the position of the next token, comments and blank space skipped.
  let at = range?.[0];
  if (at === undefined) {
    at = (pair.key as YamlNode | null)?.range?.[1] ?? text.length;
    if (text[at] === ":") at++;
  }
  while (at < text.length) {
    const c = text[at];
    if (c === "#") {
      const eol = text.indexOf("\n", at);
      at = eol < 0 ? text.length : eol;
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r") at++;
    else break;
  }
  return at;
}

// go-yaml decodes timestamp-like keys as strings when the target is interface{}, so a Date key is
// its source text.
function keyIdentity(value: unknown, source: string | undefined): string {
  if (value instanceof Date) return `s${source ?? ""}`;
  if (typeof value === "string") return `s${value}`;
  return `${typeof value}${String(value)}`;
}

function keyText(value: unknown, source: string | undefined): string {
  if (value instanceof Date) return source ?? value.toISOString();
  if (value === null) return "null";
  return String(value);
}

function goKey(value: unknown, source: string | undefined): string {
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "string") return goQuote(value);
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : goFloat(value);
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  return goQuote(source ?? String(value));
}
