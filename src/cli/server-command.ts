/** `kates server`: the API server in the foreground, until SIGTERM or SIGINT. */
import { isIP } from "node:net";
import { join } from "node:path";
import { checkNonSpecialIP } from "../api/core/v1/net-checks.js";
import { parseGoDuration } from "../util/duration.js";
import { ApiServer } from "../apiserver/server.js";
import { controllerFactories, parseControllers } from "../controllers/manager.js";
import { parseDuration, type ControllerSettings } from "../controllers/settings.js";
import { openBackend } from "../storage/open.js";
import { Logger } from "../util/log.js";
import { startComponents } from "./components.js";
import { flagHelp, parseFlags, parseListen, UsageError, type FlagSpec } from "./flags.js";
import { kubeconfigFor, writeKubeconfig } from "./kubeconfig.js";
import { defaultDataDir } from "./paths.js";

export const serverFlags: Record<string, FlagSpec> = {
  "data-dir": {
    description: "Folder for the store, the admin kubeconfig and the service account signing key",
    default: defaultDataDir(),
    env: "KATES_DATA_DIR",
  },
  listen: {
    description: "Address and port of the API",
    default: "127.0.0.1:6443",
    env: "KATES_LISTEN",
  },
  storage: {
    description: "Storage backend: sqlite or memory",
    default: "sqlite",
    env: "KATES_STORAGE",
  },
  "sqlite-sync": {
    description:
      "SQLite durability: full (fsync every commit; survives power loss) or normal (survives a crash of the process)",
    default: "full",
    env: "KATES_SQLITE_SYNC",
  },
  "service-cidr": { description: "Range of Service cluster IPs", default: "10.96.0.0/12" },
  "advertise-address": {
    description:
      "IP the kubernetes Service's endpoints name; by default the listen address, or for a wildcard or loopback one the address of the default route's interface",
    default: "",
    env: "KATES_ADVERTISE_ADDRESS",
  },
  "event-ttl": { description: "How long Events are kept after their last write", default: "1h" },
  controllers: {
    description: `Controllers to run: all, none, or a comma list (-name removes one) of ${Object.keys(controllerFactories).join(", ")}`,
    default: "all",
    env: "KATES_CONTROLLERS",
  },
  "node-monitor-grace-period": {
    description:
      "How long a node may stop renewing its lease and status before its conditions become Unknown",
    default: "40s",
  },
  "terminated-pod-gc-threshold": {
    description: "Finished pods kept before pod GC deletes the oldest; 0 keeps all",
    default: "12500",
  },
  scheduler: {
    description:
      "Run the scheduler (leader-elected on the kube-system/kube-scheduler lease): true or false",
    default: "true",
    env: "KATES_SCHEDULER",
  },
  "log-level": {
    description: "error, warn, info or debug",
    default: "info",
    env: "KATES_LOG_LEVEL",
  },
};

export const serverHelp = `Usage: kates server [flags]\n\nServes the Kubernetes API.\n\n${flagHelp(serverFlags)}`;

export async function runServer(args: string[]): Promise<void> {
  const flags = parseFlags(args, serverFlags);
  const level = flags["log-level"] as "error" | "warn" | "info" | "debug";
  const log = new Logger({ level });
  const dataDir = flags["data-dir"]!;
  const { host, port } = parseListen(flags["listen"]!);

  let controllerNames: string[];
  try {
    controllerNames = parseControllers(flags["controllers"]!, Object.keys(controllerFactories));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (flags["scheduler"] !== "true" && flags["scheduler"] !== "false") {
    throw new UsageError(
      `Unknown --scheduler ${JSON.stringify(flags["scheduler"])}: use true or false`,
    );
  }
  const settings = controllerSettings(flags);
  const sync = flags["sqlite-sync"];
  if (sync !== "full" && sync !== "normal")
    throw new UsageError(`Unknown --sqlite-sync ${JSON.stringify(sync)}: use full or normal`);
  const advertise = flags["advertise-address"] ?? "";
  if (advertise !== "") {
    const problems = isIP(advertise) ? checkNonSpecialIP(advertise) : ["must be an IP address"];
    if (problems.length) {
      throw new UsageError(
        `Invalid --advertise-address ${JSON.stringify(advertise)}: ${problems[0]}`,
      );
    }
  }
  const eventTtlMs = parseGoDuration(flags["event-ttl"]!);
  if (eventTtlMs === undefined || eventTtlMs <= 0)
    throw new UsageError(
      `Cannot use --event-ttl ${JSON.stringify(flags["event-ttl"])}: use 1h, 30m, ...`,
    );
  const backend = await openBackend({ type: flags["storage"]!, dataDir, logger: log, sync });
  const server = await ApiServer.start({
    backend,
    host,
    port,
    logger: log,
    serviceCidr: flags["service-cidr"]!,
    serviceAccountKeyFile: join(dataDir, "sa.key"),
    ...(advertise ? { advertiseAddress: advertise } : {}),
    eventTtlMs,
  });
  const kubeconfig = join(dataDir, "kubeconfig");
  writeKubeconfig(kubeconfig, kubeconfigFor("kates", server.url));
  log.info("Wrote admin kubeconfig", { path: kubeconfig });
  const components = startComponents(
    {
      url: server.url,
      controllers: controllerNames,
      settings,
      scheduler: flags["scheduler"] === "true",
      level,
    },
    log,
  );

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info("Shutting down", { signal });
    await components.stop();
    await server.close();
    await backend.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/** The controller settings of the flags; a bad value is a usage error. */
function controllerSettings(flags: Record<string, string | undefined>): ControllerSettings {
  let grace: number;
  try {
    grace = parseDuration(flags["node-monitor-grace-period"]!);
  } catch (err) {
    throw new UsageError(`Invalid --node-monitor-grace-period: ${(err as Error).message}`);
  }
  const threshold = flags["terminated-pod-gc-threshold"]!;
  if (!/^-?\d+$/.test(threshold)) {
    throw new UsageError(
      `Invalid --terminated-pod-gc-threshold ${JSON.stringify(threshold)}: use a whole number`,
    );
  }
  return { nodeMonitorGracePeriodMs: grace, terminatedPodGcThreshold: Number(threshold) };
}
