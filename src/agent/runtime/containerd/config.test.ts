import assert from "node:assert/strict";
import { test } from "node:test";

import { containerdLayout, renderContainerdConfig, renderToml } from "./config.js";

test("renderContainerdConfig() gives containerd its own root, state and socket and sets up the CRI", () => {
  const layout = containerdLayout("/data/node-1/containerd");
  const toml = renderContainerdConfig({ layout, registryConfigDir: "/data/node-1/certs.d" });
  const lines = toml.split("\n");
  const cri = '[plugins."io.containerd.grpc.v1.cri"]';
  const section = (header: string) => {
    const start = lines.indexOf(header);
    assert.ok(start >= 0, `section ${header}`);
    const end = lines.findIndex((l, i) => i > start && l.startsWith("["));
    return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l !== "");
  };

  assert.deepEqual(lines.slice(0, 4), [
    "version = 2",
    'root = "/data/node-1/containerd/root"',
    'state = "/data/node-1/containerd/state"',
    "oom_score = 0",
  ]);
  assert.deepEqual(section("[grpc]"), ['address = "/data/node-1/containerd/containerd.sock"']);
  assert.deepEqual(section('[plugins."io.containerd.internal.v1.opt"]'), [
    'path = "/data/node-1/containerd/root/opt"',
  ]);
  const criLines = section(cri);
  assert.ok(criLines.includes('sandbox_image = "kates.local/pause:1"'));
  assert.ok(criLines.includes("restrict_oom_score_adj = true"));
  assert.ok(criLines.includes('stream_server_address = "127.0.0.1"'));
  assert.deepEqual(section('[plugins."io.containerd.grpc.v1.cri".containerd]'), [
    'snapshotter = "overlayfs"',
    'default_runtime_name = "runc"',
  ]);
  assert.deepEqual(section('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]'), [
    'runtime_type = "io.containerd.runc.v2"',
  ]);
  assert.deepEqual(section('[plugins."io.containerd.grpc.v1.cri".cni]'), [
    'bin_dir = "/usr/lib/cni"',
    'conf_dir = "/data/node-1/containerd/cni/net.d"',
    "max_conf_num = 1",
  ]);
  assert.deepEqual(section('[plugins."io.containerd.grpc.v1.cri".registry]'), [
    'config_path = "/data/node-1/certs.d"',
  ]);
});

test("renderContainerdConfig() takes the CNI folder, sandbox image and snapshotter it is given", () => {
  const toml = renderContainerdConfig({
    layout: containerdLayout("/d"),
    cniBinDir: "/opt/cni/bin",
    sandboxImage: "example.test/pause:9",
    snapshotter: "native",
  });
  assert.match(toml, /^bin_dir = "\/opt\/cni\/bin"$/m);
  assert.match(toml, /^sandbox_image = "example\.test\/pause:9"$/m);
  assert.match(toml, /^snapshotter = "native"$/m);
  assert.doesNotMatch(toml, /registry/);
});

test("renderToml() quotes keys and escapes strings as TOML requires", () => {
  assert.equal(
    renderToml({ a: 'say "hi"\n', "b.c": ["x", "y"], n: 1.5, t: { "k k": false } }),
    'a = "say \\"hi\\"\\n"\n"b.c" = ["x", "y"]\nn = 1.5\n\n[t]\n"k k" = false\n',
  );
  assert.equal(renderToml({ s: "del\u007f" }), 's = "del\\u007f"\n');
  assert.throws(() => renderToml({ n: Infinity }), /Cannot write Infinity/);
});
