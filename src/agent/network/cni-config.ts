/**
 * Each node's CNI network, as the JSON conflist its containerd reads from `conf_dir`: a per-node
 * pod bridge with the node's pod range (host-local IPAM), then portmap for `hostPort`. containerd's
 * CRI sets up each pod's `lo` by itself with the `loopback` plugin from its `bin_dir`, so the list
 * holds no loopback entry (one here would be run against the pod's eth0).
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ClusterNetworkPlan, NodeNetworkPlan } from "./plan.js";

/** The file name in `conf_dir`; containerd takes the first in name order. */
export const CNI_CONFIG_FILE = "10-kates.conflist";

/**
 * The CNI spec version written; every plugin in containernetworking-plugins 1.x and containerd 1.6
 * reads it.
 */
export const CNI_VERSION = "0.4.0";

/** Where a node's CNI state goes. */
export interface CniConfigOptions {
  /**
   * host-local's store of handed-out addresses. Nodes share the host's file system, so each needs
   * its own (the default, /var/lib/cni/networks/NAME, would also outlive the cluster): give a
   * folder of the node's own.
   */
  ipamDataDir: string;
}

/** The conflist of one node, as an object ready for JSON. */
export function cniConfList(
  plan: ClusterNetworkPlan,
  node: NodeNetworkPlan,
  options: CniConfigOptions,
): Record<string, unknown> {
  return {
    cniVersion: CNI_VERSION,
    name: `kates-${plan.clusterId}-${node.name}`,
    plugins: [
      {
        type: "bridge",
        bridge: node.podBridge,
        isGateway: true,
        // No masquerade: nothing leaves the cluster, and pods see each other's real addresses.
        ipMasq: false,
        // A pod reaching itself through a service VIP comes back through its own bridge port.
        hairpinMode: true,
        ipam: {
          type: "host-local",
          dataDir: options.ipamDataDir,
          ranges: [[{ subnet: node.podCidr, gateway: node.podGateway }]],
          // Routes to the cluster's own ranges only, through the bridge: no default route, so a
          // packet for an address outside the cluster finds no way out of the pod.
          routes: [{ dst: plan.clusterCidr }, { dst: plan.serviceCidr }, { dst: plan.nodeCidr }],
        },
      },
      { type: "portmap", capabilities: { portMappings: true } },
    ],
  };
}

/**
 * Writes the node's conflist into `confDir` (made if missing), through a temporary file and a
 * rename, since containerd watches the folder and must never read half a file. Returns the file's
 * path.
 */
export async function writeCniConfig(
  plan: ClusterNetworkPlan,
  node: NodeNetworkPlan,
  confDir: string,
  options: CniConfigOptions,
): Promise<string> {
  await mkdir(confDir, { recursive: true });
  const path = join(confDir, CNI_CONFIG_FILE);
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, `${JSON.stringify(cniConfList(plan, node, options), null, 2)}\n`);
  await rename(temporary, path);
  return path;
}
