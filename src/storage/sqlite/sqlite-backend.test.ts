import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import type { Backend } from "../backend.js";
import { StorageError } from "../backend.js";
import { registerConformanceTests } from "../conformance.js";
import { range } from "../conformance/helpers.js";
import type { SyncMode } from "./schema.js";
import { SqliteBackend } from "./sqlite-backend.js";

const root = mkdtempSync(join(tmpdir(), "kates-sqlite-test-"));
after(() => rmSync(root, { recursive: true, force: true }));

const paths = new WeakMap<Backend, string>();
let opened = 0;

function openAt(path: string): SqliteBackend {
  const backend = new SqliteBackend({ path, compaction: { intervalMs: 0 } });
  paths.set(backend, path);
  return backend;
}

registerConformanceTests("SqliteBackend conformance", {
  open: async () => openAt(join(root, `store-${++opened}.db`)),
  reopen: async (backend) => {
    const path = paths.get(backend);
    if (!path) throw new Error("Cannot reopen a backend this factory did not open");
    await backend.close();
    return openAt(path);
  },
});

describe("SqliteBackend", () => {
  test("compaction deletes superseded rows, and freed pages are reused so the file stops growing", async () => {
    const path = join(root, "growth.db");
    const pageCounts: number[] = [];
    for (let round = 0; round < 3; round++) {
      const backend = openAt(path);
      if (round === 0) await backend.create("/g/key", "v");
      for (let i = 0; i < 30; i++) {
        const current = await backend.get("/g/key");
        const value = `${round}-${i}-${"x".repeat(2000)}`;
        await Promise.all(
          range(0, 49).map((j) => backend.create(`/g/tmp/${round}/${i}/${j}`, value)),
        );
        await Promise.all(range(0, 49).map((j) => backend.delete(`/g/tmp/${round}/${i}/${j}`)));
        await backend.update("/g/key", value, current?.modRevision ?? 0);
      }
      await backend.compact(await backend.currentRevision());
      await backend.close();

      const db = new Database(path);
      assert.deepEqual(db.prepare("SELECT key FROM log").pluck().all(), ["/g/key"]);
      pageCounts.push(db.pragma("page_count", { simple: true }) as number);
      db.close();
    }
    assert.ok(
      (pageCounts[2] as number) <= (pageCounts[0] as number) * 1.1,
      `page counts per round: ${pageCounts.join(", ")}`,
    );
  });

  test("periodic compaction follows its timer and keeps the minimum number of revisions", async () => {
    const backend = new SqliteBackend({
      path: join(root, "timer.db"),
      compaction: { intervalMs: 10, retainMs: 0, minRevisions: 3 },
    });
    try {
      for (const i of range(1, 10)) await backend.create(`/t/${i}`, "v");
      const deadline = Date.now() + 3000;
      while (backend.compactedRevision() < 7 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(backend.compactedRevision(), 7);
      assert.equal(await backend.count("/t/"), 10);
    } finally {
      await backend.close();
    }
  });

  test("a second SqliteBackend on an open file is refused with StorageError", async () => {
    const path = join(root, "locked.db");
    const backend = openAt(path);
    try {
      await backend.create("/k", "v");
      assert.throws(
        () => openAt(path),
        (err: unknown) => err instanceof StorageError && /another process/.test(err.message),
      );
    } finally {
      await backend.close();
    }
  });

  test("opening a file that is not a database throws StorageError naming the path", () => {
    const path = join(root, "garbage.db");
    writeFileSync(
      path,
      "this is not a database, just text long enough to fill a header ".repeat(100),
    );
    assert.throws(
      () => openAt(path),
      (err: unknown) => err instanceof StorageError && err.message.includes(path),
    );
  });

  const syncModes = [
    { sync: "full", ok: true },
    { sync: "normal", ok: true },
    { sync: "off", ok: false },
  ] as const;
  for (const c of syncModes) {
    test(`sync mode ${c.sync} is ${c.ok ? "accepted" : "refused with RangeError"}`, async () => {
      const open = () =>
        new SqliteBackend({ path: join(root, `sync-${c.sync}.db`), sync: c.sync as SyncMode });
      if (!c.ok) {
        assert.throws(open, RangeError);
        return;
      }
      const backend = open();
      assert.deepEqual(await backend.create("/k", "v"), { revision: 1 });
      await backend.close();
    });
  }
});
