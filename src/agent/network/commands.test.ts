import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAddresses, parseLinkNames, parseNetnsList, parseRoutes } from "./cluster-network.js";
import {
  type ObservedAddress,
  type ObservedNetwork,
  type ObservedRoute,
  clusterIdsIn,
  createCommands,
  teardownCommands,
} from "./commands.js";
import { planClusterNetwork } from "./plan.js";

const plan = planClusterNetwork({ clusterId: "ab", nodes: 2 });

function observed(
  namespaces: string[],
  links: Record<string, string[]> = {},
  routes: Record<string, ObservedRoute[]> = {},
  addresses: Record<string, ObservedAddress[]> = {},
): ObservedNetwork {
  return {
    namespaces: new Set(namespaces),
    links: new Map(Object.entries(links).map(([ns, names]) => [ns, new Set(names)])),
    routes: new Map(Object.entries(routes)),
    addresses: new Map(Object.entries(addresses)),
  };
}

const lines = (cmds: { argv: readonly string[] }[]): string[] => cmds.map((c) => c.argv.join(" "));

describe("createCommands()", () => {
  it("builds the switch, then each node's namespace, veth, address and host-gw routes on a bare machine", () => {
    const cmds = createCommands(plan, observed([], { "": ["lo", "eth0"] }));
    assert.deepEqual(lines(cmds), [
      "ip netns add kates-ab-net",
      "ip -n kates-ab-net link set lo up",
      "ip -n kates-ab-net link add ks-ab type bridge",
      "ip -n kates-ab-net link set ks-ab up",
      "ip netns add kates-ab-node-0",
      "ip -n kates-ab-node-0 link set lo up",
      "ip -n kates-ab-net link add kv-ab-0 type veth peer name eth0 netns kates-ab-node-0",
      "ip -n kates-ab-net link set kv-ab-0 master ks-ab",
      "ip -n kates-ab-net link set kv-ab-0 up",
      "ip -n kates-ab-node-0 addr replace 172.18.0.2/24 dev eth0",
      "ip -n kates-ab-node-0 link set eth0 up",
      "ip netns exec kates-ab-node-0 tee /proc/sys/net/ipv4/ip_forward",
      "ip -n kates-ab-node-0 route replace 10.244.1.0/24 via 172.18.0.3 dev eth0",
      "ip -n kates-ab-node-0 route replace 10.96.0.0/12 dev eth0 src 172.18.0.2",
      "ip netns add kates-ab-node-1",
      "ip -n kates-ab-node-1 link set lo up",
      "ip -n kates-ab-net link add kv-ab-1 type veth peer name eth0 netns kates-ab-node-1",
      "ip -n kates-ab-net link set kv-ab-1 master ks-ab",
      "ip -n kates-ab-net link set kv-ab-1 up",
      "ip -n kates-ab-node-1 addr replace 172.18.0.3/24 dev eth0",
      "ip -n kates-ab-node-1 link set eth0 up",
      "ip netns exec kates-ab-node-1 tee /proc/sys/net/ipv4/ip_forward",
      "ip -n kates-ab-node-1 route replace 10.244.0.0/24 via 172.18.0.2 dev eth0",
      "ip -n kates-ab-node-1 route replace 10.96.0.0/12 dev eth0 src 172.18.0.3",
    ]);
    assert.equal(cmds[11]?.stdin, "1\n");
  });

  it("never adds, moves or addresses anything in the host's namespace", () => {
    for (const cmd of createCommands(plan, observed([]))) {
      const [, first, second] = cmd.argv;
      const namedNamespace = first === "-n" || (first === "netns" && second !== undefined);
      assert.ok(namedNamespace, cmd.argv.join(" "));
      assert.ok(!cmd.argv.includes("default"), cmd.argv.join(" "));
    }
  });

  it("re-asserts but creates nothing when everything exists", () => {
    const all = observed(["kates-ab-net", "kates-ab-node-0", "kates-ab-node-1"], {
      "kates-ab-net": ["lo", "ks-ab", "kv-ab-0", "kv-ab-1"],
      "kates-ab-node-0": ["lo", "eth0"],
      "kates-ab-node-1": ["lo", "eth0"],
    });
    const created = lines(createCommands(plan, all)).filter((l) => / (add|delete) /.test(l));
    assert.deepEqual(created, []);
  });

  it("finishes a half-made cluster: a missing node, and a lone eth0 that is not our pair", () => {
    const half = observed(["kates-ab-net", "kates-ab-node-0"], {
      "kates-ab-net": ["lo", "ks-ab"],
      "kates-ab-node-0": ["lo", "eth0"],
    });
    const created = lines(createCommands(plan, half)).filter((l) => / (add|delete) /.test(l));
    assert.deepEqual(created, [
      "ip -n kates-ab-node-0 link delete eth0",
      "ip -n kates-ab-net link add kv-ab-0 type veth peer name eth0 netns kates-ab-node-0",
      "ip netns add kates-ab-node-1",
      "ip -n kates-ab-net link add kv-ab-1 type veth peer name eth0 netns kates-ab-node-1",
    ]);
  });

  it("replaces a switch port whose node namespace is gone", () => {
    const stale = observed(["kates-ab-net", "kates-ab-node-1"], {
      "kates-ab-net": ["ks-ab", "kv-ab-0", "kv-ab-1"],
      "kates-ab-node-1": ["eth0"],
    });
    const created = lines(createCommands(plan, stale)).filter((l) => / (add|delete) /.test(l));
    assert.deepEqual(created, [
      "ip netns add kates-ab-node-0",
      "ip -n kates-ab-net link delete kv-ab-0",
      "ip -n kates-ab-net link add kv-ab-0 type veth peer name eth0 netns kates-ab-node-0",
    ]);
  });
});

