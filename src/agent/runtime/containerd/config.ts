/**
 * The containerd configuration the agent generates: a containerd of its own (root, state and socket under
 * the agent's data folder) with the CRI plugin set up for Kates' nodes.
 */
import path from "node:path";

/** Where the Debian package `containernetworking-plugins` puts the standard CNI plugins. */
export const DEFAULT_CNI_BIN_DIR = "/usr/lib/cni";

/** The sandbox ("pause") image the agent builds and imports itself, so no pull is ever needed. */
export const DEFAULT_SANDBOX_IMAGE = "kates.local/pause:1";

export interface ContainerdLayout {
  /** containerd's persistent root (images, snapshots, metadata). */
  root: string;
  /** containerd's state folder (sockets, runtime state); cleared on reboot in a real node. */
  state: string;
  /** The gRPC socket the CRI client talks to. */
  socket: string;
  /** The CNI network configurations the CRI plugin loads. */
  cniConfDir: string;
  /** The generated configuration file. */
  configFile: string;
  /** containerd's own log (standard output and error). */
  logFile: string;
  /** The PID of the containerd the supervisor last started, to find it after the agent restarts. */
  pidFile: string;
}

/** The files of a containerd under `dataDir`. */
export function containerdLayout(dataDir: string): ContainerdLayout {
  return {
    root: path.join(dataDir, "root"),
    state: path.join(dataDir, "state"),
    socket: path.join(dataDir, "containerd.sock"),
    cniConfDir: path.join(dataDir, "cni", "net.d"),
    configFile: path.join(dataDir, "config.toml"),
    logFile: path.join(dataDir, "containerd.log"),
    pidFile: path.join(dataDir, "containerd.pid"),
  };
}

export interface ContainerdConfigOptions {
  layout: ContainerdLayout;
  /** Folder of the CNI plugin binaries. Default `/usr/lib/cni`. */
  cniBinDir?: string;
  sandboxImage?: string;
  /** Snapshotter for container filesystems. Default `overlayfs`. */
  snapshotter?: string;
  /** Per-registry host configuration (`certs.d` layout) for mirrors and plain-HTTP registries. */
  registryConfigDir?: string;
}

/** A TOML value: tables nest, everything else is a leaf. */
type TomlValue = string | number | boolean | string[] | TomlTable;
interface TomlTable {
  [key: string]: TomlValue;
}

/** The generated configuration as a TOML document (containerd config version 2). */
export function renderContainerdConfig(opts: ContainerdConfigOptions): string {
  const { layout } = opts;
  const cri = "io.containerd.grpc.v1.cri";
  const config: TomlTable = {
    version: 2,
    root: layout.root,
    state: layout.state,
    // Root here cannot lower oom_score_adj; containerd must not try to set its own.
    oom_score: 0,
    grpc: { address: layout.socket },
    // No ttrpc or debug sockets and no metrics listener: the agent needs none of them.
    ttrpc: { address: "" },
    debug: { address: "" },
    metrics: { address: "" },
    plugins: {
      // The default is /opt/containerd, shared by every containerd on the machine.
      "io.containerd.internal.v1.opt": { path: path.join(layout.root, "opt") },
      [cri]: {
        sandbox_image: opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE,
        // Without this, runc fails every sandbox where root cannot lower oom_score_adj
        // ("can't get final child's PID from pipe: EOF").
        restrict_oom_score_adj: true,
        // The streaming server (exec, attach, port-forward) answers on loopback only.
        stream_server_address: "127.0.0.1",
        stream_server_port: "0",
        enable_selinux: false,
        max_container_log_line_size: 16384,
        containerd: {
          snapshotter: opts.snapshotter ?? "overlayfs",
          default_runtime_name: "runc",
          runtimes: {
            runc: {
              runtime_type: "io.containerd.runc.v2",
              options: { SystemdCgroup: false },
            },
          },
        },
        cni: {
          bin_dir: opts.cniBinDir ?? DEFAULT_CNI_BIN_DIR,
          conf_dir: layout.cniConfDir,
          max_conf_num: 1,
        },
        ...(opts.registryConfigDir ? { registry: { config_path: opts.registryConfigDir } } : {}),
      },
    },
  };
  return renderToml(config);
}

/** Writes `table` as TOML: leaves first, then each sub-table under its dotted, quoted header. */
export function renderToml(table: TomlTable): string {
  const lines: string[] = [];
  writeTable(lines, [], table);
  return lines.join("\n") + "\n";
}

function writeTable(lines: string[], keys: string[], table: TomlTable): void {
  const leaves = Object.entries(table).filter(([, v]) => !isTable(v));
  const tables = Object.entries(table).filter(([, v]) => isTable(v)) as [string, TomlTable][];

  if (keys.length > 0 && (leaves.length > 0 || tables.length === 0)) {
    if (lines.length > 0) lines.push("");
    lines.push(`[${keys.map(tomlKey).join(".")}]`);
  }
  for (const [k, v] of leaves) lines.push(`${tomlKey(k)} = ${tomlLeaf(v)}`);
  for (const [k, v] of tables) writeTable(lines, [...keys, k], v);
}

function isTable(v: TomlValue): v is TomlTable {
  return typeof v === "object" && !Array.isArray(v);
}

function tomlKey(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : tomlString(k);
}

function tomlLeaf(v: TomlValue): string {
  if (typeof v === "string") return tomlString(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new TypeError(`Cannot write ${v} as TOML`);
    return String(v);
  }
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(tomlString).join(", ")}]`;
  throw new TypeError("Cannot write a table as a TOML value");
}

/** A basic TOML string: JSON's escapes are a subset TOML accepts, except for the `\/` JSON never writes. */
function tomlString(s: string): string {
  return JSON.stringify(s).replace(
    /[\u007f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
