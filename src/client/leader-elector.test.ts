import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startCluster, type TestCluster } from "../../test/harness.js";
import type { Lease } from "../api/coordination/v1/lease.js";
import { KubeClient } from "./client.js";
import { LeaderElector, microTime, type LeaderElectionOptions } from "./leader-elector.js";
import { resources } from "./resource.js";

async function until(what: string, check: () => boolean, ms = 4000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Candidate {
  elector: LeaderElector;
  stop: AbortController;
  done: Promise<void>;
  log: string[];
  leadership?: AbortSignal;
}

describe("LeaderElector against an in-process API server", () => {
  let cluster: TestCluster;
  let client: KubeClient;

  before(async () => {
    cluster = await startCluster();
    client = new KubeClient(cluster.url);
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  function candidate(
    name: string,
    identity: string,
    extra: Partial<LeaderElectionOptions> = {},
  ): Candidate {
    const c = { log: [] as string[], stop: new AbortController() } as Candidate;
    c.elector = new LeaderElector(client, {
      namespace: "default",
      name,
      identity,
      leaseDurationSeconds: 1,
      renewDeadlineMs: 400,
      retryPeriodMs: 50,
      onStartedLeading: (signal) => {
        c.leadership = signal;
        c.log.push("started");
      },
      onStoppedLeading: () => c.log.push("stopped"),
      onNewLeader: (id) => c.log.push(`leader ${id}`),
      ...extra,
    });
    c.done = c.elector.run(c.stop.signal);
    return c;
  }

  const lease = (name: string): Promise<Lease> =>
    client.get<Lease>(resources.leases, name, { namespace: "default" });

  it("one of two candidates leads; the other takes over at once when the leader stops and releases", async () => {
    const a = candidate("two", "a");
    await until("a to lead", () => a.elector.isLeader());
    const b = candidate("two", "b");
    await until("b to see a", () => b.elector.leader === "a");
    assert.ok(!b.elector.isLeader());
    assert.equal((await lease("two")).spec?.leaseTransitions, 0);

    const stoppedAt = Date.now();
    a.stop.abort();
    await a.done;
    assert.deepEqual(a.log, ["leader a", "started", "stopped"]);
    assert.ok(a.leadership?.aborted);
    await until("b to lead", () => b.elector.isLeader());
    // Well before the 1 s lease duration: the release let b in without waiting for expiry.
    assert.ok(Date.now() - stoppedAt < 800, `${Date.now() - stoppedAt} ms`);
    const spec = (await lease("two")).spec!;
    assert.equal(spec.holderIdentity, "b");
    assert.equal(spec.leaseTransitions, 1);
    assert.deepEqual(b.log.slice(0, 3), ["leader a", "leader b", "started"]);
    b.stop.abort();
    await b.done;
    assert.equal((await lease("two")).spec?.holderIdentity, "");
  });

  it("a candidate waits for the lease duration before taking a lease its holder stopped renewing", async () => {
    const a = candidate("expire", "a", { releaseOnCancel: false });
    await until("a to lead", () => a.elector.isLeader());
    const b = candidate("expire", "b");
    await until("b to see a", () => b.elector.leader === "a");
    const stoppedAt = Date.now();
    a.stop.abort();
    await a.done;
    await until("b to lead", () => b.elector.isLeader(), 3000);
    assert.ok(Date.now() - stoppedAt >= 900, `${Date.now() - stoppedAt} ms`);
    assert.equal((await lease("expire")).spec?.leaseTransitions, 1);
    b.stop.abort();
    await b.done;
  });

  it("a leader that cannot renew within the deadline stops leading", async () => {
    const a = candidate("lost", "a");
    await until("a to lead", () => a.elector.isLeader());
    // Another party takes the lease by force: a's renewals now find it held by someone else.
    const current = await lease("lost");
    const now = Date.now();
    await client.update(resources.leases, {
      ...current,
      spec: {
        ...current.spec,
        holderIdentity: "intruder",
        renewTime: microTime(now),
        leaseDurationSeconds: 30,
      },
    });
    await a.done;
    assert.ok(!a.elector.isLeader());
    assert.ok(a.leadership?.aborted);
    assert.equal(a.log.at(-1), "stopped");
    assert.equal((await lease("lost")).spec?.holderIdentity, "intruder");
  });

  it("refuses timings that cannot work", () => {
    const base = { namespace: "default", name: "x", identity: "i", onStartedLeading: () => {} };
    assert.throws(
      () => new LeaderElector(client, { ...base, leaseDurationSeconds: 5, renewDeadlineMs: 5000 }),
      /lease duration/,
    );
    assert.throws(
      () => new LeaderElector(client, { ...base, renewDeadlineMs: 2000, retryPeriodMs: 2000 }),
      /retry periods/,
    );
  });

  it("microTime() writes six fractional digits", () => {
    assert.equal(microTime(Date.UTC(2024, 4, 1, 12, 0, 0, 123)), "2024-05-01T12:00:00.123000Z");
  });
});
