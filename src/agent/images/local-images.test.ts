import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { ensureLocalImages, listApplets, PAUSE_IMAGE_NAME } from "./local-images.js";

const skip = existsSync("/bin/busybox") ? false : "needs /bin/busybox (package busybox-static)";

test(
  "ensureLocalImages() builds the busybox and pause archives once, then reuses the cache",
  { skip },
  async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "kates-images-"));
    try {
      const first = await ensureLocalImages({ cacheDir: dir });
      assert.deepEqual(
        first.map((a) => [path.basename(a.file), a.names]),
        [
          [
            "busybox.oci.tar",
            ["docker.io/library/busybox:1.35", "docker.io/library/busybox:latest"],
          ],
          ["pause.oci.tar", [PAUSE_IMAGE_NAME]],
        ],
      );
      const mtimes = await Promise.all(first.map(async (a) => (await stat(a.file)).mtimeMs));
      const second = await ensureLocalImages({ cacheDir: dir });
      assert.deepEqual(second, first);
      assert.deepEqual(
        await Promise.all(second.map(async (a) => (await stat(a.file)).mtimeMs)),
        mtimes,
      );

      const other = await ensureLocalImages({ cacheDir: dir, pauseImage: "example.test/pause:2" });
      assert.notEqual(
        path.dirname(other[0]!.file),
        path.dirname(first[0]!.file),
        "a new cache key",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test("listApplets() reads busybox's applets, without busybox itself", { skip }, async () => {
  const applets = await listApplets("/bin/busybox");
  for (const a of ["sh", "sleep", "echo", "wget"]) assert.ok(applets.includes(a), a);
  assert.ok(!applets.includes("busybox"));
});

test("ensureLocalImages() names the missing package when busybox is absent", async () => {
  await assert.rejects(
    ensureLocalImages({ cacheDir: "/nonexistent", busyboxPath: "/nonexistent/busybox" }),
    /install busybox-static/,
  );
});
