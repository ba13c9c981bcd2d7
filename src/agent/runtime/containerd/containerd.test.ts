/**
 * Integration: a real containerd started by the supervisor inside a network namespace this test creates
 * (no links, so no route out), the local images imported, and pods run through the CRI client.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";

import { ensureLocalImages, PAUSE_IMAGE_NAME } from "../../images/local-images.js";
import type { CriRuntime } from "../cri/client.js";
import { isGrpcCode } from "../cri/grpc.js";
import { ContainerState, SandboxState, type PodSandboxConfig } from "../runtime.js";
import { importImages, listImageNames } from "./import.js";
import { containerdLayout } from "./config.js";
import { startContainerdRuntime } from "./node-runtime.js";
import type { ContainerdSupervisor } from "./supervisor.js";
import { findShims, teardown } from "./teardown.js";
import { CONTAINERD_FILES, systemTestSkip, unmountUnder } from "../../../../test/system.js";

const run = promisify(execFile);

const skip = systemTestSkip({ why: "network namespaces, containerd", files: CONTAINERD_FILES });

async function eventually<T>(fn: () => Promise<T>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`, { cause: last });
    await sleep(100);
  }
}

/** Unmounts whatever is still mounted under `dir` (deepest first), so the folder can be removed. */

describe("containerd through the supervisor and the CRI client", { skip }, () => {
  // Not `kates-<id>-…`: that is the local cluster network's naming, which its teardown sweeps.
  const netns = `ktest-ctd-${randomBytes(4).toString("hex")}`;
  let dir = "";
  let supervisor: ContainerdSupervisor;
  let cri: CriRuntime;
  let imported: string[] = [];

  const sandboxConfig: PodSandboxConfig = {
    metadata: { name: "web-0", uid: "uid-web-0", namespace: "default", attempt: 0 },
    hostname: "web-0",
    logDirectory: "", // set in before()
    labels: { "io.kubernetes.pod.name": "web-0" },
    linux: {},
  };

  before(async () => {
    dir = await mkdtemp("/tmp/kates-ctd-");
    sandboxConfig.logDirectory = path.join(dir, "pods", "default_web-0_uid-web-0");
    await run("ip", ["netns", "add", netns]);

    // The pod network: a bridge inside the test namespace, which has no link out of it.
    const conf = {
      cniVersion: "0.4.0",
      name: "kates-test",
      plugins: [
        {
          type: "bridge",
          bridge: "kates0",
          isGateway: true,
          ipMasq: false,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: "10.244.7.0/24" }]],
            dataDir: path.join(dir, "ipam"),
          },
        },
        { type: "loopback" },
      ],
    };
    const dataDir = path.join(dir, "containerd");
    const layout = containerdLayout(dataDir);
    await mkdir(layout.cniConfDir, { recursive: true });
    await writeFile(path.join(layout.cniConfDir, "10-kates.conflist"), JSON.stringify(conf));

    const started = await startContainerdRuntime({ dataDir, netns, readyTimeoutMs: 30_000 }).catch(
      async (err: unknown) => {
        const log = await readFile(layout.logFile, "utf8").catch(() => "");
        throw new Error(`containerd did not start:\n${log.slice(-3000)}`, { cause: err });
      },
    );
    supervisor = started.supervisor;
    cri = started.runtime;
    imported = started.imported;
  });

  after(async () => {
    try {
      if (cri && supervisor?.pid) await teardown(cri, supervisor.socketPath);
    } finally {
      cri?.close();
      await supervisor?.stop();
      if (supervisor)
        for (const pid of await findShims(supervisor.socketPath)) process.kill(pid, "SIGKILL");
      await run("ip", ["netns", "del", netns]).catch(() => undefined);
      if (dir) {
        await unmountUnder(dir);
        await rm(dir, { recursive: true, force: true });
      }
    }
  });

  test("Version answers with containerd's name and the v1 API", async () => {
    const v = await cri.version();
    assert.equal(v.runtimeName, "containerd");
    assert.equal(v.runtimeApiVersion, "v1");
    assert.ok(v.runtimeVersion.length > 0);
  });

  test("the local busybox and pause images import once and show in the CRI", async () => {
    assert.equal(imported.length, 2, "both archives imported at start");
    const archives = await ensureLocalImages({ cacheDir: path.join(dir, "containerd", "images") });
    assert.deepEqual(
      await importImages(supervisor.socketPath, archives),
      [],
      "second import skipped",
    );

    const names = await listImageNames(supervisor.socketPath);
    for (const n of [
      "docker.io/library/busybox:1.35",
      "docker.io/library/busybox:latest",
      PAUSE_IMAGE_NAME,
    ])
      assert.ok(names.has(n), n);
    const image = await cri.imageStatus({ image: "busybox:1.35" });
    assert.ok(image, "busybox:1.35 found through the CRI");
    assert.ok(image.repoTags.includes("docker.io/library/busybox:latest"));
    assert.ok(image.size > 0);
    assert.equal(await cri.imageStatus({ image: "busybox:nope" }), undefined);
    const all = await cri.listImages();
    assert.ok(all.some((i) => i.repoTags.includes(PAUSE_IMAGE_NAME)));
  });

  test("a pod sandbox and a busybox container run, exec and stop through the CRI", async () => {
    const sandboxId = await cri.runPodSandbox(sandboxConfig);
    const sandbox = await cri.podSandboxStatus(sandboxId);
    assert.equal(sandbox.state, SandboxState.Ready);
    assert.match(sandbox.network?.ip ?? "", /^10\.244\.7\./);
    assert.equal(sandbox.metadata?.name, "web-0");

    const containerId = await cri.createContainer(
      sandboxId,
      {
        metadata: { name: "main" },
        image: { image: "docker.io/library/busybox:1.35" },
        command: ["sh", "-c", "echo hi; sleep 30"],
        logPath: "main/0.log",
        labels: { "io.kubernetes.container.name": "main" },
      },
      sandboxConfig,
    );
    await cri.startContainer(containerId);
    const status = await cri.containerStatus(containerId);
    assert.equal(status.state, ContainerState.Running);
    assert.ok(status.startedAt > 0);

    assert.equal(status.logPath, path.join(sandboxConfig.logDirectory!, "main/0.log"));
    const log = await eventually(async () => {
      const text = await readFile(status.logPath, "utf8");
      assert.match(text, /stdout F hi\n/);
      return text;
    }, "the container's output in its CRI log");
    assert.match(log, /^\d{4}-\d\d-\d\dT\S+ stdout F hi$/m);

    const ok = await cri.execSync(containerId, ["echo", "ok"], 10);
    assert.equal(ok.exitCode, 0);
    assert.equal(Buffer.from(ok.stdout).toString(), "ok\n");
    const fail = await cri.execSync(containerId, ["sh", "-c", "echo bad >&2; exit 3"], 10);
    assert.equal(fail.exitCode, 3);
    assert.equal(Buffer.from(fail.stderr).toString(), "bad\n");

    const listed = await cri.listContainers({ podSandboxId: sandboxId });
    assert.deepEqual(
      listed.map((c) => [c.id, c.metadata?.name, c.state]),
      [[containerId, "main", ContainerState.Running]],
    );

    await cri.stopContainer(containerId, 0);
    const stopped = await cri.containerStatus(containerId);
    assert.equal(stopped.state, ContainerState.Exited);
    assert.equal(stopped.exitCode, 137);
    await cri.stopContainer(containerId, 0); // idempotent
    await cri.removeContainer(containerId);
    await assert.rejects(cri.containerStatus(containerId), (err) => isGrpcCode(err, 5));

    await cri.stopPodSandbox(sandboxId);
    assert.equal((await cri.podSandboxStatus(sandboxId)).state, SandboxState.NotReady);
    await cri.removePodSandbox(sandboxId);
    await cri.removePodSandbox(sandboxId); // idempotent
    assert.deepEqual(await cri.listPodSandbox({ id: sandboxId }), []);
  });

  test("the supervisor restarts a killed containerd and running containers survive it", async () => {
    const sandboxId = await cri.runPodSandbox(sandboxConfig);
    const containerId = await cri.createContainer(
      sandboxId,
      {
        metadata: { name: "sleeper" },
        image: { image: "busybox:latest" },
        command: ["sleep", "300"],
      },
      sandboxConfig,
    );
    await cri.startContainer(containerId);

    const before = supervisor.pid;
    assert.ok(before);
    process.kill(before, "SIGKILL");
    await eventually(async () => {
      assert.ok(supervisor.pid && supervisor.pid !== before, "a new containerd runs");
    }, "containerd to be restarted");
    await supervisor.waitReady(30_000);
    assert.equal(supervisor.restarts, 1);

    const status = await eventually(
      () => cri.containerStatus(containerId),
      "the CRI to answer again",
    );
    assert.equal(status.state, ContainerState.Running);
  });

  test("a new supervisor on the same data folder finds the containers the stopped one left running", async () => {
    const running = await cri.listContainers({ state: { state: ContainerState.Running } });
    assert.equal(running.length, 1, "the sleeper of the previous test");
    const shims = await findShims(supervisor.socketPath);

    cri.close();
    await supervisor.stop();
    assert.deepEqual(
      await findShims(supervisor.socketPath),
      shims,
      "stopping containerd keeps the shims",
    );

    const again = await startContainerdRuntime({
      dataDir: path.join(dir, "containerd"),
      netns,
      readyTimeoutMs: 30_000,
    });
    supervisor = again.supervisor;
    cri = again.runtime;
    assert.deepEqual(again.imported, [], "the images are still there");
    const status = await cri.containerStatus(running[0]!.id);
    assert.equal(status.state, ContainerState.Running);
  });

  test("a container that exits on its own reports its exit code; list filters select by state and label", async () => {
    const sandboxId = await cri.runPodSandbox({
      ...sandboxConfig,
      metadata: { ...sandboxConfig.metadata, name: "job-0", uid: "uid-job-0" },
      labels: { "io.kubernetes.pod.name": "job-0" },
    });
    const containerId = await cri.createContainer(
      sandboxId,
      { metadata: { name: "task" }, image: { image: "busybox" }, command: ["sh", "-c", "exit 7"] },
      sandboxConfig,
    );
    await cri.startContainer(containerId);
    const status = await eventually(async () => {
      const s = await cri.containerStatus(containerId);
      assert.equal(s.state, ContainerState.Exited);
      return s;
    }, "the container to exit");
    assert.equal(status.exitCode, 7);
    assert.equal(status.reason, "Error");
    // No order between startedAt and finishedAt: containerd may record the start after a fast exit.
    assert.ok(status.finishedAt > 0 && status.startedAt > 0);

    const exited = await cri.listContainers({ state: { state: ContainerState.Exited } });
    assert.deepEqual(
      exited.map((c) => c.id),
      [containerId],
    );
    const byLabel = await cri.listPodSandbox({
      labelSelector: { "io.kubernetes.pod.name": "job-0" },
    });
    assert.deepEqual(
      byLabel.map((p) => p.id),
      [sandboxId],
    );
  });

  test("teardown() removes every container and sandbox and leaves no shim", async () => {
    assert.ok((await findShims(supervisor.socketPath)).length > 0, "a shim runs before teardown");
    await teardown(cri, supervisor.socketPath);
    assert.deepEqual(await cri.listContainers(), []);
    assert.deepEqual(await cri.listPodSandbox(), []);
    assert.deepEqual(await findShims(supervisor.socketPath), []);
  });

  test("RemoveImage removes an image and is idempotent", async () => {
    await cri.removeImage({ image: "docker.io/library/busybox:1.35" });
    assert.equal(await cri.imageStatus({ image: "docker.io/library/busybox:1.35" }), undefined);
    await cri.removeImage({ image: "docker.io/library/busybox:1.35" });
  });
});
