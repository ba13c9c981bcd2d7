import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BackendConfigError, openBackend } from "./open.js";
import { MemoryBackend } from "./memory/memory-backend.js";
import { SqliteBackend } from "./sqlite/sqlite-backend.js";

const root = mkdtempSync(join(tmpdir(), "kates-open-test-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("openBackend() opens sqlite at <dataDir>/state.db, creating the folder", async () => {
  const dataDir = join(root, "nested", "data");
  const backend = await openBackend({ type: "sqlite", dataDir });
  try {
    assert.ok(backend instanceof SqliteBackend);
    assert.ok(existsSync(join(dataDir, "state.db")));
  } finally {
    await backend.close();
  }
});

test("openBackend() opens memory without a data folder", async () => {
  const backend = await openBackend({ type: "memory" });
  assert.ok(backend instanceof MemoryBackend);
  await backend.close();
});

const refusals = [
  {
    name: "an unknown type",
    opts: { type: "etcd3", dataDir: root },
    message: /type "etcd3": expected one of sqlite, memory/,
  },
  { name: "sqlite without a data folder", opts: { type: "sqlite" }, message: /no data directory/ },
];
for (const c of refusals) {
  test(`openBackend() refuses ${c.name} with BackendConfigError`, async () => {
    await assert.rejects(
      openBackend(c.opts),
      (err: unknown) => err instanceof BackendConfigError && c.message.test(err.message),
    );
  });
}
