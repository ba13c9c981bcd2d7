/**
 * Integration: a real two-node cluster network in namespaces of its own, with a random cluster id.
 * Needs root; touches nothing in the host's namespace and sends no packet outside the namespaces it
 * makes. Every test tears its cluster down in `finally`, and `after` sweeps again by id, so a
 * failing check leaves nothing behind.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, describe, it } from "node:test";
import {
  type CommandRunner,
  CommandError,
  createClusterNetwork,
  observeNetwork,
  processesIn,
  runCommand,
  teardownClusterNetwork,
} from "./cluster-network.js";
import { createCommands } from "./commands.js";
import { interfaceNamePattern, namespacePrefix, newClusterId, planClusterNetwork } from "./plan.js";
import { systemTestSkip } from "../../../test/system.js";

const isRoot = process.getuid?.() === 0;
const skip = systemTestSkip({ why: "network namespaces" });
const made: string[] = [];

const ip = (...args: string[]): Promise<string> => runCommand({ argv: ["ip", ...args] });

/** The host's link names and routes, to show that the cluster added none. */
async function hostSnapshot(): Promise<{ links: string[]; routes: string[] }> {
  const links = (JSON.parse(await ip("-j", "link", "show")) as { ifname: string }[]).map(
    (l) => l.ifname,
  );
  const routes = (JSON.parse(await ip("-j", "route", "show", "table", "all")) as object[]).map(
    (r) => JSON.stringify(r),
  );
  return { links, routes };
}

const TCP_SERVER = `
const [host, port, reply] = process.argv.slice(1);
const server = require("node:net").createServer((s) => s.end(reply));
server.listen(Number(port), host, () => process.stdout.write("ready\\n"));`;

const TCP_CLIENT = `
const [host, port] = process.argv.slice(1);
const s = require("node:net").connect({ host, port: Number(port), timeout: 20000 });
let got = "";
s.on("data", (d) => (got += d));
s.on("end", () => { process.stdout.write(got); process.exit(0); });
s.on("timeout", () => { process.stderr.write("timeout"); process.exit(2); });
s.on("error", (e) => { process.stderr.write(e.message); process.exit(3); });`;

/** Starts a TCP server inside `namespace` that answers every connection with `reply`. */
async function serveIn(
  namespace: string,
  host: string,
  port: number,
  reply: string,
): Promise<ChildProcess> {
  const child = spawn(
    "ip",
    ["netns", "exec", namespace, process.execPath, "-e", TCP_SERVER, host, `${port}`, reply],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    child.on("exit", (code) => reject(new Error(`server in ${namespace} exited with ${code}`)));
  });
  return child;
}

/** Connects from inside `namespace` and returns what the server sent. */
function connectFrom(namespace: string, host: string, port: number): Promise<string> {
  return runCommand({
    argv: ["ip", "netns", "exec", namespace, process.execPath, "-e", TCP_CLIENT, host, `${port}`],
  });
}

/**
 * A stand-in pod in `nodeNamespace`: its own namespace, a veth to the node, an address from the pod
 * range.
 */
async function addTestPod(
  clusterId: string,
  nodeNamespace: string,
  gateway: string,
  address: string,
  routes: string[],
): Promise<string> {
  const pod = `${nodeNamespace}-pod`;
  const nodeEnd = `kt-${clusterId}-1`;
  await ip("netns", "add", pod);
  await ip(
    "-n",
    nodeNamespace,
    "link",
    "add",
    nodeEnd,
    "type",
    "veth",
    "peer",
    "name",
    "eth0",
    "netns",
    pod,
  );
  await ip("-n", nodeNamespace, "addr", "add", `${gateway}/32`, "dev", nodeEnd);
  await ip("-n", nodeNamespace, "link", "set", nodeEnd, "up");
  await ip("-n", nodeNamespace, "route", "add", `${address}/32`, "dev", nodeEnd);
  await ip("-n", pod, "link", "set", "lo", "up");
  await ip("-n", pod, "addr", "add", `${address}/32`, "dev", "eth0");
  await ip("-n", pod, "link", "set", "eth0", "up");
  await ip("-n", pod, "route", "add", gateway, "dev", "eth0");
  for (const dst of routes) await ip("-n", pod, "route", "add", dst, "via", gateway, "dev", "eth0");
  return pod;
}

