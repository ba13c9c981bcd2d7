import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StatusError, type StatusReason } from "../api/errors.js";
import type { KubeObject } from "../api/meta/types.js";
import { ApiError } from "../client/api-error.js";
import type { KubeClient } from "../client/client.js";
import { resources } from "../client/resource.js";
import { writeStatus } from "./write-status.js";

type Obj = KubeObject & { status?: { n?: number; count?: number } };

const apiError = (code: number, reason: StatusReason) =>
  new ApiError(new StatusError(code, reason, reason).status);

/** A fake API whose status writes fail with `failures` in turn, then succeed; `get` answers `fresh`. */
function fakeClient(failures: ApiError[], fresh: Obj) {
  const writes: Obj[] = [];
  const fake = {
    updateStatus: async (_res: unknown, obj: Obj) => {
      const err = failures.shift();
      if (err) throw err;
      writes.push(obj);
      return obj;
    },
    get: async () => fresh,
  };
  return { client: fake as unknown as KubeClient, writes };
}

const cached: Obj = { metadata: { name: "x", namespace: "ns", uid: "u", resourceVersion: "1" } };
const fresh: Obj = {
  metadata: { name: "x", namespace: "ns", uid: "u", resourceVersion: "2" },
  status: { count: 3 },
};

describe("writeStatus()", () => {
  it("writes onto the cached object when it is current", async () => {
    const { client, writes } = fakeClient([], fresh);
    await writeStatus(client, resources.daemonSets, cached, { n: 1 });
    assert.deepEqual(writes, [{ ...cached, status: { n: 1 } }]);
  });

  it("retries once onto the fresh object after a conflict, letting onConflict adjust", async () => {
    const { client, writes } = fakeClient([apiError(409, "Conflict")], fresh);
    await writeStatus(client, resources.daemonSets, cached, { n: 1 }, (f, s) => ({
      ...s,
      count: f.status?.count ?? 0,
    }));
    assert.deepEqual(writes, [{ ...fresh, status: { n: 1, count: 3 } }]);
  });

  it("resolves without writing for an object gone or replaced", async () => {
    const gone = fakeClient([apiError(404, "NotFound")], fresh);
    await writeStatus(gone.client, resources.daemonSets, cached, { n: 1 });
    assert.deepEqual(gone.writes, []);

    const replaced = fakeClient([apiError(409, "Conflict")], {
      ...fresh,
      metadata: { ...fresh.metadata, uid: "other" },
    });
    await writeStatus(replaced.client, resources.daemonSets, cached, { n: 1 });
    assert.deepEqual(replaced.writes, []);
  });

  it("throws other failures", async () => {
    const { client } = fakeClient([apiError(500, "InternalError")], fresh);
    await assert.rejects(writeStatus(client, resources.daemonSets, cached, { n: 1 }));
  });
});
