import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Backoff } from "./backoff.js";

describe("Backoff", () => {
  it("doubles from the initial delay up to the cap, per key", () => {
    const b = new Backoff(1000, 4000);
    assert.equal(b.remainingMs("k", 0), 0);
    b.next("k", 0);
    assert.equal(b.delayMs("k"), 1000);
    assert.equal(b.remainingMs("k", 400), 600);
    assert.equal(b.remainingMs("k", 1000), 0);
    b.next("k", 1000);
    b.next("k", 3000);
    b.next("k", 7000);
    assert.equal(b.delayMs("k"), 4000);
    assert.equal(b.remainingMs("other", 7000), 0);
  });

  it("starts over for a key left alone for twice the cap, and gc forgets it", () => {
    const b = new Backoff(1000, 4000);
    b.next("k", 0);
    b.next("k", 1000);
    assert.equal(b.delayMs("k"), 2000);
    b.next("k", 1000 + 8001);
    assert.equal(b.delayMs("k"), 1000);
    b.gc(1000 + 8001 + 8001);
    assert.equal(b.delayMs("k"), 0);
  });
});
