/**
 * resource.Quantity: fixed-point amounts such as `100m`, `1.5Gi` or `1e3`, as the API writes CPU,
 * memory and storage. Values are kept exactly, in nano units (every quantity is rounded up to 1n
 * precision, as upstream does), so comparison and arithmetic never lose precision.
 *
 * The text form follows upstream: a quantity keeps the text it was written in when that text is
 * already canonical, and is otherwise written in its canonical form (`1000m` becomes `1`, `0.5Gi`
 * becomes `512Mi`).
 */

/**
 * How a quantity is written: decimal SI suffixes, binary (power of 1024) suffixes, or `e`
 * exponents.
 */
export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

/** A parsed quantity: its exact value in nano units, and the format it is written back in. */
export interface Quantity {
  readonly nanos: bigint;
  readonly format: QuantityFormat;
  /**
   * The text it was parsed from, when that text is already canonical (upstream keeps it verbatim).
   */
  readonly text?: string;
}

/** A string that is not a quantity. */
export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QuantityError";
  }
}

const FORMAT_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX_MESSAGE = "unable to parse quantity's suffix";
const NANO = 1_000_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;
// Decimal exponents beyond this would build absurdly large numbers; nobody writes them on purpose.
const MAX_DECIMAL_EXPONENT = 1000;

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Readonly<Record<string, number>> = {
  Ki: 10,
  Mi: 20,
  Gi: 30,
  Ti: 40,
  Pi: 50,
  Ei: 60,
};
const DECIMAL_SUFFIX_BY_EXPONENT = new Map(
  Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]),
);
const BINARY_SUFFIX_BY_POWER = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

interface Parts {
  negative: boolean;
  whole: string;
  fraction: string;
  suffix: string;
}

/** Splits the text the way upstream's parser does, including its leniencies (`.5`, `5.`, `1.G`). */
function split(text: string): Parts {
  const m = /^([+-]?)0*([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(text);
  if (!m) throw new QuantityError(FORMAT_MESSAGE);
  return { negative: m[1] === "-", whole: m[2] || "0", fraction: m[3] ?? "", suffix: m[4] ?? "" };
}

function interpretSuffix(suffix: string): {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
} {
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: "DecimalSI" };
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined) return { base: 2, exponent: binary, format: "BinarySI" };
  if (
    suffix.length > 1 &&
    (suffix[0] === "e" || suffix[0] === "E") &&
    /^[-+]?[0-9]+$/.test(suffix.slice(1))
  ) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: "DecimalExponent" };
  }
  throw new QuantityError(SUFFIX_MESSAGE);
}

/** `n / d` rounded away from zero, for non-negative `n` and positive `d`. */
function divideUp(n: bigint, d: bigint): bigint {
  return (n + d - 1n) / d;
}

/**
 * Parses a quantity written as text; throws QuantityError with upstream's message when it is not
 * one.
 */
export function parseQuantity(text: string): Quantity {
  if (text.length === 0) throw new QuantityError(FORMAT_MESSAGE);
  if (text === "0") return { nanos: 0n, format: "DecimalSI", text };

  const { negative, whole, fraction, suffix } = split(text);
  const { base, exponent, format: parsedFormat } = interpretSuffix(suffix);
  const digits = BigInt(whole + fraction);
  let magnitude: bigint;
  if (base === 10) {
    const scale = exponent - fraction.length + 9;
    if (scale > MAX_DECIMAL_EXPONENT) throw new QuantityError("quantity is too large");
    if (scale >= 0) magnitude = digits * 10n ** BigInt(scale);
    else if (scale < -MAX_DECIMAL_EXPONENT) magnitude = digits === 0n ? 0n : 1n;
    else magnitude = divideUp(digits, 10n ** BigInt(-scale));
  } else {
    const scaled = digits * (1n << BigInt(exponent));
    const shift = 9 - fraction.length;
    magnitude =
      shift >= 0 ? scaled * 10n ** BigInt(shift) : divideUp(scaled, 10n ** BigInt(-shift));
    if (magnitude > MAX_INT64 * NANO) magnitude = MAX_INT64 * NANO;
  }

  // A binary amount below one cannot be written with a binary suffix.
  const format =
    parsedFormat === "BinarySI" && magnitude > 0n && magnitude < NANO ? "DecimalSI" : parsedFormat;
  const nanos = negative ? -magnitude : magnitude;
  const keep = keepsText({ whole, fraction, base, exponent, digits });
  return keep ? { nanos, format, text } : { nanos, format };
}

/**
 * Whether upstream would keep the written text as the canonical form (its fast path's conditions).
 */