async function eventuallyTrue(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
}

async function leftovers(clusterId: string): Promise<string[]> {
  const observed = await observeNetwork([namespacePrefix(clusterId)]);
  const pattern = interfaceNamePattern(clusterId);
  return [
    ...[...observed.namespaces].filter((ns) => ns.startsWith(namespacePrefix(clusterId))),
    ...[...(observed.links.get("") ?? [])].filter((name) => pattern.test(name)),
  ];
}

after(async () => {
  if (!isRoot) return;
  for (const id of made)
    await teardownClusterNetwork(id, { force: true }).catch(() => undefined /* the test reports */);
});

describe("cluster network (root)", { skip }, () => {
  it("connects two nodes on the switch, routes pod ranges host-gw, has no way out, and tears down clean", async () => {
    const clusterId = newClusterId();
    made.push(clusterId);
    const plan = planClusterNetwork({ clusterId, nodes: 2 });
    const [n0, n1] = plan.nodes;
    assert.ok(n0 && n1);
    const before = await hostSnapshot();
    const servers: ChildProcess[] = [];

    try {
      await createClusterNetwork(plan);
      // A second run finds everything, and removes what does not belong: a default route, a route
      // to a node that is not in the plan, a stray address (nothing is sent: no process uses them).
      await ip("-n", n0.namespace, "route", "add", "default", "via", n1.nodeIp);
      await ip("-n", n0.namespace, "route", "add", "10.244.7.0/24", "via", "172.18.0.9");
      await ip("-n", n0.namespace, "addr", "add", "172.18.0.77/24", "dev", "eth0");
      await createClusterNetwork(plan);
      assert.equal(
        (await ip("-n", n0.namespace, "-4", "-br", "addr", "show", "dev", "eth0"))
          .trim()
          .split(/\s+/)
          .slice(2)
          .join(" "),
        n0.nodeIpWithPrefix,
      );
      const routes = JSON.parse(await ip("-n", n0.namespace, "-j", "route", "show")) as object[];
      assert.deepEqual(
        routes.map((r) => JSON.stringify(r)).filter((r) => /default|10\.244\.7\./.test(r)),
        [],
      );

      const port = 20000 + Math.floor(Math.random() * 20000);
      servers.push(await serveIn(n1.namespace, n1.nodeIp, port, `hello from ${n1.name}`));
      assert.equal(await connectFrom(n0.namespace, n1.nodeIp, port), `hello from ${n1.name}`);

      // An address in node-1's pod range, behind a veth in node-1: node-0 reaches it only through
      // its host-gw route to node-1's IP, and node-1 only by forwarding.
      const podIp = "10.244.1.10";
      const pod = await addTestPod(clusterId, n1.namespace, n1.podGateway, podIp, [
        plan.nodeCidr,
        plan.clusterCidr,
      ]);
      servers.push(await serveIn(pod, podIp, port, "hello from a pod"));
      assert.equal(await connectFrom(n0.namespace, podIp, port), "hello from a pod");
      assert.match(
        await ip("-n", n0.namespace, "route", "get", podIp),
        /via 172\.18\.0\.3 dev eth0/,
      );

      // Service VIPs have a route (connect() would fail before any DNAT otherwise), through eth0.
      assert.match(
        await ip("-n", n0.namespace, "route", "get", "10.96.0.10"),
        /dev eth0 src 172\.18\.0\.2/,
      );

      // No route out: `ip route get` asks the kernel's table and sends nothing.
      for (const ns of [n0.namespace, n1.namespace, plan.switchNamespace, pod]) {
        await assert.rejects(ip("-n", ns, "route", "get", "8.8.8.8"), (err: unknown) => {
          assert.ok(err instanceof CommandError);
          assert.match(err.stderr, /Network is unreachable/);
          return true;
        });
        assert.deepEqual(JSON.parse(await ip("-n", ns, "-j", "route", "show", "default")), [], ns);
        await assert.rejects(
          ip("-n", ns, "-6", "route", "get", "2001:4860:4860::8888"),
          /unreachable/,
        );
      }

      const during = await hostSnapshot();
      const pattern = interfaceNamePattern(clusterId);
      const newLinks = during.links.filter((l) => !before.links.includes(l));
      const newRoutes = during.routes.filter((r) => !before.routes.includes(r));
      assert.deepEqual(
        newLinks.filter((l) => pattern.test(l) || l === "eth0"),
        [],
      );
      const ours = [
        plan.clusterCidr,
        plan.nodeCidr,
        plan.serviceCidr,
        "10.244.",
        "172.18.0.",
        clusterId,
      ];
      assert.deepEqual(
        newRoutes.filter((r) => ours.some((o) => r.includes(o))),
        [],
      );
      // Anything else new belongs to other work on this machine; shown, not failed on.
      if (newLinks.length + newRoutes.length > 0) {
        process.stdout.write(
          `# other host changes meanwhile: ${JSON.stringify({ newLinks, newRoutes })}\n`,
        );
      }
    } finally {
      for (const s of servers) s.kill();
      await teardownClusterNetwork(clusterId);
    }

    assert.deepEqual(await leftovers(clusterId), []);
  });

  it("cleans up a creation that crashed half-way, found by the cluster id alone", async () => {
    const clusterId = newClusterId();
    made.push(clusterId);
    const plan = planClusterNetwork({ clusterId, nodes: 3 });
    const commands = createCommands(plan, await observeNetwork([namespacePrefix(clusterId)]));
    const run: CommandRunner = runCommand;

    try {
      // Stop after node-1's veth exists but before its address: the state a killed `kates up`
      // leaves.
      const cut = commands.findIndex((c) => c.argv.includes("kv-" + clusterId + "-1")) + 1;
      for (const command of commands.slice(0, cut)) await run(command);
      assert.ok((await leftovers(clusterId)).length >= 3);

      // Resuming finishes the job ...
      await createClusterNetwork(plan);
      assert.match(
        await ip("-n", plan.nodes[1]!.namespace, "-br", "addr", "show", "eth0"),
        /172\.18\.0\.3\/24/,
      );
    } finally {
      // ... and tearing down by id removes it all.
      await teardownClusterNetwork(clusterId);
    }

    assert.deepEqual(await leftovers(clusterId), []);
  });

  it("refuses to tear down while a process runs in a node's namespace, and removes nothing", async () => {
    const clusterId = newClusterId();
    made.push(clusterId);
    const plan = planClusterNetwork({ clusterId, nodes: 1 });
    const node = plan.nodes[0]!;
    let sleeper: ChildProcess | undefined;

    try {
      await createClusterNetwork(plan);
      sleeper = spawn("ip", ["netns", "exec", node.namespace, "sleep", "600"], { stdio: "ignore" });
      await new Promise((resolve) => sleeper?.once("spawn", resolve));
      const pid = sleeper.pid;
      await eventuallyTrue(async () => (await processesIn([node.namespace])).length > 0);

      await assert.rejects(
        teardownClusterNetwork(clusterId, { waitForProcessesMs: 200 }),
        new RegExp(`processes still run in its namespaces \\(${node.namespace}: ${pid}\\)`),
      );
      assert.equal((await leftovers(clusterId)).length, 2);

      const exited = new Promise((resolve) => sleeper?.once("exit", resolve));
      sleeper.kill();
      await exited;
      await teardownClusterNetwork(clusterId);
    } finally {
      sleeper?.kill();
      await teardownClusterNetwork(clusterId, { force: true });
    }

    assert.deepEqual(await leftovers(clusterId), []);
  });
});