describe("createCommands() on routes already there", () => {
  const all = ["kates-ab-net", "kates-ab-node-0", "kates-ab-node-1"];
  const links = {
    "kates-ab-net": ["ks-ab", "kv-ab-0", "kv-ab-1"],
    "kates-ab-node-0": ["lo", "eth0"],
    "kates-ab-node-1": ["lo", "eth0"],
  };
  const deletes = (routes: Record<string, ObservedRoute[]>): string[] =>
    lines(createCommands(plan, observed(all, links, routes))).filter((l) =>
      l.includes("route delete"),
    );

  it("keeps planned, kernel and other devices' routes", () => {
    const node0: ObservedRoute[] = [
      { dst: "172.18.0.0/24", dev: "eth0", protocol: "kernel" },
      { dst: "10.244.1.0/24", gateway: "172.18.0.3", dev: "eth0" },
      { dst: "10.96.0.0/12", dev: "eth0" },
      { dst: "10.244.0.0/24", dev: "kc-ab-0", protocol: "kernel" },
      { dst: "10.244.0.9", dev: "veth1234" },
    ];
    assert.deepEqual(deletes({ "kates-ab-node-0": node0 }), []);
  });

  it("deletes any default route and the eth0 routes the plan no longer has", () => {
    const cases: [Record<string, ObservedRoute[]>, string[]][] = [
      [
        { "kates-ab-node-0": [{ dst: "default", gateway: "172.18.0.1", dev: "eth0" }] },
        ["ip -n kates-ab-node-0 route delete default via 172.18.0.1 dev eth0"],
      ],
      [
        { "kates-ab-node-1": [{ dst: "default", dev: "kc-ab-1" }] },
        ["ip -n kates-ab-node-1 route delete default dev kc-ab-1"],
      ],
      [
        { "kates-ab-net": [{ dst: "default", dev: "ks-ab" }] },
        ["ip -n kates-ab-net route delete default dev ks-ab"],
      ],
      [
        // A third node that left, and node-1's range behind the wrong IP.
        {
          "kates-ab-node-0": [
            { dst: "10.244.2.0/24", gateway: "172.18.0.4", dev: "eth0" },
            { dst: "10.244.1.0/24", gateway: "172.18.0.9", dev: "eth0" },
            { dst: "10.100.0.0/16", dev: "eth0" },
          ],
        },
        [
          "ip -n kates-ab-node-0 route delete 10.244.2.0/24 via 172.18.0.4 dev eth0",
          "ip -n kates-ab-node-0 route delete 10.244.1.0/24 via 172.18.0.9 dev eth0",
          "ip -n kates-ab-node-0 route delete 10.100.0.0/16 dev eth0",
        ],
      ],
    ];
    for (const [routes, want] of cases) assert.deepEqual(deletes(routes), want);
  });

  it("leaves the routes of an eth0 it is about to remake, but not a default route elsewhere", () => {
    const routes = {
      "kates-ab-node-0": [
        { dst: "10.244.9.0/24", gateway: "172.18.0.11", dev: "eth0" },
        { dst: "default", dev: "kc-ab-0" },
      ],
    };
    const cmds = lines(
      createCommands(plan, observed(["kates-ab-net", "kates-ab-node-0"], {}, routes)),
    );
    assert.deepEqual(
      cmds.filter((l) => l.includes("route delete")),
      ["ip -n kates-ab-node-0 route delete default dev kc-ab-0"],
    );
  });

  it("deletes stale routes after re-asserting the planned ones", () => {
    const cmds = lines(
      createCommands(
        plan,
        observed(all, links, {
          "kates-ab-node-0": [{ dst: "10.244.2.0/24", gateway: "172.18.0.4", dev: "eth0" }],
        }),
      ),
    );
    const del = cmds.indexOf(
      "ip -n kates-ab-node-0 route delete 10.244.2.0/24 via 172.18.0.4 dev eth0",
    );
    assert.ok(
      del >
        cmds.indexOf("ip -n kates-ab-node-0 route replace 10.244.1.0/24 via 172.18.0.3 dev eth0"),
    );
    assert.ok(del < cmds.indexOf("ip -n kates-ab-node-1 link set lo up"));
  });
});

