import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compareDaemonPods,
  daemonPodFor,
  daemonPodTemplate,
  isPodUpdated,
  templateGeneration,
} from "./daemon-pod.js";
import { makeDaemonSet, makePod } from "./test-fixtures.js";

describe("daemon pods", () => {
  it("the template gets the hash and generation labels and the daemon tolerations", () => {
    const ds = makeDaemonSet({
      generation: 3,
      spec: { tolerations: [{ key: "k", operator: "Exists" }] },
    });
    const t = daemonPodTemplate(ds, "h1");
    assert.deepEqual(t.metadata?.labels, {
      app: "web",
      "pod-template-generation": "3",
      "controller-revision-hash": "h1",
    });
    assert.equal(t.spec?.tolerations?.length, 7);
    assert.deepEqual(
      ds.spec?.template?.metadata?.labels,
      { app: "web" },
      "the DaemonSet is not changed",
    );
    assert.equal(ds.spec?.template?.spec?.tolerations?.length, 1);
  });

  it("a pod for a node is unbound, pinned by affinity, named after and owned by the DaemonSet", () => {
    const ds = makeDaemonSet();
    const ref = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      name: "ds",
      uid: "ds-uid",
      controller: true,
    };
    const pod = daemonPodFor(ds, daemonPodTemplate(ds, "h"), "n3", ref);
    assert.equal(pod.metadata.generateName, "ds-");
    assert.equal(pod.metadata.namespace, "default");
    assert.equal(pod.spec?.nodeName, undefined);
    assert.deepEqual(
      pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      {
        nodeSelectorTerms: [
          { matchFields: [{ key: "metadata.name", operator: "In", values: ["n3"] }] },
        ],
      },
    );
    assert.equal(pod.metadata.ownerReferences?.[0]?.uid, "ds-uid");
  });

  it("a pod is updated when its hash or its template generation matches", () => {
    const pod = makePod("a", "n1", { hash: "h" });
    assert.equal(isPodUpdated(pod, "h", undefined), true);
    assert.equal(isPodUpdated(pod, "x", undefined), false);
    pod.metadata.labels!["pod-template-generation"] = "2";
    assert.equal(isPodUpdated(pod, "x", 2), true);
    assert.equal(isPodUpdated(pod, "x", 3), false);
    assert.equal(isPodUpdated(pod, "", undefined), false);
  });

  it("reads the template generation annotation, refusing what is not an integer", () => {
    const ds = makeDaemonSet({ generation: 5 });
    assert.equal(templateGeneration(ds), 5);
    ds.metadata.annotations = { "deprecated.daemonset.template.generation": "x" };
    assert.equal(templateGeneration(ds), undefined);
    ds.metadata.annotations = {};
    assert.equal(templateGeneration(ds), undefined);
  });

  it("orders bound pods first, then older first, then by name", () => {
    const pods = [
      makePod("c", "n1", { age: 10 }),
      makePod("u", "n1", { age: 900, bound: false }),
      makePod("b", "n1", { age: 50 }),
      makePod("a", "n1", { age: 50 }),
    ];
    assert.deepEqual(
      pods.sort(compareDaemonPods).map((p) => p.metadata.name),
      ["a", "b", "c", "u"],
    );
  });
});
