/**
 * EventCorrelator: decides what becomes of each event a component records, as upstream's correlator
 * does. An exact repeat (same object, reason and message) becomes a patch of the stored event's count
 * and lastTimestamp. When one object gets many events of the same reason with different messages
 * within ten minutes, further ones are folded into a single "(combined from similar events)" event.
 * A per-object token bucket drops floods (25 at once, then one per five minutes).
 */
import type { Event, EventObjectReference } from "../api/core/v1/event.js";
import { realClock, type Clock } from "./clock.js";

/** Options of a correlator; the defaults are upstream's. */
export interface CorrelatorOptions {
  clock?: Clock;
  /** Events per object let through at once by the spam filter; 25. */
  spamBurst?: number;
  /** Events per second per object after the burst; one per 300 s. */
  spamQps?: number;
  /** Distinct messages of one reason for one object before they are combined; 10. */
  maxSimilarEvents?: number;
  /** How long similar events are counted together; 600 s. */
  similarIntervalSeconds?: number;
  /** How many distinct events are remembered for counting repeats; 4096. */
  cacheSize?: number;
}

/** The fields a repeat patches on the stored event. */
export interface EventRepeatPatch {
  count: number;
  lastTimestamp: string;
  message: string;
}

/** What to do with one event. */
export type Correlation =
  { skip: true } | { skip: false; key: string; event: Event; patch?: EventRepeatPatch };

/** The prefix of a message that stands for several similar events. */
export const COMBINED_PREFIX = "(combined from similar events): ";

interface Observed {
  count: number;
  firstTimestamp: string;
  name: string;
  resourceVersion?: string;
}

interface Similar {
  messages: Set<string>;
  last: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

/** Deduplicates, aggregates and rate-limits events before they are written. */
export class EventCorrelator {
  readonly #clock: Clock;
  readonly #burst: number;
  readonly #qps: number;
  readonly #maxSimilar: number;
  readonly #intervalMs: number;
  readonly #cacheSize: number;
  readonly #observed = new Map<string, Observed>();
  readonly #similar = new Map<string, Similar>();
  readonly #buckets = new Map<string, Bucket>();

  constructor(opts: CorrelatorOptions = {}) {
    this.#clock = opts.clock ?? realClock;
    this.#burst = opts.spamBurst ?? 25;
    this.#qps = opts.spamQps ?? 1 / 300;
    this.#maxSimilar = opts.maxSimilarEvents ?? 10;
    this.#intervalMs = (opts.similarIntervalSeconds ?? 600) * 1000;
    this.#cacheSize = opts.cacheSize ?? 4096;
  }

  /** Decides what to write for a new event (a fresh object with count 1 and both timestamps now). */
  correlate(event: Event): Correlation {
    const now = this.#clock.now();
    const { event: aggregated, key } = this.#aggregate(event, now);
    const observed = this.#observe(aggregated, key);
    if (!this.#allow(spamKey(observed.event), now)) return { skip: true };
    return { skip: false, key, ...observed };
  }

  /** Records what the server stored for `key`, so that the next repeat patches that object. */
  update(key: string, stored: Event): void {
    this.#remember(key, {
      count: stored.count ?? 1,
      firstTimestamp: stored.firstTimestamp ?? "",
      name: stored.metadata.name ?? "",
      ...(stored.metadata.resourceVersion
        ? { resourceVersion: stored.metadata.resourceVersion }
        : {}),
    });
  }

  /** Forgets `key` (its stored event is gone), so that the next repeat creates a new event. */
  forget(key: string): void {
    this.#observed.delete(key);
  }

  #aggregate(event: Event, now: number): { event: Event; key: string } {
    const similarKey = aggregateKey(event);
    let similar = this.#similar.get(similarKey);
    if (!similar || now - similar.last > this.#intervalMs) {
      similar = { messages: new Set(), last: now };
      this.#similar.delete(similarKey);
      this.#similar.set(similarKey, similar);
      this.#trim(this.#similar);
    }
    similar.last = now;
    similar.messages.add(event.message ?? "");
    if (similar.messages.size < this.#maxSimilar) return { event, key: eventKey(event) };

    // Keep the set at the threshold: from here on every similar event is combined.
    const first = similar.messages.values().next().value;
    if (first !== undefined) similar.messages.delete(first);
    const combined: Event = {
      ...event,
      metadata: { ...event.metadata },
      message: COMBINED_PREFIX + (event.message ?? ""),
    };
    return { event: combined, key: similarKey };
  }

  #observe(event: Event, key: string): { event: Event; patch?: EventRepeatPatch } {
    const last = this.#observed.get(key);
    if (!last) {
      this.#remember(key, {
        count: event.count ?? 1,
        firstTimestamp: event.firstTimestamp ?? "",
        name: event.metadata.name ?? "",
      });
      return { event };
    }
    const repeat: Event = {
      ...event,
      metadata: {
        ...event.metadata,
        name: last.name,
        ...(last.resourceVersion ? { resourceVersion: last.resourceVersion } : {}),
      },
      count: last.count + 1,
      firstTimestamp: last.firstTimestamp,
    };
    this.#remember(key, { ...last, count: last.count + 1 });
    const patch = {
      count: last.count + 1,
      lastTimestamp: repeat.lastTimestamp ?? "",
      message: repeat.message ?? "",
    };
    return { event: repeat, patch };
  }

  #allow(key: string, now: number): boolean {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.#burst, last: now };
      this.#buckets.set(key, bucket);
      this.#trim(this.#buckets);
    }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.last) / 1000) * this.#qps);
    bucket.last = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  #remember(key: string, value: Observed): void {
    this.#observed.delete(key);
    this.#observed.set(key, value);
    this.#trim(this.#observed);
  }

  /** Drops the least recently set entries past the cache size (maps keep insertion order). */
  #trim(map: Map<string, unknown>): void {
    while (map.size > this.#cacheSize) map.delete(map.keys().next().value!);
  }
}

function refKey(ref: EventObjectReference): string[] {
  return [ref.kind ?? "", ref.namespace ?? "", ref.name ?? "", ref.uid ?? "", ref.apiVersion ?? ""];
}

/** The flood-control key: the source and the object, per event type. */
function spamKey(e: Event): string {
  return [
    e.source?.component ?? "",
    e.source?.host ?? "",
    ...refKey(e.involvedObject),
    e.type ?? "",
  ].join("\u0000");
}

/** The key of similar events: everything but the message. */
function aggregateKey(e: Event): string {
  return [
    e.source?.component ?? "",
    e.source?.host ?? "",
    ...refKey(e.involvedObject),
    e.type ?? "",
    e.reason ?? "",
    e.reportingComponent ?? "",
    e.reportingInstance ?? "",
  ].join("\u0000");
}

/** The key of identical events: the object (with field path), type, reason and message. */
function eventKey(e: Event): string {
  return [
    e.source?.component ?? "",
    e.source?.host ?? "",
    ...refKey(e.involvedObject),
    e.involvedObject.fieldPath ?? "",
    e.type ?? "",
    e.reason ?? "",
    e.message ?? "",
  ].join("\u0000");
}
