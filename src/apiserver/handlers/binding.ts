/**
 * The `binding` subresource of pods: a POST of a core/v1 Binding assigns the pod to the node it
 * targets, as upstream's BindingREST: spec.nodeName is set, the Binding's annotations are copied onto
 * the pod, and the PodScheduled condition becomes True, in one write. A pod already assigned, being
 * deleted, or still gated is a Conflict. The answer is a Success Status.
 */
import {
  BINDING_KIND,
  validatePodBinding,
  type Binding,
  type BindingTarget,
} from "../../api/core/v1/index.js";
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta/types.js";
import { writeJson } from "../http/respond.js";
import type { ResourceContext } from "./context.js";
import { readObject, writeOptions } from "./write.js";

const BINDING_RESOURCE = { group: "", resource: "pods/binding" };

interface PodShape extends KubeObject {
  spec?: { nodeName?: string; schedulingGates?: unknown[] };
  status?: { conditions?: Record<string, unknown>[] };
}

/** POST of `/api/v1/namespaces/{ns}/pods/{name}/binding`. */
export async function bindPod(ctx: ResourceContext): Promise<void> {
  if (ctx.info.verb !== "create") {
    throw StatusError.methodNotAllowed(
      `${ctx.req.method} is not allowed on the binding subresource: only POST is`,
    );
  }
  const { namespace, name } = ctx.info;
  const opts = { ...writeOptions(ctx), subresource: "binding", managedFieldsSet: true };
  const binding = decodeBinding(await readObject(ctx));
  if (binding.metadata.name !== name) {
    throw StatusError.badRequest("name in URL does not match name in Binding object");
  }
  if (binding.metadata.namespace && binding.metadata.namespace !== namespace) {
    throw StatusError.badRequest(
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  }
  const errors = validatePodBinding(binding);
  if (errors.length) throw StatusError.invalid(BINDING_KIND, name, errors);

  const node = binding.target.name!;
  const { uid, resourceVersion, annotations } = binding.metadata;
  await ctx.store.update(
    namespace,
    name,
    (current) => {
      const pod = current as PodShape;
      const meta = pod.metadata;
      // Preconditions of the Binding: the pod it was computed for, at the version it saw.
      if (uid && uid !== meta.uid) {
        throw conflict(
          name,
          `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${meta.uid ?? ""}`,
        );
      }
      if (resourceVersion && resourceVersion !== meta.resourceVersion) {
        throw conflict(
          name,
          `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ""}`,
        );
      }
      if (meta.deletionTimestamp) {
        throw conflict(name, `pod ${name} is being deleted, cannot be assigned to a host`);
      }
      const spec = (pod.spec ??= {});
      if (spec.nodeName) {
        throw conflict(name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      }
      if (spec.schedulingGates?.length) {
        throw conflict(name, `pod ${name} has non-empty .spec.schedulingGates`);
      }
      spec.nodeName = node;
      if (annotations) meta.annotations = { ...meta.annotations, ...annotations };
      setScheduled((pod.status ??= {}));
      return pod;
    },
    opts,
  );
  writeJson(ctx.res, 201, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    code: 201,
  });
}

function conflict(name: string, why: string): StatusError {
  return StatusError.conflict(BINDING_RESOURCE, name, why);
}

/** Sets PodScheduled=True; the transition time changes only when the status does, reason and message go. */
function setScheduled(status: NonNullable<PodShape["status"]>): void {
  const conditions = (status.conditions ??= []);
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const i = conditions.findIndex((c) => c["type"] === "PodScheduled");
  const old = i < 0 ? undefined : conditions[i];
  const next: Record<string, unknown> = {
    type: "PodScheduled",
    status: "True",
    lastProbeTime: null,
    lastTransitionTime: old?.["status"] === "True" ? old["lastTransitionTime"] : now,
  };
  if (i < 0) conditions.push(next);
  else conditions[i] = next;
}

/** A Binding from a decoded body; a body of another kind or with a mistyped target is a 400. */
function decodeBinding(body: Record<string, unknown>): Binding {
  if (body["apiVersion"] !== undefined && body["apiVersion"] !== "v1") {
    throw StatusError.badRequest(
      `the API version in the data (${String(body["apiVersion"])}) does not match the expected API version (v1)`,
    );
  }
  if (body["kind"] !== undefined && body["kind"] !== BINDING_KIND.kind) {
    throw StatusError.badRequest(
      `the kind in the data (${String(body["kind"])}) does not match the expected kind (Binding)`,
    );
  }
  const metadata = body["metadata"] ?? {};
  if (!isObject(metadata)) throw StatusError.badRequest("metadata must be an object");
  const target = body["target"] ?? {};
  if (!isObject(target)) throw StatusError.badRequest("target must be an object");
  for (const [key, value] of Object.entries(target)) {
    if (value !== null && typeof value !== "string") {
      throw StatusError.badRequest(`target.${key} must be a string`);
    }
  }
  const annotations = metadata["annotations"];
  if (annotations !== undefined && annotations !== null) {
    if (!isObject(annotations) || Object.values(annotations).some((v) => typeof v !== "string")) {
      throw StatusError.badRequest("metadata.annotations must be a map of strings");
    }
  }
  return {
    apiVersion: "v1",
    kind: BINDING_KIND.kind,
    metadata: metadata as Binding["metadata"],
    target: target as BindingTarget,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
