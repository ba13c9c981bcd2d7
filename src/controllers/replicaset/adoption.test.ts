import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StatusError, type StatusReason } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta/types.js";
import { ApiError } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { resources } from "../../client/resource.js";
import { checkCanAdopt, claimThroughApi } from "./adoption.js";

const owner = {
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  name: "ds",
  namespace: "default",
  uid: "ds-uid",
};

const status = (code: number, reason: StatusReason) =>
  new ApiError(new StatusError(code, reason, reason).status);

/** A fake API: `get` answers `live` for the owner; `patch` records names, failing as `fail` says. */
function fakeClient(
  live: KubeObject | undefined,
  fail: Record<string, ApiError> = {},
): { client: KubeClient; patched: string[] } {
  const patched: string[] = [];
  const fake = {
    get: async () => {
      if (!live) throw status(404, "NotFound");
      return live;
    },
    patch: async (_res: unknown, name: string) => {
      const err = fail[name];
      if (err) throw err;
      patched.push(name);
      return { metadata: { name } };
    },
  };
  return { client: fake as unknown as KubeClient, patched };
}

function pod(name: string, labels: Record<string, string>, controller?: string): KubeObject {
  const obj: KubeObject = { metadata: { name, namespace: "default", uid: `uid-${name}`, labels } };
  if (controller) {
    obj.metadata.ownerReferences = [
      { apiVersion: "apps/v1", kind: "DaemonSet", name: "ds", uid: controller, controller: true },
    ];
  }
  return obj;
}

describe("checkCanAdopt()", () => {
  const cases: { name: string; live: KubeObject; error?: RegExp }[] = [
    { name: "passes for the same owner", live: { metadata: { uid: "ds-uid" } } },
    {
      name: "refuses a replaced owner",
      live: { metadata: { uid: "other" } },
      error: /Cannot adopt for DaemonSet default\/ds: it was replaced \(uid other/,
    },
    {
      name: "refuses an owner being deleted",
      live: { metadata: { uid: "ds-uid", deletionTimestamp: "2024-01-01T00:00:00Z" } },
      error: /Cannot adopt for DaemonSet default\/ds: it is being deleted/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const check = checkCanAdopt(fakeClient(c.live).client, resources.daemonSets, owner);
      if (c.error) await assert.rejects(check, c.error);
      else await check;
    });
  }
});

describe("claimThroughApi()", () => {
  const matches = (o: KubeObject) => o.metadata.labels?.["app"] === "web";
  const mine = pod("mine", { app: "web" }, "ds-uid");
  const orphan = pod("orphan", { app: "web" });
  const goneOrphan = pod("gone", { app: "web" });
  const stray = pod("stray", { app: "db" }, "ds-uid");

  it("adopts matching orphans, releases what stopped matching, drops orphans that are gone", async () => {
    const { client, patched } = fakeClient(
      { metadata: { uid: "ds-uid" } },
      { gone: status(404, "NotFound") },
    );
    const claimed = await claimThroughApi({
      client,
      resource: resources.pods,
      ownerResource: resources.daemonSets,
      owner,
      candidates: [mine, orphan, goneOrphan, stray],
      matches,
    });
    assert.deepEqual(
      claimed.map((o) => o.metadata.name),
      ["mine", "orphan"],
    );
    assert.deepEqual(patched, ["orphan", "stray"]);
  });

  it("adopts nothing when the live check fails, and releases a replaced object quietly", async () => {
    const replaced = fakeClient({ metadata: { uid: "other" } });
    await assert.rejects(
      claimThroughApi({
        client: replaced.client,
        resource: resources.pods,
        ownerResource: resources.daemonSets,
        owner,
        candidates: [orphan],
        matches,
      }),
      /it was replaced/,
    );
    assert.deepEqual(replaced.patched, []);

    const { client } = fakeClient(undefined, { stray: status(409, "Conflict") });
    const claimed = await claimThroughApi({
      client,
      resource: resources.pods,
      ownerResource: resources.daemonSets,
      owner,
      candidates: [mine, stray],
      matches,
    });
    assert.deepEqual(
      claimed.map((o) => o.metadata.name),
      ["mine"],
    );
  });
});
