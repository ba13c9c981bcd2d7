/**
 * End to end: the StatefulSet controller with the scheduler and two simulated nodes, driven with
 * the real kubectl. The simulated nodes move pods to Running and Ready, so ordered creation, scale
 * down, rolling updates and rollbacks go as on a real cluster. Pod order is read from a watch.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Pod } from "../../src/api/core/v1/pod.js";
import { KubeClient } from "../../src/client/client.js";
import { resources } from "../../src/client/resource.js";
import { api, eventually, startCluster, type TestCluster } from "../harness.js";

const NS = "default";

/** A StatefulSet manifest; `extra` is merged into the spec. */
function statefulSet(name: string, replicas: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name },
    spec: {
      serviceName: name,
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "c", image: "registry.local/app:v1" }] },
      },
      ...extra,
    },
  });
}

const isReady = (pod: Pod): boolean =>
  pod.status?.phase === "Running" &&
  (pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false);

/** What a watch of one set's pods saw, in order. */
interface PodLog {
  events: { type: string; name: string; ready: boolean; terminating: boolean }[];
  /** For each pod added, whether every lower ordinal was Running and Ready at that moment. */
  addedAfterPredecessorsReady: Map<string, boolean>;
  stop(): void;
}

describe("StatefulSet controller (kubectl, simulated nodes)", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const getJson = async (args: string[]): Promise<any> =>
    JSON.parse(await ok(["get", ...args, "-o", "json"]));
  const pods = async (app: string): Promise<Pod[]> => {
    const r = await api(cluster.url, `/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${app}`);
    return r.body.items as Pod[];
  };
  const livePods = async (app: string): Promise<Pod[]> =>
    (await pods(app)).filter((p) => !p.metadata.deletionTimestamp);

  /** Follows the pods of `app`, noting for each new pod whether its predecessors were ready. */
  const watchPods = (app: string): PodLog => {
    const latest = new Map<string, Pod>();
    const log: PodLog = {
      events: [],
      addedAfterPredecessorsReady: new Map(),
      stop: () => stream.stop(),
    };
    const stream = client.watch<Pod>(resources.pods, {
      namespace: NS,
      labelSelector: `app=${app}`,
    });
    void (async () => {
      for await (const event of stream) {
        if (event.type !== "ADDED" && event.type !== "MODIFIED" && event.type !== "DELETED") {
          continue;
        }
        const pod = event.object;
        const name = pod.metadata.name ?? "";
        if (event.type === "ADDED") {
          const ordinal = Number(name.slice(name.lastIndexOf("-") + 1));
          let ready = true;
          for (let i = 0; i < ordinal; i++) {
            const before = latest.get(`${app}-${i}`);
            if (!before || !isReady(before) || before.metadata.deletionTimestamp) ready = false;
          }
          log.addedAfterPredecessorsReady.set(name, ready);
        }
        if (event.type === "DELETED") latest.delete(name);
        else latest.set(name, pod);
        log.events.push({
          type: event.type,
          name,
          ready: isReady(pod),
          terminating: !!pod.metadata.deletionTimestamp,
        });
      }
    })().catch(() => {
      // The stream ends when the test stops it or the server closes.
    });
    return log;
  };

  const waitForStatus = async (
    name: string,
    check: (sts: any) => boolean,
    what: string,
  ): Promise<any> => {
    let last: any;
    await eventually(
      async () => {
        last = await getJson(["statefulset", name]);
        return check(last);
      },
      30_000,
      `${what} (last status ${JSON.stringify(last?.status)})`,
    );
    return last;
  };

  before(async () => {
    cluster = await startCluster({ controllers: true, scheduler: true, simulatedNodes: 2 });
    client = new KubeClient(cluster.url);
    await eventually(() => cluster.controllers?.isLeader() ?? false, 10_000, "leadership");
  });
  after(async () => {
    client.close();
    await cluster.close();
  });

  it("OrderedReady creates pods one at a time in ordinal order, each after its predecessors are ready", async () => {
    const log = watchPods("web");
    await ok(["apply", "-f", "-"], statefulSet("web", 3));
    const sts = await waitForStatus(
      "web",
      (s) => s.status?.readyReplicas === 3 && s.status.availableReplicas === 3,
      "3 ready replicas",
    );
    log.stop();

    const added = log.events.filter((e) => e.type === "ADDED").map((e) => e.name);
    assert.deepEqual(added, ["web-0", "web-1", "web-2"]);
    for (const name of added) {
      assert.equal(log.addedAfterPredecessorsReady.get(name), true, `${name} waited`);
    }

    const revision = sts.status.updateRevision;
    assert.match(revision, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(sts.status.currentRevision, revision);
    assert.equal(sts.status.currentReplicas, 3);
    assert.equal(sts.status.updatedReplicas, 3);
    assert.equal(sts.status.observedGeneration, sts.metadata.generation);
    assert.equal(sts.status.collisionCount, 0);
    for (const pod of await livePods("web")) {
      const name = pod.metadata.name ?? "";
      const labels = pod.metadata.labels ?? {};
      assert.equal(labels["statefulset.kubernetes.io/pod-name"], name);
      assert.equal(labels["apps.kubernetes.io/pod-index"], name.slice(4));
      assert.equal(labels["controller-revision-hash"], revision);
      assert.equal(pod.spec?.hostname, name);
      assert.equal(pod.spec?.subdomain, "web");
      const ref = pod.metadata.ownerReferences?.[0];
      assert.equal(ref?.kind, "StatefulSet");
      assert.equal(ref?.uid, sts.metadata.uid);
      assert.equal(ref?.controller, true);
    }

    const revisions = await getJson(["controllerrevisions", "-l", "app=web"]);
    assert.equal(revisions.items.length, 1);
    assert.equal(revisions.items[0].metadata.name, revision);
    assert.equal(revisions.items[0].revision, 1);
    assert.equal(revisions.items[0].metadata.ownerReferences[0].uid, sts.metadata.uid);

    await eventually(
      async () => {
        const r = await cluster.kubectl([
          "get",
          "events",
          "--field-selector=involvedObject.name=web,reason=SuccessfulCreate",
        ]);
        return ["web-0", "web-1", "web-2"].every((p) => r.stdout.includes(`Pod ${p} `));
      },
      10_000,
      "SuccessfulCreate events naming each pod",
    );
    const described = await ok(["describe", "statefulset", "web"]);
    assert.match(described, /Pods Status:\s+3 Running/);
    assert.match(described, /SuccessfulCreate/);
  });

  it("scales down from the highest ordinal, one pod at a time", async () => {
    const log = watchPods("web");
    await ok(["scale", "statefulset", "web", "--replicas=1"]);
    await waitForStatus(
      "web",
      (s) => s.status?.replicas === 1 && s.status.readyReplicas === 1,
      "1 replica",
    );
    await eventually(async () => (await pods("web")).length === 1, 15_000, "one pod left");
    log.stop();
    const terminating = log.events.filter((e) => e.terminating || e.type === "DELETED");
    const first = (name: string): number => terminating.findIndex((e) => e.name === name);
    const lastOf = (name: string): number => {
      let index = -1;
      terminating.forEach((e, i) => {
        if (e.name === name) index = i;
      });
      return index;
    };
    assert.ok(first("web-2") >= 0 && first("web-1") >= 0, JSON.stringify(log.events));
    // web-1 starts terminating only once web-2 is gone.
    assert.ok(lastOf("web-2") < first("web-1"), JSON.stringify(terminating));
    assert.equal((await livePods("web"))[0]?.metadata.name, "web-0");
  });

  it("recreates a deleted pod under the same name", async () => {
    const [before] = await livePods("web");
    await ok(["delete", "pod", "web-0", "--wait=false"]);
    await eventually(
      async () => {
        const [pod] = await livePods("web");
        return !!pod && pod.metadata.uid !== before?.metadata.uid && isReady(pod);
      },
      30_000,
      "a new web-0",
    );
    assert.equal((await livePods("web"))[0]?.metadata.name, "web-0");
  });

  it("replaces a pod that failed", async () => {
    const [before] = await livePods("web");
    assert.ok(before);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const failed = {
      ...before,
      status: {
        ...before.status,
        phase: "Failed",
        conditions: [{ type: "Ready", status: "False", lastTransitionTime: now }],
      },
    };
    const r = await api(cluster.url, `/api/v1/namespaces/${NS}/pods/web-0/status`, {
      method: "PUT",
      body: JSON.stringify(failed),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await eventually(
      async () => {
        const [pod] = await livePods("web");
        return !!pod && pod.metadata.uid !== before.metadata.uid && isReady(pod);
      },
      30_000,
      "a new web-0 in place of the failed one",
    );
  });

  it("adopts a matching orphan pod and fixes its identity", async () => {
    const orphan = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "adopt-1", labels: { app: "adopt" } },
      spec: { containers: [{ name: "c", image: "registry.local/app:v1" }] },
    };
    await ok(["apply", "-f", "-"], JSON.stringify(orphan));
    const uid = (await getJson(["pod", "adopt-1"])).metadata.uid;
    const log = watchPods("adopt");
    const seen: Pod[] = [];
    const stream = client.watch<Pod>(resources.pods, {
      namespace: NS,
      fieldSelector: "metadata.name=adopt-1",
    });
    void (async () => {
      for await (const event of stream) {
        if (event.type === "ADDED" || event.type === "MODIFIED") seen.push(event.object);
      }
    })().catch(() => {
      // Stopped below.
    });
    await ok(["apply", "-f", "-"], statefulSet("adopt", 2));
    const sts = await waitForStatus(
      "adopt",
      (s) => s.status?.readyReplicas === 2 && s.status.updatedReplicas === 2,
      "2 ready, updated replicas",
    );
    stream.stop();
    log.stop();
    const adopted = seen.find(
      (p) =>
        p.metadata.uid === uid &&
        p.metadata.ownerReferences?.some((o) => o.uid === sts.metadata.uid && o.controller),
    );
    assert.ok(adopted, "the orphan was adopted before anything else happened to it");
    assert.ok(
      seen.some(
        (p) =>
          p.metadata.uid === uid &&
          p.metadata.labels?.["statefulset.kubernetes.io/pod-name"] === "adopt-1" &&
          p.metadata.labels["apps.kubernetes.io/pod-index"] === "1",
      ),
      "its identity labels were added",
    );
    // It had no revision, so the rolling update replaced it with a pod of the set's revision.
    const now = await getJson(["pod", "adopt-1"]);
    assert.equal(now.metadata.labels["controller-revision-hash"], sts.status.updateRevision);
    await ok(["delete", "statefulset", "adopt"]);
  });

  it("OnDelete keeps old pods until they are deleted", async () => {
    await ok(["apply", "-f", "-"], statefulSet("ond", 2, { updateStrategy: { type: "OnDelete" } }));
    const first = await waitForStatus("ond", (s) => s.status?.readyReplicas === 2, "2 ready");
    const rev1 = first.status.updateRevision;
    await ok(["set", "image", "statefulset/ond", "c=registry.local/app:v2"]);
    const next = await waitForStatus(
      "ond",
      (s) =>
        s.status?.updateRevision !== rev1 && s.status.observedGeneration === s.metadata.generation,
      "a new update revision",
    );
    assert.equal(next.status.currentRevision, rev1);
    assert.equal(next.status.updatedReplicas, 0);
    for (const pod of await livePods("ond")) {
      assert.equal(pod.metadata.labels?.["controller-revision-hash"], rev1);
    }
    await ok(["delete", "pod", "ond-1", "--wait=false"]);
    await waitForStatus(
      "ond",
      (s) => s.status?.updatedReplicas === 1 && s.status.readyReplicas === 2,
      "ond-1 recreated at the new revision",
    );
    const pods = new Map((await livePods("ond")).map((p) => [p.metadata.name, p]));
    assert.equal(pods.get("ond-1")?.spec?.containers?.[0]?.image, "registry.local/app:v2");
    assert.equal(pods.get("ond-0")?.spec?.containers?.[0]?.image, "registry.local/app:v1");
    await ok(["delete", "statefulset", "ond"]);
  });

  it("Parallel creates every pod without waiting for readiness", async () => {
    // No node has this label, so the pods stay Pending: only Parallel creates more than one.
    const unschedulable = {
      template: {
        metadata: { labels: { app: "par" } },
        spec: {
          nodeSelector: { "kates.dev/no-such-node": "x" },
          containers: [{ name: "c", image: "registry.local/app:v1" }],
        },
      },
    };
    await ok(
      ["apply", "-f", "-"],
      statefulSet("par", 3, { podManagementPolicy: "Parallel", ...unschedulable }),
    );
    await ok(
      ["apply", "-f", "-"],
      statefulSet("ord", 3, {
        ...unschedulable,
        selector: { matchLabels: { app: "ord" } },
        template: { ...unschedulable.template, metadata: { labels: { app: "ord" } } },
      }),
    );
    await eventually(async () => (await pods("par")).length === 3, 15_000, "3 par pods");
    await waitForStatus("ord", (s) => s.status?.replicas === 1, "ord status");
    const ord = await pods("ord");
    assert.deepEqual(
      ord.map((p) => p.metadata.name),
      ["ord-0"],
      "OrderedReady waits for ord-0",
    );
    await ok(["delete", "statefulset", "par", "ord"]);
  });

  it("creates claims from volumeClaimTemplates and applies the retention policy", async () => {
    await ok(
      ["apply", "-f", "-"],
      statefulSet("db", 2, {
        podManagementPolicy: "Parallel",
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Delete" },
        volumeClaimTemplates: [
          {
            metadata: { name: "data", labels: { tier: "storage" } },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: "kates-test-unprovisioned",
              resources: { requests: { storage: "1Gi" } },
            },
          },
        ],
      }),
    );
    const sts = await getJson(["statefulset", "db"]);
    await eventually(async () => (await pods("db")).length === 2, 15_000, "2 db pods");
    const claimNames = ["data-db-0", "data-db-1"];
    for (const name of claimNames) {
      const claim = await getJson(["pvc", name]);
      assert.equal(claim.status.phase, "Pending");
      assert.equal(claim.metadata.labels.app, "db");
      assert.equal(claim.metadata.labels.tier, "storage");
      assert.equal(claim.spec.storageClassName, "kates-test-unprovisioned");
      const ref = claim.metadata.ownerReferences?.[0];
      assert.equal(ref?.kind, "StatefulSet", `${name} is owned by the set`);
      assert.equal(ref?.uid, sts.metadata.uid);
    }
    for (const pod of await pods("db")) {
      const volume = pod.spec?.volumes?.find((v) => v.name === "data");
      assert.equal(volume?.persistentVolumeClaim?.claimName, `data-${pod.metadata.name ?? ""}`);
    }

    await ok(["scale", "statefulset", "db", "--replicas=1"]);
    await eventually(
      async () => (await cluster.kubectl(["get", "pvc", "data-db-1"])).code !== 0,
      30_000,
      "the claim of the scaled-away pod deleted",
    );
    await getJson(["pvc", "data-db-0"]);

    await ok(["delete", "statefulset", "db"]);
    await eventually(
      async () => (await cluster.kubectl(["get", "pvc", "data-db-0"])).code !== 0,
      30_000,
      "the claims deleted with the set",
    );
  });

  it("binds each pod's claims to a volume the local-path provisioner makes on the pod's node", async () => {
    await ok(
      ["apply", "-f", "-"],
      statefulSet("store", 2, {
        volumeClaimTemplates: [
          {
            metadata: { name: "www" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        ],
      }),
    );
    await eventually(
      async () => (await livePods("store")).filter(isReady).length === 2,
      60_000,
      "both pods Running and Ready",
    );
    for (const ordinal of [0, 1]) {
      const claim = await getJson(["pvc", `www-store-${ordinal}`]);
      assert.equal(claim.status.phase, "Bound");
      assert.equal(claim.spec.storageClassName, "standard", "the default class is given");
      const pod = await getJson(["pod", `store-${ordinal}`]);
      assert.equal(
        claim.metadata.annotations["volume.kubernetes.io/selected-node"],
        pod.spec.nodeName,
      );
      const pv = await getJson(["pv", claim.spec.volumeName]);
      assert.equal(pv.status.phase, "Bound");
      assert.equal(pv.spec.claimRef.name, `www-store-${ordinal}`);
      assert.equal(pv.spec.capacity.storage, "1Gi");
      const terms = pv.spec.nodeAffinity.required.nodeSelectorTerms;
      assert.deepEqual(terms[0].matchExpressions[0].values, [pod.spec.nodeName]);
    }
    const table = await ok(["get", "pvc", "-l", "app=store"]);
    assert.match(table, /^www-store-0\s+Bound\s+pvc-/m);
    assert.match(table, /^www-store-1\s+Bound\s+pvc-/m);

    // The default retention keeps the claims, and their volumes, when the set goes.
    await ok(["delete", "statefulset", "store"]);
    await eventually(async () => (await livePods("store")).length === 0, 30_000, "pods gone");
    assert.equal((await getJson(["pvc", "www-store-0"])).status.phase, "Bound");
  });

  it("keeps revisionHistoryLimit old revisions, and rolls out kubectl rollout restart", async () => {
    await ok(["apply", "-f", "-"], statefulSet("hist", 1, { revisionHistoryLimit: 1 }));
    let sts = await waitForStatus("hist", (s) => s.status?.readyReplicas === 1, "1 ready");
    const seen = [sts.status.updateRevision];
    const change = async (args: string[]): Promise<void> => {
      await ok(args);
      sts = await waitForStatus(
        "hist",
        (s) =>
          !seen.includes(s.status?.updateRevision) &&
          s.status.currentRevision === s.status.updateRevision &&
          s.status.readyReplicas === 1,
        `a rollout after ${args.join(" ")}`,
      );
      seen.push(sts.status.updateRevision);
    };
    await change(["set", "image", "statefulset/hist", "c=registry.local/app:v2"]);
    await change(["set", "image", "statefulset/hist", "c=registry.local/app:v3"]);
    await change(["rollout", "restart", "statefulset/hist"]);
    const pod = await getJson(["pod", "hist-0"]);
    assert.ok(pod.metadata.annotations?.["kubectl.kubernetes.io/restartedAt"], "restarted pod");
    let names: string[] = [];
    await eventually(
      async () => {
        const revisions = await getJson(["controllerrevisions", "-l", "app=hist"]);
        names = revisions.items.map((r: any) => r.metadata.name).sort();
        return names.length === 2;
      },
      15_000,
      "the live revision and one old one",
    );
    assert.deepEqual(names, [seen[2], seen[3]].sort());
    await ok(["delete", "statefulset", "hist"]);
  });

  it("counts a collision when the revision's name holds other data", async () => {
    await ok(["apply", "-f", "-"], statefulSet("coll", 0));
    const first = await waitForStatus("coll", (s) => !!s.status?.updateRevision, "a revision");
    const taken = first.status.updateRevision;
    await ok(["delete", "statefulset", "coll"]);
    await eventually(
      async () => (await cluster.kubectl(["get", "controllerrevision", taken])).code !== 0,
      30_000,
      "the revision garbage-collected",
    );
    const squatter = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: { name: taken, labels: { app: "someone-else" } },
      data: { unrelated: true },
      revision: 1,
    };
    await ok(["apply", "-f", "-"], JSON.stringify(squatter));
    await ok(["apply", "-f", "-"], statefulSet("coll", 0));
    const second = await waitForStatus(
      "coll",
      (s) => s.status?.collisionCount === 1 && !!s.status.updateRevision,
      "collisionCount 1",
    );
    assert.notEqual(second.status.updateRevision, taken);
    assert.match(second.status.updateRevision, /^coll-/);
    const squatted = await getJson(["controllerrevision", taken]);
    assert.deepEqual(squatted.data, { unrelated: true }, "the other revision is left alone");
    await ok(["delete", "statefulset", "coll"]);
    await ok(["delete", "controllerrevision", taken]);
  });

  it("rolls out with a partition from the highest ordinal, and rolls back with rollout undo", async () => {
    await ok(["apply", "-f", "-"], statefulSet("roll", 3));
    const first = await waitForStatus("roll", (s) => s.status?.readyReplicas === 3, "3 ready");
    const rev1 = first.status.updateRevision;
    assert.match(
      await ok(["rollout", "status", "statefulset/roll", "--timeout=60s"]),
      /roll out complete/,
    );

    await ok([
      "patch",
      "statefulset",
      "roll",
      "--type=merge",
      "-p",
      '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}',
    ]);
    const log = watchPods("roll");
    await ok(["set", "image", "statefulset/roll", "c=registry.local/app:v2"]);
    const partial = await waitForStatus(
      "roll",
      (s) =>
        s.status?.updatedReplicas === 1 &&
        s.status.readyReplicas === 3 &&
        s.status.updateRevision !== rev1,
      "one updated pod",
    );
    const rev2 = partial.status.updateRevision;
    assert.equal(partial.status.currentRevision, rev1, "below the partition stays current");
    const byName = new Map((await livePods("roll")).map((p) => [p.metadata.name, p]));
    assert.equal(byName.get("roll-2")?.metadata.labels?.["controller-revision-hash"], rev2);
    assert.equal(byName.get("roll-2")?.spec?.containers?.[0]?.image, "registry.local/app:v2");
    assert.equal(byName.get("roll-1")?.metadata.labels?.["controller-revision-hash"], rev1);
    assert.equal(byName.get("roll-0")?.metadata.labels?.["controller-revision-hash"], rev1);
    assert.match(
      await ok(["rollout", "status", "statefulset/roll", "--timeout=60s"]),
      /partitioned roll out complete: 1 new pods have been updated/,
    );

    await ok([
      "patch",
      "statefulset",
      "roll",
      "--type=merge",
      "-p",
      '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}',
    ]);
    const done = await waitForStatus(
      "roll",
      (s) =>
        s.status?.currentRevision === rev2 &&
        s.status.updatedReplicas === 3 &&
        s.status.readyReplicas === 3,
      "every pod updated",
    );
    assert.equal(done.status.currentReplicas, 3);
    log.stop();
    const deletions = log.events
      .filter((e) => e.terminating || e.type === "DELETED")
      .map((e) => e.name)
      .filter((name, i, all) => all.indexOf(name) === i);
    assert.deepEqual(
      deletions,
      ["roll-2", "roll-1", "roll-0"],
      "replaced from the highest ordinal",
    );

    const history = await ok(["rollout", "history", "statefulset/roll"]);
    assert.match(history, /REVISION/);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);
    assert.match(
      await ok(["rollout", "history", "statefulset/roll", "--revision=1"]),
      /registry\.local\/app:v1/,
    );

    assert.match(await ok(["rollout", "undo", "statefulset/roll"]), /rolled back/);
    const undone = await waitForStatus(
      "roll",
      (s) =>
        s.status?.currentRevision === rev1 &&
        s.status.updatedReplicas === 3 &&
        s.status.readyReplicas === 3,
      "rolled back to the first revision",
    );
    assert.equal(undone.spec.template.spec.containers[0].image, "registry.local/app:v1");
    for (const pod of await livePods("roll")) {
      assert.equal(pod.metadata.labels?.["controller-revision-hash"], rev1);
      assert.equal(pod.spec?.containers?.[0]?.image, "registry.local/app:v1");
    }
    const revisions = await getJson(["controllerrevisions", "-l", "app=roll"]);
    const numbers = new Map(revisions.items.map((r: any) => [r.metadata.name, r.revision]));
    assert.equal(numbers.size, 2, "the rollback reuses the first revision");
    assert.equal(numbers.get(rev1), 3, "renumbered as the newest");
    assert.equal(numbers.get(rev2), 2);
    assert.match(
      await ok(["rollout", "undo", "statefulset/roll", "--to-revision=3"]),
      /skipped rollback \(current template already matches revision 3\)/,
    );
  });
});
