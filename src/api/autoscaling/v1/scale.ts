/**
 * Scale (autoscaling/v1): the body of every kind's `scale` subresource. It is a schema type only;
 * no resource of this kind is stored.
 */
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineType, f, int32, string } from "../../schema.js";

/** The desired number of replicas in a Scale. */
export interface ScaleSpec {
  replicas?: number;
}

/** The observed replicas, and the selector that counts them, in a Scale. */
export interface ScaleStatus {
  replicas: number;
  /** The pods' label selector in its text form (`app=web`), empty when the kind has none. */
  selector?: string;
}

/** The body of a `scale` subresource. */
export interface Scale extends KubeObject {
  spec?: ScaleSpec;
  status?: ScaleStatus;
}

const ScaleSpecSchema = defineType({
  name: "io.k8s.api.autoscaling.v1.ScaleSpec",
  description: "The desired scale of a resource.",
  fields: {
    replicas: f(int32(), 1, "Desired number of instances of the scaled object."),
  },
});

const ScaleStatusSchema = defineType({
  name: "io.k8s.api.autoscaling.v1.ScaleStatus",
  description: "The observed scale of a resource.",
  fields: {
    replicas: f(int32(), 1, "Actual number of observed instances of the scaled object.", {
      required: true,
    }),
    selector: f(
      string(),
      2,
      "Label query over the pods counted in replicas, in label selector text form.",
    ),
  },
});

defineType({
  name: "io.k8s.api.autoscaling.v1.Scale",
  description: "The scale of a resource: a desired and an observed number of replicas.",
  gvk: { group: "autoscaling", version: "v1", kind: "Scale" },
  fields: {
    ...objectFields(),
    spec: f(ScaleSpecSchema, 2, "The desired scale."),
    status: f(ScaleStatusSchema, 3, "The current scale; read-only."),
  },
});
