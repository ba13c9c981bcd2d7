import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allResources } from "../../api/registry.js";
import type { KubeObject } from "../../api/meta/types.js";
import {
  deletableResources,
  deletionConditions,
  finalizersAfterContent,
  isEmpty,
  mergeConditions,
  remainingGraceMs,
  type DeletionReport,
} from "./deletion.js";

const obj = (name: string, meta: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  metadata: { name, ...meta },
});
const empty: DeletionReport = { listFailures: [], deleteFailures: [], remaining: [] };

describe("namespace deletion: deletableResources", () => {
  it("keeps namespaced stored kinds and drops cluster-scoped and virtual ones", () => {
    const plurals = deletableResources(allResources).map((d) => `${d.plural}.${d.group}`);
    for (const want of ["pods.", "configmaps.", "deployments.apps", "leases.coordination.k8s.io"]) {
      assert.ok(plurals.includes(want), want);
    }
    for (const not of ["namespaces.", "nodes.", "selfsubjectaccessreviews.authorization.k8s.io"]) {
      assert.ok(!plurals.includes(not), not);
    }
  });
});

describe("namespace deletion: deletionConditions", () => {
  const cases: {
    name: string;
    report: DeletionReport;
    want: Record<string, [string, string, string]>;
  }[] = [
    {
      name: "nothing left: every condition False with its ok reason",
      report: empty,
      want: {
        NamespaceDeletionDiscoveryFailure: [
          "False",
          "ResourcesDiscovered",
          "All resources successfully discovered",
        ],
        NamespaceContentRemaining: ["False", "ContentRemoved", "All content successfully removed"],
        NamespaceFinalizersRemaining: [
          "False",
          "ContentHasNoFinalizers",
          "All content-preserving finalizers finished",
        ],
      },
    },
    {
      name: "objects with finalizers remain: counts sorted by resource and finalizer",
      report: {
        listFailures: [],
        deleteFailures: [],
        remaining: [
          { resource: "pods.", items: [obj("a", { finalizers: ["b.io/x"] }), obj("b")] },
          {
            resource: "configmaps.",
            items: [obj("c", { finalizers: ["a.io/y", "b.io/x"] })],
          },
        ],
      },
      want: {
        NamespaceContentRemaining: [
          "True",
          "SomeResourcesRemain",
          "Some resources are remaining: configmaps. has 1 resource instances, pods. has 2 resource instances",
        ],
        NamespaceFinalizersRemaining: [
          "True",
          "SomeFinalizersRemain",
          "Some content in the namespace has finalizers remaining: a.io/y in 1 resource instances, b.io/x in 2 resource instances",
        ],
        NamespaceDeletionContentFailure: [
          "False",
          "ContentDeleted",
          "All content successfully deleted, may be waiting on finalization",
        ],
      },
    },
    {
      name: "failed deletes: content failure True",
      report: { listFailures: ["jobs.batch: boom"], deleteFailures: [], remaining: [] },
      want: {
        NamespaceDeletionContentFailure: [
          "True",
          "ContentDeletionFailed",
          "Failed to delete all resource types, 1 remaining: jobs.batch: boom",
        ],
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = deletionConditions(c.report);
      assert.equal(got.length, 5);
      for (const [type, [status, reason, message]] of Object.entries(c.want)) {
        assert.deepEqual(
          got.find((x) => x.type === type),
          { type, status, reason, message },
        );
      }
    });
  }
});

describe("namespace deletion: mergeConditions", () => {
  const cond = (type: string, status: string, t?: string) => ({
    type,
    status,
    reason: "R",
    message: "M",
    ...(t ? { lastTransitionTime: t } : {}),
  });
  it("returns undefined when nothing changes", () => {
    assert.equal(
      mergeConditions([cond("A", "False", "t0")], [cond("A", "False")], "t1"),
      undefined,
    );
  });
  it("stamps changed statuses with now, keeps others and unknown types", () => {
    const got = mergeConditions(
      [cond("A", "False", "t0"), cond("Other", "True", "t0")],
      [cond("A", "True"), cond("B", "False")],
      "t1",
    );
    assert.deepEqual(got, [
      cond("A", "True", "t1"),
      cond("Other", "True", "t0"),
      cond("B", "False", "t1"),
    ]);
  });
  it("keeps the transition time when only the message changes", () => {
    const got = mergeConditions(
      [cond("A", "True", "t0")],
      [{ ...cond("A", "True"), message: "N" }],
      "t1",
    );
    assert.equal(got?.[0]?.lastTransitionTime, "t0");
    assert.equal(got?.[0]?.message, "N");
  });
});

describe("namespace deletion: isEmpty, finalizersAfterContent, remainingGraceMs", () => {
  it("is empty only without failures and remaining items", () => {
    assert.equal(isEmpty(empty), true);
    assert.equal(isEmpty({ ...empty, deleteFailures: ["x"] }), false);
    assert.equal(
      isEmpty({ ...empty, remaining: [{ resource: "pods.", items: [obj("a")] }] }),
      false,
    );
  });
  it("drops only the kubernetes finalizer", () => {
    assert.deepEqual(finalizersAfterContent(["kubernetes", "example.com/x"]), ["example.com/x"]);
    assert.deepEqual(finalizersAfterContent(undefined), []);
  });
  it("waits for the longest grace period left, ignoring finalizer-held objects", () => {
    const now = Date.parse("2024-01-01T00:00:00Z");
    const report: DeletionReport = {
      ...empty,
      remaining: [
        {
          resource: "pods.",
          items: [
            obj("a", { deletionTimestamp: "2024-01-01T00:00:10Z", deletionGracePeriodSeconds: 30 }),
            obj("b", { deletionTimestamp: "2024-01-01T00:00:20Z", deletionGracePeriodSeconds: 30 }),
            obj("c", { deletionTimestamp: "2024-01-01T00:01:00Z", deletionGracePeriodSeconds: 0 }),
          ],
        },
      ],
    };
    assert.equal(remainingGraceMs(report, now), 20_000);
    assert.equal(remainingGraceMs(empty, now), 0);
  });
});
