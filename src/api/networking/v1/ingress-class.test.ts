import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  cells,
  simulateCreate,
  simulateUpdate,
  summarize,
} from "../../core/v1/strategy-harness.js";
import type { ResourceDefinition } from "../../resource.js";
import { ingressClasses, type IngressClass, type IngressClassSpec } from "./ingress-class.js";

const def = ingressClasses as ResourceDefinition;
const now = new Date("2024-05-01T12:00:00Z");

function ingressClass(spec: IngressClassSpec): IngressClass {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: { name: "nginx", creationTimestamp: "2024-05-01T11:00:00Z" },
    spec,
  };
}

const controller = "k8s.io/ingress-nginx";

describe("ingressClasses.defaults", () => {
  it("makes parameters without scope cluster-scoped and leaves a class without parameters alone", () => {
    const created = simulateCreate(
      def,
      ingressClass({ controller, parameters: { kind: "Params", name: "p" } }),
    ).obj as IngressClass;
    assert.equal(created.spec?.parameters?.scope, "Cluster");
    const plain = simulateCreate(def, ingressClass({ controller })).obj as IngressClass;
    assert.deepEqual(plain.spec, { controller });
  });
});

describe("ingressClasses.validate", () => {
  const cases: [string, IngressClassSpec, string[]][] = [
    ["a domain-prefixed controller", { controller }, []],
    ["no controller", {}, ["FieldValueRequired spec.controller"]],
    ["a controller without domain", { controller: "nginx" }, ["FieldValueInvalid spec.controller"]],
    [
      "a controller with an empty path",
      { controller: "k8s.io/" },
      ["FieldValueInvalid spec.controller"],
    ],
    [
      "a controller with a bad domain and path",
      { controller: "K8s.io/a b" },
      ["FieldValueInvalid spec.controller", "FieldValueInvalid spec.controller"],
    ],
    [
      "a controller over 250 characters",
      { controller: `k8s.io/${"a".repeat(250)}` },
      ["FieldValueTooLong spec.controller"],
    ],
    [
      "namespaced parameters with a namespace",
      {
        controller,
        parameters: {
          apiGroup: "k8s.example.com",
          kind: "P",
          name: "p",
          scope: "Namespace",
          namespace: "ns",
        },
      },
      [],
    ],
    [
      "namespaced parameters without namespace",
      { controller, parameters: { kind: "P", name: "p", scope: "Namespace" } },
      ["FieldValueRequired spec.parameters.namespace"],
    ],
    [
      "cluster parameters with a namespace",
      { controller, parameters: { kind: "P", name: "p", scope: "Cluster", namespace: "ns" } },
      ["FieldValueForbidden spec.parameters.namespace"],
    ],
    [
      "an unknown scope",
      { controller, parameters: { kind: "P", name: "p", scope: "Global" } },
      ["FieldValueNotSupported spec.parameters.scope"],
    ],
    [
      "parameters without kind and with '..' as name",
      { controller, parameters: { kind: "", name: "..", scope: "Cluster" } },
      ["FieldValueRequired spec.parameters.kind", "FieldValueInvalid spec.parameters.name"],
    ],
  ];
  for (const [what, spec, want] of cases) {
    it(`${want.length ? "refuses" : "accepts"} ${what}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, ingressClass(spec)).errors), want);
    });
  }

  it("refuses a change of controller and accepts a change of parameters", () => {
    const old = simulateCreate(def, ingressClass({ controller })).obj;
    const moved = simulateUpdate(def, ingressClass({ controller: "example.com/other" }), old);
    assert.deepEqual(summarize(moved.errors), ["FieldValueInvalid spec.controller"]);
    const withParams = ingressClass({ controller, parameters: { kind: "P", name: "p" } });
    assert.deepEqual(simulateUpdate(def, withParams, old).errors, []);
  });
});

describe("ingressClasses definition", () => {
  it("is cluster-scoped and shows CONTROLLER PARAMETERS AGE", () => {
    assert.equal(def.namespaced, false);
    const withParams = ingressClass({
      controller,
      parameters: { apiGroup: "k8s.example.com", kind: "IngressParameters", name: "external-lb" },
    });
    assert.deepEqual(cells(def, withParams, now), {
      Controller: controller,
      Parameters: "IngressParameters.k8s.example.com/external-lb",
      Age: "60m",
    });
    assert.equal(cells(def, ingressClass({ controller }), now)["Parameters"], "<none>");
  });
});
