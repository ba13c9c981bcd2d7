/**
 * SelfSubjectAccessReview and SelfSubjectRulesReview (authorization.k8s.io/v1): questions a caller asks
 * about its own permissions (`kubectl auth can-i`, `auth can-i --list`). They are never stored: a create
 * answers with the question and the authorizer's verdict in `status`.
 */
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { LabelSelectorRequirement, objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { boolean, defineType, f, list, string } from "../../schema.js";
import { required, root, invalid } from "../../validation.js";

const AUTHZ = "io.k8s.api.authorization.v1";

/** The resource a review asks about; empty strings mean "all" (or "none" for subresource). */
export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

/** A non-resource path a review asks about. */
export interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

export interface SelfSubjectAccessReview extends KubeObject {
  spec: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes };
  status?: { allowed: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

export interface SelfSubjectRulesReview extends KubeObject {
  spec: { namespace?: string };
  status?: {
    resourceRules: { verbs: string[]; apiGroups?: string[]; resources?: string[] }[];
    nonResourceRules: { verbs: string[]; nonResourceURLs?: string[] }[];
    incomplete: boolean;
    evaluationError?: string;
  };
}

const FieldSelectorRequirement = defineType({
  name: "io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement",
  description: "One condition of a field selector: a field, an operator and values.",
  fields: {
    key: f(string(), 1, "The field the condition applies to.", { required: true }),
    operator: f(string(), 2, "In, NotIn, Exists or DoesNotExist.", { required: true }),
    values: f(list(string()), 3, "Values to compare with; empty for Exists and DoesNotExist."),
  },
});

const selectorAttributes = (what: "label" | "field"): ReturnType<typeof defineType> =>
  defineType({
    name: `${AUTHZ}.${what === "label" ? "Label" : "Field"}SelectorAttributes`,
    description: `The ${what} selector of a list or watch a review asks about.`,
    fields: {
      rawSelector: f(string(), 1, `The ${what} selector as a client sends it in a query.`),
      requirements: f(
        list(what === "label" ? LabelSelectorRequirement : FieldSelectorRequirement),
        2,
        `The ${what} selector as parsed requirements.`,
      ),
    },
  });

const ResourceAttributesType = defineType({
  name: `${AUTHZ}.ResourceAttributes`,
  description: "The request on a resource that a review asks about.",
  fields: {
    namespace: f(string(), 1, "Namespace of the request; empty means all namespaces."),
    verb: f(string(), 2, "API verb such as get, list, create or delete; * means all."),
    group: f(string(), 3, "API group of the resource; * means all."),
    version: f(string(), 4, "API version of the resource; * means all."),
    resource: f(string(), 5, "Resource type such as pods; * means all."),
    subresource: f(string(), 6, "Subresource such as status; empty means none."),
    name: f(string(), 7, "Name of the object; empty means all."),
    fieldSelector: f(selectorAttributes("field"), 8, "Field selector of a list or watch."),
    labelSelector: f(selectorAttributes("label"), 9, "Label selector of a list or watch."),
  },
});

const NonResourceAttributesType = defineType({
  name: `${AUTHZ}.NonResourceAttributes`,
  description: "The request on a path outside the resource API that a review asks about.",
  fields: {
    path: f(string(), 1, "URL path of the request, such as /healthz."),
    verb: f(string(), 2, "HTTP verb in lower case, such as get."),
  },
});

const AccessReviewStatus = defineType({
  name: `${AUTHZ}.SubjectAccessReviewStatus`,
  description: "The authorizer's answer to an access review.",
  fields: {
    allowed: f(boolean(), 1, "Whether the request is allowed.", { required: true }),
    denied: f(boolean(), 4, "Whether the request is explicitly denied."),
    reason: f(string(), 2, "Why the request is allowed or denied."),
    evaluationError: f(string(), 3, "A problem the authorizer met while deciding."),
  },
});

defineType({
  name: `${AUTHZ}.SelfSubjectAccessReview`,
  description: "Asks whether the caller may perform an action.",
  gvk: { group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectAccessReview" },
  fields: {
    ...objectFields(),
    spec: f(
      defineType({
        name: `${AUTHZ}.SelfSubjectAccessReviewSpec`,
        description: "The action asked about: exactly one of the two attribute sets.",
        fields: {
          resourceAttributes: f(ResourceAttributesType, 1, "An action on a resource."),
          nonResourceAttributes: f(NonResourceAttributesType, 2, "An action on a path."),
        },
      }),
      2,
      "The action asked about.",
      { required: true },
    ),
    status: f(AccessReviewStatus, 3, "The answer, filled in by the server."),
  },
});

const ResourceRule = defineType({
  name: `${AUTHZ}.ResourceRule`,
  description: "Verbs the caller may use on some resources.",
  fields: {
    verbs: f(list(string()), 1, "Allowed verbs; * means all.", { required: true }),
    apiGroups: f(list(string()), 2, "API groups of the resources; * means all."),
    resources: f(list(string()), 3, "Resources the verbs apply to; * means all."),
    resourceNames: f(list(string()), 4, "Names the rule is limited to; empty means all."),
  },
});

const NonResourceRule = defineType({
  name: `${AUTHZ}.NonResourceRule`,
  description: "Verbs the caller may use on some paths outside the resource API.",
  fields: {
    verbs: f(list(string()), 1, "Allowed verbs; * means all.", { required: true }),
    nonResourceURLs: f(
      list(string()),
      2,
      "Paths the verbs apply to; a trailing * matches a prefix.",
    ),
  },
});

defineType({
  name: `${AUTHZ}.SelfSubjectRulesReview`,
  description: "Lists the actions the caller may perform in a namespace.",
  gvk: { group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectRulesReview" },
  fields: {
    ...objectFields(),
    spec: f(
      defineType({
        name: `${AUTHZ}.SelfSubjectRulesReviewSpec`,
        description: "The namespace the rules are asked for.",
        fields: { namespace: f(string(), 1, "Namespace to evaluate the rules in.") },
      }),
      2,
      "The namespace asked about.",
      { required: true },
    ),
    status: f(
      defineType({
        name: `${AUTHZ}.SubjectRulesReviewStatus`,
        description: "The rules the caller has; may be incomplete.",
        fields: {
          resourceRules: f(list(ResourceRule), 1, "Rules on resources.", { required: true }),
          nonResourceRules: f(list(NonResourceRule), 2, "Rules on paths.", { required: true }),
          incomplete: f(boolean(), 3, "Whether the authorizer could not list every rule.", {
            required: true,
          }),
          evaluationError: f(string(), 4, "A problem the authorizer met while listing rules."),
        },
      }),
      3,
      "The rules, filled in by the server.",
    ),
  },
});

function validateAccessReview(review: SelfSubjectAccessReview): FieldError[] {
  const spec = review.spec as SelfSubjectAccessReview["spec"] | undefined;
  const path = root("spec");
  if (!spec || typeof spec !== "object") return [required(path)];
  const { resourceAttributes: ra, nonResourceAttributes: nra } = spec;
  if (ra && nra) {
    return [
      invalid(
        path.child("resourceAttributes"),
        ra,
        "cannot be specified in combination with nonResourceAttributes",
      ),
    ];
  }
  if (!ra && !nra) {
    return [
      required(
        path.child("resourceAttributes"),
        "exactly one of nonResourceAttributes or resourceAttributes must be specified",
      ),
    ];
  }
  return [];
}

const NO_COLUMNS: [] = [];

/** selfsubjectaccessreviews: create-only, answered by the authorizer. */
export const selfSubjectAccessReviews = defineResource<SelfSubjectAccessReview>({
  group: "authorization.k8s.io",
  version: "v1",
  kind: "SelfSubjectAccessReview",
  plural: "selfsubjectaccessreviews",
  singular: "selfsubjectaccessreview",
  namespaced: false,
  schema: `${AUTHZ}.SelfSubjectAccessReview`,
  verbs: ["create"],
  virtual: true,
  validate: validateAccessReview,
  columns: NO_COLUMNS,
});

/** selfsubjectrulesreviews: create-only, answered by the authorizer. */
export const selfSubjectRulesReviews = defineResource<SelfSubjectRulesReview>({
  group: "authorization.k8s.io",
  version: "v1",
  kind: "SelfSubjectRulesReview",
  plural: "selfsubjectrulesreviews",
  singular: "selfsubjectrulesreview",
  namespaced: false,
  schema: `${AUTHZ}.SelfSubjectRulesReview`,
  verbs: ["create"],
  virtual: true,
  columns: NO_COLUMNS,
});
