/**
 * End-to-end: the `kates` command itself. `up` starts a cluster in the background that kubectl can use
 * through the merged kubeconfig, `down` stops it, state survives a restart and a kill -9 of the server.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { api, freePort, runKubectl } from "../harness.js";

const KATES = fileURLToPath(new URL("../../../bin/kates", import.meta.url));

function kates(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      KATES,
      args,
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err.code as number) ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe("kates up, down and version", () => {
  let dir: string;
  let env: Record<string, string>;
  let listen: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kates-cli-"));
    listen = `127.0.0.1:${await freePort()}`;
    env = {
      KUBECONFIG: join(dir, "user-kubeconfig"),
      KATES_DATA_DIR: join(dir, "data"),
      KATES_LISTEN: listen,
    };
  });
  after(async () => {
    await kates(["down"], env);
    rmSync(dir, { recursive: true, force: true });
  });

  it("version prints Kates' version and the Kubernetes API version", async () => {
    const r = await kates(["version"], env);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Kates \d+\.\d+\.\d+ \(Kubernetes API v1\.33\)$/m);
  });

  it("an unknown flag is a usage error with exit code 2", async () => {
    const r = await kates(["up", "--nodes-please", "3"], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown flag --nodes-please/);
  });

  it("up starts a cluster that kubectl reaches through the merged context", async () => {
    const r = await kates(["up"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Kates is running at http://${listen}`));
    const config = readFileSync(env["KUBECONFIG"]!, "utf8");
    assert.match(config, /current-context: kates/);
    const ns = await runKubectl("kubectl", ["get", "namespaces", "-o", "name"], {
      env: { KUBECONFIG: env["KUBECONFIG"]! },
    });
    assert.equal(ns.code, 0, ns.stderr);
    assert.match(ns.stdout, /namespace\/kube-system/);
    const again = await kates(["up"], env);
    assert.match(again.stdout, /already running/);
  });

  it("state survives down and up", async () => {
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kept" },
      data: { k: "v" },
    };
    const created = await api(`http://${listen}`, "/api/v1/namespaces/default/configmaps", {
      method: "POST",
      body: JSON.stringify(cm),
    });
    assert.equal(created.status, 201);
    const down = await kates(["down"], env);
    assert.equal(down.code, 0);
    await assert.rejects(fetch(`http://${listen}/healthz`));
    assert.equal((await kates(["up"], env)).code, 0);
    const read = await api(`http://${listen}`, "/api/v1/namespaces/default/configmaps/kept");
    assert.equal(read.status, 200);
    assert.equal(read.body.data.k, "v");
    assert.equal(read.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
  });

  it("up --simulated-nodes adds Ready nodes that run a Deployment's pods; down stops them", async () => {
    const r = await kates(["up", "--simulated-nodes", "2"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /running with 2 simulated nodes/);
    const kubectl = (args: string[]) =>
      runKubectl("kubectl", args, { env: { KUBECONFIG: env["KUBECONFIG"]! } });
    const nodes = await kubectl(["get", "nodes", "--no-headers"]);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, /^sim-0\s+Ready\s/m);
    assert.match(nodes.stdout, /^sim-1\s+Ready\s/m);
    const created = await kubectl(["create", "deployment", "sim", "--image=nginx", "--replicas=3"]);
    assert.equal(created.code, 0, created.stderr);
    const available = await kubectl([
      "wait",
      "--for=condition=Available",
      "deployment/sim",
      "--timeout=60s",
    ]);
    assert.equal(available.code, 0, available.stderr);
    const pods = await kubectl(["get", "pods", "-l", "app=sim", "--no-headers", "-o", "wide"]);
    assert.equal(pods.stdout.match(/\sRunning\s.*\ssim-[01]\s/g)?.length, 3, pods.stdout);

    assert.equal((await kates(["down"], env)).code, 0);
    assert.throws(() => readFileSync(join(env["KATES_DATA_DIR"]!, "simulate.pid")));
    const usage = await kates(["up", "--simulated-nodes", "-1"], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Cannot use --simulated-nodes "-1"/);
  });
});

describe("kates server after kill -9", () => {
  it("keeps every acknowledged write", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kates-kill-"));
    const port = await freePort();
    const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
    const start = async () => {
      // A V8 flag on the server's command line must not stop the storage worker thread from starting.
      const child = spawn(
        process.execPath,
        [
          "--max-old-space-size=1024",
          main,
          "server",
          "--data-dir",
          dir,
          "--listen",
          `127.0.0.1:${port}`,
          "--log-level",
          "error",
        ],
        { stdio: "ignore" },
      );
      for (let i = 0; i < 200; i++) {
        try {
          if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
        } catch {
          // Not listening yet.
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error("server did not start");
    };
    try {
      const server = await start();
      const acknowledged: string[] = [];
      let stop = false;
      const writers = Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; !stop; i++) {
          const name = `w${w}-${i}`;
          try {
            const r = await api(
              `http://127.0.0.1:${port}`,
              "/api/v1/namespaces/default/configmaps",
              {
                method: "POST",
                body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } }),
              },
            );
            if (r.status === 201) acknowledged.push(name);
          } catch {
            return; // the server is gone
          }
        }
      });
      await new Promise((r) => setTimeout(r, 1500));
      server.kill("SIGKILL");
      stop = true;
      await Promise.all(writers);
      assert.ok(acknowledged.length > 50, `only ${acknowledged.length} writes before the kill`);

      const again = await start();
      try {
        const list = await api(`http://127.0.0.1:${port}`, "/api/v1/namespaces/default/configmaps");
        const names = new Set(list.body.items.map((cm: any) => cm.metadata.name));
        const lost = acknowledged.filter((n) => !names.has(n));
        assert.deepEqual(lost, [], "acknowledged writes lost after kill -9");
      } finally {
        again.kill("SIGTERM");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
