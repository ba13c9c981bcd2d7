import assert from "node:assert/strict";
import { test } from "node:test";

import {
  agentNode,
  agentNodeConditions,
  nodeImages,
  firstIPv4,
  goArch,
  memTotalKi,
} from "./machine.js";

test("memTotalKi reads MemTotal from /proc/meminfo", () => {
  assert.equal(memTotalKi("MemTotal:       16305428 kB\nMemFree:  1 kB\n"), 16305428);
  assert.equal(memTotalKi("MemFree: 1 kB\n"), undefined);
});

test("firstIPv4 reads the address of `ip -4 -o addr show`", () => {
  assert.equal(
    firstIPv4(
      "2: eth0    inet 172.30.0.2/24 brd 172.30.0.255 scope global eth0\\       valid_lft forever",
    ),
    "172.30.0.2",
  );
  assert.equal(firstIPv4(""), undefined);
});

test("goArch names architectures as Kubernetes labels do", () => {
  assert.equal(goArch("x64"), "amd64");
  assert.equal(goArch("arm64"), "arm64");
});

test("agentNode: capacity, labels, address and nodeInfo", () => {
  const n = agentNode(
    "node-a",
    {
      cpus: 2,
      memoryKi: 1024,
      internalIP: "127.0.0.1",
      kernelVersion: "6.1",
      osImage: "Debian",
      machineID: "m",
      bootID: "b",
      architecture: "amd64",
    },
    "containerd://1.6.20",
    "2026-01-01T00:00:00Z",
  );
  assert.deepEqual(n.status?.capacity, {
    cpu: "2",
    memory: "1024Ki",
    pods: "110",
    "ephemeral-storage": "100Gi",
  });
  assert.equal(n.metadata.labels?.["kubernetes.io/hostname"], "node-a");
  assert.equal(n.metadata.labels?.["kubernetes.io/arch"], "amd64");
  assert.deepEqual(n.status?.addresses?.[0], { type: "InternalIP", address: "127.0.0.1" });
  assert.equal(n.status?.nodeInfo?.containerRuntimeVersion, "containerd://1.6.20");
  assert.equal(n.status?.conditions?.find((c) => c.type === "Ready")?.status, "True");
});

test("agentNodeConditions: Ready False with KubeletNotReady while the runtime is down", () => {
  const up = agentNodeConditions("2026-01-01T00:01:00Z", "2026-01-01T00:00:00Z");
  assert.equal(up.find((c) => c.type === "Ready")?.status, "True");
  const down = agentNodeConditions(
    "2026-01-01T00:01:00Z",
    "2026-01-01T00:01:00Z",
    "connect ENOENT",
  );
  const ready = down.find((c) => c.type === "Ready")!;
  assert.equal(ready.status, "False");
  assert.equal(ready.reason, "KubeletNotReady");
  assert.equal(ready.message, "container runtime is down: connect ENOENT");
  assert.equal(ready.lastTransitionTime, "2026-01-01T00:01:00Z");
  assert.equal(down.find((c) => c.type === "MemoryPressure")?.status, "False");
});

test("nodeImages: digests then tags, largest first, unnamed images left out", () => {
  assert.deepEqual(
    nodeImages([
      { repoTags: ["a:1"], repoDigests: ["a@sha256:1"], size: 10 },
      { repoTags: [], repoDigests: [], size: 99 },
      { repoTags: ["b:1", "b:latest"], repoDigests: [], size: 20 },
    ]),
    [
      { names: ["b:1", "b:latest"], sizeBytes: 20 },
      { names: ["a@sha256:1", "a:1"], sizeBytes: 10 },
    ],
  );
});
