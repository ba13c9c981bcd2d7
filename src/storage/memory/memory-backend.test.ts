import assert from "node:assert/strict";
import { test } from "node:test";
import { registerConformanceTests } from "../conformance.js";
import { MemoryBackend } from "./memory-backend.js";

registerConformanceTests("MemoryBackend conformance", {
  open: async () => new MemoryBackend({ compaction: { intervalMs: 0 } }),
});

test("MemoryBackend compacts on its timer, keeping the minimum number of revisions", async () => {
  const backend = new MemoryBackend({
    compaction: { intervalMs: 10, retainMs: 0, minRevisions: 2 },
  });
  try {
    for (let i = 1; i <= 6; i++) await backend.create(`/t/${i}`, "v");
    const deadline = Date.now() + 3000;
    while (backend.compactedRevision() < 4 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(backend.compactedRevision(), 4);
    assert.equal(await backend.count("/t/"), 6);
  } finally {
    await backend.close();
  }
});
