import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ResourceDefinition } from "../../resource.js";
import { getType } from "../../schema.js";
import { serviceAccounts, type ServiceAccount } from "./service-account.js";
import { cells, simulateCreate, summarize } from "./strategy-harness.js";

const def = serviceAccounts as ResourceDefinition;

function sa(name: string, extra: Partial<ServiceAccount> = {}): ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name, namespace: "default", creationTimestamp: "2024-01-01T00:00:00Z" },
    ...extra,
  };
}

describe("ServiceAccount", () => {
  const cases: { name: string; input: ServiceAccount; want: string[] }[] = [
    { name: "a plain account", input: sa("builder"), want: [] },
    { name: "a dotted name", input: sa("system.builder"), want: [] },
    { name: "an upper-case name", input: sa("Builder"), want: ["FieldValueInvalid metadata.name"] },
  ];
  for (const c of cases) {
    it(`validates ${c.name}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, c.input).errors), c.want);
    });
  }

  it("prints SECRETS and AGE", () => {
    const account = sa("builder", {
      secrets: [{ name: "builder-token" }],
      imagePullSecrets: [{ name: "registry" }],
    });
    assert.deepEqual(cells(def, account, new Date("2024-01-01T00:00:10Z")), {
      Secrets: 1,
      Age: "10s",
    });
  });

  it("merges secrets by name", () => {
    const field = getType("io.k8s.api.core.v1.ServiceAccount").fields["secrets"];
    assert.deepEqual(field?.schema.type === "array" ? field.schema.list : undefined, {
      type: "map",
      mapKeys: ["name"],
      patchMergeKey: "name",
      patchStrategy: "merge",
    });
    assert.equal(field?.proto, 2);
  });
});
