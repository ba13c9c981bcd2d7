/** Writing kubeconfig files: the cluster's own, and a `kates` context merged into the user's. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";

interface Named {
  name: string;
  [key: string]: unknown;
}

interface KubeConfig {
  apiVersion: string;
  kind: string;
  clusters: Named[];
  users: Named[];
  contexts: Named[];
  "current-context"?: string;
  preferences?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The kubeconfig of one cluster: a cluster, a user and a context, all called `name`. */
export function kubeconfigFor(name: string, server: string): KubeConfig {
  return {
    apiVersion: "v1",
    kind: "Config",
    // Until the server speaks TLS, clients such as @kubernetes/client-node refuse a plain http:// server
    // unless the cluster says TLS verification is off.
    clusters: [{ name, cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    preferences: {},
  };
}

/** Writes a file atomically (write, then rename) with owner-only permissions. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

export function writeKubeconfig(path: string, config: KubeConfig): void {
  writeFileAtomic(path, stringify(config));
}

/** The kubeconfig kubectl uses by default: the first file of $KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfigPath(): string {
  const env = process.env["KUBECONFIG"];
  const first = env?.split(":").find((p) => p !== "");
  return first ?? join(homedir(), ".kube", "config");
}

/**
 * Adds (or replaces) the cluster, user and context of `config` in the kubeconfig at `path`, and makes
 * that context current, keeping everything else in the file.
 */
export function mergeKubeconfig(path: string, config: KubeConfig): void {
  const existing: KubeConfig = existsSync(path)
    ? ((parse(readFileSync(path, "utf8")) as KubeConfig | null) ?? kubeconfigFor("", ""))
    : { apiVersion: "v1", kind: "Config", clusters: [], users: [], contexts: [], preferences: {} };
  for (const field of ["clusters", "users", "contexts"] as const) {
    const incoming = config[field];
    const kept = (existing[field] ?? []).filter(
      (e) => !incoming.some((i) => i.name === e.name && e.name !== ""),
    );
    existing[field] = [...kept.filter((e) => e.name !== ""), ...incoming];
  }
  if (config["current-context"]) existing["current-context"] = config["current-context"];
  writeKubeconfig(path, existing);
}
