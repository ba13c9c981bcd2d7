/**
 * The node agent end to end: an API server with controllers and scheduler, one real `NodeAgent` whose
 * containerd (started by the agent's own code path) runs inside a network namespace this test creates,
 * with a bridge CNI network only inside it (no links out). Real kubectl drives it.
 */
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";

import { NodeAgent, POD_UID_LABEL } from "../../src/agent/node-agent.js";
import { containerdLayout } from "../../src/agent/runtime/containerd/config.js";
import { startContainerdRuntime } from "../../src/agent/runtime/containerd/node-runtime.js";
import type { ContainerdSupervisor } from "../../src/agent/runtime/containerd/supervisor.js";
import { findShims, teardown } from "../../src/agent/runtime/containerd/teardown.js";
import { CriRuntime } from "../../src/agent/runtime/cri/client.js";
import { KubeClient } from "../../src/client/client.js";
import { eventually, startCluster, type TestCluster } from "../harness.js";
import { CONTAINERD_FILES, systemTestSkip, unmountUnder } from "../system.js";

const run = promisify(execFile);

const skip = systemTestSkip({ why: "network namespaces, containerd", files: CONTAINERD_FILES });

describe("kates agent runs real pods on containerd", { skip }, () => {
  const netns = `ktest-agent-${randomBytes(4).toString("hex")}`;
  const node = "node-a";
  let dir = "";
  let cluster: TestCluster | undefined;
  let supervisor: ContainerdSupervisor | undefined;
  let cri: CriRuntime | undefined;
  let client: KubeClient | undefined;
  let agent: NodeAgent | undefined;
  // The second node, run as the `kates agent` command with containerd of its own.
  const netns2 = `ktest-agent-${randomBytes(4).toString("hex")}`;
  let child: ChildProcess | undefined;
  let childExit: Promise<number | null> | undefined;

  const kubectl = async (args: string[], input?: string) => {
    const r = await cluster!.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const bridgeConf = (subnet: string) =>
    JSON.stringify({
      cniVersion: "0.4.0",
      name: "kates-agent-test",
      plugins: [
        {
          type: "bridge",
          bridge: "kates0",
          isGateway: true,
          ipMasq: false,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet }]],
            dataDir: path.join(dir, `ipam-${subnet.split(".")[2]}`),
          },
        },
      ],
    });
  const getPod = async (name: string) =>
    JSON.parse(await kubectl(["get", "pod", name, "-o", "json"]));

  before(async () => {
    dir = await mkdtemp("/tmp/kates-agent-");
    await run("ip", ["netns", "add", netns]);
    const dataDir = path.join(dir, "agent");
    const layout = containerdLayout(path.join(dataDir, "containerd"));
    await mkdir(layout.cniConfDir, { recursive: true });
    await writeFile(path.join(layout.cniConfDir, "10-kates.conflist"), bridgeConf("10.244.9.0/24"));
    const started = await startContainerdRuntime({
      dataDir: path.join(dataDir, "containerd"),
      netns,
      readyTimeoutMs: 30_000,
    }).catch(async (err: unknown) => {
      const log = await readFile(layout.logFile, "utf8").catch(() => "");
      throw new Error(`containerd did not start:\n${log.slice(-3000)}`, { cause: err });
    });
    supervisor = started.supervisor;
    cri = started.runtime;
    cluster = await startCluster({ controllers: true, scheduler: true });
    client = new KubeClient(cluster.url);
    agent = new NodeAgent({ client, nodeName: node, runtime: cri, dataDir, netns });
    await agent.start();
  });

  after(async () => {
    try {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await childExit;
      }
      for (const pid of await findShims(
        containerdLayout(path.join(dir, "agent2", "containerd")).socket,
      ))
        process.kill(pid, "SIGKILL");
      await run("ip", ["netns", "del", netns2]).catch(() => undefined);
      await agent?.stop();
      if (cri && supervisor?.pid) await teardown(cri, supervisor.socketPath);
    } finally {
      cri?.close();
      client?.close();
      await supervisor?.stop();
      if (supervisor)
        for (const pid of await findShims(supervisor.socketPath)) process.kill(pid, "SIGKILL");
      await cluster?.close();
      await run("ip", ["netns", "del", netns]).catch(() => undefined);
      if (dir) {
        await unmountUnder(dir);
        await rm(dir, { recursive: true, force: true });
      }
    }
  });

  test("the node registers Ready with the machine's capacity and the runtime's version", async () => {
    const n = JSON.parse(await kubectl(["get", "node", node, "-o", "json"]));
    assert.equal(n.metadata.labels["kubernetes.io/hostname"], node);
    assert.equal(n.metadata.labels["kubernetes.io/os"], "linux");
    assert.match(n.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/.+/);
    assert.ok(Number(n.status.capacity.cpu) >= 1);
    assert.match(n.status.capacity.memory, /^\d+Ki$/);
    assert.equal(n.status.capacity.pods, "110");
    assert.ok(
      n.status.images.some((i: any) => i.names.includes("docker.io/library/busybox:latest")),
      "the local busybox is among the node's images",
    );
    const ready = n.status.conditions.find((c: { type: string }) => c.type === "Ready");
    assert.equal(ready.status, "True");
    const lease = JSON.parse(
      await kubectl(["get", "lease", "-n", "kube-node-lease", node, "-o", "json"]),
    );
    assert.equal(lease.spec.holderIdentity, node);
  });

  test("kubectl run: the pod runs with a pod IP and a containerd container ID", async () => {
    await kubectl([
      "run",
      "bb",
      "--image=busybox",
      "--restart=Never",
      "--",
      "sh",
      "-c",
      "echo hello; sleep 3600",
    ]);
    let pod: any;
    await eventually(
      async () => {
        pod = await getPod("bb");
        return pod.status?.phase === "Running" && pod.status.containerStatuses?.[0]?.ready === true;
      },
      30_000,
      "pod bb Running",
    );
    assert.equal(pod.spec.nodeName, node);
    assert.match(pod.status.podIP, /^10\.244\.9\.\d+$/);
    assert.deepEqual(pod.status.podIPs, [{ ip: pod.status.podIP }]);
    const cs = pod.status.containerStatuses[0];
    assert.match(cs.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.equal(cs.image, "docker.io/library/busybox:latest");
    assert.match(cs.imageID, /^sha256:[0-9a-f]{64}$/);
    assert.ok(cs.state.running.startedAt);
    assert.equal(cs.restartCount, 0);
    assert.equal(cs.started, true);
    const types = Object.fromEntries(
      pod.status.conditions.map((c: { type: string; status: string }) => [c.type, c.status]),
    );
    assert.deepEqual(
      [
        types.PodScheduled,
        types.Initialized,
        types.ContainersReady,
        types.Ready,
        types.PodReadyToStartContainers,
      ],
      ["True", "True", "True", "True", "True"],
    );
    assert.equal(pod.status.qosClass, "BestEffort");
    // The container really runs what it was asked: its log has the echo.
    const id = cs.containerID.replace("containerd://", "");
    const st = await cri!.containerStatus(id);
    assert.match(await readFile(st.logPath, "utf8"), /hello/);
    // What the kubelet tells the user, as Events on the pod.
    await eventually(
      async () => {
        const ev = JSON.parse(
          await kubectl([
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=bb",
            "-o",
            "json",
          ]),
        );
        const reasons = new Set(ev.items.map((e: any) => e.reason));
        return ["Pulling", "Pulled", "Created", "Started"].every((r) => reasons.has(r));
      },
      10_000,
      "Pulling, Pulled, Created and Started events",
    );
  });

  test("a deployment of 2 replicas gets 2 running pods", async () => {
    await kubectl([
      "create",
      "deployment",
      "web",
      "--image=busybox",
      "--replicas=2",
      "--",
      "sleep",
      "3600",
    ]);
    await eventually(
      async () => {
        const list = JSON.parse(await kubectl(["get", "pods", "-l", "app=web", "-o", "json"]));
        return (
          list.items.length === 2 &&
          list.items.every(
            (p: any) =>
              p.status?.phase === "Running" && p.status.containerStatuses?.[0]?.containerID,
          )
        );
      },
      30_000,
      "2 web pods Running",
    );
  });

  test("Jobs: exit 0 completes; exit 3 with backoffLimit 0 fails with exit code 3", async () => {
    const job = (name: string, code: number) =>
      JSON.stringify({
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name },
        spec: {
          backoffLimit: 0,
          template: {
            spec: {
              restartPolicy: "Never",
              containers: [
                { name: "main", image: "busybox", command: ["sh", "-c", `exit ${code}`] },
              ],
            },
          },
        },
      });
    await kubectl(["apply", "-f", "-"], job("ok", 0));
    await kubectl(["apply", "-f", "-"], job("bad", 3));
    const jobDone = async (name: string, type: string) => {
      const j = JSON.parse(await kubectl(["get", "job", name, "-o", "json"]));
      return (j.status?.conditions ?? []).some((c: any) => c.type === type && c.status === "True");
    };
    await eventually(() => jobDone("ok", "Complete"), 40_000, "job ok Complete");
    await eventually(() => jobDone("bad", "Failed"), 40_000, "job bad Failed");
    const pods = JSON.parse(await kubectl(["get", "pods", "-l", "job-name=bad", "-o", "json"]));
    const failed = pods.items.find((p: any) => p.status?.phase === "Failed");
    assert.ok(failed, "the failed job's pod is Failed");
    const term = failed.status.containerStatuses[0].state.terminated;
    assert.equal(term.exitCode, 3);
    assert.equal(term.reason, "Error");
    const okPods = JSON.parse(await kubectl(["get", "pods", "-l", "job-name=ok", "-o", "json"]));
    assert.equal(okPods.items[0].status.phase, "Succeeded");
    assert.equal(okPods.items[0].status.containerStatuses[0].state.terminated.exitCode, 0);
  });

  test("init containers run first; env and workingDir reach the container", async () => {
    const manifest = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "init-env" },
      spec: {
        initContainers: [{ name: "setup", image: "busybox", command: ["sh", "-c", "exit 0"] }],
        containers: [
          {
            name: "main",
            image: "busybox",
            command: ["sh", "-c"],
            args: ["echo foo=$FOO $(GREETING); pwd; sleep 3600"],
            env: [
              { name: "FOO", value: "bar" },
              { name: "GREETING", value: "hi-$(FOO)" },
            ],
            workingDir: "/tmp",
          },
        ],
      },
    };
    await kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
    let pod: any;
    await eventually(
      async () => {
        pod = await getPod("init-env");
        return pod.status?.phase === "Running" && pod.status.containerStatuses?.[0]?.ready === true;
      },
      30_000,
      "pod init-env Running",
    );
    const init = pod.status.initContainerStatuses[0];
    assert.equal(init.state.terminated.exitCode, 0);
    assert.equal(init.state.terminated.reason, "Completed");
    const initDone = Date.parse(init.state.terminated.finishedAt);
    const mainStarted = Date.parse(pod.status.containerStatuses[0].state.running.startedAt);
    assert.ok(mainStarted >= initDone, "main starts after the init container finished");
    const st = await cri!.containerStatus(
      pod.status.containerStatuses[0].containerID.replace("containerd://", ""),
    );
    await eventually(
      async () => /foo=bar hi-bar\n(.*\s)?\/tmp/.test(await readFile(st.logPath, "utf8")),
      10_000,
      "env and working folder in the log",
    );
    await kubectl(["delete", "pod", "init-env", "--grace-period=0", "--wait=false"]);
  });

  test("a crashing container restarts and backs off (CrashLoopBackOff)", async () => {
    const manifest = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "crash" },
      spec: { containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "exit 1"] }] },
    };
    await kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
    let cs: any;
    await eventually(
      async () => {
        cs = (await getPod("crash")).status?.containerStatuses?.[0];
        return cs?.state?.waiting?.reason === "CrashLoopBackOff";
      },
      30_000,
      "pod crash in CrashLoopBackOff",
    );
    assert.ok(cs.restartCount >= 1, `restartCount ${cs.restartCount}`);
    assert.equal(cs.lastState.terminated.exitCode, 1);
    assert.match(
      cs.state.waiting.message,
      /^back-off \d+s restarting failed container=c pod=crash_default/,
    );
    await eventually(
      async () => {
        const ev = JSON.parse(
          await kubectl([
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=crash",
            "-o",
            "json",
          ]),
        );
        return ev.items.some(
          (e: any) =>
            e.reason === "BackOff" &&
            e.type === "Warning" &&
            e.involvedObject.fieldPath === "spec.containers{c}" &&
            e.source?.component === "kubelet",
        );
      },
      10_000,
      "a BackOff event",
    );
    await kubectl(["delete", "pod", "crash", "--grace-period=0", "--wait=false"]);
  });

  test("an absent image with pull policy Never waits with ErrImageNeverPull", async () => {
    const manifest = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "no-image" },
      spec: {
        containers: [{ name: "c", image: "kates.local/absent:1", imagePullPolicy: "Never" }],
      },
    };
    await kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
    await eventually(
      async () => {
        const st = (await getPod("no-image")).status;
        return (
          st?.phase === "Pending" &&
          st.containerStatuses?.[0]?.state?.waiting?.reason === "ErrImageNeverPull"
        );
      },
      20_000,
      "ErrImageNeverPull",
    );
    await kubectl(["delete", "pod", "no-image", "--grace-period=0", "--wait=false"]);
  });

  test("a restarted agent adopts running pods and removes the ones deleted meanwhile", async () => {
    const list = JSON.parse(await kubectl(["get", "pods", "-l", "app=web", "-o", "json"]));
    const before = new Map<string, string>(
      list.items.map((p: any) => [p.metadata.name, p.status.containerStatuses[0].containerID]),
    );
    await agent!.stop();
    // Deleted while no agent runs: the API forgets it at once, its containers stay behind.
    const gone = list.items[0];
    await kubectl(["delete", "pod", gone.metadata.name, "--grace-period=0", "--force"]);
    agent = new NodeAgent({
      client: client!,
      nodeName: node,
      runtime: cri!,
      dataDir: path.join(dir, "agent"),
      netns,
    });
    await agent.start();
    await eventually(
      async () =>
        (await cri!.listPodSandbox({ labelSelector: { [POD_UID_LABEL]: gone.metadata.uid } }))
          .length === 0,
      20_000,
      "the force-deleted pod's sandbox removed",
    );
    const kept = list.items[1];
    // Give the new agent time to look at the pod: it must not restart it.
    await new Promise((r) => setTimeout(r, 2000));
    const now = await getPod(kept.metadata.name);
    assert.equal(now.status.containerStatuses[0].containerID, before.get(kept.metadata.name));
    assert.equal(now.status.containerStatuses[0].restartCount, 0);
    assert.ok(now.status.containerStatuses[0].state.running);
  });

  test("kubectl delete pod removes its containers, its sandbox and the object", async () => {
    const uid = (await getPod("bb")).metadata.uid as string;
    assert.ok((await cri!.listPodSandbox({ labelSelector: { [POD_UID_LABEL]: uid } })).length > 0);
    await kubectl(["delete", "pod", "bb", "--grace-period=1", "--wait=false"]);
    await eventually(
      async () => (await cluster!.kubectl(["get", "pod", "bb"])).code !== 0,
      30_000,
      "pod bb gone",
    );
    assert.deepEqual(await cri!.listContainers({ labelSelector: { [POD_UID_LABEL]: uid } }), []);
    assert.deepEqual(await cri!.listPodSandbox({ labelSelector: { [POD_UID_LABEL]: uid } }), []);
  });

  test("kates agent: the command starts its own containerd in --netns and runs a pod", async () => {
    const dataDir = path.join(dir, "agent2");
    const layout = containerdLayout(path.join(dataDir, "containerd"));
    await mkdir(layout.cniConfDir, { recursive: true });
    await writeFile(
      path.join(layout.cniConfDir, "10-kates.conflist"),
      bridgeConf("10.244.10.0/24"),
    );
    await run("ip", ["netns", "add", netns2]);
    const main = new URL("../../src/cli/main.js", import.meta.url).pathname;
    let output = "";
    child = spawn(
      process.execPath,
      [
        main,
        "agent",
        "--kubeconfig",
        cluster!.kubeconfig,
        "--name",
        "node-b",
        "--netns",
        netns2,
        "--data-dir",
        dataDir,
        "--log-level",
        "warn",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    childExit = new Promise((resolve) => child!.once("exit", (code) => resolve(code)));
    await eventually(
      async () => {
        if (child!.exitCode !== null) throw new Error(`kates agent exited: ${output}`);
        const r = await cluster!.kubectl(["get", "node", "node-b", "-o", "json"]);
        if (r.code !== 0) return false;
        const n = JSON.parse(r.stdout);
        return n.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");
      },
      60_000,
      "node-b Ready",
    );
    const manifest = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "on-b" },
      spec: {
        nodeName: "node-b",
        containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }],
      },
    };
    await kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
    let pod: any;
    await eventually(
      async () => {
        pod = await getPod("on-b");
        return pod.status?.phase === "Running";
      },
      30_000,
      "pod on-b Running",
    );
    assert.match(pod.status.podIP, /^10\.244\.10\.\d+$/);
    const uid = pod.metadata.uid as string;
    await kubectl(["delete", "pod", "on-b", "--grace-period=0", "--wait=false"]);
    await eventually(
      async () => (await cluster!.kubectl(["get", "pod", "on-b"])).code !== 0,
      30_000,
      "pod on-b gone",
    );
    const cri2 = new CriRuntime({ socketPath: layout.socket });
    try {
      assert.deepEqual(await cri2.listPodSandbox({ labelSelector: { [POD_UID_LABEL]: uid } }), []);
    } finally {
      cri2.close();
    }
    child.kill("SIGTERM");
    assert.equal(await childExit, 0, output);
  });
});
