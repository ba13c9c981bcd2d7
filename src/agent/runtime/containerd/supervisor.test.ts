import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { ContainerdSupervisor } from "./supervisor.js";

/** A folder with an executable fake `containerd` made of `script`. */
async function fakeContainerd(script: string): Promise<{ dir: string; bin: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "kates-sup-"));
  const bin = path.join(dir, "fake-containerd");
  await writeFile(bin, `#!/bin/sh\n${script}\n`);
  await chmod(bin, 0o755);
  return { dir, bin };
}

test("ContainerdSupervisor.start() writes the config, passes it to containerd and fails when the CRI never answers", async () => {
  const { dir, bin } = await fakeContainerd('echo "args: $*"; exec sleep 30');
  const sup = new ContainerdSupervisor({
    dataDir: path.join(dir, "data"),
    containerdPath: bin,
    readyTimeoutMs: 300,
  });
  try {
    await assert.rejects(sup.start(), /did not answer in 300 ms/);
    const config = await readFile(sup.layout.configFile, "utf8");
    assert.match(config, /^version = 2$/m);
    const log = await readFile(sup.layout.logFile, "utf8");
    assert.match(log, new RegExp(`args: --config ${sup.layout.configFile}`));
    assert.ok(sup.pid, "the fake still runs");
  } finally {
    await sup.stop();
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(sup.pid, undefined);
});

test("ContainerdSupervisor.stop() kills a containerd that ignores SIGTERM after the grace period", async () => {
  const { dir, bin } = await fakeContainerd("trap '' TERM; while :; do sleep 0.1; done");
  const sup = new ContainerdSupervisor({
    dataDir: path.join(dir, "data"),
    containerdPath: bin,
    readyTimeoutMs: 200,
    stopGraceMs: 300,
  });
  try {
    await assert.rejects(sup.start());
    const pid = sup.pid;
    assert.ok(pid);
    await sup.stop();
    assert.equal(sup.pid, undefined);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, "the process is gone");
  } finally {
    await sup.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test("ContainerdSupervisor restarts a containerd that keeps dying, with growing delays, until stopped", async () => {
  const { dir, bin } = await fakeContainerd("date +%s%N; exit 1");
  const sup = new ContainerdSupervisor({
    dataDir: path.join(dir, "data"),
    containerdPath: bin,
    readyTimeoutMs: 300,
    initialBackoffMs: 50,
    maxBackoffMs: 400,
  });
  try {
    await assert.rejects(sup.start());
    for (let i = 0; sup.restarts < 3; i++) {
      assert.ok(i < 300, `restarted only ${sup.restarts} times in 30 s`);
      await sleep(100);
    }
    await sup.stop();
    const after = sup.restarts;
    await sleep(600);
    assert.equal(sup.restarts, after, "no restart after stop()");

    // Each start logged its time; the gaps between starts grow with the back-off.
    const starts = (await readFile(sup.layout.logFile, "utf8"))
      .trim()
      .split("\n")
      .map((l) => Number(l) / 1e6);
    assert.ok(starts.length >= 4);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    // Lower bounds only: a busy machine makes gaps longer, never shorter.
    assert.ok(gaps[0]! >= 50, `first gap ${gaps[0]} ms`);
    assert.ok(gaps[2]! >= 200, `third gap ${gaps[2]} ms`);
  } finally {
    await sup.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test("ContainerdSupervisor.start() stops a containerd an earlier run left on the same data folder", async () => {
  const { dir, bin } = await fakeContainerd("while :; do sleep 0.1; done");
  const sup = new ContainerdSupervisor({
    dataDir: path.join(dir, "data"),
    containerdPath: bin,
    readyTimeoutMs: 200,
  });
  // What an agent that died leaves: its containerd, still running, and the PID file naming it. The fake
  // keeps its arguments (no exec), as containerd does, so the supervisor can recognise it.
  await mkdir(path.join(dir, "data"), { recursive: true });
  const leftover = spawn(bin, ["--config", sup.layout.configFile], { stdio: "ignore" });
  const leftoverExit = new Promise((resolve) => leftover.once("exit", resolve));
  await writeFile(sup.layout.pidFile, `${leftover.pid}\n`);
  try {
    await assert.rejects(sup.start());
    assert.equal(await leftoverExit, null, "the leftover was stopped by a signal");
    assert.ok(sup.pid && sup.pid !== leftover.pid);
    assert.equal((await readFile(sup.layout.pidFile, "utf8")).trim(), String(sup.pid));
  } finally {
    leftover.kill("SIGKILL");
    await sup.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test("ContainerdSupervisor.start() leaves alone a process whose PID the file names but that is not its containerd", async () => {
  const { dir, bin } = await fakeContainerd("exec sleep 30");
  const dataDir = path.join(dir, "data");
  const sup = new ContainerdSupervisor({ dataDir, containerdPath: bin, readyTimeoutMs: 200 });
  try {
    await mkdir(dataDir, { recursive: true });
    await writeFile(sup.layout.pidFile, `${process.pid}\n`);
    await assert.rejects(sup.start());
    assert.ok(sup.pid && sup.pid !== process.pid, "this test process was not killed");
  } finally {
    await sup.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
