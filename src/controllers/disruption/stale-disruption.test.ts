import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../api/core/v1/pod.js";
import { staleDisruptionWait } from "./stale-disruption.js";

const NOW = Date.parse("2024-05-01T10:00:00Z");

function pod(
  cond: { status: string; reason?: string; at: string } | undefined,
  extra: Partial<Pod> = {},
): Pod {
  return {
    metadata: { name: "p" },
    status: {
      phase: "Running",
      conditions: cond
        ? [
            {
              type: "DisruptionTarget",
              status: cond.status,
              lastTransitionTime: cond.at,
              ...(cond.reason ? { reason: cond.reason } : {}),
            },
          ]
        : [],
    },
    ...extra,
  };
}

describe("staleDisruptionWait()", () => {
  const cases: { name: string; pod: Pod; want: number | undefined }[] = [
    { name: "no condition", pod: pod(undefined), want: undefined },
    {
      name: "fresh mark: wait the rest",
      pod: pod({ status: "True", reason: "EvictionByEvictionAPI", at: "2024-05-01T09:59:30Z" }),
      want: 90_000,
    },
    {
      name: "old mark: stale now",
      pod: pod({ status: "True", reason: "EvictionByEvictionAPI", at: "2024-05-01T09:50:00Z" }),
      want: 0,
    },
    {
      name: "already False",
      pod: pod({ status: "False", at: "2024-05-01T09:50:00Z" }),
      want: undefined,
    },
    {
      name: "the kubelet's mark never goes stale",
      pod: pod({ status: "True", reason: "TerminationByKubelet", at: "2024-05-01T09:50:00Z" }),
      want: undefined,
    },
    {
      name: "a pod being deleted is not stale",
      pod: pod(
        { status: "True", at: "2024-05-01T09:50:00Z" },
        { metadata: { name: "p", deletionTimestamp: "2024-05-01T09:51:00Z" } },
      ),
      want: undefined,
    },
  ];
  for (const c of cases)
    it(c.name, () => assert.equal(staleDisruptionWait(c.pod, NOW, 120_000), c.want));
});
