import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PersistentVolume } from "../api/core/v1/persistent-volume.js";
import type { PersistentVolumeClaim } from "../api/core/v1/persistent-volume-claim.js";
import type { Pod } from "../api/core/v1/pod.js";
import { claim, volume } from "../api/core/v1/volume-fixtures.js";
import type { StorageClass } from "../api/storage/v1/storage-class.js";
import type { KubeClient } from "../client/client.js";
import { makeNode, makePod } from "./fixtures.js";
import { DEFAULT_FILTERS, Scheduler } from "./framework.js";
import {
  volumeBindingFilter,
  withVolumeBinding,
  type VolumeListers,
} from "./plugins/volume-binding.js";
import { Snapshot } from "./snapshot.js";
import { PodVolumeBinder, PreBindError } from "./volume-binder.js";

const local: StorageClass = {
  metadata: { name: "local" },
  provisioner: "kates.dev/local-path",
  volumeBindingMode: "WaitForFirstConsumer",
};
const manual: StorageClass = {
  metadata: { name: "manual" },
  provisioner: "kubernetes.io/no-provisioner",
  volumeBindingMode: "WaitForFirstConsumer",
};
const zoned: StorageClass = {
  ...local,
  metadata: { name: "zoned" },
  allowedTopologies: [{ matchLabelExpressions: [{ key: "zone", values: ["a"] }] }],
};
const immediate: StorageClass = {
  metadata: { name: "fast" },
  provisioner: "example.com/x",
  volumeBindingMode: "Immediate",
};

function listers(claims: PersistentVolumeClaim[], volumes: PersistentVolume[]): VolumeListers {
  const classes = [local, manual, zoned, immediate];
  return {
    claim: (ns, name) =>
      claims.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    volume: (name) => volumes.find((v) => v.metadata.name === name),
    volumes: () => volumes,
    storageClass: (name) => classes.find((c) => c.metadata.name === name),
  };
}

const onHost = (host: string) => ({
  nodeAffinity: {
    required: {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [host] }] },
      ],
    },
  },
});

function podUsing(...claimNames: string[]): Pod {
  return makePod("p", {
    spec: {
      volumes: claimNames.map((c, i) => ({
        name: `v${i}`,
        persistentVolumeClaim: { claimName: c },
      })),
    },
  });
}

/** The FailedScheduling message for the pod over nodes a (zone a) and b (zone b), or the chosen node. */
function schedule(pod: Pod, l: VolumeListers): string {
  const snapshot = new Snapshot();
  snapshot.upsertNode(makeNode("a", { labels: { zone: "a" } }));
  snapshot.upsertNode(makeNode("b", { labels: { zone: "b" } }));
  const scheduler = new Scheduler({
    filters: withVolumeBinding(DEFAULT_FILTERS, volumeBindingFilter(l)),
  });
  const result = scheduler.schedule(pod, snapshot);
  return "node" in result ? `node ${result.node}` : result.unschedulable.message();
}

