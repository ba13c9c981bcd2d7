import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ResourceDefinition } from "../../resource.js";
import { limitRanges, type LimitRange, type LimitRangeItem } from "./limit-range.js";
import { cells, simulateCreate, summarize } from "./strategy-harness.js";

const def = limitRanges as ResourceDefinition;

function lr(...limits: LimitRangeItem[]): LimitRange {
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: "limits", namespace: "default", creationTimestamp: "2024-01-01T00:00:00Z" },
    spec: { limits },
  };
}

describe("LimitRange defaults", () => {
  const cases: {
    name: string;
    item: LimitRangeItem;
    want: Pick<LimitRangeItem, "default" | "defaultRequest">;
  }[] = [
    {
      name: "max becomes the default limit and request",
      item: { type: "Container", max: { cpu: "2" } },
      want: { default: { cpu: "2" }, defaultRequest: { cpu: "2" } },
    },
    {
      name: "min becomes the default request when nothing else gives one",
      item: { type: "Container", min: { memory: "64Mi" }, default: { cpu: "500m" } },
      want: { default: { cpu: "500m" }, defaultRequest: { cpu: "500m", memory: "64Mi" } },
    },
    {
      name: "explicit values stay",
      item: {
        type: "Container",
        max: { cpu: "2" },
        default: { cpu: "1" },
        defaultRequest: { cpu: "100m" },
      },
      want: { default: { cpu: "1" }, defaultRequest: { cpu: "100m" } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { obj, errors } = simulateCreate(def, lr(c.item));
      assert.deepEqual(errors, []);
      const item = (obj as LimitRange).spec?.limits?.[0];
      assert.deepEqual({ default: item?.default, defaultRequest: item?.defaultRequest }, c.want);
    });
  }

  it("leaves pod limits without defaults", () => {
    const item = (simulateCreate(def, lr({ type: "Pod", max: { cpu: "4" } })).obj as LimitRange)
      .spec?.limits?.[0];
    assert.equal(item?.default, undefined);
  });
});

describe("LimitRange validation", () => {
  const cases: { name: string; limits: LimitRangeItem[]; want: string[] }[] = [
    {
      name: "a container range",
      limits: [{ type: "Container", min: { cpu: "100m" }, max: { cpu: "2" } }],
      want: [],
    },
    {
      name: "an unknown type",
      limits: [{ type: "Node" }],
      want: ["FieldValueInvalid spec.limits[0].type"],
    },
    { name: "a prefixed type", limits: [{ type: "example.com/Thing" }], want: [] },
    {
      name: "one type twice",
      limits: [{ type: "Pod" }, { type: "Pod" }],
      want: ["FieldValueDuplicate spec.limits[1].type"],
    },
    {
      name: "min above max",
      limits: [{ type: "Pod", min: { memory: "2Gi" }, max: { memory: "1Gi" } }],
      want: ["FieldValueInvalid spec.limits[0].min[memory]"],
    },
    {
      name: "a default limit above max",
      limits: [
        {
          type: "Container",
          max: { cpu: "1" },
          default: { cpu: "2" },
          defaultRequest: { cpu: "1" },
        },
      ],
      want: ["FieldValueInvalid spec.limits[0].default[cpu]"],
    },
    {
      name: "a default request above the default limit",
      limits: [{ type: "Container", default: { cpu: "500m" }, defaultRequest: { cpu: "1" } }],
      want: ["FieldValueInvalid spec.limits[0].defaultRequest[cpu]"],
    },
    {
      name: "defaults on a pod limit",
      limits: [{ type: "Pod", default: { cpu: "1" } }],
      want: ["FieldValueForbidden spec.limits[0].default"],
    },
    {
      name: "a claim limit without storage bounds",
      limits: [{ type: "PersistentVolumeClaim", max: { cpu: "1" } }],
      want: ["FieldValueRequired spec.limits[0].limits"],
    },
    {
      name: "a ratio below one",
      limits: [{ type: "Pod", maxLimitRequestRatio: { cpu: "500m" } }],
      want: ["FieldValueInvalid spec.limits[0].maxLimitRequestRatio[cpu]"],
    },
    {
      name: "a ratio above max/min",
      limits: [
        { type: "Pod", min: { cpu: "1" }, max: { cpu: "2" }, maxLimitRequestRatio: { cpu: "3" } },
      ],
      want: ["FieldValueInvalid spec.limits[0].maxLimitRequestRatio[cpu]"],
    },
    {
      name: "a non-standard unprefixed resource",
      limits: [{ type: "Pod", max: { gpus: "1" } }],
      want: ["FieldValueInvalid spec.limits[0].max[gpus]"],
    },
    {
      name: "an extended resource whose default differs from its request",
      limits: [
        {
          type: "Container",
          default: { "example.com/gpu": "2" },
          defaultRequest: { "example.com/gpu": "1" },
        },
      ],
      want: ["FieldValueInvalid spec.limits[0].defaultRequest[example.com/gpu]"],
    },
    {
      name: "a quantity that does not parse",
      limits: [{ type: "Pod", max: { cpu: "two" } }],
      want: ["FieldValueInvalid spec.limits[0].max[cpu]"],
    },
  ];
  for (const c of cases) {
    it(`checks ${c.name}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, lr(...c.limits)).errors), c.want);
    });
  }
});

describe("LimitRange table", () => {
  it("prints the creation time as kubectl's generic CREATED AT column", () => {
    assert.deepEqual(cells(def, lr()), { "Created At": "2024-01-01T00:00:00Z" });
    assert.equal(def.columns[0]?.type, "date");
  });
});
