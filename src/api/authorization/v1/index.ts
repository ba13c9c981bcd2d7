/** The kinds of the authorization.k8s.io group, version v1. */
import type { ResourceDefinition } from "../../resource.js";
import { selfSubjectAccessReviews, selfSubjectRulesReviews } from "./access-reviews.js";

/** The served kinds of authorization.k8s.io/v1. */
export const authorizationV1: ResourceDefinition[] = [
  selfSubjectAccessReviews,
  selfSubjectRulesReviews,
];
