/**
 * Runs the plan on this machine: observes what exists with `ip` and runs the commands
 * `commands.ts` decides. Needs root (CAP_NET_ADMIN, and CAP_SYS_ADMIN for `ip netns`).
 */
import { spawn } from "node:child_process";
import {
  type Command,
  type ObservedAddress,
  type ObservedNetwork,
  type ObservedRoute,
  createCommands,
  teardownCommands,
} from "./commands.js";
import { type ClusterNetworkPlan, namespacePrefix } from "./plan.js";

/**
 * Runs one command and resolves to its standard output; rejects with its standard error when it
 * fails.
 */
export type CommandRunner = (command: Command) => Promise<string>;

/** The runner for real machines: spawns the command without a shell. */
export const runCommand: CommandRunner = (command) =>
  new Promise((resolve, reject) => {
    const [file, ...args] = command.argv;
    if (!file) return reject(new Error("Cannot run an empty command"));
    const withInput = command.stdin !== undefined;
    const child = spawn(file, args, { stdio: [withInput ? "pipe" : "ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", (cause) =>
      reject(new Error(`Cannot run ${command.argv.join(" ")}: ${cause.message}`, { cause })),
    );
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out).toString());
      const stderr = Buffer.concat(err).toString().trim();
      reject(
        new CommandError(
          command,
          `exited with ${code ?? signal}${stderr ? `: ${stderr}` : ""}`,
          stderr,
        ),
      );
    });
    if (withInput && child.stdin) {
      // A command that exits without reading its input is judged by its exit code, not its pipe.
      child.stdin.on("error", () => undefined);
      child.stdin.end(command.stdin);
    }
  });

/** A command that ran and failed; `stderr` holds what it said. */
export class CommandError extends Error {
  constructor(
    readonly command: Command,
    reason: string,
    readonly stderr: string,
  ) {
    super(`Command ${command.argv.join(" ")} failed: ${reason}`);
    this.name = "CommandError";
  }
}

/**
 * Reads the named namespaces, and the links of the host and of every namespace whose name starts
 * with one of `prefixes` (a cluster's, so the observation stays small on a busy machine).
 */
export async function observeNetwork(
  prefixes: readonly string[],
  run: CommandRunner = runCommand,
): Promise<ObservedNetwork> {
  const namespaces = new Set(parseNetnsList(await run({ argv: ["ip", "netns", "list"] })));
  const links = new Map<string, ReadonlySet<string>>();
  const routes = new Map<string, readonly ObservedRoute[]>();
  const addresses = new Map<string, readonly ObservedAddress[]>();
  links.set("", new Set(parseLinkNames(await run({ argv: ["ip", "-j", "link", "show"] }))));
  for (const ns of namespaces) {
    if (!prefixes.some((p) => ns.startsWith(p))) continue;
    const show = (what: string): Promise<string> =>
      run({ argv: ["ip", "-n", ns, "-j", what, "show"] });
    // `ip -j addr` lists every link with its addresses: one call for both.
    const withAddresses = await show("addr");
    links.set(ns, new Set(parseLinkNames(withAddresses)));
    addresses.set(ns, parseAddresses(withAddresses));
    routes.set(ns, parseRoutes(await show("route")));
  }
  return { namespaces, links, routes, addresses };
}

/** The names from `ip netns list`, whose lines read `NAME` or `NAME (id: N)`. */
export function parseNetnsList(output: string): string[] {
  return output
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((name) => name !== "");
}

/** The interface names from `ip -j link show`. */
export function parseLinkNames(output: string): string[] {
  const links = JSON.parse(output || "[]") as { ifname?: unknown }[];
  return links.flatMap((l) => (typeof l.ifname === "string" ? [l.ifname] : []));
}

/** The IPv4 addresses from `ip -j addr show`. */
export function parseAddresses(output: string): ObservedAddress[] {
  const links = JSON.parse(output || "[]") as {
    ifname?: unknown;
    addr_info?: { family?: unknown; local?: unknown; prefixlen?: unknown }[];
  }[];
  return links.flatMap((l) =>
    (l.addr_info ?? []).flatMap((a) =>
      typeof l.ifname === "string" && a.family === "inet" && typeof a.local === "string"
        ? [{ dev: l.ifname, address: `${a.local}/${String(a.prefixlen)}` }]
        : [],
    ),
  );
}

