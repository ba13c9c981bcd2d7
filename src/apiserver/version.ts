/** The version the server reports at `/version`: Kubernetes 1.33's API, built by Kates. */
import { readFileSync } from "node:fs";

/** The Kubernetes minor version whose API Kates serves; kubectl's dispatcher picks its binary by it. */
export const KUBERNETES_MINOR = "33";

/** Kates' own version, from package.json. */
export const KATES_VERSION: string = (() => {
  const pkg = JSON.parse(
    readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
  ) as {
    version: string;
  };
  return pkg.version;
})();

/** The body of `/version`. */
export function versionInfo(): Record<string, string> {
  return {
    major: "1",
    minor: KUBERNETES_MINOR,
    gitVersion: `v1.${KUBERNETES_MINOR}.0+kates-${KATES_VERSION}`,
    gitCommit: "",
    gitTreeState: "clean",
    buildDate: "",
    goVersion: `node${process.versions.node}`,
    compiler: "tsc",
    platform: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}`,
  };
}
