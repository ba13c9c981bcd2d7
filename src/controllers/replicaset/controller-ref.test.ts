import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject, OwnerReference } from "../../api/meta/types.js";
import { Indexer } from "../../client/indexer.js";
import { Lister } from "../../client/lister.js";
import { resolveControllerRef } from "./controller-ref.js";

describe("resolveControllerRef()", () => {
  const indexer = new Indexer<KubeObject>();
  indexer.set({ metadata: { name: "web", namespace: "ns", uid: "web-uid" } });
  const lister = new Lister(indexer);
  const type = { group: "apps", kind: "ReplicaSet" };
  const ref = (over: Partial<OwnerReference> = {}): OwnerReference => ({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    name: "web",
    uid: "web-uid",
    controller: true,
    ...over,
  });
  const pod = (owner?: OwnerReference, namespace = "ns"): KubeObject => ({
    metadata: { name: "p", namespace, ...(owner ? { ownerReferences: [owner] } : {}) },
  });

  const cases: { name: string; obj: KubeObject; want: string | undefined }[] = [
    { name: "finds the controller by name and UID", obj: pod(ref()), want: "web-uid" },
    { name: "no controller reference", obj: pod(), want: undefined },
    { name: "another kind", obj: pod(ref({ kind: "StatefulSet" })), want: undefined },
    { name: "another group", obj: pod(ref({ apiVersion: "extensions/v1beta1" })), want: undefined },
    { name: "the core group is not apps", obj: pod(ref({ apiVersion: "v1" })), want: undefined },
    { name: "a successor under the same name", obj: pod(ref({ uid: "old" })), want: undefined },
    { name: "another namespace", obj: pod(ref(), "other"), want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(resolveControllerRef(lister, type, c.obj)?.metadata.uid, c.want);
    });
  }
});
