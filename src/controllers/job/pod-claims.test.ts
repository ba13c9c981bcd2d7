import { test } from "node:test";
import assert from "node:assert/strict";
import type { Job } from "../../api/batch/v1/job.js";
import type { Pod } from "../../api/core/v1/pod.js";
import { JOB_TRACKING_FINALIZER } from "./job-pods.js";
import { adoptPodPatch, claimPods, releasePodPatch } from "./pod-claims.js";

const job: Job = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "j", namespace: "ns", uid: "job-uid" },
  spec: { manualSelector: true, selector: { matchLabels: { app: "work" } } },
};

function pod(name: string, labels: Record<string, string>, owner?: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "ns",
      uid: `uid-${name}`,
      labels,
      ...(owner
        ? {
            ownerReferences: [
              { apiVersion: "batch/v1", kind: "Job", name: "j", uid: owner, controller: true },
            ],
            finalizers: [JOB_TRACKING_FINALIZER],
          }
        : {}),
    },
  };
}

test("claimPods: adopts matching orphans, releases owned pods that stopped matching", () => {
  const orphan = pod("orphan", { app: "work" });
  const other = pod("other", { app: "else" });
  const stray = pod("stray", { app: "else" }, "job-uid");
  const mine = pod("mine", { app: "work" }, "job-uid");
  const theirs = pod("theirs", { app: "work" }, "someone-else");
  const claim = claimPods(job, [orphan, other, stray, mine, theirs]);
  assert.deepEqual(
    claim.adopt.map((p) => p.metadata.name),
    ["orphan"],
  );
  assert.deepEqual(
    claim.release.map((p) => p.metadata.name),
    ["stray"],
  );
  assert.deepEqual(claim.claimed.map((p) => p.metadata.name).sort(), ["mine", "orphan"]);
  const deleting = {
    ...job,
    metadata: { ...job.metadata, deletionTimestamp: "2024-01-01T00:00:00Z" },
  };
  assert.deepEqual(claimPods(deleting, [orphan, stray]).adopt, []);
  const empty = { ...job, spec: { ...job.spec, selector: {} } };
  assert.deepEqual(claimPods(empty, [orphan]).adopt, [], "an empty selector adopts nothing");
});

test("adoptPodPatch / releasePodPatch: owner reference and tracking finalizer, UID tested", () => {
  const adopt = adoptPodPatch(job, pod("orphan", { app: "work" }));
  assert.deepEqual(adopt[0], { op: "test", path: "/metadata/uid", value: "uid-orphan" });
  assert.equal(adopt[1]?.path, "/metadata/ownerReferences");
  assert.deepEqual(adopt[2], {
    op: "add",
    path: "/metadata/finalizers",
    value: [JOB_TRACKING_FINALIZER],
  });
  const release = releasePodPatch(job, pod("stray", { app: "else" }, "job-uid"));
  assert.deepEqual(
    release.filter((o) => o.op === "remove").map((o) => o.path),
    ["/metadata/ownerReferences/0", "/metadata/finalizers/0"],
  );
});
