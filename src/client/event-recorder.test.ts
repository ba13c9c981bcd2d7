import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startCluster, type TestCluster } from "../../test/harness.js";
import type { Event } from "../api/core/v1/event.js";
import type { KubeObject } from "../api/meta/types.js";
import { KubeClient } from "./client.js";
import { COMBINED_PREFIX } from "./event-correlator.js";
import { EventRecorder, referenceOf } from "./event-recorder.js";
import { resources } from "./resource.js";

describe("EventRecorder against an in-process API server", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  let pod: KubeObject;

  before(async () => {
    cluster = await startCluster();
    client = new KubeClient(cluster.url);
    pod = await client.create(resources.pods, {
      metadata: { name: "web", namespace: "default" },
      spec: { containers: [{ name: "c", image: "nginx" }] },
    });
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  async function eventsOf(name: string): Promise<Event[]> {
    const list = await client.list<Event>(resources.events, {
      namespace: "default",
      fieldSelector: `involvedObject.name=${name}`,
    });
    return list.items;
  }

  it("writes an event as kubectl describe shows it, and aggregates repeats into its count", async () => {
    const recorder = new EventRecorder(client, { component: "default-scheduler" });
    for (let i = 0; i < 3; i++)
      recorder.event(pod, "Warning", "FailedScheduling", "0/3 nodes are available");
    await recorder.flush();
    const events = await eventsOf("web");
    assert.equal(events.length, 1);
    const [e] = events;
    assert.equal(e?.count, 3);
    assert.equal(e?.type, "Warning");
    assert.equal(e?.reason, "FailedScheduling");
    assert.equal(e?.source?.component, "default-scheduler");
    assert.deepEqual(
      { kind: e?.involvedObject.kind, name: e?.involvedObject.name, uid: e?.involvedObject.uid },
      { kind: "Pod", name: "web", uid: pod.metadata.uid },
    );
    assert.match(e?.firstTimestamp ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(e?.metadata.name?.startsWith("web."));
  });

  it("combines many similar messages into one event", async () => {
    const recorder = new EventRecorder(client, { component: "kubelet", host: "node-1" });
    for (let i = 0; i < 14; i++) recorder.event(pod, "Normal", "Pulling", `Pulling image ${i}`);
    await recorder.stop();
    const events = (await eventsOf("web")).filter((e) => e.reason === "Pulling");
    const combined = events.filter((e) => e.message?.startsWith(COMBINED_PREFIX));
    assert.equal(events.length - combined.length, 9);
    assert.equal(combined.length, 1);
    assert.equal(combined[0]?.count, 5);
    assert.equal(combined[0]?.source?.host, "node-1");
  });

  it("puts events about cluster-scoped objects in the default namespace", async () => {
    const recorder = new EventRecorder(client, { component: "node-controller" });
    recorder.event(
      { kind: "Node", apiVersion: "v1", name: "node-9" },
      "Normal",
      "RegisteredNode",
      "Registered",
    );
    await recorder.flush();
    const [e] = await eventsOf("node-9");
    assert.equal(e?.metadata.namespace, "default");
    assert.equal(e?.involvedObject.namespace, undefined);
  });

  it("re-creates the event when a repeat finds it deleted", async () => {
    const recorder = new EventRecorder(client, { component: "gc" });
    recorder.event(pod, "Normal", "Gone", "once");
    await recorder.flush();
    const [first] = (await eventsOf("web")).filter((e) => e.reason === "Gone");
    await client.delete(resources.events, first!.metadata.name!, { namespace: "default" });
    recorder.event(pod, "Normal", "Gone", "once");
    await recorder.flush();
    const again = (await eventsOf("web")).filter((e) => e.reason === "Gone");
    assert.equal(again.length, 1);
    assert.equal(again[0]?.count, 2);
  });

  it("never throws to the caller: failed writes go to onError after the retries", async () => {
    const dead = new KubeClient("http://127.0.0.1:1");
    const failures: string[] = [];
    const recorder = new EventRecorder(dead, {
      component: "x",
      retry: { tries: 2, intervalMs: 1 },
      maxQueued: 1,
      onError: (err, e) => failures.push(`${e.reason}: ${(err as Error).message.split(":")[0]}`),
    });
    recorder.event(pod, "Normal", "First", "m");
    recorder.event(pod, "Normal", "Second", "m");
    // The first is being written and the second waits: the queue of one is full.
    recorder.event(pod, "Normal", "Third", "m");
    await recorder.stop();
    recorder.event(pod, "Normal", "AfterStop", "m");
    await recorder.flush();
    dead.close();
    assert.deepEqual(failures.sort(), [
      "First: Cannot POST http",
      "Second: Cannot POST http",
      "Third: Cannot record event",
    ]);
  });

  it("referenceOf() takes the fields an event reference needs", () => {
    assert.deepEqual(
      referenceOf({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "d", namespace: "n", uid: "u", resourceVersion: "7" },
      }),
      {
        kind: "Deployment",
        namespace: "n",
        name: "d",
        uid: "u",
        apiVersion: "apps/v1",
        resourceVersion: "7",
      },
    );
  });
});
