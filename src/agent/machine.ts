/**
 * The Node a real agent registers: capacity from this machine (CPUs, memory from /proc/meminfo, 110
 * pods), its labels, its address (the node namespace's eth0, else 127.0.0.1) and nodeInfo with the
 * runtime's version. The conditions and Lease are the simulator's (simulate/node-object.ts).
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import os from "node:os";
import { promisify } from "node:util";

import type { Node } from "../api/core/v1/node.js";
import { KUBERNETES_MINOR } from "../apiserver/version.js";
import { healthyConditions } from "../simulate/node-object.js";

const run = promisify(execFile);

/** What the Node says about the machine. */
export interface MachineFacts {
  cpus: number;
  memoryKi: number;
  internalIP: string;
  kernelVersion: string;
  osImage: string;
  machineID: string;
  bootID: string;
  architecture: string;
}

/** MemTotal of /proc/meminfo, in KiB; undefined when absent. */
export function memTotalKi(meminfo: string): number | undefined {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo);
  return m ? Number(m[1]) : undefined;
}

/** The first IPv4 address of `ip -4 -o addr show` output. */
export function firstIPv4(ipOutput: string): string | undefined {
  const m = /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(ipOutput);
  return m?.[1];
}

/** Go's GOARCH names, as Kubernetes labels use them. */
export function goArch(nodeArch: string): string {
  return nodeArch === "x64" ? "amd64" : nodeArch === "ia32" ? "386" : nodeArch;
}

/** Reads the facts of this machine; the address from `netns`'s eth0 when it has one. */
export async function readMachine(netns?: string): Promise<MachineFacts> {
  const meminfo = await readFile("/proc/meminfo", "utf8").catch(() => "");
  let internalIP = "127.0.0.1";
  try {
    const args = netns
      ? ["-n", netns, "-4", "-o", "addr", "show", "dev", "eth0"]
      : ["-4", "-o", "addr", "show", "dev", "eth0"];
    // Without a node namespace the host's own eth0 would be a real network: keep to loopback then.
    if (netns) internalIP = firstIPv4((await run("ip", args)).stdout) ?? internalIP;
  } catch {
    // No eth0 in the namespace.
  }
  const osRelease = await readFile("/etc/os-release", "utf8").catch(() => "");
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? "Linux";
  const trimmed = async (f: string) => (await readFile(f, "utf8").catch(() => "")).trim();
  return {
    cpus: os.cpus().length || 1,
    memoryKi: memTotalKi(meminfo) ?? Math.floor(os.totalmem() / 1024),
    internalIP,
    kernelVersion: os.release(),
    osImage: pretty,
    machineID: await trimmed("/etc/machine-id"),
    bootID: await trimmed("/proc/sys/kernel/random/boot_id"),
    architecture: goArch(os.arch()),
  };
}

/** The Node object of agent `name` on machine `m`. */
export function agentNode(
  name: string,
  m: MachineFacts,
  runtimeVersion: string,
  now: string,
  readySince = now,
): Node {
  const resources = {
    cpu: String(m.cpus),
    memory: `${m.memoryKi}Ki`,
    pods: "110",
    "ephemeral-storage": "100Gi",
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": m.architecture,
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": m.architecture,
      },
      annotations: { "node.alpha.kubernetes.io/ttl": "0" },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: { ...resources },
      conditions: healthyConditions(now, readySince),
      addresses: [
        { type: "InternalIP", address: m.internalIP },
        { type: "Hostname", address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: m.machineID,
        systemUUID: m.machineID,
        bootID: m.bootID,
        kernelVersion: m.kernelVersion,
        osImage: m.osImage,
        containerRuntimeVersion: runtimeVersion,
        kubeletVersion: `v1.${KUBERNETES_MINOR}.0-kates`,
        kubeProxyVersion: "",
        operatingSystem: "linux",
        architecture: m.architecture,
      },
    },
  };
}

/**
 * The node's conditions: healthy ones, except Ready is False (KubeletNotReady) while the container
 * runtime does not answer. `since` is when Ready last changed.
 */
export function agentNodeConditions(now: string, since: string, runtimeError?: string) {
  const conditions = healthyConditions(now, since);
  if (runtimeError === undefined) return conditions;
  return conditions.map((c) =>
    c.type === "Ready"
      ? {
          ...c,
          status: "False",
          reason: "KubeletNotReady",
          message: `container runtime is down: ${runtimeError}`,
        }
      : c,
  );
}

/** The Node's `status.images` from the runtime's images: names (tags, then digests) and size, largest first. */
export function nodeImages(
  images: { repoTags: string[]; repoDigests: string[]; size: number }[],
): { names: string[]; sizeBytes: number }[] {
  return images
    .map((i) => ({ names: [...i.repoDigests, ...i.repoTags], sizeBytes: i.size }))
    .filter((i) => i.names.length > 0)
    .sort((a, b) => b.sizeBytes - a.sizeBytes)
    .slice(0, 50);
}
