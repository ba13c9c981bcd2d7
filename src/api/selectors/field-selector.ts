/**
 * Field selectors: the `fieldSelector` query parameter of list and watch, such as
 * `metadata.name=web,status.phase!=Running`. Which fields a kind supports is the API server's
 * business; this module only parses and matches.
 */
import { SelectorParseError } from "./selector-parse-error.js";

export { SelectorParseError } from "./selector-parse-error.js";

/** A field requirement's operator; `=` and `==` mean the same. */
export type FieldOperator = "=" | "==" | "!=";

/** One condition on one field; a selector matches when all its requirements do. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** The value with escapes removed. */
  readonly value: string;
}

/** A parsed field selector: an AND of requirements, immutable. */
export class FieldSelector {
  static readonly #everything = new FieldSelector([]);

  /** The requirements, ordered as upstream orders them (by the text of each term). */
  readonly requirements: readonly FieldRequirement[];

  private constructor(requirements: readonly FieldRequirement[]) {
    this.requirements = Object.freeze([...requirements]);
  }

  /** The selector that restricts nothing. */
  static everything(): FieldSelector {
    return FieldSelector.#everything;
  }

  /** A selector of the given requirements (in that order); a field name may not be empty. */
  static of(requirements: readonly FieldRequirement[]): FieldSelector {
    for (const r of requirements) {
      if (r.field === "") throw new SelectorParseError("Invalid field selector: empty field name");
      if (!["=", "==", "!="].includes(r.operator)) {
        throw new SelectorParseError(
          `Invalid field selector: unknown operator ${JSON.stringify(r.operator)} for field "${r.field}"`,
        );
      }
    }
    return new FieldSelector(requirements.map((r) => ({ ...r })));
  }

  /**
   * Whether the fields that `get` reads satisfy every requirement. As upstream, an absent field
   * (undefined) reads as the empty string: `f!=x` and `f=` both match it.
   */
  matches(get: (field: string) => string | undefined): boolean {
    return this.requirements.every((r) => {
      const actual = get(r.field) ?? "";
      return r.operator === "!=" ? actual !== r.value : actual === r.value;
    });
  }

  /** True when the selector restricts nothing. */
  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** The distinct field names the selector reads, in requirement order (to check support). */
  fields(): string[] {
    return [...new Set(this.requirements.map((r) => r.field))];
  }

  /**
   * The value the selector pins `field` to with `=` or `==`, or undefined; the API server uses it
   * to narrow a list (e.g. `metadata.name`) before matching the rest.
   */
  exactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator !== "!=")?.value;
  }

  /** The canonical text, values escaped, `==` written as `=` (as upstream prints it). */
  toString(): string {
    return this.requirements
      .map((r) => `${r.field}${r.operator === "!=" ? "!=" : "="}${escapeFieldValue(r.value)}`)
      .join(",");
  }
}

/** Escapes `\`, `,` and `=` in a value with a backslash, so it can sit in a field selector. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Parses field selector text: terms joined by unescaped `,`, each `field=value`, `field==value` or
 * `field!=value`. In a value, `\,` `\=` `\\` stand for `,` `=` `\`, and a bare `=` is refused.
 * Nothing is trimmed (`a = b` names the field `a `). Throws SelectorParseError naming the position.
 */
export function parseFieldSelector(text: string): FieldSelector {
  const terms = splitTerms(text)
    .filter((t) => t.text !== "")
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  return FieldSelector.of(terms.map((t) => parseTerm(text, t)));
}

interface Term {
  text: string;
  /** 0-based offset of the term in the selector. */
  pos: number;
}

function splitTerms(text: string): Term[] {
  const terms: Term[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (escaped) escaped = false;
    else if (c === "\\") escaped = true;
    else if (c === ",") {
      terms.push({ text: text.slice(start, i), pos: start });
      start = i + 1;
    }
  }
  terms.push({ text: text.slice(start), pos: start });
  return terms;
}

function parseTerm(selector: string, term: Term): FieldRequirement {
  const fail = (offset: number, problem: string): never => {
    const quoted = JSON.stringify(
      selector.length > 120 ? `${selector.slice(0, 117)}...` : selector,
    );
    const pos = term.pos + offset;
    throw new SelectorParseError(
      `Cannot parse field selector ${quoted} at position ${pos}: ${problem}`,
      { selector, position: pos },
    );
  };

  // The field name has no escapes, so the first operator in the term splits it.
  const at = term.text.search(/!=|=/);
  if (at < 0) return fail(0, `term ${JSON.stringify(term.text)} has no operator (=, == or !=)`);
  if (at === 0) return fail(0, `term ${JSON.stringify(term.text)} has no field name`);

  const operator: FieldOperator = term.text.startsWith("!=", at)
    ? "!="
    : term.text.startsWith("==", at)
      ? "=="
      : "=";
  const field = term.text.slice(0, at);
  const valueAt = at + operator.length;
  const raw = term.text.slice(valueAt);

  let value = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charAt(i);
    if (c === "=")
      return fail(valueAt + i, `"=" in the value of "${field}" must be escaped as "\\="`);
    if (c !== "\\") {
      value += c;
      continue;
    }
    const next = raw.charAt(i + 1);
    if (next === "") return fail(valueAt + i, `the value of "${field}" ends with a lone "\\"`);
    if (next !== "\\" && next !== "," && next !== "=") {
      return fail(
        valueAt + i,
        `invalid escape sequence "\\${next}" in the value of "${field}": only "\\\\", "\\," and "\\=" are allowed`,
      );
    }
    value += next;
    i++;
  }
  return { field, operator, value };
}
