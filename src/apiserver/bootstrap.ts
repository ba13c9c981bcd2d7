/**
 * What every cluster has from the start: the namespaces default, kube-system, kube-public and
 * kube-node-lease, and the `kubernetes` Service in default. Created through the stores, like any client's
 * objects; existing ones are left alone, so restarts are harmless.
 */
import { isAlreadyExists } from "../api/errors.js";
import type { KubeObject } from "../api/meta/types.js";
import { ADMIN } from "./auth/authenticator.js";
import type { Store } from "./registry/store.js";

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Creates whatever of the initial objects is missing. */
export async function bootstrap(
  stores: { namespaces: Store; services: Store },
  kubernetesIp: string,
  apiPort: number,
): Promise<void> {
  const opts = { dryRun: false, user: ADMIN };
  for (const name of SYSTEM_NAMESPACES) {
    await ignoreExisting(
      stores.namespaces.create(
        "",
        { apiVersion: "v1", kind: "Namespace", metadata: { name } },
        opts,
      ),
    );
  }
  const kubernetes: KubeObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: {
      type: "ClusterIP",
      clusterIP: kubernetesIp,
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: apiPort }],
      sessionAffinity: "None",
    },
  };
  await ignoreExisting(stores.services.create("default", kubernetes, opts));
}

async function ignoreExisting(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}
