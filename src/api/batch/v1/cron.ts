/**
 * CronJob schedules: the standard five-field cron syntax (minute, hour, day of month, month, day of
 * week) with names, ranges, lists and steps; the `@hourly`-style descriptors and `@every
 * <duration>`; and an optional `CRON_TZ=<zone>` or `TZ=<zone>` prefix. Validation parses with it,
 * and the CronJob controller asks a parsed schedule for its next run time in a time zone.
 */
import { parseGoDuration } from "../../../util/duration.js";
import { nextWallClockRun, type CronFields } from "./cron-time.js";

/** A parsed schedule. */
export interface Schedule {
  /** The text it was parsed from. */
  readonly text: string;
  /** The zone named by a `CRON_TZ=` or `TZ=` prefix, if the text had one. */
  readonly timeZone: string | undefined;
  /**
   * The first run time strictly after `after`, or null when the schedule never matches again within
   * five years (such as `0 0 30 2 *`). Field schedules are read on the wall clock of the zone named
   * in the text, else `timeZone`, else the process's local zone (as upstream's controller uses its
   * own local zone). A wall-clock time that a daylight-saving change skips does not run; one that
   * it repeats runs at both occurrences, as upstream's schedules do.
   */
  next(after: Date, timeZone?: string): Date | null;
}

/** A schedule that cannot be parsed; `message` says why. */
export class CronSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CronSyntaxError";
  }
}

interface FieldRange {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const DAY_NAMES = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

const RANGES: readonly FieldRange[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES },
  { name: "day of week", min: 0, max: 6, names: DAY_NAMES },
];

const DESCRIPTORS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/**
 * Parses a schedule. Throws CronSyntaxError with a message naming the offending part, which
 * validation reports as the field's error.
 */
export function parseSchedule(text: string): Schedule {
  let spec = text.trim();
  if (spec === "") throw new CronSyntaxError("empty schedule");

  let zone: string | undefined;
  if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
    const space = spec.search(/\s/);
    if (space < 0) throw new CronSyntaxError(`missing schedule after time zone: ${text}`);
    zone = spec.slice(spec.indexOf("=") + 1, space);
    const problem = checkTimeZone(zone);
    if (problem) throw new CronSyntaxError(`bad time zone ${zone}: ${problem}`);
    spec = spec.slice(space).trim();
  }

  if (spec.startsWith("@every ")) return everySchedule(text, zone, spec.slice(7).trim());
  if (spec.startsWith("@")) {
    const expanded = DESCRIPTORS[spec];
    if (expanded === undefined) throw new CronSyntaxError(`unknown descriptor: ${spec}`);
    spec = expanded;
  }

  const parts = spec.split(/\s+/);
  if (parts.length !== 5) {
    throw new CronSyntaxError(`expected exactly 5 fields, found ${parts.length}: ${spec}`);
  }
  const fields = parts.map((part, i) => parseField(part, RANGES[i] as FieldRange));
  return fieldSchedule(text, zone, {
    minutes: fields[0]?.values as boolean[],
    hours: fields[1]?.values as boolean[],
    daysOfMonth: fields[2]?.values as boolean[],
    months: fields[3]?.values as boolean[],
    daysOfWeek: fields[4]?.values as boolean[],
    // Upstream ORs the two day fields only when both are restricted; a `*` in either means AND.
    dayFieldsAnded: (fields[2]?.star ?? true) || (fields[4]?.star ?? true),
  });
}

function fieldSchedule(text: string, zone: string | undefined, fields: CronFields): Schedule {
  return {
    text,
    timeZone: zone,
    next(after, timeZone) {
      const at = after.getTime();
      if (Number.isNaN(at))
        throw new RangeError("Cannot compute the next run after an invalid date");
      const ms = nextWallClockRun(fields, at, zone ?? timeZone ?? localTimeZone());
      return ms === null ? null : new Date(ms);
    },
  };
}

