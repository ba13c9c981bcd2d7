import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Event } from "../api/core/v1/event.js";
import { FakeClock } from "./clock.js";
import { COMBINED_PREFIX, EventCorrelator, type Correlation } from "./event-correlator.js";

let serial = 0;
function event(
  clock: FakeClock,
  message: string,
  opts: { reason?: string; name?: string } = {},
): Event {
  const t = new Date(clock.now()).toISOString();
  return {
    metadata: { name: `pod.${serial++}`, namespace: "ns" },
    involvedObject: {
      kind: "Pod",
      namespace: "ns",
      name: opts.name ?? "web",
      uid: "u1",
      apiVersion: "v1",
    },
    reason: opts.reason ?? "BackOff",
    message,
    type: "Warning",
    source: { component: "kubelet", host: "n1" },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
  };
}

/** Correlates and, as the recorder does after a successful write, stores the result. */
function record(c: EventCorrelator, e: Event): Correlation {
  const result = c.correlate(e);
  if (!result.skip) c.update(result.key, { ...result.event, count: result.patch?.count ?? 1 });
  return result;
}

describe("EventCorrelator", () => {
  it("turns exact repeats into patches of the first event's count and lastTimestamp", () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    const first = record(c, event(clock, "restarting"));
    assert.ok(!first.skip && first.patch === undefined);
    const firstName = first.event.metadata.name;
    clock.step(5000);
    const second = record(c, event(clock, "restarting"));
    clock.step(5000);
    const third = record(c, event(clock, "restarting"));
    assert.ok(!second.skip && !third.skip);
    assert.equal(second.event.metadata.name, firstName);
    assert.deepEqual(third.patch, {
      count: 3,
      lastTimestamp: new Date(clock.now()).toISOString(),
      message: "restarting",
    });
    assert.equal(third.event.firstTimestamp, first.event.firstTimestamp);
  });

  it("combines similar events once ten distinct messages of one reason arrive, then counts the combined one", () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    const results = Array.from({ length: 12 }, (_, i) => record(c, event(clock, `message ${i}`)));
    const messages = results.map((r) => (r.skip ? "skip" : r.event.message));
    assert.deepEqual(
      messages.slice(0, 9),
      Array.from({ length: 9 }, (_, i) => `message ${i}`),
    );
    assert.equal(messages[9], `${COMBINED_PREFIX}message 9`);
    assert.equal(messages[11], `${COMBINED_PREFIX}message 11`);
    const [tenth, , twelfth] = results.slice(9);
    assert.ok(tenth && !tenth.skip && tenth.patch === undefined);
    assert.ok(twelfth && !twelfth.skip);
    assert.equal(twelfth.patch?.count, 3);
    assert.equal(twelfth.event.metadata.name, tenth.event.metadata.name);
  });

  it("keeps different reasons and objects apart, and forgets similar events after the interval", () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock, maxSimilarEvents: 2 });
    assert.equal(record(c, event(clock, "a")).skip, false);
    const other = record(c, event(clock, "b", { reason: "Other" }));
    assert.ok(!other.skip && other.event.message === "b");
    const otherObject = record(c, event(clock, "b", { name: "db" }));
    assert.ok(!otherObject.skip && otherObject.event.message === "b");
    const combined = record(c, event(clock, "c"));
    assert.ok(!combined.skip && combined.event.message === `${COMBINED_PREFIX}c`);
    clock.step(601_000);
    const fresh = record(c, event(clock, "d"));
    assert.ok(!fresh.skip && fresh.event.message === "d");
  });

  it("drops an object's events past a burst of 25 until its bucket refills", () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    const skipped = Array.from(
      { length: 30 },
      (_, i) => c.correlate(event(clock, "same", { reason: `R${i}` })).skip,
    );
    assert.deepEqual(skipped.indexOf(true), 25);
    assert.ok(skipped.slice(25).every(Boolean));
    assert.equal(c.correlate(event(clock, "other", { name: "db" })).skip, false);
    clock.step(300_000);
    assert.equal(c.correlate(event(clock, "later")).skip, false);
    assert.equal(c.correlate(event(clock, "later again")).skip, true);
  });

  it("forget() makes the next repeat a new event", () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    const first = record(c, event(clock, "x"));
    assert.ok(!first.skip);
    c.forget(first.key);
    const again = record(c, event(clock, "x"));
    assert.ok(!again.skip && again.patch === undefined);
  });
});
