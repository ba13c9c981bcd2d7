/** `kates simulate`: N simulated nodes in the foreground, until SIGTERM or SIGINT. */
import { KubeClient } from "../client/client.js";
import { NodeSimulator } from "../simulate/simulator.js";
import { Logger } from "../util/log.js";
import { flagHelp, parseFlags, UsageError, type FlagSpec } from "./flags.js";

/** Flags of `kates simulate`. */
export const simulateFlags: Record<string, FlagSpec> = {
  kubeconfig: { description: "Kubeconfig of the cluster to join", env: "KUBECONFIG" },
  nodes: { description: "How many nodes to simulate", default: "1" },
  "name-prefix": { description: "Nodes are named PREFIX0 … PREFIX(N-1)", default: "sim-" },
  cpu: { description: "CPU capacity of each node", default: "4" },
  memory: { description: "Memory capacity of each node", default: "16Gi" },
  pods: { description: "Pod capacity of each node (at most 253)", default: "110" },
  "log-level": { description: "error, warn, info or debug", default: "info" },
};

/** Help of `kates simulate`. */
export const simulateHelp = `Usage: kates simulate --kubeconfig FILE [flags]\n\nRuns simulated nodes that register, renew their leases and move their pods through their phases without running anything.\n\n${flagHelp(simulateFlags)}`;

/** Runs `kates simulate`. */
export async function runSimulate(args: string[]): Promise<void> {
  const flags = parseFlags(args, simulateFlags);
  const kubeconfig = flags["kubeconfig"];
  if (!kubeconfig) throw new UsageError("Flag --kubeconfig is required");
  const nodes = Number(flags["nodes"]);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 32768)
    throw new UsageError(
      `Cannot simulate --nodes ${JSON.stringify(flags["nodes"])}: use 1 to 32768`,
    );
  const prefix = flags["name-prefix"]!;
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9.-])?$/.test(prefix))
    throw new UsageError(
      `Cannot use --name-prefix ${JSON.stringify(prefix)}: node names are lower-case DNS names`,
    );
  const quantity = /^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
  for (const name of ["cpu", "memory"]) {
    if (!quantity.test(flags[name]!))
      throw new UsageError(`Cannot use --${name} ${JSON.stringify(flags[name])}: not a quantity`);
  }
  const pods = Number(flags["pods"]);
  if (!Number.isInteger(pods) || pods < 1 || pods > 253)
    throw new UsageError(`Cannot use --pods ${JSON.stringify(flags["pods"])}: use 1 to 253`);
  const level = flags["log-level"];
  if (level !== "error" && level !== "warn" && level !== "info" && level !== "debug")
    throw new UsageError(`Unknown --log-level ${JSON.stringify(level)}`);
  const logger = new Logger({ level });
  const client = KubeClient.fromKubeconfig(kubeconfig, {
    userAgent: "kates-simulate",
    maxSockets: 32,
  });
  const sim = new NodeSimulator({
    client,
    nodes,
    namePrefix: prefix,
    capacity: { cpu: flags["cpu"]!, memory: flags["memory"]!, pods: String(pods) },
    logger,
  });
  await sim.start();
  logger.info("simulated nodes ready", {
    nodes,
    first: sim.nodeNames[0],
    last: sim.nodeNames.at(-1),
  });
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await sim.stop();
  client.close();
}
