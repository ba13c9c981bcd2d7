/**
 * The lexer and recursive-descent parser of the label selector text grammar:
 *
 *   selector    := "" | requirement ("," requirement)*
 *   requirement := "!" KEY | KEY | KEY ("=" | "==" | "!=" | ">" | "<") VALUE?
 *                | KEY ("in" | "notin") "(" VALUE? ("," VALUE?)* ")"
 *
 * Blanks (space, tab, CR, LF) may stand between tokens. An omitted VALUE is the empty string.
 */
import type { LabelOperator, LabelRequirement } from "./label-selector.js";
import { SelectorParseError } from "./selector-parse-error.js";

type TokenKind = "word" | "end" | "(" | ")" | "," | "!" | "=" | "==" | "!=" | ">" | "<";

interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset of the token's first character. */
  pos: number;
}

const SYMBOLS = new Set(["=", "!", "(", ")", ",", ">", "<"]);
const BLANKS = new Set([" ", "\t", "\r", "\n"]);

const BINARY = new Map<string, LabelOperator>([
  ["=", "="],
  ["==", "=="],
  ["!=", "!="],
  [">", "gt"],
  ["<", "lt"],
  ["in", "in"],
  ["notin", "notin"],
]);

/**
 * Parses selector text into requirements in written order. `check` returns what is wrong with a
 * requirement's key or values, so that the error can point at them.
 */
export function parseRequirements(
  text: string,
  check: (r: LabelRequirement) => string | undefined,
): LabelRequirement[] {
  return new Parser(text, check).parse();
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && BLANKS.has(text.charAt(i))) i++;
    if (i >= text.length) {
      tokens.push({ kind: "end", text: "", pos: i });
      return tokens;
    }

    const ch = text.charAt(i);
    if (SYMBOLS.has(ch)) {
      // Longest match: only "==" and "!=" are two characters long.
      const pair = text.slice(i, i + 2);
      const symbol = pair === "==" || pair === "!=" ? pair : ch;
      tokens.push({ kind: symbol as TokenKind, text: symbol, pos: i });
      i += symbol.length;
      continue;
    }

    const start = i;
    while (i < text.length && !SYMBOLS.has(text.charAt(i)) && !BLANKS.has(text.charAt(i))) i++;
    tokens.push({ kind: "word", text: text.slice(start, i), pos: start });
  }
}

class Parser {
  readonly #text: string;
  readonly #tokens: Token[];
  readonly #check: (r: LabelRequirement) => string | undefined;
  #next = 0;

  constructor(text: string, check: (r: LabelRequirement) => string | undefined) {
    this.#text = text;
    this.#tokens = tokenize(text);
    this.#check = check;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    if (this.#peek().kind === "end") return requirements;

    for (;;) {
      requirements.push(this.#requirement());
      const tok = this.#take();
      if (tok.kind === "end") return requirements;
      if (tok.kind !== ",") this.#fail(tok, "expected ',' or the end of the selector");
      const after = this.#peek();
      if (after.kind !== "word" && after.kind !== "!") {
        this.#fail(after, "expected a label key or '!' after ','");
      }
    }
  }

  #requirement(): LabelRequirement {
    const negated = this.#peek().kind === "!";
    if (negated) this.#take();

    const keyTok = this.#take();
    if (keyTok.kind !== "word") {
      this.#fail(
        keyTok,
        negated ? "expected a label key after '!'" : "expected a label key or '!'",
      );
    }
    const key = keyTok.text;
    this.#validate({ key, operator: "exists", values: [] }, keyTok);
    if (negated) return { key, operator: "!", values: [] };

    const following = this.#peek().kind;
    if (following === "end" || following === ",") return { key, operator: "exists", values: [] };

    const opTok = this.#take();
    const operator = BINARY.get(opTok.text);
    if (!operator) {
      this.#fail(opTok, `expected an operator (=, ==, !=, in, notin, >, <) after key "${key}"`);
    }

    const values =
      operator === "in" || operator === "notin" ? this.#valueSet(operator) : this.#oneValue();
    const requirement = { key, operator, values: values.map((v) => v.text) };
    for (const v of values) {
      this.#validate({ key, operator, values: [v.text] }, v);
    }
    return operator === "in" || operator === "notin"
      ? { ...requirement, values: [...new Set(requirement.values)].sort() }
      : requirement;
  }

  /** The value of `=`, `==`, `!=`, `>`, `<`; empty when the requirement ends right there. */
  #oneValue(): Token[] {
    const tok = this.#peek();
    if (tok.kind === "end" || tok.kind === ",") return [{ kind: "word", text: "", pos: tok.pos }];
    this.#take();
    if (tok.kind !== "word") this.#fail(tok, "expected a value");
    return [tok];
  }

  /** The parenthesised list of `in` and `notin`; each empty slot is the empty value. */
  #valueSet(operator: LabelOperator): Token[] {
    const open = this.#take();
    if (open.kind !== "(") this.#fail(open, `expected '(' after '${operator}'`);

    const values: Token[] = [];
    let slot: Token | undefined;
    for (;;) {
      const tok = this.#take();
      if (tok.kind === "word") {
        if (slot) this.#fail(tok, "expected ',' or ')' between values");
        slot = tok;
        continue;
      }
      if (tok.kind === "," || tok.kind === ")") {
        values.push(slot ?? { kind: "word", text: "", pos: tok.pos });
        slot = undefined;
        if (tok.kind === ")") return values;
        continue;
      }
      this.#fail(tok, slot ? "expected ',' or ')'" : "expected a value, ',' or ')'");
    }
  }

  #validate(r: LabelRequirement, at: Token): void {
    const problem = this.#check(r);
    if (problem) this.#fail(at, problem, false);
  }

  #peek(): Token {
    // The token list always ends with "end", and #take never moves past it.
    return this.#tokens[this.#next] as Token;
  }

  #take(): Token {
    const tok = this.#peek();
    if (tok.kind !== "end") this.#next++;
    return tok;
  }

  #fail(at: Token, problem: string, showFound = true): never {
    const found = at.kind === "end" ? "the end of the selector" : `"${at.text}"`;
    const detail = showFound ? `${problem}, found ${found}` : problem;
    throw new SelectorParseError(
      `Cannot parse label selector ${shorten(this.#text)} at position ${at.pos}: ${detail}`,
      { selector: this.#text, position: at.pos },
    );
  }
}

/** The selector quoted for a message, cut short when it is long. */
function shorten(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text);
}
