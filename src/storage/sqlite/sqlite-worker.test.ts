import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { WatchEvent } from "../backend.js";
import { BackendClosedError, StorageError } from "../backend.js";
import { EventCollector, range } from "../conformance/helpers.js";
import { SqliteBackend } from "./sqlite-backend.js";

const root = mkdtempSync(join(tmpdir(), "kates-sqlite-worker-test-"));
after(() => rmSync(root, { recursive: true, force: true }));
let opened = 0;

function openFresh(onBackgroundError?: (err: unknown) => void): SqliteBackend {
  return new SqliteBackend({
    path: join(root, `store-${++opened}.db`),
    compaction: { intervalMs: 0 },
    ...(onBackgroundError ? { onBackgroundError } : {}),
  });
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Settles every promise and returns, per promise, its revision or the error it rejected with. */
async function outcomes(writes: Promise<{ revision: number }>[]): Promise<(number | unknown)[]> {
  const settled = await Promise.allSettled(writes);
  return settled.map((s) => (s.status === "fulfilled" ? s.value.revision : s.reason));
}

describe("SqliteBackend worker thread", () => {
  test("writes issued while a batch commits wait and go to the worker together as the next batch", async () => {
    const b = openFresh();
    try {
      const w = new EventCollector(b, "/g/", 0);
      const first = range(1, 10).map((i) => b.create(`/g/a${i}`, "v"));
      // The first batch leaves in this turn's check phase, before this callback; it cannot be back yet.
      await nextTurn();
      const second = range(1, 10).map((i) => b.create(`/g/b${i}`, "v"));

      assert.deepEqual(await outcomes(first), range(1, 10));
      assert.deepEqual(await outcomes(second), range(11, 20));
      await w.waitForCount(20);
      assert.equal(w.batches, 2);
      assert.deepEqual(w.revisions(), range(1, 20));
      w.watch.stop();
    } finally {
      await b.close();
    }
  });

  test("a write resolves only after watchers have its change", async () => {
    const b = openFresh();
    try {
      const seen: WatchEvent[] = [];
      b.watch("/k/", { afterRevision: 0, onEvents: (events) => seen.push(...events) });
      const results = await Promise.all(range(1, 20).map((i) => b.create(`/k/${i}`, "v")));
      for (const { revision } of results) {
        assert.ok(
          seen.some((e) => e.kv.modRevision === revision),
          `revision ${revision}`,
        );
      }
    } finally {
      await b.close();
    }
  });

  test("reads during writes see every acknowledged write and never an unacknowledged one", async () => {
    const b = openFresh();
    try {
      let acknowledged = 0;
      const writers = range(0, 7).map(async (w) => {
        for (const i of range(1, 40)) {
          const { revision } = await b.create(`/r/${w}-${i}`, "v");
          acknowledged = Math.max(acknowledged, revision);
        }
      });
      const reader = (async () => {
        for (let i = 0; i < 60; i++) {
          const before = acknowledged;
          const [listed, counted] = await Promise.all([b.list("/r/"), b.count("/r/")]);
          // Creates only: the list at revision R holds exactly the keys of revisions 1..R.
          assert.ok(listed.revision >= before, `list at ${listed.revision}, acked ${before}`);
          assert.ok(listed.revision <= (await b.currentRevision()));
          assert.equal(listed.items.length, listed.revision);
          assert.ok(counted >= before);
          await nextTurn();
        }
      })();
      await Promise.all([...writers, reader]);
    } finally {
      await b.close();
    }
  });

  test("a worker crash fails pending writes, watches and later calls with a StorageError it reports", async () => {
    const reported: unknown[] = [];
    const b = openFresh((err) => reported.push(err));
    const path = join(root, `store-${opened}.db`);
    await b.create("/c/0", "v");
    const w = new EventCollector(b, "/c/", 1);

    const inFlight = range(1, 5).map((i) => b.create(`/c/${i}`, "v"));
    await nextTurn();
    const queued = range(6, 10).map((i) => b.create(`/c/${i}`, "v"));
    await b.crashWorkerForTest();

    // The batch in flight may have committed just before the end; the queued one never left.
    for (const o of await outcomes(inFlight)) {
      assert.ok(typeof o === "number" || o instanceof StorageError, String(o));
    }
    for (const o of await outcomes(queued)) assert.ok(o instanceof StorageError, String(o));
    assert.equal(reported.length, 1);
    assert.ok(reported[0] instanceof StorageError && /worker/.test(reported[0].message));
    assert.equal(await w.waitForError(), reported[0]);
    await assert.rejects(b.get("/c/0"), (err: unknown) => err === reported[0]);
    await assert.rejects(b.create("/c/x", "v"), (err: unknown) => err === reported[0]);

    await b.close();
    await assert.rejects(b.get("/c/0"), BackendClosedError);
    const reopened = new SqliteBackend({ path, compaction: { intervalMs: 0 } });
    try {
      const kept = (await reopened.list("/c/")).items.map((kv) => kv.key);
      const acked = (await outcomes(inFlight)).filter((o) => typeof o === "number").length;
      assert.ok(kept.length === 1 + acked || kept.length === 6, `kept ${kept.join(", ")}`);
    } finally {
      await reopened.close();
    }
  });

  test("an idle backend left open does not keep the process alive, and a pending write does", async () => {
    const moduleUrl = new URL("./sqlite-backend.js", import.meta.url).href;
    const script = `
      import { SqliteBackend } from ${JSON.stringify(moduleUrl)};
      const b = new SqliteBackend({ path: ${JSON.stringify(join(root, "unclosed.db"))} });
      const { revision } = await b.create("/k", "v");
      console.log(revision);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const code = await new Promise((resolve) => child.on("exit", resolve));
    clearTimeout(timer);
    assert.equal(code, 0, out);
    assert.equal(out.trim(), "1");
  });
});
