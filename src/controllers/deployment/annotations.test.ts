import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deployment } from "../../api/apps/v1/deployment.js";
import type { ReplicaSet } from "../../api/apps/v1/replica-set.js";
import {
  MAX_REVISION_HISTORY_CHARS,
  lastRevision,
  maxRevision,
  setDeploymentAnnotationsTo,
  setNewReplicaSetAnnotations,
} from "./annotations.js";

const d = (annotations: Record<string, string> = {}): Deployment => ({
  metadata: { name: "web", annotations },
  spec: { replicas: 4 },
});
const rs = (annotations?: Record<string, string>): ReplicaSet => ({
  metadata: annotations ? { name: "r", annotations } : { name: "r" },
});
const rev = (n: string): ReplicaSet => rs({ "deployment.kubernetes.io/revision": n });

describe("setNewReplicaSetAnnotations()", () => {
  it("annotates a ReplicaSet about to be created with revision, replica counts and user annotations", () => {
    const r = rs();
    const changed = setNewReplicaSetAnnotations(
      d({
        team: "a",
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
        "deployment.kubernetes.io/revision": "1",
      }),
      r,
      2,
      false,
      1,
    );
    assert.equal(changed, true);
    assert.deepEqual(r.metadata.annotations, {
      team: "a",
      "deployment.kubernetes.io/revision": "2",
      "deployment.kubernetes.io/desired-replicas": "4",
      "deployment.kubernetes.io/max-replicas": "5",
    });
  });

  it("records the earlier revision in the history when a rollback brings a ReplicaSet back", () => {
    const r = rs({ "deployment.kubernetes.io/revision": "1" });
    assert.equal(setNewReplicaSetAnnotations(d(), r, 3, true, 1), true);
    assert.equal(r.metadata.annotations?.["deployment.kubernetes.io/revision"], "3");
    assert.equal(r.metadata.annotations?.["deployment.kubernetes.io/revision-history"], "1");
    r.metadata.annotations!["deployment.kubernetes.io/revision"] = "3";
    setNewReplicaSetAnnotations(d(), r, 5, true, 1);
    assert.equal(r.metadata.annotations?.["deployment.kubernetes.io/revision-history"], "1,3");
    assert.equal(r.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"], undefined);
  });

  it("drops the oldest history entries past the length limit", () => {
    const entries = Array.from({ length: 333 }, (_, i) => String(10000 + i));
    const history = entries.join(",");
    assert.ok(history.length <= MAX_REVISION_HISTORY_CHARS);
    const r = rs({
      "deployment.kubernetes.io/revision": "99999",
      "deployment.kubernetes.io/revision-history": history,
    });
    setNewReplicaSetAnnotations(d(), r, 100000, true, 0);
    const kept =
      r.metadata.annotations?.["deployment.kubernetes.io/revision-history"]?.split(",") ?? [];
    assert.equal(kept.at(-1), "99999");
    assert.equal(kept[0], "10001");
    assert.ok(kept.join(",").length <= MAX_REVISION_HISTORY_CHARS);
  });

  it("leaves a ReplicaSet with a higher revision, or an unreadable one, alone", () => {
    const higher = rev("7");
    assert.equal(setNewReplicaSetAnnotations(d(), higher, 3, true, 0), false);
    assert.equal(higher.metadata.annotations?.["deployment.kubernetes.io/revision"], "7");
    const bad = rev("x");
    assert.equal(setNewReplicaSetAnnotations(d(), bad, 3, true, 0), false);
  });
});

describe("maxRevision() and lastRevision()", () => {
  it("find the highest and second-highest revisions, skipping unreadable ones", () => {
    const sets = [rev("3"), rev("x"), rev("10"), rs(), rev("7")];
    assert.equal(maxRevision(sets), 10);
    assert.equal(lastRevision(sets), 7);
    assert.equal(lastRevision([rev("4")]), 0);
  });
});

describe("setDeploymentAnnotationsTo()", () => {
  it("takes the ReplicaSet's user annotations and keeps the controller's own", () => {
    const dep = d({
      "kubernetes.io/change-cause": "edit",
      "deployment.kubernetes.io/revision": "4",
      gone: "x",
    });
    setDeploymentAnnotationsTo(
      dep,
      rs({ "kubernetes.io/change-cause": "create", "deployment.kubernetes.io/revision": "1" }),
    );
    assert.deepEqual(dep.metadata.annotations, {
      "deployment.kubernetes.io/revision": "4",
      "kubernetes.io/change-cause": "create",
    });
  });
});
