/** Finding, building and inspecting the ReplicaSets of a Deployment. */
import type { Deployment } from "../../api/apps/v1/deployment.js";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { copyJson } from "../../util/json-copy.js";
import { controllerRefOf, newControllerRef } from "../replicaset/controller-ref.js";
import {
  computePodTemplateHash,
  equalIgnoreHash,
  labelsWithHash,
  selectorWithHash,
} from "./pod-template-hash.js";
import { compareByCreation } from "../replicaset/pod-state.js";
import { sumStatusReplicas } from "./rollout-math.js";

/**
 * The Deployment's new ReplicaSet: the oldest whose template equals the Deployment's but for the
 * hash label (the oldest, so that a duplicate made by a lost race is never chosen over the first).
 */
export function findNewReplicaSet(
  d: Deployment,
  replicaSets: readonly ReplicaSet[],
): ReplicaSet | undefined {
  const sorted = [...replicaSets].sort(compareByCreation);
  return sorted.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/**
 * The ReplicaSet to create for the Deployment's current template, with 0 replicas: named
 * `<deployment>-<hash>`, its template, labels and selector extended by the pod-template-hash.
 */
export function newReplicaSetFor(d: Deployment): ReplicaSet {
  const template = copyJson(d.spec?.template ?? {});
  const hash = computePodTemplateHash(d.spec?.template, d.status?.collisionCount);
  const labels = labelsWithHash(d.spec?.template?.metadata?.labels, hash);
  (template.metadata ??= {}).labels = labels;
  const owner = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: d.metadata.name ?? "",
    uid: d.metadata.uid ?? "",
  };
  const rs: ReplicaSet = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      ownerReferences: [newControllerRef(owner)],
      labels: { ...labels },
    },
    spec: {
      replicas: 0,
      minReadySeconds: d.spec?.minReadySeconds ?? 0,
      selector: selectorWithHash(d.spec?.selector, hash),
      template,
    },
  };
  if (d.metadata.namespace) rs.metadata.namespace = d.metadata.namespace;
  return rs;
}

/** Pods grouped by the UID of their controller. */
export function podsByOwner(pods: readonly Pod[]): Map<string, Pod[]> {
  const map = new Map<string, Pod[]>();
  for (const pod of pods) {
    const uid = controllerRefOf(pod)?.uid;
    if (!uid) continue;
    const list = map.get(uid);
    if (list) list.push(pod);
    else map.set(uid, [pod]);
  }
  return map;
}

/**
 * Whether pods of old ReplicaSets may still run: old ReplicaSets report pods, or the informer
 * holds a pod of one that has not finished (Unknown counts: it may be running on a lost node).
 */
export function oldPodsRunning(
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
  podMap: ReadonlyMap<string, readonly Pod[]>,
): boolean {
  if (sumStatusReplicas(oldRSs) > 0) return true;
  const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid));
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (!oldUids.has(uid)) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase !== "Failed" && phase !== "Succeeded") return true;
    }
  }
  return false;
}
