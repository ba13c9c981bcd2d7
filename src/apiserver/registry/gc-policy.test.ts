import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DeleteOptions } from "../../api/meta/types.js";
import { defaultGcPolicy, finalizersOnDelete, type DefaultGcPolicy } from "./gc-policy.js";

describe("gc policy: finalizersOnDelete", () => {
  const cases: {
    name: string;
    current?: string[];
    options: DeleteOptions;
    def?: DefaultGcPolicy;
    want: string[] | undefined;
  }[] = [
    {
      name: "background adds nothing",
      options: { propagationPolicy: "Background" },
      want: undefined,
    },
    { name: "no policy, background default: nothing", options: {}, want: undefined },
    {
      name: "no policy, orphan default (RC, Job): orphan",
      options: {},
      def: "OrphanDependents",
      want: ["orphan"],
    },
    {
      name: "foreground keeps other finalizers",
      current: ["example.com/x"],
      options: { propagationPolicy: "Foreground" },
      want: ["example.com/x", "foregroundDeletion"],
    },
    { name: "orphan", options: { propagationPolicy: "Orphan" }, want: ["orphan"] },
    { name: "legacy orphanDependents true", options: { orphanDependents: true }, want: ["orphan"] },
    {
      name: "legacy orphanDependents false beats an orphan default",
      options: { orphanDependents: false },
      def: "OrphanDependents",
      want: undefined,
    },
    {
      name: "an explicit policy replaces an earlier GC finalizer",
      current: ["foregroundDeletion"],
      options: { propagationPolicy: "Orphan" },
      want: ["orphan"],
    },
    {
      name: "background drops an earlier GC finalizer",
      current: ["orphan", "example.com/x"],
      options: { propagationPolicy: "Background" },
      want: ["example.com/x"],
    },
    {
      name: "no policy keeps the finalizer already chosen over the default",
      current: ["foregroundDeletion"],
      options: {},
      def: "OrphanDependents",
      want: undefined,
    },
    {
      name: "repeated same policy changes nothing",
      current: ["orphan"],
      options: { propagationPolicy: "Orphan" },
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        finalizersOnDelete(c.current, c.options, c.def ?? "DeleteDependents"),
        c.want,
      );
    });
  }
});

describe("gc policy: defaultGcPolicy", () => {
  it("orphans for core ReplicationController and batch Job only", () => {
    assert.equal(defaultGcPolicy("", "ReplicationController"), "OrphanDependents");
    assert.equal(defaultGcPolicy("batch", "Job"), "OrphanDependents");
    assert.equal(defaultGcPolicy("batch", "CronJob"), "DeleteDependents");
    assert.equal(defaultGcPolicy("apps", "ReplicaSet"), "DeleteDependents");
  });
});
