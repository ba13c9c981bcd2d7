/**
 * ServiceAccount (core/v1): an identity for processes in pods, with the secrets it may use to pull images
 * and, in older clusters, its token secrets.
 */
import { ageColumn } from "../../columns.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { boolean, defineType, f, keyedList, list } from "../../schema.js";
import { LocalObjectReference, ObjectReference } from "./reference-types.js";

const CORE = "io.k8s.api.core.v1";

/** A ServiceAccount as stored and served. */
export interface ServiceAccount extends KubeObject {
  secrets?: { kind?: string; namespace?: string; name?: string; uid?: string }[];
  imagePullSecrets?: { name?: string }[];
  automountServiceAccountToken?: boolean;
}

defineType({
  name: `${CORE}.ServiceAccount`,
  description: "An identity for processes that run in pods.",
  gvk: { group: "", version: "v1", kind: "ServiceAccount" },
  fields: {
    ...objectFields(),
    secrets: f(
      keyedList(ObjectReference, ["name"], { mergeKey: "name" }),
      2,
      "Secrets that pods running as this account may use; legacy token secrets are listed here.",
    ),
    imagePullSecrets: f(
      list(LocalObjectReference),
      3,
      "Secrets added to the image pull secrets of every pod that runs as this account.",
    ),
    automountServiceAccountToken: f(
      boolean(),
      4,
      "Whether pods running as this account get an API token mounted; a pod's own setting wins.",
      { pointer: true },
    ),
  },
});

export const serviceAccounts = defineResource<ServiceAccount>({
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  plural: "serviceaccounts",
  singular: "serviceaccount",
  shortNames: ["sa"],
  namespaced: true,
  schema: `${CORE}.ServiceAccount`,
  columns: [
    {
      name: "Secrets",
      type: "string",
      description: "Number of secrets listed by the account.",
      priority: 0,
      cell: (sa) => (sa.secrets ?? []).length,
    },
    ageColumn(),
  ],
});