describe("VolumeBinding filter", () => {
  const cases: {
    name: string;
    pod: Pod;
    claims: PersistentVolumeClaim[];
    volumes?: PersistentVolume[];
    want: string;
  }[] = [
    {
      name: "a pod without claims goes anywhere",
      pod: makePod("p"),
      claims: [],
      want: "any",
    },
    {
      name: "a missing claim rejects every node",
      pod: podUsing("nope"),
      claims: [],
      want: '0/2 nodes are available: persistentvolumeclaim "nope" not found.',
    },
    {
      name: "a claim being deleted rejects every node",
      pod: podUsing("c"),
      claims: [
        {
          ...claim("c"),
          metadata: { ...claim("c").metadata, deletionTimestamp: "2026-01-01T00:00:00Z" },
        },
      ],
      want: '0/2 nodes are available: persistentvolumeclaim "c" is being deleted.',
    },
    {
      name: "an unbound claim of an Immediate class rejects every node",
      pod: podUsing("c"),
      claims: [claim("c", { storageClassName: "fast" })],
      want: "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.",
    },
    {
      name: "an unbound claim without a class counts as Immediate",
      pod: podUsing("c"),
      claims: [claim("c")],
      want: "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.",
    },
    {
      name: "a bound volume's node affinity picks the node",
      pod: podUsing("c"),
      claims: [claim("c", { volumeName: "v" })],
      volumes: [volume("v", onHost("b"))],
      want: "node b",
    },
    {
      name: "a bound volume reachable from no node",
      pod: podUsing("c"),
      claims: [claim("c", { volumeName: "v" })],
      volumes: [volume("v", onHost("elsewhere"))],
      want: "0/2 nodes are available: 2 node(s) had volume node affinity conflict.",
    },
    {
      name: "a claim bound to a volume that does not exist",
      pod: podUsing("c"),
      claims: [claim("c", { volumeName: "gone" })],
      want: "0/2 nodes are available: 2 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s).",
    },
    {
      name: "a waiting claim of a provisioning class fits every node",
      pod: podUsing("c"),
      claims: [claim("c", { storageClassName: "local" })],
      want: "any",
    },
    {
      name: "a waiting claim of a no-provisioner class goes where a volume for it is",
      pod: podUsing("c"),
      claims: [claim("c", { storageClassName: "manual" })],
      volumes: [volume("v", { storageClassName: "manual", ...onHost("a") })],
      want: "node a",
    },
    {
      name: "a waiting claim of a no-provisioner class with no volume anywhere",
      pod: podUsing("c"),
      claims: [claim("c", { storageClassName: "manual" })],
      volumes: [volume("v", { storageClassName: "manual", capacity: { storage: "1Mi" } })],
      want: "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind.",
    },
    {
      name: "two waiting claims cannot share one volume",
      pod: podUsing("c1", "c2"),
      claims: [
        claim("c1", { storageClassName: "manual" }),
        claim("c2", { storageClassName: "manual" }),
      ],
      volumes: [
        volume("v1", { storageClassName: "manual", ...onHost("a") }),
        volume("v2", { storageClassName: "manual", ...onHost("b") }),
      ],
      want: "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind.",
    },
    {
      name: "a class's allowedTopologies limit where it provisions",
      pod: podUsing("c"),
      claims: [claim("c", { storageClassName: "zoned" })],
      want: "node a",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = schedule(c.pod, listers(c.claims, c.volumes ?? []));
      if (c.want === "any") assert.match(got, /^node [ab]$/);
      else assert.equal(got, c.want);
    });
  }

  it("an ephemeral volume's claim must exist and belong to the pod", () => {
    const pod = makePod("p", {
      spec: { volumes: [{ name: "tmp", ephemeral: { volumeClaimTemplate: {} } }] },
    });
    assert.equal(
      schedule(pod, listers([], [])),
      '0/2 nodes are available: waiting for ephemeral volume controller to create the persistentvolumeclaim "p-tmp".',
    );
    assert.equal(
      schedule(pod, listers([claim("p-tmp", { storageClassName: "local" })], [])),
      "0/2 nodes are available: PVC default/p-tmp was not created for pod default/p (pod is not owner).",
    );
    const owned = claim("p-tmp", { storageClassName: "local" });
    owned.metadata.ownerReferences = [
      { apiVersion: "v1", kind: "Pod", name: "p", uid: pod.metadata.uid ?? "", controller: true },
    ];
    assert.match(schedule(pod, listers([owned], [])), /^node [ab]$/);
  });
});

