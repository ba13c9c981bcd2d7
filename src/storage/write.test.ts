import assert from "node:assert/strict";
import { test } from "node:test";
import type { KeyValue } from "./backend.js";
import { KeyExistsError, KeyNotFoundError, RevisionMismatchError } from "./backend.js";
import type { WriteRequest } from "./write.js";
import { planWrite, replyFor } from "./write.js";

const current: KeyValue = { key: "/k", value: "old", createRevision: 3, modRevision: 5 };

const cases: { name: string; req: WriteRequest; current?: KeyValue; want: unknown }[] = [
  {
    name: "create of an absent key puts it at the new revision",
    req: { op: "create", key: "/k", value: "v" },
    want: { type: "put", kv: { key: "/k", value: "v", createRevision: 9, modRevision: 9 } },
  },
  {
    name: "create of a present key",
    req: { op: "create", key: "/k", value: "v" },
    current,
    want: KeyExistsError,
  },
  {
    name: "update at the current revision keeps createRevision",
    req: { op: "update", key: "/k", value: "v", expectedRevision: 5 },
    current,
    want: {
      type: "put",
      kv: { key: "/k", value: "v", createRevision: 3, modRevision: 9 },
      prevKv: current,
    },
  },
  {
    name: "update of an absent key",
    req: { op: "update", key: "/k", value: "v", expectedRevision: 5 },
    want: KeyNotFoundError,
  },
  {
    name: "update at a stale revision",
    req: { op: "update", key: "/k", value: "v", expectedRevision: 4 },
    current,
    want: RevisionMismatchError,
  },
  {
    name: "unconditional delete carries the deleted value",
    req: { op: "delete", key: "/k" },
    current,
    want: { type: "delete", kv: { ...current, modRevision: 9 }, prevKv: current },
  },
  {
    name: "delete at a stale revision",
    req: { op: "delete", key: "/k", expectedRevision: 6 },
    current,
    want: RevisionMismatchError,
  },
  { name: "delete of an absent key", req: { op: "delete", key: "/k" }, want: KeyNotFoundError },
];

for (const c of cases) {
  test(`planWrite(): ${c.name}`, () => {
    if (typeof c.want === "function") {
      assert.throws(() => planWrite(c.req, c.current, 9), c.want as new () => Error);
    } else {
      assert.deepEqual(planWrite(c.req, c.current, 9), c.want);
    }
  });
}

test("replyFor() returns the revision, and for a delete the deleted value", () => {
  const event = planWrite({ op: "delete", key: "/k" }, current, 9);
  assert.deepEqual(replyFor(event), { revision: 9, prev: current });
  assert.deepEqual(replyFor(planWrite({ op: "create", key: "/n", value: "v" }, undefined, 10)), {
    revision: 10,
  });
});
