/**
 * metav1.Time and MicroTime travel in protobuf as seconds and nanoseconds since the Unix epoch, and
 * in JSON as RFC 3339 text: to the second for Time, with exactly six fractional digits for
 * MicroTime, always in UTC, as upstream's JSON marshalling writes them.
 */

/** Seconds of Go's zero time (0001-01-01T00:00:00Z), which upstream's JSON shows as null. */
export const ZERO_TIME_SECONDS = -62135596800;

// Go refuses to write times outside years 0 to 9999 as JSON.
const MIN_SECONDS = -62167219200;
const MAX_SECONDS = 253402300799;

/**
 * The JSON text of a timestamp, or undefined for Go's zero time. Throws a RangeError, naming the
 * problem, for values no JSON timestamp can hold.
 */
export function formatTimestamp(
  seconds: number,
  nanos: number,
  micro: boolean,
): string | undefined {
  if (seconds === ZERO_TIME_SECONDS && nanos === 0) return undefined;
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS || !Number.isInteger(seconds)) {
    throw new RangeError(`timestamp seconds ${seconds} are outside years 0 to 9999`);
  }
  if (nanos < 0 || nanos > 999_999_999) {
    throw new RangeError(`timestamp nanos ${nanos} are outside 0 to 999999999`);
  }

  const text = new Date(seconds * 1000).toISOString();
  const whole = text.slice(0, 19);
  if (!micro) return `${whole}Z`;
  return `${whole}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z`;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/** Seconds and nanoseconds of an RFC 3339 timestamp, or undefined when the text is not one. */
export function parseTimestamp(text: string): { seconds: number; nanos: number } | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const millis = Date.parse(`${match[1]!}${match[3]!}`);
  if (Number.isNaN(millis)) return undefined;
  const fraction = match[2] ?? "";
  return { seconds: millis / 1000, nanos: Number(fraction.padEnd(9, "0")) };
}
