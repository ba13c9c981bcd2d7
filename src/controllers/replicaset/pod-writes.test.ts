import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../api/core/v1/pod.js";
import { StatusError, type StatusReason } from "../../api/errors.js";
import { ApiError } from "../../client/api-error.js";
import type { KubeClient } from "../../client/client.js";
import type { EventRecorder } from "../../client/event-recorder.js";
import { ControllerExpectations } from "./expectations.js";
import { deletePods } from "./pod-writes.js";

const apiError = (code: number, reason: StatusReason) =>
  new ApiError(new StatusError(code, reason, `${reason} happened`).status);

const pod = (name: string): Pod => ({ metadata: { name, namespace: "ns" } });

describe("deletePods()", () => {
  it("deletes in parallel, records an event each, and observes failed deletions at once", async () => {
    const failures: Record<string, ApiError> = {
      gone: apiError(404, "NotFound"),
      stuck: apiError(500, "InternalError"),
    };
    const client = {
      delete: async (_res: unknown, name: string) => {
        const err = failures[name];
        if (err) throw err;
        return {};
      },
    } as unknown as KubeClient;
    const events: string[] = [];
    const recorder = {
      event: (_obj: unknown, type: string, reason: string, message: string) =>
        events.push(`${type} ${reason} ${message}`),
    } as unknown as EventRecorder;
    const expectations = new ControllerExpectations();
    const key = "ns/rs";
    expectations.expectDeletions(key, ["ns/ok", "ns/gone", "ns/stuck"]);

    const err = await deletePods(
      { client, recorder, expectations, key, owner: { metadata: { name: "rs" } } },
      [pod("ok"), pod("gone"), pod("stuck")],
    );

    assert.match(String(err), /InternalError happened/);
    assert.deepEqual(events.sort(), [
      "Normal SuccessfulDelete Deleted pod: ok",
      "Warning FailedDelete Error deleting: InternalError happened",
    ]);
    assert.equal(expectations.satisfied(key), false, "the successful deletion is still awaited");
    expectations.deletionObserved(key, "ns/ok");
    assert.equal(expectations.satisfied(key), true);
  });
});
