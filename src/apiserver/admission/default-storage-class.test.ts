import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { persistentVolumeClaims } from "../../api/core/v1/persistent-volume-claim.js";
import { persistentVolumes } from "../../api/core/v1/persistent-volume.js";
import type { KubeObject } from "../../api/meta/types.js";
import { ADMIN } from "../auth/authenticator.js";
import type { AdmissionAttributes } from "./admission.js";
import { DefaultStorageClass } from "./default-storage-class.js";

const standard: KubeObject = {
  metadata: {
    name: "standard",
    creationTimestamp: "2026-01-01T00:00:00Z",
    annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
  },
};
const other: KubeObject = { metadata: { name: "other" } };

function attrs(object: KubeObject, over: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return {
    operation: "CREATE",
    def: persistentVolumeClaims,
    namespace: "default",
    name: object.metadata.name ?? "",
    subresource: "",
    object,
    user: ADMIN,
    dryRun: false,
    ...over,
  };
}

const claimWith = (spec: Record<string, unknown>, annotations?: Record<string, string>) =>
  ({ metadata: { name: "c", ...(annotations ? { annotations } : {}) }, spec }) as KubeObject & {
    spec: { storageClassName?: string };
  };

describe("DefaultStorageClass admission", () => {
  const plugin = new DefaultStorageClass(() => [other, standard]);
  const cases: [
    string,
    ReturnType<typeof claimWith>,
    Partial<AdmissionAttributes>,
    string | undefined,
  ][] = [
    ["gives a claim without a class the default", claimWith({}), {}, "standard"],
    ['leaves a claim of class "" alone', claimWith({ storageClassName: "" }), {}, ""],
    ["leaves a claim naming a class alone", claimWith({ storageClassName: "other" }), {}, "other"],
    [
      "leaves a claim with the beta class annotation alone",
      claimWith({}, { "volume.beta.kubernetes.io/storage-class": "other" }),
      {},
      undefined,
    ],
    ["does not touch updates", claimWith({}), { operation: "UPDATE" }, undefined],
    ["does not touch other kinds", claimWith({}), { def: persistentVolumes }, undefined],
  ];
  for (const [name, claim, over, want] of cases) {
    it(name, () => {
      plugin.admit(attrs(claim, over));
      assert.equal(claim.spec.storageClassName, want);
    });
  }

  it("does nothing while no class is the default", () => {
    const claim = claimWith({});
    new DefaultStorageClass(() => [other]).admit(attrs(claim));
    assert.equal(claim.spec.storageClassName, undefined);
  });
});
