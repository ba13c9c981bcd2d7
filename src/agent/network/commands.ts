/**
 * The `ip` commands that bring a cluster's network from what exists to the plan, and that remove
 * it. Pure: the caller (`cluster-network.ts`) observes the machine and runs the list, so the
 * decision is table-tested without root.
 *
 * Every command names a namespace (`ip -n NS …`, `ip netns …`) except the host-side clean-up of
 * leftovers in `teardownCommands`: nothing here ever adds to the host's own namespace.
 */
import {
  type ClusterNetworkPlan,
  type NodeNetworkPlan,
  interfaceNamePattern,
  namespacePrefix,
  switchNamespaceName,
  validateClusterId,
} from "./plan.js";

/** One command: an argument vector run without a shell, with optional standard input. */
export interface Command {
  readonly argv: readonly string[];
  readonly stdin?: string;
}

/** What exists now: the machine's named network namespaces and the links in those that matter. */
export interface ObservedNetwork {
  /** Names under /var/run/netns. */
  readonly namespaces: ReadonlySet<string>;
  /**
   * Link names per namespace; "" is the host's namespace. A namespace missing here has no links
   * observed.
   */
  readonly links: ReadonlyMap<string, ReadonlySet<string>>;
  /** IPv4 addresses (`A.B.C.D/N`) per namespace and device, for the cluster's own namespaces. */
  readonly addresses?: ReadonlyMap<string, readonly ObservedAddress[]>;
  /** Main-table routes per namespace, for the cluster's own namespaces; missing means none observed. */
  readonly routes?: ReadonlyMap<string, readonly ObservedRoute[]>;
}

/** One IPv4 address of a device. */
export interface ObservedAddress {
  readonly dev: string;
  readonly address: string;
}

/** One route as `ip -j route show` reports it. */
export interface ObservedRoute {
  readonly dst: string;
  readonly gateway?: string;
  readonly dev?: string;
  readonly protocol?: string;
}

/** The sysctl file a node namespace writes 1 into, to route between its eth0 and its pod bridge. */
export const IP_FORWARD = "/proc/sys/net/ipv4/ip_forward";

/**
 * The commands that make `plan` exist, given what `observed` found. Creating what is missing and
 * re-asserting the rest (`replace`, `set up`) makes a re-run after a crash finish the job; running
 * the list twice is harmless.
 */
export function createCommands(plan: ClusterNetworkPlan, observed: ObservedNetwork): Command[] {
  const sw = plan.switchNamespace;
  const cmds: Command[] = [];
  const linksIn = (ns: string): ReadonlySet<string> => observed.links.get(ns) ?? new Set();
  const routesIn = (ns: string): readonly ObservedRoute[] => observed.routes?.get(ns) ?? [];
  const addressesIn = (ns: string): readonly ObservedAddress[] => observed.addresses?.get(ns) ?? [];

  if (!observed.namespaces.has(sw)) cmds.push(ip("netns", "add", sw));
  cmds.push(ip("-n", sw, "link", "set", "lo", "up"));
  if (!linksIn(sw).has(plan.switchBridge)) {
    cmds.push(ip("-n", sw, "link", "add", plan.switchBridge, "type", "bridge"));
  }
  cmds.push(ip("-n", sw, "link", "set", plan.switchBridge, "up"));
  cmds.push(...staleRouteCommands(sw, routesIn(sw), () => false));

  for (const node of plan.nodes) {
    const exists = observed.namespaces.has(node.namespace);
    cmds.push(...nodeCommands(plan, node, exists, linksIn, addressesIn(node.namespace)));
    // A remade eth0 comes without the old one's routes: only other devices' can be stale then.
    const intact =
      exists && linksIn(sw).has(node.switchPort) && linksIn(node.namespace).has("eth0");
    const routes = routesIn(node.namespace).filter((r) => intact || r.dev !== node.interface);
    cmds.push(...staleRouteCommands(node.namespace, routes, plannedRoute(plan, node)));
  }
  return cmds;
}

