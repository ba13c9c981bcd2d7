/**
 * Integration: the conflist `cni-config.ts` writes, run by the real CNI plugins the way containerd
 * runs a network list, gives a stand-in pod on node-1 an address that node-0 reaches over host-gw.
 * Needs root and containernetworking-plugins; sends nothing outside the namespaces it makes, which
 * it removes.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createClusterNetwork, runCommand, teardownClusterNetwork } from "./cluster-network.js";
import { writeCniConfig } from "./cni-config.js";
import { namespacePath, newClusterId, planClusterNetwork } from "./plan.js";
import { systemTestSkip } from "../../../test/system.js";

const PLUGIN_DIRS = ["/usr/lib/cni", "/opt/cni/bin"];
const pluginDir = PLUGIN_DIRS.find((d) => existsSync(join(d, "bridge")));
const skip = systemTestSkip({
  why: "network namespaces",
  files: [join(pluginDir ?? PLUGIN_DIRS[0]!, "bridge")],
});

interface ConfList {
  cniVersion: string;
  name: string;
  plugins: Record<string, unknown>[];
}

/**
 * Runs one plugin of a list inside `nodeNamespace`, as a CNI runtime does, and returns its result.
 */
async function runPlugin(
  nodeNamespace: string,
  list: ConfList,
  plugin: Record<string, unknown>,
  env: Record<string, string>,
  prevResult?: unknown,
): Promise<unknown> {
  const conf = { cniVersion: list.cniVersion, name: list.name, ...plugin, prevResult };
  const out = await runCommand({
    argv: [
      "ip",
      "netns",
      "exec",
      nodeNamespace,
      "env",
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      join(pluginDir ?? "", String(plugin.type)),
    ],
    stdin: JSON.stringify(conf),
  });
  return out.trim() === "" ? undefined : JSON.parse(out);
}

const TCP_SERVER = `
const [host, port] = process.argv.slice(1);
require("node:net").createServer((s) => s.end("hello from a CNI pod"))
  .listen(Number(port), host, () => process.stdout.write("ready\\n"));`;

const TCP_CLIENT = `
const [host, port] = process.argv.slice(1);
const s = require("node:net").connect({ host, port: Number(port), timeout: 20000 });
let got = "";
s.on("data", (d) => (got += d));
s.on("end", () => { process.stdout.write(got); process.exit(0); });
s.on("timeout", () => { process.stderr.write("timeout"); process.exit(2); });
s.on("error", (e) => { process.stderr.write(e.message); process.exit(3); });`;

describe("CNI config with the real plugins (root)", { skip }, () => {
  it("gives a pod an address from its node's range, no default route, reachable from the other node", async () => {
    const clusterId = newClusterId();
    const plan = planClusterNetwork({ clusterId, nodes: 2 });
    const [n0, n1] = plan.nodes;
    assert.ok(n0 && n1);
    const dir = await mkdtemp(join(tmpdir(), "kates-cni-pod-"));
    const pod = `${n1.namespace}-pod`;
    let server: ChildProcess | undefined;

    try {
      await createClusterNetwork(plan);
      const path = await writeCniConfig(plan, n1, join(dir, "net.d"), {
        ipamDataDir: join(dir, "ipam"),
      });
      const list = JSON.parse(await readFile(path, "utf8")) as ConfList;

      await runCommand({ argv: ["ip", "netns", "add", pod] });
      const env = {
        CNI_COMMAND: "ADD",
        CNI_CONTAINERID: `kates-test-${clusterId}`,
        CNI_NETNS: namespacePath(pod),
        CNI_IFNAME: "eth0",
        CNI_PATH: pluginDir ?? "",
      };
      let result: unknown;
      for (const plugin of list.plugins)
        result = await runPlugin(n1.namespace, list, plugin, env, result);

      const ips = (result as { ips?: { address: string }[] }).ips ?? [];
      const podIp = ips[0]?.address.split("/")[0] ?? "";
      assert.match(podIp, /^10\.244\.1\.\d+$/);
      assert.notEqual(podIp, n1.podGateway);
      const bridges = await runCommand({
        argv: ["ip", "-n", n1.namespace, "-br", "link", "show", "type", "bridge"],
      });
      assert.match(bridges, new RegExp(`^${n1.podBridge} `, "m"));
      assert.deepEqual(
        JSON.parse(await runCommand({ argv: ["ip", "-n", pod, "-j", "route", "show", "default"] })),
        [],
      );
      await assert.rejects(
        runCommand({ argv: ["ip", "-n", pod, "route", "get", "8.8.8.8"] }),
        /unreachable/,
      );

      const port = 20000 + Math.floor(Math.random() * 20000);
      server = spawn(
        "ip",
        ["netns", "exec", pod, process.execPath, "-e", TCP_SERVER, podIp, `${port}`],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      await new Promise<void>((resolve, reject) => {
        server?.stdout?.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
        server?.on("exit", (code) => reject(new Error(`server in ${pod} exited with ${code}`)));
      });
      const reply = await runCommand({
        argv: [
          "ip",
          "netns",
          "exec",
          n0.namespace,
          process.execPath,
          "-e",
          TCP_CLIENT,
          podIp,
          `${port}`,
        ],
      });
      assert.equal(reply, "hello from a CNI pod");

      // DEL in reverse order, as a runtime does when the sandbox goes.
      const del = { ...env, CNI_COMMAND: "DEL" };
      for (const plugin of [...list.plugins].reverse())
        await runPlugin(n1.namespace, list, plugin, del);
    } finally {
      server?.kill();
      // Forced if a process outlived its kill: the names must not outlive the test.
      await teardownClusterNetwork(clusterId).catch(async (err: unknown) => {
        await teardownClusterNetwork(clusterId, { force: true });
        throw err;
      });
      await rm(dir, { recursive: true, force: true });
    }

    const left = await runCommand({ argv: ["ip", "netns", "list"] });
    assert.ok(!left.includes(`kates-${clusterId}-`), left);
  });
});
