import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { crashValue } from "./crash-writer.js";
import { SqliteBackend } from "./sqlite-backend.js";

const root = mkdtempSync(join(tmpdir(), "kates-crash-test-"));
after(() => rmSync(root, { recursive: true, force: true }));
const writerScript = fileURLToPath(new URL("./crash-writer.js", import.meta.url));

/** Runs the crash writer until it has acknowledged `acks` writes, then kills it with SIGKILL. */
async function writeUntilKilled(
  path: string,
  acks: number,
  firstIndex: number,
): Promise<Map<string, number>> {
  const child = spawn(process.execPath, [writerScript, path, "16", String(firstIndex)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const acked = new Map<string, number>();
  let partial = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      const [key, revision] = line.split(" ");
      if (key && key !== "ready" && revision) acked.set(key, Number(revision));
    }
    if (acked.size >= acks) child.kill("SIGKILL");
  });

  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.on("exit", (_code, sig) => resolve(sig)),
  );
  assert.equal(signal, "SIGKILL", `the writer should have been killed; stderr: ${stderr}`);
  return acked;
}

test("SqliteBackend keeps every acknowledged write across kill -9 and continues revisions", async () => {
  const path = join(root, "state.db");
  const all = new Map<string, number>();

  for (const [round, firstIndex] of [0, 1_000_000].entries()) {
    const acked = await writeUntilKilled(path, 1500, firstIndex);
    assert.ok(acked.size >= 1500, `round ${round}: only ${acked.size} acknowledged writes`);
    for (const [k, r] of acked) all.set(k, r);

    const backend = new SqliteBackend({ path, compaction: { intervalMs: 0 } });
    try {
      const maxAcked = Math.max(...all.values());
      for (const [key, revision] of all) {
        const kv = await backend.get(key);
        assert.ok(kv, `round ${round}: acknowledged key ${key} is missing`);
        assert.equal(kv.modRevision, revision);
        assert.equal(kv.value, crashValue(Number(key.slice("/crash/".length))));
      }

      // Writes committed but killed before their line was read are there too, whole.
      const listed = await backend.list("/crash/");
      const revisions = new Set(listed.items.map((kv) => kv.modRevision));
      assert.equal(revisions.size, listed.items.length);
      for (const kv of listed.items) {
        assert.equal(kv.value, crashValue(Number(kv.key.slice("/crash/".length))));
      }

      assert.ok((await backend.currentRevision()) >= maxAcked);
      const { revision } = await backend.create(`/after-crash/${round}`, "v");
      assert.ok(revision > maxAcked, `revision ${revision} must exceed ${maxAcked}`);
    } finally {
      await backend.close();
    }
  }
});
