/**
 * Wall-clock arithmetic for cron schedules: finding the next minute whose local time in an IANA
 * zone matches a schedule's fields, across daylight-saving changes. A wall-clock time is handled as
 * a "naive" millisecond count (the UTC instant with the same calendar fields), so calendar stepping
 * is plain Date.UTC arithmetic and only the final match is mapped back to real instants.
 */

/** The expanded fields of a five-field schedule; each array is indexed by the field's value. */
export interface CronFields {
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  readonly daysOfMonth: readonly boolean[];
  readonly months: readonly boolean[];
  readonly daysOfWeek: readonly boolean[];
  /** True when a day must match both day fields; false when either suffices. */
  readonly dayFieldsAnded: boolean;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far ahead to look before deciding a schedule never runs again. */
const SEARCH_SPAN = 5 * 366 * DAY;

/**
 * The first instant (ms since the epoch) strictly after `after` whose wall-clock time in `zone`
 * matches `fields`, or null if none does within five years. Real time is walked in spans of
 * constant UTC offset, so a wall-clock time skipped by a daylight-saving change never matches and
 * one repeated by it matches at both occurrences, as upstream's schedules behave.
 */
export function nextWallClockRun(fields: CronFields, after: number, zone: string): number | null {
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  const limit = t + SEARCH_SPAN;

  while (t <= limit) {
    const offset = offsetAt(t, zone);
    const naive = nextNaiveMatch(fields, truncateToMinute(t + offset), limit + offset);
    const candidate = naive === null ? limit : naive - offset;

    // The match holds only if the offset stays the same up to it; otherwise resume where it
    // changes.
    const change = firstOffsetChange(t, candidate, offset, zone);
    if (change === undefined) return naive === null ? null : candidate;
    t = change;
  }
  return null;
}

/** The first naive minute at or after `naive` (and not after `limit`) that matches, or null. */
function nextNaiveMatch(fields: CronFields, naive: number, limit: number): number | null {
  while (naive <= limit) {
    const d = new Date(naive);
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth();
    const day = d.getUTCDate();
    const hour = d.getUTCHours();

    if (!fields.months[month + 1]) {
      naive = Date.UTC(year, month + 1, 1);
      continue;
    }
    if (!dayMatches(fields, day, d.getUTCDay())) {
      naive = Date.UTC(year, month, day + 1);
      continue;
    }
    if (!fields.hours[hour]) {
      naive = Date.UTC(year, month, day, hour + 1);
      continue;
    }
    if (!fields.minutes[d.getUTCMinutes()]) {
      naive += MINUTE;
      continue;
    }
    return naive;
  }
  return null;
}

function dayMatches(fields: CronFields, dayOfMonth: number, dayOfWeek: number): boolean {
  const dom = fields.daysOfMonth[dayOfMonth] === true;
  const dow = fields.daysOfWeek[dayOfWeek] === true;
  return fields.dayFieldsAnded ? dom && dow : dom || dow;
}

/**
 * The first minute in (from, to] at which the zone's offset is no longer `offset`, or undefined if
 * it holds throughout. Offsets are sampled daily, then the change is narrowed to the minute; zones
 * change offset at most once a day, so daily samples do not miss a change.
 */
function firstOffsetChange(
  from: number,
  to: number,
  offset: number,
  zone: string,
): number | undefined {
  if (zone === "UTC" || zone === "Etc/UTC") return undefined;
  let lo = from;
  for (;;) {
    const hi = Math.min(lo + DAY, to);
    if (offsetAt(hi, zone) !== offset) return narrowChange(lo, hi, offset, zone);
    if (hi >= to) return undefined;
    lo = hi;
  }
}

function narrowChange(lo: number, hi: number, offset: number, zone: string): number {
  // Invariant: the offset at lo is `offset` and at hi it is not.
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (offsetAt(mid, zone) === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The instants whose wall-clock time in `zone` is `naive`, earliest first: none, one or two. */
export function instantsOf(naive: number, zone: string): number[] {
  const offsets = new Set([
    offsetAt(naive - DAY, zone),
    offsetAt(naive, zone),
    offsetAt(naive + DAY, zone),
  ]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const t = naive - offset;
    if (toNaive(t, zone) === naive) found.add(t);
  }
  return [...found].sort((a, b) => a - b);
}

/** The zone's offset from UTC at instant `t`, in ms (wall clock minus UTC). */
function offsetAt(t: number, zone: string): number {
  return toNaive(t, zone) - t;
}

function truncateToMinute(naive: number): number {
  return Math.floor(naive / MINUTE) * MINUTE;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock time of instant `t` in `zone`, as a naive millisecond count (whole seconds). */
export function toNaive(t: number, zone: string): number {
  if (zone === "UTC" || zone === "Etc/UTC") return Math.floor(t / 1000) * 1000;
  const parts: Record<string, string> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(t))) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === "BC") year = 1 - year;
  // Date.UTC maps years 0..99 to 1900..1999; set the year afterwards to keep it as written.
  const d = new Date(
    Date.UTC(
      2000,
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    ),
  );
  d.setUTCFullYear(year);
  return d.getTime();
}
