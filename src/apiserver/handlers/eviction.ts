/**
 * The `eviction` subresource of pods: a POST of a policy/v1 (or v1beta1) Eviction deletes the pod
 * with the Eviction's DeleteOptions, unless the PodDisruptionBudget selecting it has no disruption
 * to spend (429 TooManyRequests, which `kubectl drain` retries). A spent disruption is recorded in
 * the budget's `status.disruptedPods` before the pod is deleted, so that the disruption controller
 * does not count the pod as healthy while it goes. The pod gets a DisruptionTarget condition first.
 */
import {
  DISRUPTION_TARGET,
  setPodCondition,
  wholeSecondTime,
} from "../../api/core/v1/pod-conditions.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { StatusError, isConflict } from "../../api/errors.js";
import type { DeleteOptions } from "../../api/meta/types.js";
import type { PodDisruptionBudget } from "../../api/policy/v1/pod-disruption-budget.js";
import { writeJson } from "../http/respond.js";
import type { Store } from "../registry/store.js";
import type { ResourceContext } from "./context.js";
import { budgetBeingProcessed, planEviction, spendDisruption } from "./eviction-rules.js";
import { parseDeleteOptions } from "./params.js";
import { readObject, writeOptions } from "./write.js";

/** The API versions an Eviction body may name. */
const EVICTION_VERSIONS = ["policy/v1", "policy/v1beta1"];

/** How many times an eviction starts again after losing a race on the pod or the budget. */
const MAX_ATTEMPTS = 5;

/** POST of `/api/v1/namespaces/{ns}/pods/{name}/eviction`. */
export async function evictPod(ctx: ResourceContext, budgets: Store): Promise<void> {
  if (ctx.info.verb !== "create") {
    throw StatusError.methodNotAllowed(
      `${ctx.req.method} is not allowed on the eviction subresource: only POST is`,
    );
  }
  const { namespace, name } = ctx.info;
  const body = await readObject(ctx);
  const deleteOptions = decodeEviction(body, namespace, name);
  const opts = writeOptions(ctx);
  if (deleteOptions.dryRun) opts.dryRun = true;

  for (let attempt = 1; ; attempt++) {
    try {
      await evictOnce(ctx, budgets, deleteOptions, opts);
      break;
    } catch (err) {
      if (!(err instanceof RaceLost) || attempt >= MAX_ATTEMPTS) {
        throw err instanceof RaceLost ? err.conflict : err;
      }
    }
  }
  writeJson(ctx.res, 201, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    code: 201,
  });
}

/** A conflict on the pod or the budget after they were read: the eviction starts again. */
class RaceLost extends Error {
  constructor(readonly conflict: unknown) {
    super("eviction lost a race");
  }
}

async function evictOnce(
  ctx: ResourceContext,
  budgetStore: Store,
  deleteOptions: DeleteOptions,
  opts: ReturnType<typeof writeOptions>,
): Promise<void> {
  const { namespace, name } = ctx.info;
  const pod = (await ctx.store.get(namespace, name)).obj as Pod;
  const budgets = (await budgetStore.list(namespace)).items.map(
    (item) => item.obj as PodDisruptionBudget,
  );
  const plan = planEviction(pod, budgets);
  const options: DeleteOptions = { ...deleteOptions };
  // A deletion that skips the budget rests on the pod as read: pin it to that version, unless the
  // caller pinned one already (a conflict on it is then the caller's).
  const callerPinned = !!deleteOptions.preconditions?.resourceVersion;
  const guard = plan.action === "delete" && !callerPinned ? plan.guard : "none";
  if (guard !== "none") {
    options.preconditions = {
      ...options.preconditions,
      resourceVersion: pod.metadata.resourceVersion ?? "",
    };
  }

  if (plan.action === "spend") await spend(budgetStore, plan.budget, name, opts);

  try {
    if (!opts.dryRun) await markDisruptionTarget(ctx, pod, options);
    await ctx.store.delete(namespace, name, options, opts);
  } catch (err) {
    if (!isConflict(err)) throw err;
    // The pod changed after it was read: a pending pod is looked at again; a not-ready pod let go
    // by its budget may have become ready, so the client is told to retry.
    if (guard === "retry") throw new RaceLost(err);
    if (guard === "budget" && plan.action === "delete") {
      throw budgetBeingProcessed(plan.budgetName ?? "");
    }
    throw err;
  }
}