/** The routes from `ip -j route show`. */
export function parseRoutes(output: string): ObservedRoute[] {
  const routes = JSON.parse(output || "[]") as Record<string, unknown>[];
  return routes.flatMap((r) => {
    if (typeof r.dst !== "string") return [];
    const text = (key: string): Partial<Record<string, string>> =>
      typeof r[key] === "string" ? { [key]: r[key] } : {};
    return [{ dst: r.dst, ...text("gateway"), ...text("dev"), ...text("protocol") }];
  });
}

/** Creates or completes the plan's namespaces and links; safe to call again with the same plan. */
export async function createClusterNetwork(
  plan: ClusterNetworkPlan,
  run: CommandRunner = runCommand,
): Promise<void> {
  const observed = await observeNetwork([`kates-${plan.clusterId}-`], run);
  for (const command of createCommands(plan, observed)) await run(command);
}

/** How `teardownClusterNetwork` runs. */
export interface TeardownOptions {
  run?: CommandRunner;
  /**
   * Remove the names even while processes still run in the namespaces. Those namespaces, and the
   * veths in them, then live on unnamed until the processes exit: for test sweeps, not for `down`.
   */
  force?: boolean;
  /** How long to wait for processes in the namespaces to exit before giving up; 5 s. */
  waitForProcessesMs?: number;
}

/**
 * Removes every namespace and link of the cluster, found by its id alone (so it also cleans up
 * after a crash), and checks that nothing is left. A namespace that still holds processes (a
 * node's agent, containerd or its shims) would outlive its name with its links, so unless `force`
 * is set this waits a little for them to exit and otherwise refuses, removing nothing: stop the
 * nodes first.
 */
export async function teardownClusterNetwork(
  clusterId: string,
  options: TeardownOptions = {},
): Promise<void> {
  const run = options.run ?? runCommand;
  const prefix = namespacePrefix(clusterId);
  let observed = await observeNetwork([prefix], run);

  if (!options.force) {
    const deadline = Date.now() + (options.waitForProcessesMs ?? 5000);
    for (;;) {
      const busy = await processesIn(clusterNamespaces(observed, prefix), run);
      if (busy.length === 0) break;
      if (Date.now() > deadline) {
        const list = busy.map(([ns, pids]) => `${ns}: ${pids.join(" ")}`).join("; ");
        throw new Error(
          `Cannot tear down the network of cluster ${clusterId}: processes still run in its namespaces (${list}); stop the nodes first`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      observed = await observeNetwork([prefix], run);
    }
  }

  const failures: string[] = [];
  for (const command of teardownCommands(clusterId, observed)) {
    // Keep going: one stuck namespace must not leave the others behind.
    await run(command).catch((err: unknown) => failures.push((err as Error).message));
  }
  const left = teardownCommands(clusterId, await observeNetwork([prefix], run));
  if (left.length > 0) {
    throw new Error(
      `Cannot tear down the network of cluster ${clusterId}: ${left.length} namespaces or links remain (${failures.join("; ")})`,
    );
  }
}

function clusterNamespaces(observed: ObservedNetwork, prefix: string): string[] {
  return [...observed.namespaces].filter((ns) => ns.startsWith(prefix));
}

/** The namespaces among `namespaces` that hold processes, with their pids (`ip netns pids`). */
export async function processesIn(
  namespaces: readonly string[],
  run: CommandRunner = runCommand,
): Promise<[string, number[]][]> {
  const busy: [string, number[]][] = [];
  for (const ns of namespaces) {
    const out = await run({ argv: ["ip", "netns", "pids", ns] }).catch((err: unknown) => {
      // Gone between the listing and now: nothing runs in it.
      if (err instanceof CommandError) return "";
      throw err;
    });
    const pids = out
      .split(/\s+/)
      .filter((p) => /^[0-9]+$/.test(p))
      .map(Number);
    if (pids.length > 0) busy.push([ns, pids]);
  }
  return busy;
}
