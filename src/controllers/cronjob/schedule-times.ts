/**
 * The times a CronJob's schedule names, as the controller needs them: the most recent unmet run
 * in a window, when to look again, the name a run's Job gets, and timestamps written in a zone.
 */
import type { Schedule } from "../../api/batch/v1/cron.js";
import { toNaive } from "../../api/batch/v1/cron-time.js";

/** Missed runs past which a CronJob gets the TooManyMissedTimes warning. */
export const MAX_MISSED_RUNS = 100;

/** How long after a run's time the controller looks again, so that the run is due by then. */
export const NEXT_SCHEDULE_DELTA_MS = 100;

/** A schedule read in one zone. */
export interface ZonedSchedule {
  schedule: Schedule;
  /** The zone given to the schedule when its text names none; undefined: the process's zone. */
  timeZone: string | undefined;
}

function nextAfter(s: ZonedSchedule, at: number): number | undefined {
  return s.schedule.next(new Date(at), s.timeZone)?.getTime();
}

/** The most recent run time in (earliest, now], and about how many runs that window holds. */
export interface MostRecentRun {
  /** Milliseconds since the epoch, or undefined when no run fell in the window. */
  time: number | undefined;
  /** Runs in the window; estimated from the first two once there are many. */
  missed: number;
}

/**
 * Finds the latest run in (earliest, now] without walking every run of a long outage: after the
 * first two, it looks back from `now` in windows that double until one holds a run.
 */
export function mostRecentRun(s: ZonedSchedule, earliest: number, now: number): MostRecentRun {
  const t1 = nextAfter(s, earliest);
  if (t1 === undefined || t1 > now) return { time: undefined, missed: 0 };
  const t2 = nextAfter(s, t1);
  if (t2 === undefined || t2 > now) return { time: t1, missed: 1 };
  const interval = Math.max(t2 - t1, 1000);
  const missed = Math.floor((now - t1) / interval) + 1;
  for (let span = 2 * interval; ; span *= 2) {
    const from = now - span;
    let latest = from <= t1 ? t1 : undefined;
    for (let t = nextAfter(s, Math.max(from, t1)); t !== undefined && t <= now;) {
      latest = t;
      t = nextAfter(s, t);
    }
    if (latest !== undefined) return { time: latest, missed };
  }
}

/**
 * Milliseconds until the controller should look at a CronJob again: just after the first run
 * following the most recent one (or following `earliest` when none is due), or undefined when the
 * schedule never runs again.
 */
export function nextRunDelay(s: ZonedSchedule, earliest: number, now: number): number | undefined {
  const recent = mostRecentRun(s, earliest, now).time ?? earliest;
  const next = nextAfter(s, recent);
  if (next === undefined) return undefined;
  return Math.max(next + NEXT_SCHEDULE_DELTA_MS - now, 0);
}

/** The name of the Job for the run at `scheduled`: the CronJob's name and the run's minute. */
export function jobNameFor(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(scheduled / 60_000)}`;
}

/** An instant as RFC 3339 with the zone's offset at that instant (`Z` when it is zero). */
export function formatInZone(at: number, zone: string): string {
  const seconds = Math.floor(at / 1000) * 1000;
  const offsetMin = Math.round((toNaive(seconds, zone) - seconds) / 60_000);
  const wall = new Date(seconds + offsetMin * 60_000).toISOString().slice(0, 19);
  if (offsetMin === 0) return `${wall}Z`;
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${wall}${sign}${hh}:${mm}`;
}

/** An instant as Go's RFC 1123 with a numeric zone, in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`. */
export function formatRfc1123z(at: number): string {
  return new Date(at).toUTCString().replace("GMT", "+0000");
}