describe("PodVolumeBinder", () => {
  function fakeClient(onPatch: (name: string, body: unknown) => void): KubeClient {
    return {
      patch: (_res: unknown, name: string, body: unknown) => {
        onPatch(name, body);
        return Promise.resolve({ metadata: { name, resourceVersion: "100" } });
      },
    } as unknown as KubeClient;
  }

  it("annotates waiting claims with the node, then waits until they are bound", async () => {
    const claims = [
      claim("c", { storageClassName: "local" }),
      claim("bound", { volumeName: "old" }),
    ];
    const volumes = [volume("old")];
    const patched: [string, unknown][] = [];
    const binder = new PodVolumeBinder({
      client: fakeClient((name, body) => {
        patched.push([name, body]);
        // The binder answers: the claim is annotated, then bound to a volume on the node.
        const c = claims[0]!;
        c.metadata.annotations = { "volume.kubernetes.io/selected-node": "a" };
        setTimeout(() => {
          volumes.push(volume("pvc-c", onHost("a")));
          claims[0] = claim(
            "c",
            { storageClassName: "local", volumeName: "pvc-c" },
            { "volume.kubernetes.io/selected-node": "a", "pv.kubernetes.io/bind-completed": "yes" },
          );
        }, 150);
      }),
      listers: listers(claims, volumes),
      node: (name) => makeNode(name),
    });
    await binder.bind(podUsing("c", "bound"), "a", new AbortController().signal);
    assert.deepEqual(patched, [
      ["c", { metadata: { annotations: { "volume.kubernetes.io/selected-node": "a" } } }],
    ]);
  });

  it("fails when the claim binds to a volume the node cannot reach, or the wait times out", async () => {
    const claims = [
      claim(
        "c",
        { storageClassName: "local", volumeName: "v" },
        { "volume.kubernetes.io/selected-node": "a", "pv.kubernetes.io/bind-completed": "yes" },
      ),
    ];
    // Bound meanwhile elsewhere: the filter saw it unbound.
    const seen = [
      claim("c", { storageClassName: "local" }, { "volume.kubernetes.io/selected-node": "a" }),
    ];
    let reads = 0;
    const l = listers(seen, [volume("v", onHost("b"))]);
    const binder = new PodVolumeBinder({
      client: fakeClient(() => undefined),
      listers: { ...l, claim: (ns, name) => (reads++ === 0 ? l.claim(ns, name) : claims[0]) },
      node: (name) => makeNode(name),
    });
    await assert.rejects(
      binder.bind(podUsing("c"), "a", new AbortController().signal),
      (err: unknown) => {
        assert.ok(err instanceof PreBindError);
        assert.equal(
          err.message,
          'running PreBind plugin "VolumeBinding": binding volumes: pv "v" node affinity doesn\'t match node "a": no matching NodeSelectorTerms',
        );
        return true;
      },
    );

    const waiting = new PodVolumeBinder({
      client: fakeClient(() => undefined),
      listers: listers(
        [claim("c", { storageClassName: "local" }, { "volume.kubernetes.io/selected-node": "a" })],
        [],
      ),
      node: (name) => makeNode(name),
      timeoutMs: 50,
    });
    await assert.rejects(
      waiting.bind(podUsing("c"), "a", new AbortController().signal),
      /binding volumes: timed out waiting for the condition/,
    );
  });

  it("stops waiting once the pod is deleted", async () => {
    let gone = false;
    const binder = new PodVolumeBinder({
      client: fakeClient(() => setTimeout(() => (gone = true), 50)),
      listers: listers([claim("c", { storageClassName: "local" })], []),
      node: (name) => makeNode(name),
    });
    await binder.bind(podUsing("c"), "a", new AbortController().signal, () => gone);
    assert.equal(gone, true);
  });

  it("fails when the annotation is taken off after the cache saw it, not while the cache lags", async () => {
    const claims = [claim("c", { storageClassName: "local" })];
    const binder = new PodVolumeBinder({
      client: fakeClient(() =>
        // The cache first lags (no annotation, older version), then shows it removed by someone else.
        setTimeout(() => {
          claims[0] = claim("c", { storageClassName: "local" });
          claims[0].metadata.resourceVersion = "101";
        }, 150),
      ),
      listers: listers(claims, []),
      node: (name) => makeNode(name),
    });
    await assert.rejects(
      binder.bind(podUsing("c"), "a", new AbortController().signal),
      /binding volumes: selectedNode annotation reset for PVC "c"/,
    );
  });
});
