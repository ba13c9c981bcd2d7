import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "./clock.js";
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
} from "./rate-limiter.js";

describe("ItemExponentialFailureRateLimiter", () => {
  it("when() doubles from the base per item up to the cap; forget() starts over", () => {
    const limiter = new ItemExponentialFailureRateLimiter(5, 1000_000);
    const delays = Array.from({ length: 5 }, () => limiter.when("a"));
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    assert.equal(limiter.when("b"), 5);
    assert.equal(limiter.numRequeues("a"), 5);
    for (let i = 0; i < 40; i++) limiter.when("a");
    assert.equal(limiter.when("a"), 1000_000);
    limiter.forget("a");
    assert.equal(limiter.numRequeues("a"), 0);
    assert.equal(limiter.when("a"), 5);
  });
});

describe("BucketRateLimiter", () => {
  it("when() lets a burst through, then spaces items at the rate, refilling as time passes", () => {
    const clock = new FakeClock();
    const limiter = new BucketRateLimiter(10, 3, clock);
    assert.deepEqual([limiter.when("a"), limiter.when("b"), limiter.when("c")], [0, 0, 0]);
    // Tokens reserved in the future: each further item waits one more tenth of a second.
    assert.equal(Math.round(limiter.when("d")), 100);
    assert.equal(Math.round(limiter.when("e")), 200);
    clock.step(1000);
    // 1 s refills 10 tokens, but the bucket holds at most 3 (2 were owed).
    assert.deepEqual([limiter.when("f"), limiter.when("g"), limiter.when("h")], [0, 0, 0]);
    assert.equal(Math.round(limiter.when("i")), 100);
    assert.equal(limiter.numRequeues("a"), 0);
  });
});

describe("defaultControllerRateLimiter", () => {
  it("gives the larger of the item back-off and the bucket's delay", () => {
    const clock = new FakeClock();
    const limiter = defaultControllerRateLimiter(clock);
    assert.equal(limiter.when("x"), 5);
    assert.equal(limiter.when("x"), 10);
    // Burn the rest of the burst of 100 on distinct items (each gets 5 ms from its own back-off).
    for (let i = 0; i < 98; i++) assert.equal(limiter.when(`item-${i}`), 5);
    assert.equal(Math.round(limiter.when("fresh")), 100);
    assert.equal(limiter.numRequeues("x"), 2);
    limiter.forget("x");
    assert.equal(limiter.numRequeues("x"), 0);
  });

  it("MaxOfRateLimiter with no limiters never delays", () => {
    assert.equal(new MaxOfRateLimiter().when("a"), 0);
  });
});