function everySchedule(text: string, zone: string | undefined, durationText: string): Schedule {
  const ms = parseGoDuration(durationText);
  if (ms === undefined) throw new CronSyntaxError(`invalid duration in @every: ${durationText}`);
  // Delays are whole seconds, at least one, as upstream's constant-delay schedule rounds them.
  const delay = Math.max(1000, ms - (ms % 1000));
  return {
    text,
    timeZone: zone,
    next(after) {
      const at = after.getTime();
      if (Number.isNaN(at))
        throw new RangeError("Cannot compute the next run after an invalid date");
      return new Date(at - (((at % 1000) + 1000) % 1000) + delay);
    },
  };
}

interface ParsedField {
  values: boolean[];
  /** True when the field is `*` or `?` without a step above 1. */
  star: boolean;
}

function parseField(text: string, range: FieldRange): ParsedField {
  const values = new Array<boolean>(range.max + 1).fill(false);
  let star = false;
  for (const part of text.split(",")) {
    const r = parseRange(part, range);
    for (let v = r.start; v <= r.end; v += r.step) values[v] = true;
    star ||= r.star;
  }
  return { values, star };
}

function parseRange(
  expr: string,
  range: FieldRange,
): { start: number; end: number; step: number; star: boolean } {
  const where = `${range.name} ${JSON.stringify(expr)}`;
  const rangeAndStep = expr.split("/");
  if (rangeAndStep.length > 2) throw new CronSyntaxError(`too many slashes in ${where}`);
  const bounds = (rangeAndStep[0] ?? "").split("-");
  if (bounds.length > 2) throw new CronSyntaxError(`too many hyphens in ${where}`);

  let start: number;
  let end: number;
  let star = false;
  const first = bounds[0] ?? "";
  if (first === "*" || first === "?") {
    if (bounds.length > 1)
      throw new CronSyntaxError(`a range cannot start with ${first} in ${where}`);
    start = range.min;
    end = range.max;
    star = true;
  } else {
    start = parseValue(first, range, where);
    end = bounds.length === 2 ? parseValue(bounds[1] ?? "", range, where) : start;
  }

  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseNumber(rangeAndStep[1] ?? "", where);
    if (step === 0) throw new CronSyntaxError(`step must be a positive number in ${where}`);
    // `N/step` means from N to the end of the field.
    if (bounds.length === 1 && !star) end = range.max;
    if (step > 1) star = false;
  }

  if (start < range.min) {
    throw new CronSyntaxError(`${start} is below the minimum ${range.min} in ${where}`);
  }
  if (end > range.max)
    throw new CronSyntaxError(`${end} is above the maximum ${range.max} in ${where}`);
  if (start > end) throw new CronSyntaxError(`range starts after it ends in ${where}`);
  return { start, end, step, star };
}

function parseValue(text: string, range: FieldRange, where: string): number {
  const named = range.names?.[text.toLowerCase()];
  return named ?? parseNumber(text, where);
}

function parseNumber(text: string, where: string): number {
  if (!/^[0-9]+$/.test(text))
    throw new CronSyntaxError(`${JSON.stringify(text)} is not a number in ${where}`);
  return Number(text);
}

/**
 * What is wrong with `name` as an IANA time zone name, or undefined when it names one. Names are
 * case-sensitive, as the zone files they stand for are; `Local` is refused since it depends on the
 * machine.
 */
export function checkTimeZone(name: string): string | undefined {
  if (name === "") return "must not be empty";
  if (name.toLowerCase() === "local") return "must be an explicit IANA time zone, not Local";
  // IANA's naming rules, plus the digits and '+' of legacy names such as Etc/GMT+5.
  const badPart = name
    .split("/")
    .some(
      (part) =>
        part === "." ||
        part === ".." ||
        part.startsWith("-") ||
        !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part),
    );
  if (badPart) return `unknown time zone ${name}`;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return `unknown time zone ${name}`;
  }
  // Intl ignores case; a name that differs from its canonical spelling only in case names no file.
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) {
    return `unknown time zone ${name}`;
  }
  return undefined;
}

let cachedLocalZone: string | undefined;

function localTimeZone(): string {
  cachedLocalZone ??= new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return cachedLocalZone;
}
