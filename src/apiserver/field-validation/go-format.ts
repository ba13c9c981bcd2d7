/**
 * The few Go formatting rules that show in upstream's strict decoding messages: `strconv.Quote`
 * for paths and keys, `%v` of a float64, and `%+v` of a decoded JSON value (a patch map).
 */

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const NOT_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}\p{Zs}]/u;

const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  '"': '\\"',
  "\\": "\\\\",
};

/** A string quoted as Go's `strconv.Quote` (and `%q`, `%#v`) quote it. */
export function goQuote(text: string): string {
  if (/^[\x20\x23-\x5b\x5d-\x7e]*$/.test(text)) return `"${text}"`;

  let out = '"';
  for (const char of text) {
    const named = NAMED_ESCAPES[char];
    if (named !== undefined) out += named;
    else if (char === " " || !NOT_PRINTABLE.test(char)) out += char;
    else out += escapeRune(char.codePointAt(0) ?? 0);
  }
  return out + '"';
}

function escapeRune(code: number): string {
  if (code >= 0xd800 && code <= 0xdfff) return "\\ufffd";
  if (code < 0x80) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\U${code.toString(16).padStart(8, "0")}`;
}

/** A float64 as Go's `%v` prints it: shortest digits, exponent form below 1e-4 and from 1e6. */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "+Inf" : "-Inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";

  const [mantissa, exponentText] = n.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(n);
  const sign = exponent < 0 ? "-" : "+";
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

/**
 * A JSON number as upstream's decoders hold it when they keep integers (`PreserveInts`): an int64
 * for whole numbers in range, printed in full, otherwise a float64.
 */
export function goNumber(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : goFloat(n);
}

/**
 * A decoded JSON value as Go's `%+v` prints a `map[string]interface{}` tree: `map[a:1 b:[x y]]`,
 * with map keys sorted and strings unquoted.
 */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return goNumber(value);
    case "boolean":
      return String(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort(compareBytes);
      return `map[${keys.map((k) => `${k}:${goValue(record[k])}`).join(" ")}]`;
    }
    default:
      return String(value);
  }
}

/** Go orders map keys by their bytes; for UTF-16 strings, code point order is the same order. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}