function keepsText(p: {
  whole: string;
  fraction: string;
  base: 2 | 10;
  exponent: number;
  digits: bigint;
}): boolean {
  const shifted = p.whole + p.fraction;
  if (p.digits > MAX_INT64) return false;
  if (p.base === 2) {
    if (p.fraction.length > 0) return false;
    const precision = 15 - p.whole.length - Math.trunc((p.exponent * 3) / 10) - 1;
    if (precision < 0 || p.digits << BigInt(p.exponent) > MAX_INT64) return false;
    return (p.digits & 7n) !== 0n;
  }
  const scale = p.exponent - p.fraction.length;
  if (shifted.length > 18 || scale < -9) return false;
  return scale % 3 === 0 && !shifted.endsWith("000") && shifted[0] !== "0";
}

const MAX_MEMOIZED = 4096;
const parsed = new Map<string, Quantity>();

/**
 * Parses a quantity as it appears in JSON: a string, or a number (which upstream also accepts).
 * Throws QuantityError for anything else.
 */
export function toQuantity(value: unknown): Quantity {
  if (typeof value === "string") {
    // Quantities are immutable and manifests repeat a handful of values: parse each text once.
    let q = parsed.get(value);
    if (!q) {
      q = parseQuantity(value);
      if (parsed.size >= MAX_MEMOIZED) parsed.clear();
      parsed.set(value, q);
    }
    return q;
  }
  if (typeof value === "number" && Number.isFinite(value)) return parseQuantity(String(value));
  throw new QuantityError(`${FORMAT_MESSAGE}, got ${JSON.stringify(value) ?? String(value)}`);
}

/** Parses a quantity, or returns undefined when the value is not one. */
export function tryQuantity(value: unknown): Quantity | undefined {
  // Absent values are common (unset requests); building an Error for each would dominate the cost.
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  try {
    return toQuantity(value);
  } catch (err) {
    if (err instanceof QuantityError) return undefined;
    throw err;
  }
}

/** The canonical text of a quantity, as upstream writes it in JSON. */
export function formatQuantity(q: Quantity): string {
  if (q.text !== undefined) return q.text;
  if (q.nanos === 0n) return "0";
  const sign = q.nanos < 0n ? "-" : "";
  const magnitude = q.nanos < 0n ? -q.nanos : q.nanos;

  if (q.format === "BinarySI" && magnitude >= 1024n * NANO && magnitude % NANO === 0n) {
    let amount = magnitude / NANO;
    let power = 0;
    while (power < BINARY_SUFFIX_BY_POWER.length - 1 && amount % 1024n === 0n) {
      amount /= 1024n;
      power++;
    }
    return `${sign}${amount}${BINARY_SUFFIX_BY_POWER[power]}`;
  }

  let mantissa = magnitude;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (q.format === "DecimalExponent")
    return `${sign}${mantissa}${exponent === 0 ? "" : `e${exponent}`}`;
  if (exponent > 18) {
    mantissa *= 10n ** BigInt(exponent - 18);
    exponent = 18;
  }
  return `${sign}${mantissa}${DECIMAL_SUFFIX_BY_EXPONENT.get(exponent) ?? ""}`;
}

/**
 * The canonical text of a quantity given as JSON (string or number); throws QuantityError if
 * invalid.
 */
export function canonicalQuantity(value: unknown): string {
  return formatQuantity(toQuantity(value));
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** The sum of two quantities, in the format of the first. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.format };
}

/**
 * The quantity rounded away from zero to a multiple of 10^`exponent` (-3 for milli), as upstream
 * rounds resource lists. The written text is kept when nothing was rounded.
 */
export function roundUpQuantity(q: Quantity, exponent: number): Quantity {
  const step = 10n ** BigInt(exponent + 9);
  if (step <= 1n || q.nanos % step === 0n) return q;
  const magnitude = q.nanos < 0n ? -q.nanos : q.nanos;
  const rounded = divideUp(magnitude, step) * step;
  return { nanos: q.nanos < 0n ? -rounded : rounded, format: q.format };
}

/** The value in thousandths, rounded away from zero (upstream's MilliValue). */
export function milliValue(q: Quantity): bigint {
  const magnitude = q.nanos < 0n ? -q.nanos : q.nanos;
  const milli = divideUp(magnitude, 1_000_000n);
  return q.nanos < 0n ? -milli : milli;
}

/** The value in whole units, rounded away from zero (upstream's Value). */
export function wholeValue(q: Quantity): bigint {
  const magnitude = q.nanos < 0n ? -q.nanos : q.nanos;
  const whole = divideUp(magnitude, NANO);
  return q.nanos < 0n ? -whole : whole;
}