describe("createCommands() on addresses already there", () => {
  const all = ["kates-ab-net", "kates-ab-node-0", "kates-ab-node-1"];
  const links = {
    "kates-ab-net": ["ks-ab", "kv-ab-0", "kv-ab-1"],
    "kates-ab-node-0": ["lo", "eth0", "kc-ab-0"],
    "kates-ab-node-1": ["lo", "eth0"],
  };

  it("deletes eth0's other addresses before asserting the planned one, and leaves other devices", () => {
    const cmds = lines(
      createCommands(
        plan,
        observed(
          all,
          links,
          {},
          {
            "kates-ab-node-0": [
              { dev: "eth0", address: "172.18.0.9/24" },
              { dev: "eth0", address: "172.18.0.2/24" },
              { dev: "kc-ab-0", address: "10.244.0.1/24" },
              { dev: "lo", address: "127.0.0.1/8" },
            ],
          },
        ),
      ),
    ).filter((l) => l.includes(" addr "));
    assert.deepEqual(cmds, [
      "ip -n kates-ab-node-0 addr delete 172.18.0.9/24 dev eth0",
      "ip -n kates-ab-node-0 addr replace 172.18.0.2/24 dev eth0",
      "ip -n kates-ab-node-1 addr replace 172.18.0.3/24 dev eth0",
    ]);
  });

  it("ignores the addresses of an eth0 it is about to remake", () => {
    const cmds = lines(
      createCommands(
        plan,
        observed(
          all,
          { ...links, "kates-ab-net": ["ks-ab", "kv-ab-1"] },
          {},
          {
            "kates-ab-node-0": [{ dev: "eth0", address: "192.168.1.5/24" }],
          },
        ),
      ),
    );
    assert.ok(!cmds.some((l) => l.includes("addr delete")), cmds.join("\n"));
  });
});

