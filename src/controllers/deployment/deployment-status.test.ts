import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deployment, DeploymentStatus } from "../../api/apps/v1/deployment.js";
import {
  deploymentProgressing,
  deploymentTimedOut,
  newCondition,
  setCondition,
  stuckRequeueAfterMs,
} from "./deployment-status.js";

const T0 = Date.parse("2024-06-01T12:00:00Z");

describe("setCondition()", () => {
  it("keeps the transition time when only the reason changes, and moves the condition last", () => {
    const status: DeploymentStatus = {
      conditions: [
        newCondition("Progressing", "True", "NewReplicaSetCreated", "a", T0),
        newCondition("Available", "True", "MinimumReplicasAvailable", "b", T0),
      ],
    };
    setCondition(status, newCondition("Progressing", "True", "ReplicaSetUpdated", "c", T0 + 5000));
    assert.deepEqual(
      status.conditions?.map((c) => [c.type, c.reason, c.lastTransitionTime, c.lastUpdateTime]),
      [
        ["Available", "MinimumReplicasAvailable", "2024-06-01T12:00:00Z", "2024-06-01T12:00:00Z"],
        ["Progressing", "ReplicaSetUpdated", "2024-06-01T12:00:00Z", "2024-06-01T12:00:05Z"],
      ],
    );
  });

  it("changes nothing for the same status and reason, and a new transition time for a new status", () => {
    const status: DeploymentStatus = {
      conditions: [newCondition("Available", "True", "R", "m", T0)],
    };
    setCondition(status, newCondition("Available", "True", "R", "other", T0 + 1000));
    assert.equal(status.conditions?.[0]?.message, "m");
    setCondition(status, newCondition("Available", "False", "R2", "m2", T0 + 2000));
    assert.equal(status.conditions?.[0]?.lastTransitionTime, "2024-06-01T12:00:02Z");
  });
});

describe("deploymentProgressing()", () => {
  const d: Deployment = {
    metadata: {},
    status: { replicas: 10, updatedReplicas: 3, readyReplicas: 8, availableReplicas: 8 },
  };
  const cases: [string, DeploymentStatus, boolean][] = [
    [
      "more updated pods",
      { replicas: 10, updatedReplicas: 5, readyReplicas: 8, availableReplicas: 8 },
      true,
    ],
    [
      "fewer old pods",
      { replicas: 8, updatedReplicas: 3, readyReplicas: 8, availableReplicas: 8 },
      true,
    ],
    [
      "more ready pods",
      { replicas: 10, updatedReplicas: 3, readyReplicas: 9, availableReplicas: 8 },
      true,
    ],
    [
      "more available pods",
      { replicas: 10, updatedReplicas: 3, readyReplicas: 8, availableReplicas: 9 },
      true,
    ],
    [
      "no change",
      { replicas: 10, updatedReplicas: 3, readyReplicas: 8, availableReplicas: 8 },
      false,
    ],
    [
      "fewer ready pods",
      { replicas: 10, updatedReplicas: 3, readyReplicas: 7, availableReplicas: 7 },
      false,
    ],
  ];
  for (const [name, status, want] of cases) {
    it(`is ${want} for ${name}`, () => assert.equal(deploymentProgressing(d, status), want));
  }
});

describe("deploymentTimedOut() and stuckRequeueAfterMs()", () => {
  const d = (reason: string): Deployment => ({
    metadata: { generation: 1 },
    spec: { replicas: 2, progressDeadlineSeconds: 30 },
    status: {
      observedGeneration: 1,
      conditions: [newCondition("Progressing", "True", reason, "", T0)],
    },
  });
  it("times out strictly after the deadline from the last update", () => {
    const dep = d("ReplicaSetUpdated");
    assert.equal(deploymentTimedOut(dep, dep.status!, T0 + 30000), false);
    assert.equal(deploymentTimedOut(dep, dep.status!, T0 + 30001), true);
  });
  it("never times out a completed rollout, and always one already timed out", () => {
    const done = d("NewReplicaSetAvailable");
    assert.equal(deploymentTimedOut(done, done.status!, T0 + 99e6), false);
    const late = d("ProgressDeadlineExceeded");
    assert.equal(deploymentTimedOut(late, late.status!, T0), true);
  });
  it("schedules a check a second past the deadline, or at once when it is near", () => {
    const dep = d("ReplicaSetUpdated");
    assert.equal(stuckRequeueAfterMs(dep, dep.status!, T0 + 10000), 21000);
    assert.equal(stuckRequeueAfterMs(dep, dep.status!, T0 + 29500), 0);
    const late = d("ProgressDeadlineExceeded");
    assert.equal(stuckRequeueAfterMs(late, late.status!, T0), undefined);
  });
});
