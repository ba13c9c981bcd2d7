/** The `kates` command: dispatches to a subcommand. */
import { KATES_VERSION, KUBERNETES_MINOR } from "../apiserver/version.js";
import { agentHelp, runAgent } from "./agent-command.js";
import { UsageError } from "./flags.js";
import { runServer, serverHelp } from "./server-command.js";
import { runSimulate, simulateHelp } from "./simulate-command.js";
import { downHelp, runDown, runUp, upHelp } from "./up-command.js";

const USAGE = `Usage: kates COMMAND [flags]

Commands:
  up        Start a local cluster in the background
  down      Stop the local cluster
  server    Run the API server in the foreground
  simulate  Run simulated nodes in the foreground
  agent     Run a node agent (pods on containerd) in the foreground
  version   Print the version

Run "kates COMMAND --help" for a command's flags.
`;

const commands: Record<string, { run: (args: string[]) => Promise<void>; help: string }> = {
  server: { run: runServer, help: serverHelp },
  simulate: { run: runSimulate, help: simulateHelp },
  agent: { run: runAgent, help: agentHelp },
  up: { run: runUp, help: upHelp },
  down: { run: runDown, help: downHelp },
  version: {
    run: async () => {
      process.stdout.write(`Kates ${KATES_VERSION} (Kubernetes API v1.${KUBERNETES_MINOR})\n`);
    },
    help: "Usage: kates version\n\nPrints the version of Kates and of the Kubernetes API it serves.",
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    await command.run(args);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${command.help}\n`);
      return 2;
    }
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
// `server` keeps running on its own; everything else ends here.
if (process.argv[2] !== "server" || code !== 0) process.exitCode = code;
