/**
 * The decisions of one Deployment sync, as a pure function of the informer's cache. It follows
 * upstream's sync: claim the ReplicaSets; on a deleted Deployment only report status; keep the
 * paused/resumed condition; while paused only scale; obey a legacy rollback request; on a change
 * of replicas scale proportionally; else take one step of the Recreate or RollingUpdate strategy,
 * clean up old ReplicaSets past `revisionHistoryLimit` once complete, and write the status.
 *
 * The result is a list of writes in the order upstream makes them. The caller performs them in
 * that order and stops at the first failure (then requeues with back-off), except where a
 * `DeploymentAction` says otherwise.
 */
import type { Deployment } from "../../api/apps/v1/deployment.js";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { labelSelectorFromObject } from "../../api/selectors/label-selector.js";
import { deepEqual } from "../../util/deep-equal.js";
import { copyJson } from "../../util/json-copy.js";
import {
  adoptionPatch,
  claimObjects,
  controllerIdentity,
  newControllerRef,
  releasePatch,
  type ControllerIdentity,
} from "../replicaset/controller-ref.js";
import { compareByCreation } from "../replicaset/pod-state.js";
import {
  REVISION_ANNOTATION,
  ROLLBACK_TO_ANNOTATION,
  desiredReplicasAnnotation,
  lastRevision,
  maxRevision,
  revisionOf,
  replicasAnnotationsNeedUpdate,
  setDeploymentAnnotationsTo,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from "./annotations.js";
import type {
  DeploymentAction,
  DeploymentEvent,
  DeploymentSyncInput,
  DeploymentSyncPlan,
} from "./sync-actions.js";
import {
  findNewReplicaSet,
  newReplicaSetFor,
  oldPodsRunning,
  podsByOwner,
} from "./replica-sets.js";
import {
  PROGRESSING,
  Reason,
  calculateStatus,
  deploymentComplete,
  getCondition,
  hasProgressDeadline,
  newCondition,
  rolloutStatus,
  setCondition,
  stuckRequeueAfterMs,
} from "./deployment-status.js";
import { POD_TEMPLATE_HASH_LABEL, equalIgnoreHash } from "./pod-template-hash.js";
import {
  activeReplicaSets,
  compareByRevision,
  compareBySizeNewer,
  compareBySizeOlder,
  deploymentReplicas,
  findActiveOrLatest,
  isRollingUpdate,
  isSaturated,
  maxSurge,
  maxUnavailable,
  newReplicaSetReplicas,
  replicaSetProportion,
  rsReplicas,
  sumAvailableReplicas,
  sumSpecReplicas,
} from "./rollout-math.js";

export type {
  DeploymentAction,
  DeploymentEvent,
  DeploymentSyncInput,
  DeploymentSyncPlan,
} from "./sync-actions.js";
export { findNewReplicaSet, newReplicaSetFor, oldPodsRunning } from "./replica-sets.js";

/** Decides one sync of a Deployment. Throws on an unreadable selector or an unknown strategy. */
export function planDeploymentSync(input: DeploymentSyncInput): DeploymentSyncPlan {
  return new DeploymentSync(input.deployment, input.now).run(input.replicaSets, input.pods ?? []);
}

const SELECTING_ALL = "This deployment is selecting all pods. A non-empty selector is required.";

/** One sync's working state: the Deployment and ReplicaSets as the writes so far leave them. */
class DeploymentSync {
  readonly #now: number;
  readonly #d: Deployment;
  readonly #actions: DeploymentAction[] = [];
  #requeueAfterMs: number | undefined;
  /** The claimed ReplicaSets by name, replaced as the plan writes them. */
  readonly #current = new Map<string, ReplicaSet>();

  constructor(deployment: Deployment, now: number) {
    this.#d = copyJson(deployment);
    this.#now = now;
  }

  run(replicaSets: readonly ReplicaSet[], pods: readonly Pod[]): DeploymentSyncPlan {
    const d = this.#d;
    const sel = d.spec?.selector;
    if (sel && !Object.keys(sel.matchLabels ?? {}).length && !sel.matchExpressions?.length) {
      this.#event("Warning", "SelectingAll", SELECTING_ALL);
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        (d.status ??= {}).observedGeneration = d.metadata.generation ?? 0;
        this.#writeStatus();
      }
      return this.#plan();
    }

    this.#claim(replicaSets);
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = this.#getAllReplicaSetsAndSyncRevision(false);
      this.#syncDeploymentStatus([...oldRSs, newRS], newRS);
      return this.#plan();
    }

    this.#checkPausedConditions();
    if (d.spec?.paused) {
      this.#sync();
      return this.#plan();
    }
    if (rollbackTo(d) !== undefined) {
      this.#rollback();
      return this.#plan();
    }
    if (this.#isScalingEvent()) {
      this.#sync();
      return this.#plan();
    }
    const type = d.spec?.strategy?.type ?? "RollingUpdate";
    if (type === "Recreate") this.#rolloutRecreate(podsByOwner(pods));
    else if (type === "RollingUpdate") this.#rolloutRolling();
    else throw new Error(`Cannot sync deployment ${key(d)}: unexpected strategy type ${type}`);
    return this.#plan();
  }

  #plan(): DeploymentSyncPlan {
    const plan: DeploymentSyncPlan = { actions: this.#actions };
    if (this.#requeueAfterMs !== undefined) plan.requeueAfterMs = this.#requeueAfterMs;
    return plan;
  }

  #event(type: DeploymentEvent["type"], reason: string, message: string): void {
    this.#actions.push({ type: "event", event: { type, reason, message } });
  }

  #writeStatus(): void {
    this.#actions.push({ type: "updateDeploymentStatus", deployment: copyJson(this.#d) });
  }

  #identity(): ControllerIdentity {
    return controllerIdentity(this.#d.metadata, "apps/v1", "Deployment");
  }

  /** Adopts matching orphans and releases what stopped matching (getReplicaSetsForDeployment). */
  #claim(replicaSets: readonly ReplicaSet[]): void {
    const owner = this.#identity();
    const selector = labelSelectorFromObject(this.#d.spec?.selector);
    const claim = claimObjects(owner, replicaSets, (rs) => selector.matches(rs.metadata.labels));
    for (const rs of claim.adopt) {
      this.#actions.push({
        type: "adoptReplicaSet",
        replicaSet: rs,
        patch: adoptionPatch(owner, rs),
      });
    }
    for (const rs of claim.release) {
      this.#actions.push({
        type: "releaseReplicaSet",
        replicaSet: rs,
        patch: releasePatch(owner, rs),
      });
    }
    for (const rs of claim.claimed) {
      const copy = claim.adopt.includes(rs) ? withControllerRef(rs, owner) : rs;
      this.#current.set(rs.metadata.name ?? "", copy);
    }
  }

  #replicaSets(): ReplicaSet[] {
    return [...this.#current.values()];
  }

  #replace(rs: ReplicaSet): void {
    this.#current.set(rs.metadata.name ?? "", rs);
  }

  /** Maintains the Progressing=Unknown condition of a paused or resumed Deployment. */
  #checkPausedConditions(): void {
    const d = this.#d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, PROGRESSING);
    // A reported timeout stays; pausing does not hide it.
    if (cond?.reason === Reason.progressDeadlineExceeded) return;
    const pausedCondition = cond?.reason === Reason.deploymentPaused;
    let message: string;
    let reason: string;
    if (d.spec?.paused && !pausedCondition) {
      [reason, message] = [Reason.deploymentPaused, "Deployment is paused"];
    } else if (!d.spec?.paused && pausedCondition) {
      [reason, message] = [Reason.deploymentResumed, "Deployment is resumed"];
    } else {
      return;
    }
    setCondition(
      (d.status ??= {}),
      newCondition(PROGRESSING, "Unknown", reason, message, this.#now),
    );
    this.#writeStatus();
  }

  /** The new ReplicaSet (found, or created when `create`) and the old ones. */
  #getAllReplicaSetsAndSyncRevision(create: boolean): {
    newRS: ReplicaSet | undefined;
    oldRSs: ReplicaSet[];
  } {
    const all = this.#replicaSets();
    const found = findNewReplicaSet(this.#d, all);
    const oldRSs = all.filter((rs) => rs !== found);
    return { newRS: this.#getNewReplicaSet(found, oldRSs, create), oldRSs };
  }

  #getNewReplicaSet(
    existing: ReplicaSet | undefined,
    oldRSs: ReplicaSet[],
    create: boolean,
  ): ReplicaSet | undefined {
    const d = this.#d;
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      let rs = existing;
      const copy = copyJson(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(
        d,
        copy,
        newRevision,
        true,
        maxSurge(d),
      );
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
        (copy.spec ??= {}).minReadySeconds = minReady;
        this.#actions.push({ type: "updateReplicaSet", replicaSet: copy });
        this.#replace(copy);
        rs = copy;
      }
      let needsUpdate = setRevisionText(d, rs.metadata.annotations?.[REVISION_ANNOTATION] ?? "");
      if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
        const message = `Found new replica set "${rs.metadata.name}"`;
        const cond = newCondition(
          PROGRESSING,
          "True",
          Reason.foundNewReplicaSet,
          message,
          this.#now,
        );
        setCondition((d.status ??= {}), cond);
        needsUpdate = true;
      }
      if (needsUpdate) this.#writeStatus();
      return rs;
    }
    if (!create) return undefined;

    const newRS = newReplicaSetFor(d);
    const replicas = newReplicaSetReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false, maxSurge(d));
    const name = newRS.metadata.name ?? "";
    const action: DeploymentAction = { type: "createReplicaSet", replicaSet: newRS };
    if (replicas > 0) {
      const message = `Scaled up replica set ${name} from 0 to ${replicas}`;
      action.event = { type: "Normal", reason: "ScalingReplicaSet", message };
    }
    this.#actions.push(action);
    this.#replace(newRS);

    let needsUpdate = setRevisionText(d, String(newRevision));
    if (hasProgressDeadline(d)) {
      const message = `Created new replica set "${name}"`;
      const cond = newCondition(
        PROGRESSING,
        "True",
        Reason.newReplicaSetCreated,
        message,
        this.#now,
      );
      setCondition((d.status ??= {}), cond);
      needsUpdate = true;
    }
    if (needsUpdate) this.#writeStatus();
    return newRS;
  }

  /** Scales `rs` to `newScale` when it differs; returns whether it did and the ReplicaSet now. */
  #scaleAndRecordEvent(rs: ReplicaSet, newScale: number): { scaled: boolean; rs: ReplicaSet } {
    if (rsReplicas(rs) === newScale) return { scaled: false, rs };
    return this.#scale(rs, newScale);
  }

  /** Writes `newScale` and the replica annotations to `rs` when either is out of date. */
  #scale(rs: ReplicaSet, newScale: number): { scaled: boolean; rs: ReplicaSet } {
    const d = this.#d;
    const replicas = deploymentReplicas(d);
    const max = replicas + maxSurge(d);
    const oldScale = rsReplicas(rs);
    const sizeChanges = oldScale !== newScale;
    if (!sizeChanges && !replicasAnnotationsNeedUpdate(rs, replicas, max))
      return { scaled: false, rs };

    const copy = copyJson(rs);
    (copy.spec ??= {}).replicas = newScale;
    setReplicasAnnotations(copy, replicas, max);
    const action: DeploymentAction = { type: "updateReplicaSet", replicaSet: copy };
    if (sizeChanges) {
      const op = oldScale < newScale ? "up" : "down";
      const message = `Scaled ${op} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`;
      action.event = { type: "Normal", reason: "ScalingReplicaSet", message };
    }
    this.#actions.push(action);
    this.#replace(copy);
    return { scaled: sizeChanges, rs: copy };
  }

  /** Whether the Deployment's replicas changed since its active ReplicaSets were last sized. */
  #isScalingEvent(): boolean {
    const { newRS, oldRSs } = this.#getAllReplicaSetsAndSyncRevision(false);
    const replicas = deploymentReplicas(this.#d);
    for (const rs of activeReplicaSets([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== replicas) return true;
    }
    return false;
  }

  /** Scaling without a rollout (paused, or replicas changed), then cleanup and status. */
  #sync(): void {
    const { newRS, oldRSs } = this.#getAllReplicaSetsAndSyncRevision(false);
    this.#scaleAll(newRS, oldRSs);
    if (this.#d.spec?.paused && rollbackTo(this.#d) === undefined) this.#cleanup(oldRSs);
    this.#syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /** Scales the ReplicaSets to the Deployment's replicas, proportionally during a rollout. */
  #scaleAll(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
    const d = this.#d;
    const replicas = deploymentReplicas(d);
    const single = findActiveOrLatest(newRS, oldRSs);
    if (single) {
      if (rsReplicas(single) !== replicas) this.#scaleAndRecordEvent(single, replicas);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) this.#scaleAndRecordEvent(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;

    const all = activeReplicaSets([...oldRSs, newRS]);
    const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
    const toAdd = allowed - sumSpecReplicas(all);
    if (toAdd > 0) all.sort(compareBySizeNewer);
    else if (toAdd < 0) all.sort(compareBySizeOlder);

    let added = 0;
    const sizes = all.map((rs) => {
      if (toAdd === 0) return rsReplicas(rs);
      const share = replicaSetProportion(rs, d, toAdd, added);
      added += share;
      return rsReplicas(rs) + share;
    });
    // What rounding left over goes to the largest ReplicaSet (the first after sorting).
    if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, (sizes[0] ?? 0) + toAdd - added);
    all.forEach((rs, i) => this.#scale(rs, sizes[i] ?? 0));
  }

  /** Deletes the oldest old ReplicaSets past revisionHistoryLimit, if they are fully scaled down. */
  #cleanup(oldRSs: ReplicaSet[]): void {
    const limit = this.#d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === 2147483647) return;
    const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = alive.length - limit;
    if (diff <= 0) return;
    alive.sort(compareByRevision);
    for (const rs of alive.slice(0, diff)) {
      // Only ReplicaSets that have no pods left, and whose latest spec the ReplicaSet controller saw.
      if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0) continue;
      if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      this.#actions.push({ type: "deleteReplicaSet", replicaSet: rs });
      this.#current.delete(rs.metadata.name ?? "");
    }
  }

  /** Writes the status when it changed (syncDeploymentStatus). */
  #syncDeploymentStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
    const status = calculateStatus(this.#d, allRSs, newRS, this.#now);
    if (deepEqual(this.#d.status ?? {}, status)) return;
    this.#d.status = status;
    this.#writeStatus();
  }

  /** Writes the status of a rollout step when it changed, else schedules a deadline check. */
  #syncRolloutStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
    const status = rolloutStatus(this.#d, allRSs, newRS, this.#now);
    if (deepEqual(this.#d.status ?? {}, status)) {
      this.#requeueAfterMs = stuckRequeueAfterMs(this.#d, status, this.#now);
      return;
    }
    this.#d.status = status;
    this.#writeStatus();
  }

  #rolloutRolling(): void {
    const { newRS, oldRSs } = this.#getAllReplicaSetsAndSyncRevision(true);
    if (!newRS) throw new Error(`Cannot roll out deployment ${key(this.#d)}: no new ReplicaSet`);
    const allRSs = [...oldRSs, newRS];

    if (this.#reconcileNewReplicaSet(allRSs, newRS)) {
      this.#syncRolloutStatus(allRSs, newRS);
      return;
    }
    if (this.#reconcileOldReplicaSets(allRSs, activeReplicaSets(oldRSs), newRS)) {
      this.#syncRolloutStatus(allRSs, newRS);
      return;
    }
    if (deploymentComplete(this.#d, this.#d.status ?? {})) this.#cleanup(oldRSs);
    this.#syncRolloutStatus(allRSs, newRS);
  }

  /** Scales the new ReplicaSet up within maxSurge, or down to the desired count. */
  #reconcileNewReplicaSet(allRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
    const replicas = deploymentReplicas(this.#d);
    const current = rsReplicas(newRS);
    if (current === replicas) return false;
    if (current > replicas) return this.#scaleAndRecordEvent(newRS, replicas).scaled;
    return this.#scaleAndRecordEvent(newRS, newReplicaSetReplicas(this.#d, allRSs, newRS)).scaled;
  }

  /**
   * Scales old ReplicaSets down as far as availability allows: first their unavailable pods
   * (which cost nothing and would otherwise block the rollout), then available ones down to
   * `replicas - maxUnavailable`.
   */
  #reconcileOldReplicaSets(allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
    if (sumSpecReplicas(oldRSs) === 0) return false;
    const d = this.#d;
    const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
    const newUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = sumSpecReplicas(allRSs) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;

    const { oldRSs: cleaned, count } = this.#cleanupUnhealthyReplicas(oldRSs, maxScaledDown);
    const scaledDown = this.#scaleDownOldForRollingUpdate([...cleaned, newRS], cleaned);
    return count + scaledDown > 0;
  }

  #cleanupUnhealthyReplicas(
    oldRSs: ReplicaSet[],
    maxCleanup: number,
  ): { oldRSs: ReplicaSet[]; count: number } {
    const sorted = [...oldRSs].sort(compareByCreation);
    let total = 0;
    for (let i = 0; i < sorted.length; i++) {
      if (total >= maxCleanup) break;
      const rs = sorted[i]!;
      const replicas = rsReplicas(rs);
      const available = rs.status?.availableReplicas ?? 0;
      if (replicas === 0 || replicas === available) continue;
      const count = Math.min(maxCleanup - total, replicas - available);
      // A ReplicaSet reporting more available pods than desired has nothing unhealthy to remove.
      if (count < 0) continue;
      sorted[i] = this.#scaleAndRecordEvent(rs, replicas - count).rs;
      total += count;
    }
    return { oldRSs: sorted, count: total };
  }

  #scaleDownOldForRollingUpdate(allRSs: ReplicaSet[], oldRSs: ReplicaSet[]): number {
    const d = this.#d;
    const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
    const available = sumAvailableReplicas(allRSs);
    if (available <= minAvailable) return 0;
    const target = available - minAvailable;
    let total = 0;
    for (const rs of [...oldRSs].sort(compareByCreation)) {
      if (total >= target) break;
      const replicas = rsReplicas(rs);
      if (replicas === 0) continue;
      const count = Math.min(replicas, target - total);
      this.#scaleAndRecordEvent(rs, replicas - count);
      total += count;
    }
    return total;
  }

  #rolloutRecreate(podMap: Map<string, Pod[]>): void {
    let { newRS, oldRSs } = this.#getAllReplicaSetsAndSyncRevision(false);
    let allRSs = [...oldRSs, newRS];

    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) {
      if (this.#scaleAndRecordEvent(rs, 0).scaled) scaledDown = true;
    }
    if (scaledDown || oldPodsRunning(newRS, oldRSs, podMap)) {
      this.#syncRolloutStatus(allRSs, newRS);
      return;
    }
    if (!newRS) {
      ({ newRS, oldRSs } = this.#getAllReplicaSetsAndSyncRevision(true));
      allRSs = [...oldRSs, newRS];
    }
    if (newRS) this.#scaleAndRecordEvent(newRS, deploymentReplicas(this.#d));
    if (deploymentComplete(this.#d, this.#d.status ?? {})) this.#cleanup(oldRSs);
    this.#syncRolloutStatus(allRSs, newRS);
  }

  /** Obeys the legacy `deprecated.deployment.rollback.to` annotation, then clears it. */
  #rollback(): void {
    const d = this.#d;
    const { newRS, oldRSs } = this.#getAllReplicaSetsAndSyncRevision(true);
    const allRSs = newRS ? [...oldRSs, newRS] : oldRSs;
    let revision = rollbackTo(d) ?? 0;
    if (revision === 0) revision = lastRevision(allRSs);
    const target = revision === 0 ? undefined : allRSs.find((rs) => revisionOf(rs) === revision);
    if (!target) {
      const message =
        revision === 0
          ? "Unable to find last revision."
          : "Unable to find the revision to rollback to.";
      this.#event("Warning", "DeploymentRollbackRevisionNotFound", message);
      this.#clearRollbackTo();
      return;
    }
    if (equalIgnoreHash(d.spec?.template, target.spec?.template)) {
      const message = `The rollback revision contains the same template as current deployment "${d.metadata.name}"`;
      this.#event("Warning", "DeploymentRollbackTemplateUnchanged", message);
      this.#clearRollbackTo();
      return;
    }
    const template = copyJson(target.spec?.template ?? {});
    const labels = { ...template.metadata?.labels };
    delete labels[POD_TEMPLATE_HASH_LABEL];
    (template.metadata ??= {}).labels = labels;
    (d.spec ??= {}).template = template;
    setDeploymentAnnotationsTo(d, target);
    const message = `Rolled back deployment "${d.metadata.name}" to revision ${revision}`;
    this.#clearRollbackTo({ type: "Normal", reason: "DeploymentRollback", message });
  }

  #clearRollbackTo(event?: DeploymentEvent): void {
    if (this.#d.metadata.annotations) delete this.#d.metadata.annotations[ROLLBACK_TO_ANNOTATION];
    const action: DeploymentAction = { type: "updateDeployment", deployment: copyJson(this.#d) };
    if (event) action.event = event;
    this.#actions.push(action);
  }
}

/** The revision a legacy rollback asks for, when the annotation holds an integer. */
function rollbackTo(d: Deployment): number | undefined {
  const text = d.metadata.annotations?.[ROLLBACK_TO_ANNOTATION];
  if (!text || !/^[+-]?[0-9]+$/.test(text)) return undefined;
  return Number(text);
}

function setRevisionText(d: Deployment, revision: string): boolean {
  if (d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return false;
  (d.metadata.annotations ??= {})[REVISION_ANNOTATION] = revision;
  return true;
}

function key(d: Deployment): string {
  return `${d.metadata.namespace ?? ""}/${d.metadata.name ?? ""}`;
}

function withControllerRef(rs: ReplicaSet, owner: ControllerIdentity): ReplicaSet {
  const copy = copyJson(rs);
  copy.metadata.ownerReferences = [
    ...(copy.metadata.ownerReferences ?? []),
    newControllerRef(owner),
  ];
  return copy;
}