/** Spends one disruption of `budget` for pod `podName`, re-reading the budget on conflicts. */
async function spend(
  budgetStore: Store,
  budget: PodDisruptionBudget,
  podName: string,
  opts: ReturnType<typeof writeOptions>,
): Promise<void> {
  const namespace = budget.metadata.namespace ?? "";
  const budgetName = budget.metadata.name ?? "";
  for (let attempt = 1; ; attempt++) {
    try {
      await budgetStore.update(
        namespace,
        budgetName,
        (current) => {
          const status = spendDisruption(
            current as PodDisruptionBudget,
            podName,
            wholeSecondTime(Date.now()),
          );
          return { ...current, status } as PodDisruptionBudget;
        },
        { ...opts, subresource: "status" },
      );
      return;
    } catch (err) {
      if (!isConflict(err)) throw err;
      if (attempt >= MAX_ATTEMPTS) {
        throw new StatusError(
          504,
          "Timeout",
          `couldn't update PodDisruptionBudget ${JSON.stringify(budgetName)} due to conflicts`,
          { retryAfterSeconds: 10 },
        );
      }
    }
  }
}

/**
 * Adds the DisruptionTarget condition to a pod that has not finished, as upstream does before an
 * eviction deletes it; the deletion's resourceVersion precondition then follows the new version.
 */
async function markDisruptionTarget(
  ctx: ResourceContext,
  pod: Pod,
  options: DeleteOptions,
): Promise<void> {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed" || pod.metadata.deletionTimestamp) return;
  const { namespace, name } = ctx.info;
  const guard = options.preconditions;
  const updated = await ctx.store.update(
    namespace,
    name,
    (current) => {
      const meta = current.metadata;
      if (guard?.uid && guard.uid !== meta.uid)
        throw preconditionFailed(name, "UID", guard.uid, meta.uid);
      if (guard?.resourceVersion && guard.resourceVersion !== meta.resourceVersion) {
        throw preconditionFailed(
          name,
          "ResourceVersion",
          guard.resourceVersion,
          meta.resourceVersion,
        );
      }
      const next = structuredClone(current) as Pod;
      setPodCondition(
        (next.status ??= {}),
        {
          type: DISRUPTION_TARGET,
          status: "True",
          reason: "EvictionByEvictionAPI",
          message: "Eviction API: evicting",
        },
        wholeSecondTime(Date.now()),
      );
      return next;
    },
    { ...writeOptions(ctx), subresource: "status" },
  );
  if (guard?.resourceVersion) {
    options.preconditions = {
      ...guard,
      resourceVersion: updated.obj.metadata.resourceVersion ?? "",
    };
  }
}

function preconditionFailed(
  name: string,
  what: string,
  wanted: string,
  actual: string | undefined,
): StatusError {
  return StatusError.conflict(
    { group: "", resource: "pods" },
    name,
    `Precondition failed: ${what} in precondition: ${wanted}, ${what} in object meta: ${actual ?? ""}`,
  );
}

/** The DeleteOptions of an Eviction body, after checking its type and name against the URL. */
function decodeEviction(
  body: Record<string, unknown>,
  namespace: string,
  name: string,
): DeleteOptions {
  const apiVersion = body["apiVersion"];
  if (apiVersion !== undefined && !EVICTION_VERSIONS.includes(String(apiVersion))) {
    throw StatusError.badRequest(
      `the API version in the data (${String(apiVersion)}) does not match the expected API version (policy/v1)`,
    );
  }
  if (body["kind"] !== undefined && body["kind"] !== "Eviction") {
    throw StatusError.badRequest(
      `the kind in the data (${String(body["kind"])}) does not match the expected kind (Eviction)`,
    );
  }
  const metadata = body["metadata"] ?? {};
  if (!isObject(metadata)) throw StatusError.badRequest("metadata must be an object");
  if (metadata["name"] !== name) {
    throw StatusError.badRequest("name in URL does not match name in Eviction object");
  }
  const ns = metadata["namespace"];
  if (ns !== undefined && ns !== "" && ns !== namespace) {
    throw StatusError.badRequest(
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  }
  const raw = body["deleteOptions"];
  if (raw !== undefined && raw !== null && !isObject(raw)) {
    throw StatusError.badRequest("deleteOptions must be an object");
  }
  return parseDeleteOptions(isObject(raw) ? raw : undefined, new URLSearchParams());
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
