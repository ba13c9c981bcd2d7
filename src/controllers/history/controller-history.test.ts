import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ControllerRevision } from "../../api/apps/v1/controller-revision.js";
import { StatusError, type StatusReason } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta/types.js";
import { ApiError } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import { Indexer } from "../../client/indexer.js";
import { Lister } from "../../client/lister.js";
import { ControllerHistory } from "./controller-history.js";
import { hashControllerRevision } from "./revision-hash.js";
import { newControllerRevision } from "./revisions.js";

const owner = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  name: "web",
  namespace: "default",
  uid: "set-uid",
};

/** A fake API of ControllerRevisions in one namespace: create refuses taken names, get reads. */
function fakeClient(existing: ControllerRevision[] = []): {
  client: KubeClient;
  stored: Map<string, ControllerRevision>;
} {
  const stored = new Map(existing.map((r) => [r.metadata.name ?? "", r]));
  const status = (code: number, reason: StatusReason) =>
    new ApiError(new StatusError(code, reason, reason).status);
  const fake = {
    create: async (_res: unknown, obj: KubeObject) => {
      const name = obj.metadata.name ?? "";
      if (stored.has(name)) throw status(409, "AlreadyExists");
      stored.set(name, obj as ControllerRevision);
      return obj;
    },
    get: async (_res: unknown, name: string) => {
      const found = stored.get(name);
      if (!found) throw status(404, "NotFound");
      return found;
    },
  };
  return { client: fake as unknown as KubeClient, stored };
}

const history = (client: KubeClient) =>
  new ControllerHistory(client, new Lister(new Indexer<ControllerRevision>()));

const candidate = (data: unknown) =>
  newControllerRevision({ owner, templateLabels: { app: "web" }, data, revision: 1 });

describe("ControllerHistory.create()", () => {
  it("creates the revision under the name of its data and collision count", async () => {
    const { client, stored } = fakeClient();
    const out = await history(client).create(owner, candidate({ v: 1 }), 0);
    assert.equal(out.collisionCount, 0);
    assert.equal(out.revision.metadata.name, `web-${hashControllerRevision({ v: 1 }, 0)}`);
    assert.ok(stored.has(out.revision.metadata.name ?? ""));
  });

  it("returns a revision with the same data that an earlier sync created", async () => {
    const earlier = { ...candidate({ v: 1 }), metadata: { ...candidate({ v: 1 }).metadata } };
    earlier.metadata.name = `web-${hashControllerRevision({ v: 1 }, 0)}`;
    earlier.metadata.uid = "earlier";
    const { client } = fakeClient([earlier]);
    const out = await history(client).create(owner, candidate({ v: 1 }), 0);
    assert.equal(out.collisionCount, 0);
    assert.equal(out.revision.metadata.uid, "earlier");
  });

  it("counts a collision when the name holds other data, and names the revision again", async () => {
    const taken: ControllerRevision = {
      metadata: { name: `web-${hashControllerRevision({ v: 1 }, 0)}`, namespace: "default" },
      data: { something: "else" },
      revision: 9,
    };
    const { client } = fakeClient([taken]);
    const out = await history(client).create(owner, candidate({ v: 1 }), 0);
    assert.equal(out.collisionCount, 1);
    assert.equal(out.revision.metadata.name, `web-${hashControllerRevision({ v: 1 }, 1)}`);
    assert.equal(
      out.revision.metadata.labels?.["controller.kubernetes.io/hash"],
      hashControllerRevision({ v: 1 }, 1),
    );
  });
});
