/** Reading the API server's address from a kubeconfig file, as kubectl picks it. */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

interface Named {
  name?: string;
  [key: string]: unknown;
}

/** What a client needs from a kubeconfig: the server of the chosen context. */
export interface KubeconfigServer {
  server: string;
  context: string;
}

/**
 * The server URL of a kubeconfig's current context (or of `context`). Throws naming the file and what is
 * missing; only plain http:// servers are accepted until the API server speaks TLS.
 */
export function readKubeconfigServer(path: string, context?: string): KubeconfigServer {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`Cannot read kubeconfig ${path}: ${(err as Error).message}`, { cause: err });
  }
  const config = (doc ?? {}) as Record<string, unknown>;
  const contextName = context ?? (config["current-context"] as string | undefined);
  if (!contextName) throw new Error(`Cannot use kubeconfig ${path}: it has no current-context`);
  const ctx = findNamed(config["contexts"], contextName, "context");
  const clusterName = ctx?.["cluster"];
  if (typeof clusterName !== "string") {
    throw new Error(
      `Cannot use kubeconfig ${path}: context "${contextName}" not found or has no cluster`,
    );
  }
  const cluster = findNamed(config["clusters"], clusterName, "cluster");
  const server = cluster?.["server"];
  if (typeof server !== "string" || server === "") {
    throw new Error(
      `Cannot use kubeconfig ${path}: cluster "${clusterName}" not found or has no server`,
    );
  }
  if (!server.startsWith("http://")) {
    throw new Error(
      `Cannot use kubeconfig ${path}: server ${server} is not http:// (TLS is not supported yet)`,
    );
  }
  return { server, context: contextName };
}

function findNamed(
  list: unknown,
  name: string,
  field: string,
): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = (list as Named[]).find((e) => e?.name === name);
  const value = entry?.[field];
  return typeof value === "object" && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}
