/**
 * What every cluster has from the start: the namespaces default, kube-system, kube-public and
 * kube-node-lease, the `kubernetes` Service in default, and the default StorageClass `standard`
 * (local-path volumes, bound once a pod uses them). Created through the stores, like any client's
 * objects; existing ones are left alone, so restarts are harmless.
 */
import { isAlreadyExists, isNotFound } from "../api/errors.js";
import type { KubeObject } from "../api/meta/types.js";
import { ADMIN } from "./auth/authenticator.js";
import type { Store } from "./registry/store.js";

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Creates whatever of the initial objects is missing. */
export async function bootstrap(
  stores: { namespaces: Store; services: Store; storageClasses?: Store },
  kubernetesIp: string,
  apiPort: number,
): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(stores.namespaces, "", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name },
    });
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
  await ensure(stores.services, "default", kubernetes);
  await reconcileKubernetesPorts(stores.services, kubernetes);
  if (stores.storageClasses) await ensure(stores.storageClasses, "", standardStorageClass());
}

/**
 * Puts the `kubernetes` Service's ports back to what this server serves, as upstream's bootstrap
 * controller does: after a restart on another port, the Service still names the old one.
 */
async function reconcileKubernetesPorts(store: Store, want: KubeObject): Promise<void> {
  const ports = (want["spec"] as { ports: unknown[] }).ports;
  const current = (await store.get("default", "kubernetes")).obj;
  const spec = current["spec"] as { ports?: unknown[] } | undefined;
  if (JSON.stringify(spec?.ports) === JSON.stringify(ports)) return;
  await store.update(
    "default",
    "kubernetes",
    (cur) => ({ ...cur, spec: { ...(cur["spec"] as object), ports } }),
    { dryRun: false, user: ADMIN },
  );
}

/**
 * The default StorageClass: volumes from the local-path provisioner on the node the pod goes to,
 * deleted with their claims. An administrator may delete it or unmark it; it is only made when absent,
 * so a deleted one comes back on the next start unless another class of that name exists. A new
 * object each call: the store fills in the metadata of what it creates.
 */
export function standardStorageClass(): KubeObject {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name: "standard",
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    },
    provisioner: "kates.dev/local-path",
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
  };
}

/**
 * Creates `obj` unless it exists. Existence is checked first: creating it again would fail admission
 * (the kubernetes Service's address is taken by itself) before storage could answer AlreadyExists.
 */
async function ensure(store: Store, namespace: string, obj: KubeObject): Promise<void> {
  try {
    await store.get(namespace, obj.metadata.name ?? "");
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await store.create(namespace, obj, { dryRun: false, user: ADMIN });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}