function nodeCommands(
  plan: ClusterNetworkPlan,
  node: NodeNetworkPlan,
  namespaceExists: boolean,
  linksIn: (ns: string) => ReadonlySet<string>,
  addresses: readonly ObservedAddress[],
): Command[] {
  const sw = plan.switchNamespace;
  const ns = node.namespace;
  const cmds: Command[] = [];

  if (!namespaceExists) cmds.push(ip("netns", "add", ns));
  cmds.push(ip("-n", ns, "link", "set", "lo", "up"));

  // The two ends of a veth live and die together, so finding only one means it is not the pair we
  // made (say, a hand-made eth0): remove it and make the pair again.
  const hasPort = linksIn(sw).has(node.switchPort);
  const hasEth0 = namespaceExists && linksIn(ns).has(node.interface);
  if (hasPort !== hasEth0) {
    if (hasPort) cmds.push(ip("-n", sw, "link", "delete", node.switchPort));
    if (hasEth0) cmds.push(ip("-n", ns, "link", "delete", node.interface));
  }
  if (!hasPort || !hasEth0) {
    // Made inside the switch namespace with its peer placed straight into the node's: neither end
    // ever appears in the host's namespace, not even for a moment.
    cmds.push(
      ip(
        "-n",
        sw,
        "link",
        "add",
        node.switchPort,
        "type",
        "veth",
        "peer",
        "name",
        node.interface,
        "netns",
        ns,
      ),
    );
  }
  cmds.push(ip("-n", sw, "link", "set", node.switchPort, "master", plan.switchBridge));
  cmds.push(ip("-n", sw, "link", "set", node.switchPort, "up"));

  // A stale address goes before the planned one is asserted: deleting a primary address also
  // deletes the secondaries of its subnet.
  for (const a of hasPort && hasEth0 ? addresses : []) {
    if (a.dev !== node.interface || a.address === node.nodeIpWithPrefix) continue;
    cmds.push(ip("-n", ns, "addr", "delete", a.address, "dev", node.interface));
  }
  cmds.push(ip("-n", ns, "addr", "replace", node.nodeIpWithPrefix, "dev", node.interface));
  cmds.push(ip("-n", ns, "link", "set", node.interface, "up"));
  cmds.push({ argv: ["ip", "netns", "exec", ns, "tee", IP_FORWARD], stdin: "1\n" });

  // host-gw: every other node's pods are one hop away, through that node's IP on the switch.
  for (const other of plan.nodes) {
    if (other.index === node.index) continue;
    cmds.push(
      ip("-n", ns, "route", "replace", other.podCidr, "via", other.nodeIp, "dev", node.interface),
    );
  }
  // Service VIPs are nobody's address: a process in the node must find a route to connect() at all,
  // before the service proxy's DNAT rewrites the packet. eth0 exists from the start (the pod bridge
  // only after the first pod), gives the node IP as source, which every node routes back, and a
  // packet no rule rewrote dies unanswered on the switch.
  cmds.push(
    ip("-n", ns, "route", "replace", plan.serviceCidr, "dev", node.interface, "src", node.nodeIp),
  );
  return cmds;
}

/** Whether a route in `node`'s namespace is one `nodeCommands` makes, or one the kernel or CNI owns. */
function plannedRoute(
  plan: ClusterNetworkPlan,
  node: NodeNetworkPlan,
): (r: ObservedRoute) => boolean {
  return (r) => {
    if (r.dev !== node.interface || r.protocol === "kernel") return true;
    if (r.gateway === undefined) return r.dst === plan.serviceCidr;
    return plan.nodes.some(
      (o) => o.index !== node.index && o.podCidr === r.dst && o.nodeIp === r.gateway,
    );
  };
}

/**
 * Deletes what does not belong in a cluster namespace: any default route, whoever made it (the cluster
 * must have no way out), and on the node's eth0 the static routes the plan no longer has (a node that
 * left, a changed range), so a re-run converges instead of only adding.
 */
function staleRouteCommands(
  ns: string,
  routes: readonly ObservedRoute[],
  planned: (r: ObservedRoute) => boolean,
): Command[] {
  return routes
    .filter((r) => r.dst === "default" || !planned(r))
    .map((r) =>
      ip(
        "-n",
        ns,
        "route",
        "delete",
        r.dst,
        ...(r.gateway === undefined ? [] : ["via", r.gateway]),
        ...(r.dev === undefined ? [] : ["dev", r.dev]),
      ),
    );
}

/**
 * The commands that remove every namespace and link of cluster `clusterId` that `observed` found,
 * and nothing else: namespaces named `kates-<cluster>-…` and host links named the way `plan.ts`
 * names this cluster's interfaces (none should be there; a foreign tool could have moved one).
 * Deleting a namespace deletes the links inside it and both ends of every veth with an end in it.
 * Node namespaces go first, the switch last.
 */
export function teardownCommands(clusterId: string, observed: ObservedNetwork): Command[] {
  validateClusterId(clusterId);
  const prefix = namespacePrefix(clusterId);
  const sw = switchNamespaceName(clusterId);
  const ours = [...observed.namespaces].filter((ns) => ns.startsWith(prefix)).sort();
  const pattern = interfaceNamePattern(clusterId);
  const hostLinks = [...(observed.links.get("") ?? [])].filter((name) => pattern.test(name)).sort();

  return [
    ...ours.filter((ns) => ns !== sw).map((ns) => ip("netns", "delete", ns)),
    ...(ours.includes(sw) ? [ip("netns", "delete", sw)] : []),
    ...hostLinks.map((name) => ip("link", "delete", name)),
  ];
}

/**
 * The cluster ids that have a network on this machine, for `kates down` after a crash. A cluster
 * is known by its switch namespace `kates-<id>-net`, made first and removed last: other tools'
 * namespaces that merely start with `kates-` (say `kates-test-1234`) name no cluster.
 */
export function clusterIdsIn(namespaces: Iterable<string>): string[] {
  const ids = new Set<string>();
  for (const ns of namespaces) {
    const match = /^kates-([a-z][a-z0-9]{0,7})-net$/.exec(ns);
    if (match?.[1]) ids.add(match[1]);
  }
  return [...ids].sort();
}

function ip(...args: string[]): Command {
  return { argv: ["ip", ...args] };
}
