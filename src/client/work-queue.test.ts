import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "./clock.js";
import { ItemExponentialFailureRateLimiter } from "./rate-limiter.js";
import { runWorkers, WorkQueue } from "./work-queue.js";

function queue(clock = new FakeClock()): WorkQueue {
  return new WorkQueue({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000) });
}

describe("WorkQueue", () => {
  it("add() deduplicates keys that wait and hands them out in order", async () => {
    const q = queue();
    for (const k of ["a", "b", "a", "c", "b"]) q.add(k);
    assert.equal(q.len, 3);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ["a", "b", "c"]);
    assert.equal(q.len, 0);
  });

  it("a key added while processed is not handed to a second worker, but queued again after done()", async () => {
    const q = queue();
    q.add("a");
    const first = await q.get();
    q.add("a");
    assert.equal(q.len, 0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    assert.equal(second, undefined);
    q.done(first!);
    await Promise.resolve();
    assert.equal(second, "a");
  });

  it("a waiting worker gets a key as soon as one is added", async () => {
    const q = queue();
    const got = q.get();
    q.add("x");
    assert.equal(await got, "x");
    q.done("x");
    assert.equal(q.len, 0);
  });

  it("addAfter() queues after the delay, keeping the earliest time for a key", async () => {
    const clock = new FakeClock();
    const q = queue(clock);
    q.addAfter("a", 100);
    q.addAfter("a", 50);
    q.addAfter("a", 200);
    assert.equal(clock.pendingTimers, 1);
    clock.step(49);
    assert.equal(q.len, 0);
    clock.step(1);
    assert.equal(q.len, 1);
    q.addAfter("b", 0);
    assert.equal(q.len, 2);
  });

  it("addAfter() waits longer than a Node timer can, in steps", () => {
    const clock = new FakeClock();
    const q = queue(clock);
    const days30 = 30 * 86_400_000;
    q.addAfter("yearly", days30);
    clock.step(2_147_483_647);
    assert.equal(q.len, 0);
    clock.step(days30 - 2_147_483_647 - 1);
    assert.equal(q.len, 0);
    clock.step(1);
    assert.equal(q.len, 1);
  });

  it("addRateLimited() waits its limiter's delay; forget() resets it and numRequeues() counts", () => {
    const clock = new FakeClock();
    const q = queue(clock);
    q.addRateLimited("k");
    q.addRateLimited("k");
    assert.equal(q.numRequeues("k"), 2);
    clock.step(4);
    assert.equal(q.len, 0);
    clock.step(1);
    assert.equal(q.len, 1);
    q.forget("k");
    assert.equal(q.numRequeues("k"), 0);
  });

  it("shutDown() wakes waiting workers with undefined, drains what is queued, refuses new keys", async () => {
    const clock = new FakeClock();
    const q = queue(clock);
    const waiting = q.get();
    q.shutDown();
    assert.equal(await waiting, undefined);

    const q2 = queue(clock);
    q2.add("left");
    q2.addAfter("delayed", 10);
    q2.shutDown();
    q2.add("late");
    clock.step(100);
    assert.equal(await q2.get(), "left");
    assert.equal(await q2.get(), undefined);
    assert.ok(q2.shuttingDown);
  });

  it("hands out thousands of keys in order across compactions", async () => {
    const q = queue();
    for (let i = 0; i < 5000; i++) q.add(`k${i}`);
    for (let i = 0; i < 5000; i++) {
      const k = await q.get();
      assert.equal(k, `k${i}`);
      q.done(k!);
    }
    assert.equal(q.len, 0);
  });
});

describe("runWorkers", () => {
  it("reconciles each key on one worker at a time, retrying failures with rate limiting", async () => {
    const q = new WorkQueue<string>({ rateLimiter: new ItemExponentialFailureRateLimiter(1, 4) });
    const active = new Set<string>();
    const attempts = new Map<string, number>();
    const errors: string[] = [];
    let overlaps = 0;
    const workers = runWorkers(
      q,
      4,
      async (key) => {
        if (active.has(key)) overlaps++;
        active.add(key);
        await new Promise((r) => setTimeout(r, 1));
        // Handlers keep adding the key while it is processed, as informers do.
        q.add(key);
        active.delete(key);
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        if (key === "flaky" && n < 3) throw new Error(`attempt ${n}`);
      },
      { onError: (key, err) => errors.push(`${key}: ${(err as Error).message}`) },
    );
    for (const k of ["a", "b", "flaky"]) q.add(k);
    const deadline = Date.now() + 2000;
    while ((attempts.get("flaky") ?? 0) < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2));
    }
    q.shutDown();
    await workers;
    assert.equal(overlaps, 0);
    assert.deepEqual(errors, ["flaky: attempt 1", "flaky: attempt 2"]);
    assert.ok((attempts.get("a") ?? 0) >= 1);
  });

  it("requeues a key after the delay a reconcile asks for", async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    const seen: string[] = [];
    const workers = runWorkers(q, 1, (key) => {
      seen.push(key);
      return seen.length === 1 ? { requeueAfter: 1000 } : undefined;
    });
    q.add("r");
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ["r"]);
    clock.step(999);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ["r"]);
    clock.step(1);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ["r", "r"]);
    q.shutDown();
    await workers;
  });
});
