/** `kates agent`: a real node agent in the foreground, until SIGTERM or SIGINT. */
import path from "node:path";

import { NodeAgent } from "../agent/node-agent.js";
import { CriRuntime } from "../agent/runtime/cri/client.js";
import { startContainerdRuntime } from "../agent/runtime/containerd/node-runtime.js";
import type { ContainerdSupervisor } from "../agent/runtime/containerd/supervisor.js";
import type { ContainerRuntime } from "../agent/runtime/runtime.js";
import { KubeClient } from "../client/client.js";
import { Logger } from "../util/log.js";
import { defaultDataDir } from "./paths.js";
import { flagHelp, parseFlags, UsageError, type FlagSpec } from "./flags.js";

/** Flags of `kates agent`. */
export const agentFlags: Record<string, FlagSpec> = {
  kubeconfig: { description: "Kubeconfig of the cluster to join", env: "KUBECONFIG" },
  name: { description: "The node's name (a lower-case DNS name)" },
  netns: { description: "Network namespace (under /var/run/netns) for containerd and its pods" },
  "containerd-socket": {
    description: "Use this running containerd's CRI socket instead of starting one",
  },
  "data-dir": {
    description: "The agent's folder (containerd root, pod logs); default DATA/agents/NAME",
  },
  "log-level": { description: "error, warn, info or debug", default: "info" },
};

/** Help of `kates agent`. */
export const agentHelp = `Usage: kates agent --kubeconfig FILE --name NODE [flags]\n\nRuns a node agent: registers the node, renews its lease and runs the pods bound to it on containerd through the CRI.\n\n${flagHelp(agentFlags)}`;

/** Runs `kates agent`. */
export async function runAgent(args: string[]): Promise<void> {
  const flags = parseFlags(args, agentFlags);
  const kubeconfig = flags["kubeconfig"];
  if (!kubeconfig) throw new UsageError("Flag --kubeconfig is required");
  const name = flags["name"];
  if (!name) throw new UsageError("Flag --name is required");
  if (name.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name))
    throw new UsageError(
      `Cannot use --name ${JSON.stringify(name)}: node names are lower-case DNS names`,
    );
  const netns = flags["netns"];
  if (netns !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(netns))
    throw new UsageError(`Cannot use --netns ${JSON.stringify(netns)}: not a namespace name`);
  const level = flags["log-level"];
  if (level !== "error" && level !== "warn" && level !== "info" && level !== "debug")
    throw new UsageError(`Unknown --log-level ${JSON.stringify(level)}`);
  const logger = new Logger({ level });
  const dataDir = path.resolve(flags["data-dir"] ?? path.join(defaultDataDir(), "agents", name));

  let supervisor: ContainerdSupervisor | undefined;
  let runtime: ContainerRuntime;
  const socket = flags["containerd-socket"];
  if (socket) {
    runtime = new CriRuntime({ socketPath: socket });
  } else {
    const started = await startContainerdRuntime({
      dataDir: path.join(dataDir, "containerd"),
      ...(netns ? { netns } : {}),
      logger,
    });
    supervisor = started.supervisor;
    runtime = started.runtime;
  }
  const client = KubeClient.fromKubeconfig(kubeconfig, { userAgent: `kates-agent/${name}` });
  const agent = new NodeAgent({
    client,
    nodeName: name,
    runtime,
    dataDir,
    ...(netns ? { netns } : {}),
    logger,
  });
  try {
    await agent.start();
    logger.info("node agent ready", { node: name, dataDir });
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
  } finally {
    await agent.stop();
    runtime.close();
    client.close();
    // Containers keep running in their shims; the next agent on this data folder adopts them.
    await supervisor?.stop();
  }
}
