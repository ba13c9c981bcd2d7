/** The writes a Deployment sync plans, and what it reads. */
import type { Deployment } from "../../api/apps/v1/deployment.js";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import type { Pod } from "../../api/core/v1/pod.js";

/** An event the caller records on the Deployment once the write it comes with succeeded. */
export interface DeploymentEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/**
 * One write of a plan. Writes of the same object follow each other: send each with the
 * resourceVersion the previous write of that object returned.
 */
export type DeploymentAction =
  /** Strategic-merge-patch an orphan ReplicaSet with `patch` (adds the controller reference). */
  | { type: "adoptReplicaSet"; replicaSet: ReplicaSet; patch: Record<string, unknown> }
  /** Strategic-merge-patch a ReplicaSet that stopped matching with `patch`. */
  | { type: "releaseReplicaSet"; replicaSet: ReplicaSet; patch: Record<string, unknown> }
  /**
   * Create the new ReplicaSet. On AlreadyExists call `replicaSetAlreadyExists`; on any other
   * error call `replicaSetCreateFailed`, perform what they return, and stop.
   */
  | { type: "createReplicaSet"; replicaSet: ReplicaSet; event?: DeploymentEvent }
  /** Update a ReplicaSet (its replicas, annotations or minReadySeconds). */
  | { type: "updateReplicaSet"; replicaSet: ReplicaSet; event?: DeploymentEvent }
  /** Delete an old ReplicaSet; NotFound counts as done. */
  | { type: "deleteReplicaSet"; replicaSet: ReplicaSet }
  /** Update the Deployment itself (a legacy rollback rewrites its template). */
  | { type: "updateDeployment"; deployment: Deployment; event?: DeploymentEvent }
  /**
   * Update the Deployment through its status subresource. Upstream's status write also keeps the
   * Deployment's annotations (its revision), so `deployment` carries both.
   */
  | { type: "updateDeploymentStatus"; deployment: Deployment }
  /** Record an event with no write attached. */
  | { type: "event"; event: DeploymentEvent };

/** What one sync reads. */
export interface DeploymentSyncInput {
  deployment: Deployment;
  /**
   * ReplicaSets of the Deployment's namespace from the informer: at least those it controls and
   * the orphans. Others are ignored.
   */
  replicaSets: readonly ReplicaSet[];
  /** Pods controlled by those ReplicaSets; Recreate waits until the old ones are gone. */
  pods?: readonly Pod[];
  /** Milliseconds since the epoch. */
  now: number;
}

/** What one sync decided. */
export interface DeploymentSyncPlan {
  actions: DeploymentAction[];
  /** When set, sync again after this many milliseconds (to check the progress deadline). */
  requeueAfterMs?: number;
}
