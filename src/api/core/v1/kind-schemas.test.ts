import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ResourceDefinition } from "../../resource.js";
import { getType, type ListSemantics, type Schema } from "../../schema.js";
import { isEmbedded } from "./embedded.js";
import { endpoints } from "./endpoints.js";
import { events } from "./event.js";
import { limitRanges } from "./limit-range.js";
import { namespaces } from "./namespace.js";
import { nodes } from "./node.js";
import { persistentVolumeClaims } from "./persistent-volume-claim.js";
import { persistentVolumes } from "./persistent-volume.js";
import { resourceQuotas } from "./resource-quota.js";
import { secrets } from "./secret.js";
import { serviceAccounts } from "./service-account.js";
import { services } from "./service.js";

const kinds: ResourceDefinition[] = [
  namespaces,
  nodes,
  services,
  endpoints,
  secrets,
  serviceAccounts,
  events,
  persistentVolumes,
  persistentVolumeClaims,
  limitRanges,
  resourceQuotas,
];

/** Every named type reachable from `root`. */
function reachable(root: string): Set<string> {
  const seen = new Set<string>();
  const visit = (schema: Schema): void => {
    if (schema.type === "ref") {
      if (seen.has(schema.name)) return;
      seen.add(schema.name);
      for (const field of Object.values(getType(schema.name).fields)) visit(field.schema);
    } else if (schema.type === "array") visit(schema.items);
    else if (schema.type === "map") visit(schema.values);
  };
  visit({ type: "ref", name: root });
  return seen;
}

function listOf(type: string, field: string): ListSemantics | undefined {
  const schema = getType(`io.k8s.api.core.v1.${type}`).fields[field]?.schema;
  return schema?.type === "array" ? schema.list : undefined;
}

describe("core/v1 kind schemas", () => {
  for (const def of kinds) {
    it(`${def.kind}: every referenced type is defined and field numbers are unique`, () => {
      const top = getType(def.schema);
      assert.deepEqual(top.gvk, { group: "", version: "v1", kind: def.kind });
      for (const name of reachable(def.schema)) {
        const type = getType(name);
        const numbers = new Map<string, string>();
        for (const [fieldName, field] of Object.entries(type.fields)) {
          if (field.proto === undefined) continue;
          const key = `${isEmbedded(field) ? field.embeddedIn : "-"}:${field.proto}`;
          assert.equal(
            numbers.get(key),
            undefined,
            `${name}.${fieldName} reuses number ${field.proto}`,
          );
          numbers.set(key, fieldName);
        }
      }
    });
  }

  const merges: [string, string, ListSemantics][] = [
    [
      "ServiceSpec",
      "ports",
      { type: "map", mapKeys: ["port", "protocol"], patchMergeKey: "port", patchStrategy: "merge" },
    ],
    [
      "NodeStatus",
      "addresses",
      { type: "map", mapKeys: ["type"], patchMergeKey: "type", patchStrategy: "merge" },
    ],
    [
      "NodeStatus",
      "conditions",
      { type: "map", mapKeys: ["type"], patchMergeKey: "type", patchStrategy: "merge" },
    ],
    ["NodeSpec", "taints", { type: "atomic" }],
    ["NodeSpec", "podCIDRs", { type: "set", patchStrategy: "merge" }],
    [
      "NamespaceStatus",
      "conditions",
      { type: "map", mapKeys: ["type"], patchMergeKey: "type", patchStrategy: "merge" },
    ],
    [
      "PersistentVolumeClaimStatus",
      "conditions",
      { type: "map", mapKeys: ["type"], patchMergeKey: "type", patchStrategy: "merge" },
    ],
    ["EndpointSubset", "addresses", { type: "atomic" }],
  ];
  for (const [type, field, want] of merges) {
    it(`${type}.${field} merges as upstream`, () => {
      assert.deepEqual(listOf(type, field), want);
    });
  }

  it("nests PersistentVolume sources under spec field 2 in protobuf", () => {
    const hostPath = getType("io.k8s.api.core.v1.PersistentVolumeSpec").fields["hostPath"];
    assert.ok(hostPath && isEmbedded(hostPath));
    assert.equal(hostPath.embeddedIn, 2);
    assert.equal(hostPath.proto, 3);
  });
});
