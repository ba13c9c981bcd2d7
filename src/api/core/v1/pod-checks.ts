/** Small checks that pod validation uses in many places: numbers, paths, IPs, names and modes. */
import { isIP } from "node:net";
import type { FieldError } from "../../errors.js";
import {
  check,
  checkDNS1123Label,
  invalid,
  notSupported,
  required,
  type Path,
} from "../../validation.js";

/** The largest value of an int32 field. */
export const MAX_INT32 = 2 ** 31 - 1;

/** Whether a JSON value was given at all (absent and null both mean unset). */
export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/**
 * Whether a JSON value is unset or empty, as Go's zero values are for strings, lists, maps and
 * structs.
 */
export function isEmptyValue(v: unknown): boolean {
  if (!isSet(v) || v === "" || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === "object" && Object.keys(v as object).length === 0;
}

/** The elements of a JSON list, or none when the value is not a list. */
export function items<T>(list: readonly T[] | null | undefined): readonly T[] {
  return Array.isArray(list) ? list : [];
}

/** Errors unless `value` is an integer of at least 0 (an unset value counts as 0). */
export function nonNegative(value: unknown, path: Path): FieldError[] {
  if (!isSet(value)) return [];
  if (typeof value !== "number" || !Number.isInteger(value))
    return [invalid(path, value, "must be an integer")];
  return value < 0 ? [invalid(path, value, "must be greater than or equal to 0")] : [];
}

/** Errors unless `value` is an integer from `min` to `max`, inclusive. */
export function inRange(value: unknown, min: number, max: number, path: Path): FieldError[] {
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max)
    return [];
  return [invalid(path, value ?? null, `must be between ${min} and ${max}, inclusive`)];
}

/** Errors unless a required string is a non-empty string. */
export function requiredString(value: unknown, path: Path): FieldError[] {
  if (typeof value === "string" && value.length > 0) return [];
  return isSet(value) && typeof value !== "string"
    ? [invalid(path, value, "must be a string")]
    : [required(path)];
}

/**
 * Errors when `value` is set but not one of `allowed`; `required` also refuses an unset or empty
 * value.
 */
export function oneOf(
  value: unknown,
  allowed: readonly string[],
  path: Path,
  opts: { required?: boolean } = {},
): FieldError[] {
  if (!isSet(value) || value === "") return opts.required ? [required(path)] : [];
  return typeof value === "string" && allowed.includes(value)
    ? []
    : [notSupported(path, value, allowed)];
}

/** Errors unless `value` is an IPv4 or IPv6 address. */
export function validIP(value: unknown, path: Path): FieldError[] {
  if (typeof value === "string" && isIP(value) !== 0) return [];
  return [
    invalid(path, value ?? "", "must be a valid IP address, such as 10.9.8.7 or 2001:db8::ffff"),
  ];
}

/** Errors when a path has a `..` element, which could escape the volume. */
export function noBacksteps(value: string, path: Path): FieldError[] {
  return value.split(/[\\/]/).includes("..") ? [invalid(path, value, "must not contain '..'")] : [];
}

/** Errors unless a path is relative and has no `..` element. */
export function relativeDescendingPath(value: string, path: Path): FieldError[] {
  const errors: FieldError[] = [];
  if (value.startsWith("/")) errors.push(invalid(path, value, "must be a relative path"));
  errors.push(...noBacksteps(value, path));
  return errors;
}

/**
 * Like relativeDescendingPath, and the path may not start with `..` (names such as `..data` are
 * reserved).
 */
export function localNonReservedPath(value: string, path: Path): FieldError[] {
  const errors = relativeDescendingPath(value, path);
  if (value.startsWith("..") && !value.startsWith("../"))
    errors.push(invalid(path, value, "must not start with '..'"));
  return errors;
}

/** Errors unless a file mode is from 0 to 0777. */
export function fileMode(value: unknown, path: Path): FieldError[] {
  if (!isSet(value)) return [];
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0o777)
    return [];
  return [invalid(path, value, "must be a number from 0 to 0777 (octal), inclusive")];
}

/** Errors unless a string is a DNS-1123 label (for names that are set). */
export function dnsLabel(value: unknown, path: Path): FieldError[] {
  if (typeof value !== "string") return [invalid(path, value ?? null, "must be a string")];
  return check(path, value, checkDNS1123Label);
}

/**
 * Problems with an environment variable name: any printable ASCII character but `=` (upstream
 * relaxed its former C-identifier rule).
 */
export function checkRelaxedEnvVarName(name: string): string[] {
  return /^[\x20-\x3c\x3e-\x7e]+$/.test(name)
    ? []
    : ["must consist only of printable ASCII characters other than '='"];
}

/** Problems with a user or group ID: an integer from 0 to 2147483647. */
export function checkID(value: unknown): string[] {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_INT32
    ? []
    : [`must be between 0 and ${MAX_INT32}, inclusive`];
}

const HTTP_TOKEN = /^[-A-Za-z0-9!#$%&'*+.^_`|~]+$/;

/** Problems with an HTTP header name (an RFC 7230 token). */
export function checkHTTPHeaderName(name: string): string[] {
  return HTTP_TOKEN.test(name)
    ? []
    : ["must be a valid HTTP header name: letters, digits and !#$%&'*+-.^_`|~ (an RFC 7230 token)"];
}
