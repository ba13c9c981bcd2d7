/**
 * IngressClass (networking.k8s.io/v1): a kind of Ingress, naming the controller that serves the
 * Ingresses of the class and, optionally, an object holding that controller's parameters.
 */
import { ageColumn } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { defineType, f, string } from "../../schema.js";
import {
  check,
  checkDNS1123Label,
  checkDNS1123Subdomain,
  forbidden,
  immutable,
  notSupported,
  required,
  root,
  tooLong,
  type Path,
} from "../../validation.js";
import { checkPathSegmentName, validateDomainPrefixedPath } from "./name-checks.js";

const NETWORKING = "io.k8s.api.networking.v1";

/** Where the object an IngressClass's parameters reference lives. */
export const PARAMETERS_SCOPES = ["Cluster", "Namespace"] as const;
/** The annotation that marks the class Ingresses get when they name none. */
export const DEFAULT_INGRESS_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

/** The longest controller name upstream accepts. */
const MAX_CONTROLLER_LENGTH = 250;

/** A reference to the object that holds a controller's parameters. */
export interface IngressClassParametersReference {
  apiGroup?: string;
  kind: string;
  name: string;
  /** `Cluster` (the default) or `Namespace`. */
  scope?: string;
  namespace?: string;
}

/** What an IngressClass says about its Ingresses. */
export interface IngressClassSpec {
  controller?: string;
  parameters?: IngressClassParametersReference;
}

/** An IngressClass as stored and served. */
export interface IngressClass extends KubeObject {
  spec?: IngressClassSpec;
}

const IngressClassParametersReferenceSchema = defineType({
  name: `${NETWORKING}.IngressClassParametersReference`,
  description: "A reference to a cluster-scoped or namespaced object holding parameters.",
  fields: {
    apiGroup: f(string(), 1, "API group of the referenced kind; empty for the core group.", {
      pointer: true,
    }),
    kind: f(string(), 2, "Kind of the referenced object.", { required: true }),
    name: f(string(), 3, "Name of the referenced object.", { required: true }),
    scope: f(
      string(),
      4,
      "Cluster (the default) or Namespace: whether the referenced object is namespaced.",
      { pointer: true },
    ),
    namespace: f(
      string(),
      5,
      "Namespace of the referenced object; required with scope Namespace, forbidden otherwise.",
      { pointer: true },
    ),
  },
});

const IngressClassSpecSchema = defineType({
  name: `${NETWORKING}.IngressClassSpec`,
  description: "The controller of a class of Ingresses and its parameters.",
  fields: {
    controller: f(
      string(),
      1,
      "Domain-prefixed name of the controller that serves the class, such as example.com/ingress; immutable.",
    ),
    parameters: f(
      IngressClassParametersReferenceSchema,
      2,
      "An object holding further configuration for the controller.",
    ),
  },
});

defineType({
  name: `${NETWORKING}.IngressClass`,
  description: "A class of Ingresses and the controller that serves them.",
  gvk: { group: "networking.k8s.io", version: "v1", kind: "IngressClass" },
  fields: {
    ...objectFields(),
    spec: f(IngressClassSpecSchema, 2, "The controller of the class and its parameters."),
  },
});

/** Fills in upstream's default: parameters without a scope are cluster-scoped. */
export function defaultIngressClass(ic: IngressClass): void {
  const params = ic.spec?.parameters;
  if (params && params.scope == null) params.scope = "Cluster";
}

function validateParameters(
  params: IngressClassParametersReference | undefined,
  path: Path,
): FieldError[] {
  if (params == null) return [];
  const errors: FieldError[] = [];
  if (params.apiGroup != null) {
    errors.push(...check(path.child("apiGroup"), params.apiGroup, checkDNS1123Subdomain));
  }
  for (const name of ["kind", "name"] as const) {
    const value = params[name];
    if (!value) errors.push(required(path.child(name)));
    else errors.push(...check(path.child(name), value, checkPathSegmentName));
  }

  const scope = params.scope;
  const namespacePath = path.child("namespace");
  if (scope == null) return [...errors, required(path.child("scope"))];
  if (scope === "Namespace") {
    if (params.namespace == null) {
      errors.push(required(namespacePath, "`parameters.scope` is set to 'Namespace'"));
    } else {
      errors.push(...check(namespacePath, params.namespace, checkDNS1123Label));
    }
  } else if (scope === "Cluster") {
    if (params.namespace != null)
      errors.push(forbidden(namespacePath, "`parameters.scope` is set to 'Cluster'"));
  } else {
    errors.push(notSupported(path.child("scope"), scope, PARAMETERS_SCOPES));
  }
  return errors;
}

/** Checks an IngressClass's spec (upstream's validateIngressClassSpec). */
export function validateIngressClassSpec(
  spec: IngressClassSpec | undefined,
  path: Path,
): FieldError[] {
  const s = spec ?? {};
  const controllerPath = path.child("controller");
  const errors: FieldError[] = [];
  if (!s.controller) {
    errors.push(required(controllerPath));
  } else {
    if (s.controller.length > MAX_CONTROLLER_LENGTH)
      errors.push(tooLong(controllerPath, MAX_CONTROLLER_LENGTH));
    errors.push(...validateDomainPrefixedPath(s.controller, controllerPath));
  }
  errors.push(...validateParameters(s.parameters, path.child("parameters")));
  return errors;
}

/** The PARAMETERS column: `Kind.group/name`, `<none>` without parameters. */
export function formatIngressClassParameters(
  params: IngressClassParametersReference | undefined,
): string {
  if (params == null) return "<none>";
  const kind = params.apiGroup != null ? `${params.kind}.${params.apiGroup}` : params.kind;
  return `${kind}/${params.name}`;
}

/** The resource definition of networking.k8s.io/v1 IngressClass. */
export const ingressClasses = defineResource<IngressClass>({
  group: "networking.k8s.io",
  version: "v1",
  kind: "IngressClass",
  plural: "ingressclasses",
  singular: "ingressclass",
  namespaced: false,
  schema: `${NETWORKING}.IngressClass`,
  tracksGeneration: true,
  columns: [
    {
      name: "Controller",
      type: "string",
      description: "The controller that serves Ingresses of the class.",
      priority: 0,
      cell: (ic) => ic.spec?.controller ?? "",
    },
    {
      name: "Parameters",
      type: "string",
      description: "The object holding the controller's parameters.",
      priority: 0,
      cell: (ic) => formatIngressClassParameters(ic.spec?.parameters),
    },
    ageColumn(),
  ],
  defaults: defaultIngressClass,
  validate: (ic) => validateIngressClassSpec(ic.spec, root("spec")),
  validateUpdate: (ic, old) =>
    (ic.spec?.controller ?? "") === (old.spec?.controller ?? "")
      ? []
      : [immutable(root("spec").child("controller"), ic.spec?.controller ?? "")],
});
