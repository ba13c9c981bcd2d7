import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";

import { busyboxRootfs, localImageDefinitions } from "./local-images.js";
import { buildLayer, buildOciArchive, REF_NAME_ANNOTATION, sha256Digest } from "./oci-image.js";
import { writeTar } from "./tar.js";

/** The entries of a tar archive: name, type flag, mode, size, link target and data. */
function readTar(tar: Buffer) {
  const out: {
    name: string;
    type: string;
    mode: number;
    size: number;
    link: string;
    data: Buffer;
  }[] = [];
  let pos = 0;
  while (pos + 512 <= tar.length) {
    const h = tar.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) break;
    const str = (o: number, l: number) =>
      h
        .subarray(o, o + l)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    const size = parseInt(str(124, 12), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    assert.equal(parseInt(str(148, 8), 8), sum, "header checksum");
    assert.equal(str(257, 6), "ustar");
    const prefix = str(345, 155);
    out.push({
      name: prefix ? `${prefix}/${str(0, 100)}` : str(0, 100),
      type: str(156, 1),
      mode: parseInt(str(100, 8), 8),
      size,
      link: str(157, 100),
      data: tar.subarray(pos + 512, pos + 512 + size),
    });
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

test("writeTar() writes ustar headers, padded data and the two end blocks", () => {
  const long = `${"d".repeat(120)}/file`;
  const tar = writeTar([
    { type: "dir", path: "bin" },
    { type: "file", path: "bin/x", data: Buffer.from("hello"), mode: 0o755 },
    { type: "symlink", path: "bin/y", target: "x" },
    { type: "file", path: long, data: Buffer.alloc(0) },
  ]);
  assert.equal(tar.length, 512 * 4 + 512 + 1024);
  assert.deepEqual(
    readTar(tar).map((e) => [e.name, e.type, e.mode, e.size, e.link, e.data.toString()]),
    [
      ["bin/", "5", 0o755, 0, "", ""],
      ["bin/x", "0", 0o755, 5, "", "hello"],
      ["bin/y", "2", 0o777, 0, "x", ""],
      [long, "0", 0o644, 0, "", ""],
    ],
  );
  assert.ok(tar.subarray(tar.length - 1024).every((b) => b === 0));
  assert.throws(() => writeTar([{ type: "dir", path: "x".repeat(300) }]), /too long/);
});

test("buildLayer() digests the gzipped blob and the uncompressed diff", () => {
  const entries = [{ type: "file" as const, path: "a", data: Buffer.from("a") }];
  const layer = buildLayer(entries);
  assert.equal(layer.blob.digest, sha256Digest(layer.blob.data));
  assert.equal(layer.diffId, sha256Digest(gunzipSync(layer.blob.data)));
  assert.equal(
    layer.diffId,
    `sha256:${createHash("sha256").update(writeTar(entries)).digest("hex")}`,
  );
  assert.deepEqual(buildLayer(entries), layer, "the same input gives the same bytes");
});

test("buildOciArchive() lays out oci-layout, index.json with one entry per name, and each blob once", () => {
  const binary = Buffer.from("#!fake busybox\n");
  const layer = buildLayer(busyboxRootfs(binary, ["sh", "sleep", "sh"]));
  const [busybox, pause] = localImageDefinitions(layer, "kates.local/pause:1");
  const files = readTar(buildOciArchive([busybox, pause]));
  const byName = new Map(files.map((f) => [f.name, f]));

  assert.equal(byName.get("oci-layout")?.data.toString(), '{"imageLayoutVersion":"1.0.0"}');
  const index = JSON.parse(byName.get("index.json")!.data.toString());
  assert.deepEqual(
    index.manifests.map((d: any) => d.annotations[REF_NAME_ANNOTATION]),
    ["docker.io/library/busybox:1.35", "docker.io/library/busybox:latest", "kates.local/pause:1"],
  );
  assert.equal(index.manifests[0].digest, index.manifests[1].digest, "two tags, one manifest");

  // Every blob is stored under its own digest, and the shared layer only once.
  const blobs = files.filter((f) => f.name.startsWith("blobs/sha256/") && f.type === "0");
  for (const b of blobs) assert.equal(sha256Digest(b.data), `sha256:${b.name.slice(13)}`);
  assert.equal(blobs.filter((b) => `sha256:${b.name.slice(13)}` === layer.blob.digest).length, 1);
  assert.equal(blobs.length, 1 + 2 * 2, "one layer, a config and a manifest per image");

  const blob = (digest: string) =>
    JSON.parse(byName.get(`blobs/sha256/${digest.slice(7)}`)!.data.toString());
  const manifest = blob(index.manifests[2].digest);
  assert.equal(manifest.layers[0].digest, layer.blob.digest);
  assert.equal(manifest.layers[0].size, layer.blob.data.length);
  const config = blob(manifest.config.digest);
  assert.deepEqual(config.rootfs, { type: "layers", diff_ids: [layer.diffId] });
  assert.deepEqual(config.config.Entrypoint, ["/bin/sleep", "2147483647"]);
  assert.equal(config.os, "linux");

  const rootfs = readTar(gunzipSync(layer.blob.data));
  const entry = (n: string) => rootfs.find((e) => e.name === n);
  assert.equal(entry("bin/busybox")?.data.toString(), binary.toString());
  assert.equal(entry("bin/busybox")?.mode, 0o755);
  assert.equal(entry("bin/sh")?.link, "busybox");
  assert.equal(rootfs.filter((e) => e.name === "bin/sh").length, 1);
  assert.equal(entry("tmp/")?.mode, 0o1777);
  assert.match(entry("etc/passwd")!.data.toString(), /^root:x:0:0:/);
});
