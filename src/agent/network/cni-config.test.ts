import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CNI_CONFIG_FILE, cniConfList, writeCniConfig } from "./cni-config.js";
import { planClusterNetwork } from "./plan.js";

const plan = planClusterNetwork({ clusterId: "ab", nodes: 2 });
const node1 = plan.nodes[1]!;

describe("cniConfList()", () => {
  it("gives the node its own bridge, pod range, IPAM store and network name, then portmap", () => {
    assert.deepEqual(cniConfList(plan, node1, { ipamDataDir: "/data/node-1/cni" }), {
      cniVersion: "0.4.0",
      name: "kates-ab-node-1",
      plugins: [
        {
          type: "bridge",
          bridge: "kc-ab-1",
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            dataDir: "/data/node-1/cni",
            ranges: [[{ subnet: "10.244.1.0/24", gateway: "10.244.1.1" }]],
            routes: [{ dst: "10.244.0.0/16" }, { dst: "10.96.0.0/12" }, { dst: "172.18.0.0/24" }],
          },
        },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    });
  });

  it("gives pods no default route", () => {
    const text = JSON.stringify(cniConfList(plan, node1, { ipamDataDir: "/d" }));
    assert.ok(!text.includes("0.0.0.0/0"));
  });
});

describe("writeCniConfig()", () => {
  it("writes the conflist into conf_dir, making the folder, and leaves no temporary file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kates-cni-"));
    try {
      const confDir = join(dir, "net.d");
      const path = await writeCniConfig(plan, node1, confDir, { ipamDataDir: join(dir, "ipam") });
      assert.equal(path, join(confDir, CNI_CONFIG_FILE));
      const written = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
      assert.deepEqual(written, cniConfList(plan, node1, { ipamDataDir: join(dir, "ipam") }));
      await writeCniConfig(plan, node1, confDir, { ipamDataDir: join(dir, "ipam") });
      assert.deepEqual(await readdir(confDir), [CNI_CONFIG_FILE]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
