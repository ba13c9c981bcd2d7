import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import type { DaemonSetStatus } from "../../api/apps/v1/daemon-set.js";
import { computeHash } from "../history/revision-hash.js";
import { templateOfRevision } from "../history/template-data.js";
import { identityOf } from "./claims.js";
import {
  daemonSetRevisionsToTruncate,
  daemonSetTemplateHash,
  newDaemonSetRevision,
} from "./revision.js";
import { makeDaemonSet } from "./test-fixtures.js";

function cr(name: string, revision: number, hash = name): ControllerRevision {
  return {
    metadata: { name, labels: { "controller-revision-hash": hash } },
    revision,
    data: { v: name },
  };
}

describe("newDaemonSetRevision()", () => {
  it("names and labels the revision after the template hash and stores the template", () => {
    const ds = makeDaemonSet();
    ds.metadata.annotations = { note: "x" };
    ds.status = { ...ds.status, collisionCount: 2 } as DaemonSetStatus;
    const hash = daemonSetTemplateHash(ds);
    assert.equal(hash, computeHash(ds.spec?.template, 2));

    const out = newDaemonSetRevision(ds, identityOf(ds), 4);
    assert.equal(out.metadata.name, `ds-${hash}`);
    assert.deepEqual(out.metadata.labels, {
      ...ds.spec?.template?.metadata?.labels,
      "controller-revision-hash": hash,
    });
    assert.deepEqual(out.metadata.annotations, { note: "x" });
    assert.equal(out.revision, 4);
    assert.equal(out.metadata.ownerReferences?.[0]?.uid, ds.metadata.uid);
    assert.equal(out.metadata.ownerReferences?.[0]?.kind, "DaemonSet");
    assert.deepEqual(templateOfRevision(out).spec, ds.spec?.template?.spec);
  });
});

describe("daemonSetRevisionsToTruncate()", () => {
  const truncation: {
    name: string;
    old: ControllerRevision[];
    limit: number;
    live: string[];
    want: string[];
  }[] = [
    { name: "within the limit", old: [cr("a", 1), cr("b", 2)], limit: 2, live: [], want: [] },
    {
      name: "oldest first",
      old: [cr("c", 3), cr("a", 1), cr("b", 2)],
      limit: 1,
      live: [],
      want: ["a", "b"],
    },
    {
      name: "limit 0 drops all old",
      old: [cr("a", 1), cr("b", 2)],
      limit: 0,
      live: [],
      want: ["a", "b"],
    },
    {
      name: "never a revision live pods still use",
      old: [cr("a", 1), cr("b", 2), cr("c", 3)],
      limit: 1,
      live: ["a"],
      want: ["b", "c"],
    },
  ];
  for (const c of truncation) {
    it(c.name, () => {
      const got = daemonSetRevisionsToTruncate(c.old, c.limit, new Set(c.live));
      assert.deepEqual(
        got.map((r) => r.metadata.name),
        c.want,
      );
    });
  }
});
