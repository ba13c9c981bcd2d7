import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MAX_INTERFACE_NAME,
  interfaceNamePattern,
  namespacePath,
  newClusterId,
  planClusterNetwork,
  validateClusterId,
} from "./plan.js";

describe("planClusterNetwork()", () => {
  it("gives each node a name, node IP, pod range, namespace and short interface names", () => {
    const plan = planClusterNetwork({ clusterId: "ab12cd", nodes: 3 });
    assert.equal(plan.switchNamespace, "kates-ab12cd-net");
    assert.equal(namespacePath(plan.nodes[0]!.namespace), "/var/run/netns/kates-ab12cd-node-0");
    assert.equal(plan.switchBridge, "ks-ab12cd");
    assert.equal(plan.clusterCidr, "10.244.0.0/16");
    assert.equal(plan.serviceCidr, "10.96.0.0/12");
    assert.equal(plan.nodeCidr, "172.18.0.0/24");
    assert.deepEqual(plan.nodes[1], {
      index: 1,
      name: "node-1",
      namespace: "kates-ab12cd-node-1",
      interface: "eth0",
      nodeIp: "172.18.0.3",
      nodeIpWithPrefix: "172.18.0.3/24",
      podCidr: "10.244.1.0/24",
      podGateway: "10.244.1.1",
      podBridge: "kc-ab12cd-1",
      switchPort: "kv-ab12cd-1",
    });
    assert.deepEqual(
      plan.nodes.map((n) => [n.nodeIp, n.podCidr]),
      [
        ["172.18.0.2", "10.244.0.0/24"],
        ["172.18.0.3", "10.244.1.0/24"],
        ["172.18.0.4", "10.244.2.0/24"],
      ],
    );
  });

  it("honours the given ranges, pod prefix and node name prefix", () => {
    const plan = planClusterNetwork({
      clusterId: "x",
      nodes: 2,
      clusterCidr: "10.0.0.0/20",
      nodePodPrefix: 26,
      nodeCidr: "192.168.50.0/28",
      serviceCidr: "10.100.0.0/16",
      nodeNamePrefix: "worker",
    });
    assert.deepEqual(
      plan.nodes.map((n) => [n.name, n.namespace, n.nodeIpWithPrefix, n.podCidr, n.podGateway]),
      [
        ["worker-0", "kates-x-worker-0", "192.168.50.2/28", "10.0.0.0/26", "10.0.0.1"],
        ["worker-1", "kates-x-worker-1", "192.168.50.3/28", "10.0.0.64/26", "10.0.0.65"],
      ],
    );
  });

  it("keeps every interface name within 15 characters and unique, at the largest cluster", () => {
    const plan = planClusterNetwork({
      clusterId: "abcdefgh",
      nodes: 256,
      nodeCidr: "172.18.0.0/23",
    });
    const names = [plan.switchBridge, ...plan.nodes.flatMap((n) => [n.podBridge, n.switchPort])];
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.ok(name.length <= MAX_INTERFACE_NAME, name);
    assert.equal(plan.nodes[255]?.switchPort, "kv-abcdefgh-255");
    assert.equal(plan.nodes[255]?.nodeIp, "172.18.1.1");
  });

  it("refuses inputs that cannot give every node its own valid addresses and names", () => {
    const cases: [Parameters<typeof planClusterNetwork>[0], RegExp][] = [
      [{ clusterId: "Ab", nodes: 1 }, /cluster id "Ab"/],
      [{ clusterId: "1ab", nodes: 1 }, /cluster id/],
      [{ clusterId: "abcdefghi", nodes: 1 }, /cluster id/],
      [{ clusterId: "a-b", nodes: 1 }, /cluster id/],
      [{ clusterId: "ab", nodes: 0 }, /at least 1/],
      [{ clusterId: "ab", nodes: 1.5 }, /whole number/],
      [{ clusterId: "ab", nodes: 257 }, /holds 256/],
      [{ clusterId: "ab", nodes: 254 }, /address in 172\.18\.0\.0\/24/],
      [{ clusterId: "ab", nodes: 1, serviceCidr: "10.244.0.0/12" }, /host bits/],
      [{ clusterId: "ab", nodes: 1, serviceCidr: "10.240.0.0/12" }, /overlap/],
      [{ clusterId: "ab", nodes: 1, nodeCidr: "10.244.7.0/24" }, /overlap/],
      [{ clusterId: "ab", nodes: 1, nodePodPrefix: 15 }, /want a prefix from \/16 to \/30/],
      [{ clusterId: "ab", nodes: 1, nodeNamePrefix: "Node_" }, /DNS label/],
      [{ clusterId: "ab", nodes: 1, nodeNamePrefix: "-n" }, /DNS label/],
      [
        {
          clusterId: "abcdefgh",
          nodes: 1001,
          clusterCidr: "10.0.0.0/8",
          nodeCidr: "172.16.0.0/16",
          serviceCidr: "192.168.0.0/16",
        },
        /Cannot name interface kc-abcdefgh-1000: longer than 15/,
      ],
    ];
    for (const [options, error] of cases) {
      assert.throws(() => planClusterNetwork(options), error, JSON.stringify(options));
    }
  });

  it("newClusterId() makes valid, varied ids", () => {
    const ids = new Set(Array.from({ length: 50 }, () => newClusterId()));
    for (const id of ids) assert.doesNotThrow(() => validateClusterId(id));
    assert.ok(ids.size > 40);
  });

  it("interfaceNamePattern() matches this cluster's names and no other cluster's", () => {
    const pattern = interfaceNamePattern("ab");
    for (const name of ["ks-ab", "kv-ab-0", "kc-ab-12"]) assert.ok(pattern.test(name), name);
    for (const name of ["ks-abc", "kv-abc-0", "eth0", "kv-ab-", "cni0", "xkv-ab-0"]) {
      assert.ok(!pattern.test(name), name);
    }
  });
});
