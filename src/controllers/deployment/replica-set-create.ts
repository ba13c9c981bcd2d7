/**
 * What a Deployment sync does when creating its new ReplicaSet fails: the two outcomes of
 * `createReplicaSet` that the plan cannot know in advance.
 */
import type { Deployment } from "../../api/apps/v1/deployment.js";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import { copyJson } from "../../util/json-copy.js";
import { controllerRefOf } from "../replicaset/controller-ref.js";
import type { DeploymentAction } from "./sync-actions.js";
import {
  PROGRESSING,
  Reason,
  hasProgressDeadline,
  newCondition,
  setCondition,
} from "./deployment-status.js";
import { equalIgnoreHash } from "./pod-template-hash.js";

/**
 * The create of the new ReplicaSet met an existing one of that name. If the Deployment controls
 * it and its template matches, it is the new ReplicaSet after all (the informer had not seen it):
 * `{ adopted: true }`, and the caller requeues. Otherwise two templates hashed alike: the actions
 * raise `status.collisionCount`, so the next sync hashes to another name, and the caller
 * requeues with back-off.
 */
export function replicaSetAlreadyExists(
  d: Deployment,
  existing: ReplicaSet,
): { adopted: true } | { adopted: false; actions: DeploymentAction[] } {
  const ref = controllerRefOf(existing);
  if (ref?.uid === d.metadata.uid && equalIgnoreHash(d.spec?.template, existing.spec?.template)) {
    return { adopted: true };
  }
  const next = copyJson(d);
  const status = (next.status ??= {});
  status.collisionCount = (status.collisionCount ?? 0) + 1;
  return { adopted: false, actions: [{ type: "updateDeploymentStatus", deployment: next }] };
}

/**
 * The create of the new ReplicaSet failed with `message` (other than AlreadyExists): a Warning
 * event, and, with a progress deadline, Progressing=False with reason ReplicaSetCreateError.
 * When the namespace is terminating, upstream does neither; the caller should skip this then.
 */
export function replicaSetCreateFailed(
  d: Deployment,
  replicaSetName: string,
  message: string,
  now: number,
): DeploymentAction[] {
  const text = `Failed to create new replica set "${replicaSetName}": ${message}`;
  const actions: DeploymentAction[] = [];
  if (hasProgressDeadline(d)) {
    const next = copyJson(d);
    const cond = newCondition(PROGRESSING, "False", Reason.replicaSetCreateError, text, now);
    setCondition((next.status ??= {}), cond);
    actions.push({ type: "updateDeploymentStatus", deployment: next });
  }
  actions.push({
    type: "event",
    event: { type: "Warning", reason: Reason.replicaSetCreateError, message: text },
  });
  return actions;
}
