/** Where a local cluster keeps its files. */
import { homedir } from "node:os";
import { join } from "node:path";

/** `~/.kates`, the data folder of `kates up` and `kates server` unless told otherwise. */
export function defaultDataDir(): string {
  return join(homedir(), ".kates");
}

/** The files of a local cluster inside its data folder. */
export interface ClusterFiles {
  /** The server's process id and log. */
  pid: string;
  log: string;
  kubeconfig: string;
  /** The process id and log of the simulated nodes (`kates up --simulated-nodes`). */
  simulatePid: string;
  simulateLog: string;
}

/** The files of a local cluster inside its data folder. */
export function clusterFiles(dataDir: string): ClusterFiles {
  return {
    pid: join(dataDir, "server.pid"),
    log: join(dataDir, "server.log"),
    kubeconfig: join(dataDir, "kubeconfig"),
    simulatePid: join(dataDir, "simulate.pid"),
    simulateLog: join(dataDir, "simulate.log"),
  };
}
