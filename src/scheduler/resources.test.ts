import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../api/core/v1/pod.js";
import type { Container } from "../api/core/v1/pod-shapes.js";
import { computePodRequests } from "./resources.js";

const MI = 1024 * 1024;

function c(requests: Record<string, string>, restartPolicy?: string): Container {
  return { name: "x", resources: { requests }, ...(restartPolicy ? { restartPolicy } : {}) };
}

function pod(
  containers: Container[],
  initContainers: Container[] = [],
  overhead?: Record<string, string>,
): Pod {
  return {
    metadata: { name: "p" },
    spec: { containers, initContainers, ...(overhead ? { overhead } : {}) },
  };
}

describe("computePodRequests()", () => {
  const cases: {
    name: string;
    pod: Pod;
    cpu: number;
    memory: number;
    nonZeroCpu: number;
    nonZeroMem: number;
  }[] = [
    {
      name: "sums containers",
      pod: pod([c({ cpu: "100m", memory: "1Gi" }), c({ cpu: "250m" })]),
      cpu: 350,
      memory: 1024 * MI,
      nonZeroCpu: 350,
      nonZeroMem: 1224 * MI,
    },
    {
      name: "takes the larger of containers and the largest init container",
      pod: pod([c({ cpu: "100m" })], [c({ cpu: "1" }), c({ cpu: "500m" })]),
      cpu: 1000,
      memory: 0,
      nonZeroCpu: 1000,
      nonZeroMem: 200 * MI,
    },
    {
      name: "adds sidecars to containers and to later init containers",
      pod: pod([c({ cpu: "100m" })], [c({ cpu: "200m" }, "Always"), c({ cpu: "250m" })]),
      cpu: 450,
      memory: 0,
      nonZeroCpu: 450,
      nonZeroMem: 400 * MI,
    },
    {
      name: "adds overhead last",
      pod: pod([c({ cpu: "100m" })], [], { cpu: "50m", memory: "10Mi" }),
      cpu: 150,
      memory: 10 * MI,
      nonZeroCpu: 150,
      nonZeroMem: 210 * MI,
    },
    {
      name: "applies defaults only to missing requests, not explicit zeros",
      pod: pod([c({ cpu: "0" }), c({})]),
      cpu: 0,
      memory: 0,
      nonZeroCpu: 100,
      nonZeroMem: 400 * MI,
    },
    {
      name: "rounds CPU up to millicores",
      pod: pod([c({ cpu: "1n" })]),
      cpu: 1,
      memory: 0,
      nonZeroCpu: 1,
      nonZeroMem: 200 * MI,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const r = computePodRequests(tc.pod);
      assert.deepEqual(
        [r.requests.milliCPU, r.requests.memory, r.nonZeroMilliCPU, r.nonZeroMemory],
        [tc.cpu, tc.memory, tc.nonZeroCpu, tc.nonZeroMem],
      );
    });
  }

  it("keeps extended resources and hugepages as scalars, ignoring unknown native names", () => {
    const r = computePodRequests(
      pod([c({ "example.com/gpu": "2", "hugepages-2Mi": "4Mi", bogus: "1" })]),
    );
    assert.deepEqual(
      [...(r.requests.scalar ?? [])],
      [
        ["example.com/gpu", 2],
        ["hugepages-2Mi", 4 * MI],
      ],
    );
  });
});
