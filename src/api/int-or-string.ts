/**
 * IntOrString values that count pods: a whole number (`3`) or a percentage (`"25%"`). Workload
 * strategies (maxSurge, maxUnavailable) and disruption budgets use them; validation checks their
 * form and controllers scale percentages against a total.
 */
import type { FieldError } from "./errors.js";
import { invalid, type Path } from "./validation.js";

/** An IntOrString as it appears in JSON: a number, or a string such as `25%`. */
export type IntOrString = number | string;

const PERCENT = /^[0-9]+%$/;

/** Problems with `text` as a percentage (`0%`, `25%`, `150%`); empty when it is one. */
export function checkPercent(text: string): string[] {
  return PERCENT.test(text)
    ? []
    : ["must be a whole number followed by '%', such as '1%' or '93%' (regex '[0-9]+%')"];
}

/** The number of a valid percentage string (`"25%"` → 25), or undefined when it is not one. */
export function percentValue(value: unknown): number | undefined {
  if (typeof value !== "string" || !PERCENT.test(value)) return undefined;
  return Number(value.slice(0, -1));
}

/**
 * The number an IntOrString stands for before scaling: the integer itself, or a percentage's
 * number. Other strings count as their integer value when they are one, else 0, as upstream's
 * IntValue does; that is what the "both zero" checks of rolling updates compare.
 */
export function intOrPercentValue(value: unknown): number {
  const percent = percentValue(value);
  if (percent !== undefined) return percent;
  if (typeof value === "number") return Number.isInteger(value) ? value : 0;
  if (typeof value === "string" && /^[+-]?[0-9]+$/.test(value)) return Number(value);
  return 0;
}

/**
 * Checks an IntOrString that counts pods: a non-negative integer or a valid percentage. Absent
 * values are valid (the caller decides whether the field is required).
 */
export function validateNonNegativeIntOrPercent(value: unknown, path: Path): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return checkPercent(value).map((p) => invalid(path, value, p));
  if (typeof value === "number" && Number.isInteger(value)) {
    return value < 0 ? [invalid(path, value, "must be greater than or equal to 0")] : [];
  }
  return [invalid(path, value, "must be an integer or percentage (e.g '5%')")];
}

/** Checks that a percentage, if `value` is one, is at most 100%. */
export function validateNotMoreThan100Percent(value: unknown, path: Path): FieldError[] {
  const percent = percentValue(value);
  return percent !== undefined && percent > 100
    ? [invalid(path, value, "must not be greater than 100%")]
    : [];
}

/**
 * Scales an IntOrString against `total`: integers are returned as they are, percentages become that
 * share of `total`, rounded up or down. A string that is neither an integer nor a percentage
 * throws, since validation should have refused it.
 */
export function scaledValue(value: IntOrString, total: number, roundUp: boolean): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value))
      throw new Error(`Cannot scale IntOrString ${value}: not an integer`);
    return value;
  }
  const isPercent = value.endsWith("%");
  const digits = isPercent ? value.slice(0, -1) : value;
  if (!/^[+-]?[0-9]+$/.test(digits)) {
    throw new Error(
      `Cannot scale IntOrString ${JSON.stringify(value)}: not an integer or percentage`,
    );
  }
  const n = Number(digits);
  if (!isPercent) return n;
  const share = (n * total) / 100;
  return roundUp ? Math.ceil(share) : Math.floor(share);
}

/** An IntOrString as kubectl prints it: the number, or the string unchanged. */
export function formatIntOrString(value: IntOrString): string {
  return String(value);
}