describe("teardownCommands()", () => {
  it("removes this cluster's namespaces, switch last, and host links named like ours; nothing else", () => {
    const machine = observed(
      [
        "kates-ab-node-1",
        "kates-ab-net",
        "kates-ab-node-0",
        "kates-abc-net",
        "kates-abc-node-0",
        "cni-1234",
        "other",
      ],
      { "": ["lo", "eth0", "kv-ab-0", "kv-abc-0", "ks-ab", "docker0"] },
    );
    assert.deepEqual(lines(teardownCommands("ab", machine)), [
      "ip netns delete kates-ab-node-0",
      "ip netns delete kates-ab-node-1",
      "ip netns delete kates-ab-net",
      "ip link delete ks-ab",
      "ip link delete kv-ab-0",
    ]);
  });

  it("has nothing to do when the cluster is gone", () => {
    assert.deepEqual(teardownCommands("ab", observed(["kates-abc-net"], { "": ["lo"] })), []);
  });

  it("refuses an id that could match other names", () => {
    assert.throws(() => teardownCommands("", observed([])), /cluster id/);
    assert.throws(() => teardownCommands("a.*", observed([])), /cluster id/);
  });
});

describe("observation parsing", () => {
  it("clusterIdsIn() finds clusters by their switch namespace only", () => {
    const names = [
      "kates-ab-net",
      "kates-ab-node-0",
      "kates-x9-net",
      "kates-x9-node-3",
      "kates-test-72761d42",
      "kates-cd-node-0",
      "kates--net",
      "kates-UP-net",
      "cni-1",
      "kates-ab",
    ];
    assert.deepEqual(clusterIdsIn(names), ["ab", "x9"]);
  });

  it("parseNetnsList() reads names with and without ids", () => {
    assert.deepEqual(parseNetnsList("kates-ab-node-0 (id: 1)\nkates-ab-net\n\n"), [
      "kates-ab-node-0",
      "kates-ab-net",
    ]);
    assert.deepEqual(parseNetnsList(""), []);
  });

  it("parseRoutes() reads ip -j route output", () => {
    const out = JSON.stringify([
      { dst: "default", gateway: "172.18.0.1", dev: "eth0", flags: [] },
      { dst: "10.96.0.0/12", dev: "eth0", scope: "link", prefsrc: "172.18.0.2" },
      { dst: "172.18.0.0/24", dev: "eth0", protocol: "kernel", scope: "link" },
      { type: "broadcast" },
    ]);
    assert.deepEqual(parseRoutes(out), [
      { dst: "default", gateway: "172.18.0.1", dev: "eth0" },
      { dst: "10.96.0.0/12", dev: "eth0" },
      { dst: "172.18.0.0/24", dev: "eth0", protocol: "kernel" },
    ]);
  });

  it("parseAddresses() reads the IPv4 addresses of ip -j addr output", () => {
    const out = JSON.stringify([
      { ifname: "lo", addr_info: [{ family: "inet", local: "127.0.0.1", prefixlen: 8 }] },
      {
        ifname: "eth0",
        addr_info: [
          { family: "inet", local: "172.18.0.2", prefixlen: 24 },
          { family: "inet6", local: "fe80::1", prefixlen: 64 },
        ],
      },
      { ifname: "kv-ab-0" },
    ]);
    assert.deepEqual(parseAddresses(out), [
      { dev: "lo", address: "127.0.0.1/8" },
      { dev: "eth0", address: "172.18.0.2/24" },
    ]);
  });

  it("parseLinkNames() reads ip -j link output", () => {
    const out = JSON.stringify([{ ifindex: 1, ifname: "lo" }, { ifindex: 2, ifname: "eth0" }, {}]);
    assert.deepEqual(parseLinkNames(out), ["lo", "eth0"]);
    assert.deepEqual(parseLinkNames(""), []);
  });
});
