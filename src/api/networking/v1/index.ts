/** The kinds of the networking.k8s.io group, version v1. */
import type { ResourceDefinition } from "../../resource.js";
import { ingressClasses } from "./ingress-class.js";
import { ingresses } from "./ingress.js";
import { networkPolicies } from "./network-policy.js";

/** The served kinds of networking.k8s.io/v1, in discovery order. */
export const networkingV1: ResourceDefinition[] = [ingressClasses, ingresses, networkPolicies];
