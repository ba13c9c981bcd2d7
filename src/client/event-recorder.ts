/**
 * EventRecorder: writes core/v1 Events about objects, the ones `kubectl describe` lists. Recording
 * never blocks nor throws: events are queued and written one at a time in the background, through the
 * correlator, so that repeats patch one stored event's count instead of piling up new ones.
 */
import type { Event, EventObjectReference } from "../api/core/v1/event.js";
import type { KubeObject } from "../api/meta/types.js";
import { isAlreadyExists, isNotFound } from "./api-error.js";
import { realClock, sleep, type Clock } from "./clock.js";
import type { KubeClient } from "./client.js";
import { EventCorrelator, type CorrelatorOptions } from "./event-correlator.js";
import { resources } from "./resource.js";

/** The two event types Kubernetes uses. */
export type EventType = "Normal" | "Warning";

/** Options of a recorder. */
export interface EventRecorderOptions extends Omit<CorrelatorOptions, "clock"> {
  /** The component reporting, shown in the FROM column (`default-scheduler`, `kubelet`). */
  component: string;
  /** The node the component runs on, for node agents. */
  host?: string;
  /** Events waiting to be written beyond which new ones are dropped; 1000. */
  maxQueued?: number;
  /** Attempts per write and the pause between them; 12 tries 10 s apart, as upstream. */
  retry?: { tries?: number; intervalMs?: number };
  /** Receives events that could not be written (or were dropped), with why. */
  onError?: (err: unknown, event: Event) => void;
  clock?: Clock;
}

interface Pending {
  event: Event;
}

/** Records events for one component. */
export class EventRecorder {
  readonly #client: KubeClient;
  readonly #opts: EventRecorderOptions;
  readonly #clock: Clock;
  readonly #correlator: EventCorrelator;
  readonly #queue: Pending[] = [];
  readonly #idle: (() => void)[] = [];
  #writing = false;
  #stopped = false;
  #sequence = 0;

  constructor(client: KubeClient, opts: EventRecorderOptions) {
    this.#client = client;
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#correlator = new EventCorrelator({ ...opts, clock: this.#clock });
  }

  /**
   * Records that `reason` happened to an object (or a reference to one) with a human-readable message.
   * Returns at once; the event is written in the background.
   */
  event(
    object: KubeObject | EventObjectReference,
    type: EventType,
    reason: string,
    message: string,
  ): void {
    if (this.#stopped) return;
    const event = this.#makeEvent(referenceOf(object), type, reason, message);
    if (this.#queue.length >= (this.#opts.maxQueued ?? 1000)) {
      this.#opts.onError?.(
        new Error("Cannot record event: the queue of events to write is full"),
        event,
      );
      return;
    }
    this.#queue.push({ event });
    if (!this.#writing) void this.#drain();
  }

  /** Resolves once every event recorded so far has been written (or given up on). */
  flush(): Promise<void> {
    if (!this.#writing && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops accepting events; resolves once those queued are written. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.flush();
  }

  #makeEvent(ref: EventObjectReference, type: EventType, reason: string, message: string): Event {
    const now = this.#clock.now();
    const timestamp = new Date(Math.floor(now / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
    // Upstream names events after the object and the time in nanoseconds, in hex; the sequence number
    // fills the nanoseconds a millisecond clock lacks, so names stay unique within a millisecond.
    const nanos = BigInt(now) * 1_000_000n + BigInt(this.#sequence++ % 1_000_000);
    const source: Event["source"] = { component: this.#opts.component };
    if (this.#opts.host) source.host = this.#opts.host;
    return {
      apiVersion: "v1",
      kind: "Event",
      metadata: {
        name: `${ref.name ?? "unknown"}.${nanos.toString(16)}`,
        namespace: ref.namespace || "default",
      },
      involvedObject: ref,
      reason,
      message,
      source,
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: this.#opts.component,
      reportingInstance: this.#opts.host ?? "",
    };
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
      await this.#write(next.event);
    }
    this.#writing = false;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #write(fresh: Event): Promise<void> {
    const result = this.#correlator.correlate(fresh);
    if (result.skip) return;
    const tries = this.#opts.retry?.tries ?? 12;
    const intervalMs = this.#opts.retry?.intervalMs ?? 10_000;
    let lastError: unknown;
    for (let attempt = 0; attempt < tries; attempt++) {
      if (attempt > 0) await sleep(this.#clock, intervalMs * (1 + Math.random() * 0.25));
      try {
        const stored = await this.#send(result.event, result.patch);
        this.#correlator.update(result.key, stored);
        return;
      } catch (err) {
        lastError = err;
        if (isAlreadyExists(err)) return;
      }
    }
    this.#correlator.forget(result.key);
    this.#opts.onError?.(lastError, result.event);
  }

  /** Patches a repeat onto the stored event, or creates the event (again, if it was deleted). */
  async #send(event: Event, patch: object | undefined): Promise<Event> {
    const namespace = event.metadata.namespace!;
    if (patch) {
      try {
        return await this.#client.patch<Event>(resources.events, event.metadata.name!, patch, {
          namespace,
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const { resourceVersion: _rv, ...metadata } = event.metadata;
    return this.#client.create<Event>(resources.events, { ...event, metadata });
  }
}

/** The reference an event makes to an object: kind, namespace, name, uid, apiVersion, resourceVersion. */
export function referenceOf(object: KubeObject | EventObjectReference): EventObjectReference {
  if (!("metadata" in object)) return object;
  const ref: EventObjectReference = {};
  const meta = object.metadata;
  if (object.kind) ref.kind = object.kind;
  if (meta.namespace) ref.namespace = meta.namespace;
  if (meta.name) ref.name = meta.name;
  if (meta.uid) ref.uid = meta.uid;
  if (object.apiVersion) ref.apiVersion = object.apiVersion;
  if (meta.resourceVersion) ref.resourceVersion = meta.resourceVersion;
  return ref;
}
