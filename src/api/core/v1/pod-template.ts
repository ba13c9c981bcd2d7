/** PodTemplate (core/v1): a stored pod template that other objects can refer to. */
import { formatLabels } from "../../columns.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { defineType, f } from "../../schema.js";
import { root } from "../../validation.js";
import { items } from "./pod-checks.js";
import {
  defaultPodTemplateSpec,
  validatePodTemplateSpec,
  type PodTemplateSpec,
} from "./pod-spec.js";
import { PodTemplateSpec as PodTemplateSpecSchema } from "./pod-spec-types.js";

export interface PodTemplate extends KubeObject {
  template?: PodTemplateSpec;
}

defineType({
  name: "io.k8s.api.core.v1.PodTemplate",
  description: "A pod template kept as an object of its own.",
  gvk: { group: "", version: "v1", kind: "PodTemplate" },
  fields: {
    ...objectFields(),
    template: f(PodTemplateSpecSchema, 2, "The pods this template describes."),
  },
});

/**
 * Container names and images of a template, each joined with commas, as kubectl's columns show
 * them.
 */
export function containerNamesAndImages(template: PodTemplateSpec | undefined): {
  names: string;
  images: string;
} {
  const containers = items(template?.spec?.containers);
  return {
    names: containers.map((c) => c?.name ?? "").join(","),
    images: containers.map((c) => c?.image ?? "").join(","),
  };
}

export const podTemplates = defineResource<PodTemplate>({
  group: "",
  version: "v1",
  kind: "PodTemplate",
  plural: "podtemplates",
  singular: "podtemplate",
  namespaced: true,
  schema: "io.k8s.api.core.v1.PodTemplate",
  tracksGeneration: true,
  columns: [
    {
      name: "Containers",
      type: "string",
      description: "Names of the containers in the template.",
      priority: 0,
      cell: (pt) => containerNamesAndImages(pt.template).names,
    },
    {
      name: "Images",
      type: "string",
      description: "Images of the containers in the template.",
      priority: 0,
      cell: (pt) => containerNamesAndImages(pt.template).images,
    },
    {
      name: "Pod Labels",
      type: "string",
      description: "Labels of the pods the template describes.",
      priority: 0,
      cell: (pt) => formatLabels(pt.template?.metadata?.labels) || "<none>",
    },
  ],
  defaults: (pt) => {
    if (typeof pt.template !== "object" || pt.template === null) pt.template = {};
    defaultPodTemplateSpec(pt.template);
  },
  validate: (pt) => validatePodTemplateSpec(pt.template ?? {}, root("template")),
});
