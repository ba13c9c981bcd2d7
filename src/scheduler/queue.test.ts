import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../api/core/v1/pod.js";
import { FakeClock } from "../client/clock.js";
import { MAX_UNSCHEDULABLE_MS, SchedulingQueue } from "./queue.js";

function pod(name: string, priority?: number): Pod {
  return {
    metadata: { name, namespace: "default", uid: name },
    spec: { containers: [], ...(priority === undefined ? {} : { priority }) },
  } as Pod;
}

const names = (q: SchedulingQueue): string[] => {
  const out: string[] = [];
  for (let qp = q.tryPop(); qp; qp = q.tryPop()) out.push(qp.key);
  return out;
};

describe("SchedulingQueue", () => {
  it("pops higher priority first, then in arrival order", () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue(clock);
    const cases: [string, number | undefined][] = [
      ["a", undefined],
      ["b", 10],
      ["c", 0],
      ["d", 10],
      ["e", -5],
      ["f", 1000],
    ];
    for (const [name, prio] of cases) {
      q.add(pod(name, prio));
      clock.step(1);
    }
    assert.deepEqual(names(q), ["f", "b", "d", "a", "c", "e"]);
  });

  it("keeps one entry per pod and reorders on a priority change", () => {
    const q = new SchedulingQueue(new FakeClock());
    q.add(pod("a", 1));
    q.add(pod("b", 2));
    q.add(pod("a", 3));
    assert.deepEqual(names(q), ["a", "b"]);
  });

  it("backs off 1 s doubling to 10 s", () => {
    const table: [number, number][] = [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [4, 8000],
      [5, 10000],
      [9, 10000],
    ];
    for (const [attempts, ms] of table) assert.equal(SchedulingQueue.backoffMs(attempts), ms);
  });

  it("parks unschedulable pods until a cluster event, then honours the back-off", () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue(clock);
    q.add(pod("a"));
    const qp = q.tryPop()!;
    q.requeueUnschedulable(qp);
    clock.step(5000);
    q.flush();
    assert.deepEqual(q.sizes, { active: 0, backoff: 0, unschedulable: 1 });
    q.moveAllToActiveOrBackoff();
    assert.deepEqual(names(q), ["a"]);
  });

  it("sends a pod to backoff when an event came during its cycle", () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue(clock);
    q.add(pod("a"));
    const qp = q.tryPop()!;
    q.moveAllToActiveOrBackoff();
    q.requeueUnschedulable(qp);
    assert.deepEqual(q.sizes, { active: 0, backoff: 1, unschedulable: 0 });
    clock.step(999);
    q.flush();
    assert.equal(q.sizes.backoff, 1);
    clock.step(1);
    q.flush();
    assert.deepEqual(names(q), ["a"]);
  });

  it("retries unschedulable pods after 5 minutes without events", () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue(clock);
    q.add(pod("a"));
    q.requeueUnschedulable(q.tryPop()!);
    clock.step(MAX_UNSCHEDULABLE_MS - 1);
    q.flush();
    assert.equal(q.sizes.unschedulable, 1);
    clock.step(1);
    q.flush();
    assert.deepEqual(names(q), ["a"]);
  });

  it("drops pods deleted while being scheduled, and wakes waiting pops", async () => {
    const q = new SchedulingQueue(new FakeClock());
    q.add(pod("a"));
    const qp = q.tryPop()!;
    q.delete("a");
    q.requeueBackoff(qp);
    assert.equal(q.has("a"), false);
    const waiting = q.pop();
    q.add(pod("b"));
    assert.equal((await waiting)?.key, "b");
    const closed = q.pop();
    q.close();
    assert.equal(await closed, undefined);
  });

  it("keeps the latest state of a pod updated while in flight", () => {
    const q = new SchedulingQueue(new FakeClock());
    q.add(pod("a"));
    const qp = q.tryPop()!;
    q.update({ ...pod("a"), metadata: { ...pod("a").metadata, labels: { x: "y" } } });
    q.requeueUnschedulable(qp);
    assert.equal(qp.pod.metadata.labels?.["x"], "y");
  });
});
