/**
 * End to end: PersistentVolumes and claims with the real kubectl — static binding, claims that stay
 * Pending and say why, Retain and Delete on claim deletion, and a pod whose claim of the default class
 * gets a local-path volume on the pod's node (binder, provisioner, scheduler and simulated nodes).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { api, eventually, startCluster, type TestCluster } from "../harness.js";

function pv(name: string, spec: Record<string, unknown>, labels?: Record<string, string>): object {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: {
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce"],
      storageClassName: "",
      hostPath: { path: `/tmp/${name}` },
      ...spec,
    },
  };
}

function pvc(name: string, spec: Record<string, unknown> = {}): object {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
      ...spec,
    },
  };
}

const json = (obj: object): string => JSON.stringify(obj);

describe("persistent volumes (kubectl)", () => {
  let cluster: TestCluster;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const phaseOf = async (path: string): Promise<string> =>
    ((await api(cluster.url, path)).body?.status?.phase as string | undefined) ?? "";
  const claimPhase = (name: string) =>
    phaseOf(`/api/v1/namespaces/default/persistentvolumeclaims/${name}`);
  const volumePhase = (name: string) => phaseOf(`/api/v1/persistentvolumes/${name}`);
  const eventsOf = async (kind: string, name: string): Promise<string> =>
    ok([
      "get",
      "events",
      "-A",
      "--field-selector",
      `involvedObject.kind=${kind},involvedObject.name=${name}`,
      "-o",
      "custom-columns=REASON:.reason,MESSAGE:.message",
      "--no-headers",
    ]);

  before(async () => {
    cluster = await startCluster({ controllers: true, scheduler: true, simulatedNodes: 2 });
    await eventually(() => cluster.controllers?.isLeader() ?? false, 10_000, "leadership");
    await eventually(() => cluster.scheduler?.isLeader() ?? false, 10_000, "scheduler leadership");
  });
  after(() => cluster.close());

  it("has the default StorageClass standard", async () => {
    const out = await ok(["get", "storageclass", "--no-headers"]);
    assert.match(
      out,
      /^standard \(default\)\s+kates\.dev\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s/m,
    );
  });

  it("binds a claim to a static volume: kubectl get pv,pvc show both Bound", async () => {
    await ok(["create", "-f", "-"], json(pv("static-1", { capacity: { storage: "2Gi" } })));
    await ok(["create", "-f", "-"], json(pvc("claim-1", { storageClassName: "" })));
    await eventually(
      async () => (await claimPhase("claim-1")) === "Bound",
      20_000,
      "claim-1 Bound",
    );
    await eventually(async () => (await volumePhase("static-1")) === "Bound", 20_000, "pv Bound");

    const out = await ok(["get", "pv,pvc", "--no-headers"]);
    assert.match(
      out,
      /^persistentvolume\/static-1\s+2Gi\s+RWO\s+Retain\s+Bound\s+default\/claim-1\s/m,
    );
    assert.match(out, /^persistentvolumeclaim\/claim-1\s+Bound\s+static-1\s+2Gi\s+RWO\s/m);
    const claim = JSON.parse(await ok(["get", "pvc", "claim-1", "-o", "json"]));
    assert.equal(claim.metadata.annotations["pv.kubernetes.io/bind-completed"], "yes");
    assert.equal(claim.metadata.annotations["pv.kubernetes.io/bound-by-controller"], "yes");
    const volume = JSON.parse(await ok(["get", "pv", "static-1", "-o", "json"]));
    assert.equal(volume.spec.claimRef.name, "claim-1");
    assert.equal(volume.spec.claimRef.uid, claim.metadata.uid);
    assert.equal(volume.metadata.annotations["pv.kubernetes.io/bound-by-controller"], "yes");
  });

  it("takes the smallest volume that fits, matching the claim's selector", async () => {
    await ok(
      ["create", "-f", "-"],
      json({
        apiVersion: "v1",
        kind: "List",
        items: [
          pv("sized-5", { capacity: { storage: "5Gi" } }, { tier: "gold" }),
          pv("sized-3", { capacity: { storage: "3Gi" } }, { tier: "gold" }),
          pv("sized-2", { capacity: { storage: "2Gi" } }, { tier: "silver" }),
        ],
      }),
    );
    await eventually(
      async () => (await volumePhase("sized-2")) === "Available",
      20_000,
      "Available",
    );
    await ok(
      ["create", "-f", "-"],
      json(
        pvc("picky", {
          storageClassName: "",
          selector: { matchLabels: { tier: "gold" } },
          resources: { requests: { storage: "2Gi" } },
        }),
      ),
    );
    await eventually(async () => (await claimPhase("picky")) === "Bound", 20_000, "picky Bound");
    const claim = JSON.parse(await ok(["get", "pvc", "picky", "-o", "json"]));
    assert.equal(claim.spec.volumeName, "sized-3");
  });

  it("leaves mismatched claims Pending with a FailedBinding event", async () => {
    await ok(["create", "-f", "-"], json(pv("small", { capacity: { storage: "100Mi" } })));
    await ok(["create", "-f", "-"], json(pv("fast-1", { storageClassName: "fast" })));
    await ok(["create", "-f", "-"], json(pv("rwo-only", { accessModes: ["ReadWriteOnce"] })));
    await eventually(
      async () => (await volumePhase("rwo-only")) === "Available",
      20_000,
      "Available",
    );
    const claims = [
      pvc("too-big", { storageClassName: "", resources: { requests: { storage: "50Gi" } } }),
      pvc("wants-rwx", {
        storageClassName: "",
        accessModes: ["ReadWriteMany"],
        resources: { requests: { storage: "50Mi" } },
      }),
    ];
    for (const c of claims) await ok(["create", "-f", "-"], json(c));
    for (const name of ["too-big", "wants-rwx"]) {
      await eventually(
        async () =>
          /FailedBinding\s+no persistent volumes available for this claim and no storage class is set/.test(
            await eventsOf("PersistentVolumeClaim", name),
          ),
        20_000,
        `FailedBinding event on ${name}`,
      );
      assert.equal(await claimPhase(name), "Pending");
    }
    // A class with no provisioner and no object: nothing can make the volume.
    await ok(
      ["create", "-f", "-"],
      json(
        pvc("wrong-class", {
          storageClassName: "slow",
          resources: { requests: { storage: "1Mi" } },
        }),
      ),
    );
    await eventually(
      async () =>
        /ProvisioningFailed\s+storageclass\.storage\.k8s\.io "slow" not found/.test(
          await eventsOf("PersistentVolumeClaim", "wrong-class"),
        ),
      20_000,
      "ProvisioningFailed event",
    );
    assert.equal(await claimPhase("wrong-class"), "Pending");
    const out = await ok(["describe", "pvc", "too-big"]);
    assert.match(out, /Status:\s+Pending/);
    assert.match(out, /FailedBinding/);
    assert.equal(await volumePhase("small"), "Available");
  });

  it("reports a claim naming a volume that cannot satisfy it (VolumeMismatch)", async () => {
    await ok(["create", "-f", "-"], json(pv("named-small", { capacity: { storage: "1Mi" } })));
    await ok(
      ["create", "-f", "-"],
      json(pvc("names-it", { storageClassName: "", volumeName: "named-small" })),
    );
    await eventually(
      async () =>
        /VolumeMismatch\s+Cannot bind to requested volume "named-small": requested PV is too small/.test(
          await eventsOf("PersistentVolumeClaim", "names-it"),
        ),
      20_000,
      "VolumeMismatch event",
    );
    assert.equal(await claimPhase("names-it"), "Pending");
  });

  it("binds a volume reserved for a claim by its claimRef", async () => {
    await ok(
      ["create", "-f", "-"],
      json(pv("reserved", { claimRef: { namespace: "default", name: "owner" } })),
    );
    // A claim that would fit takes another volume (or none), never the reserved one.
    await ok(["create", "-f", "-"], json(pvc("owner", { storageClassName: "" })));
    await eventually(async () => (await claimPhase("owner")) === "Bound", 20_000, "owner Bound");
    const claim = JSON.parse(await ok(["get", "pvc", "owner", "-o", "json"]));
    assert.equal(claim.spec.volumeName, "reserved");
    const volume = JSON.parse(await ok(["get", "pv", "reserved", "-o", "json"]));
    assert.equal(volume.metadata.annotations?.["pv.kubernetes.io/bound-by-controller"], undefined);
  });

  it("Retain: deleting the claim leaves the volume Released", async () => {
    await ok(["create", "-f", "-"], json(pv("keep-me", { capacity: { storage: "7Gi" } })));
    await ok(
      ["create", "-f", "-"],
      json(
        pvc("short-lived", { storageClassName: "", resources: { requests: { storage: "7Gi" } } }),
      ),
    );
    await eventually(async () => (await claimPhase("short-lived")) === "Bound", 20_000, "Bound");
    await ok(["delete", "pvc", "short-lived"]);
    await eventually(async () => (await volumePhase("keep-me")) === "Released", 20_000, "Released");
    const out = await ok(["get", "pv", "keep-me", "--no-headers"]);
    assert.match(out, /^keep-me\s+7Gi\s+RWO\s+Retain\s+Released\s+default\/short-lived\s/m);
  });

  it("a pod with a claim of the default class gets a local-path volume on its node", async () => {
    await ok(
      ["create", "-f", "-"],
      json(pvc("data", { resources: { requests: { storage: "3Gi" } } })),
    );
    const claim = JSON.parse(await ok(["get", "pvc", "data", "-o", "json"]));
    assert.equal(claim.spec.storageClassName, "standard");
    await eventually(
      async () =>
        /WaitForFirstConsumer\s+waiting for first consumer to be created before binding/.test(
          await eventsOf("PersistentVolumeClaim", "data"),
        ),
      20_000,
      "WaitForFirstConsumer event",
    );
    assert.equal(await claimPhase("data"), "Pending");

    await ok(
      ["create", "-f", "-"],
      json({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "app" },
        spec: {
          containers: [
            { name: "c", image: "busybox", volumeMounts: [{ name: "d", mountPath: "/data" }] },
          ],
          volumes: [{ name: "d", persistentVolumeClaim: { claimName: "data" } }],
        },
      }),
    );
    let node = "";
    await eventually(
      async () => {
        const pod = (await api(cluster.url, "/api/v1/namespaces/default/pods/app")).body;
        node = pod.spec?.nodeName ?? "";
        return node !== "";
      },
      30_000,
      "pod bound to a node",
    );
    const bound = JSON.parse(await ok(["get", "pvc", "data", "-o", "json"]));
    assert.equal(bound.status.phase, "Bound");
    assert.equal(bound.metadata.annotations["volume.kubernetes.io/selected-node"], node);
    const name = bound.spec.volumeName as string;
    assert.equal(name, `pvc-${bound.metadata.uid}`);
    const volume = JSON.parse(await ok(["get", "pv", name, "-o", "json"]));
    assert.equal(
      volume.metadata.annotations["pv.kubernetes.io/provisioned-by"],
      "kates.dev/local-path",
    );
    assert.equal(volume.spec.hostPath.path, `/var/lib/kates/local-path/${name}`);
    assert.equal(volume.spec.hostPath.type, "DirectoryOrCreate");
    assert.equal(volume.spec.capacity.storage, "3Gi");
    assert.equal(volume.spec.persistentVolumeReclaimPolicy, "Delete");
    assert.equal(volume.spec.storageClassName, "standard");
    assert.deepEqual(volume.spec.nodeAffinity.required.nodeSelectorTerms, [
      { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] },
    ]);
    const events = await eventsOf("PersistentVolumeClaim", "data");
    assert.match(
      events,
      new RegExp(`ProvisioningSucceeded\\s+Successfully provisioned volume ${name}`),
    );

    // A second pod using the claim can only go where the volume is.
    await ok(
      ["create", "-f", "-"],
      json({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "app-2" },
        spec: {
          containers: [{ name: "c", image: "busybox" }],
          volumes: [{ name: "d", persistentVolumeClaim: { claimName: "data" } }],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      { key: "kubernetes.io/hostname", operator: "NotIn", values: [node] },
                    ],
                  },
                ],
              },
            },
          },
        },
      }),
    );
    await eventually(
      async () =>
        /FailedScheduling\s+0\/2 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector, 1 node\(s\) had volume node affinity conflict\./.test(
          await eventsOf("Pod", "app-2"),
        ),
      30_000,
      "FailedScheduling with the volume node affinity conflict",
    );

    // Deleting the pods and the claim deletes the provisioned volume (Delete policy).
    await ok(["delete", "pod", "app", "app-2", "--grace-period=0", "--force"]);
    await ok(["delete", "pvc", "data"]);
    await eventually(
      async () => (await api(cluster.url, `/api/v1/persistentvolumes/${name}`)).status === 404,
      30_000,
      "provisioned volume deleted",
    );
  });

  it("a pod whose claim is missing, or unbound with an Immediate class, is unschedulable", async () => {
    await ok(
      ["create", "-f", "-"],
      json({
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: "manual" },
        provisioner: "kubernetes.io/no-provisioner",
        volumeBindingMode: "Immediate",
      }),
    );
    await ok(["create", "-f", "-"], json(pvc("immediate", { storageClassName: "manual" })));
    const podWith = (name: string, claimName: string): string =>
      json({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name },
        spec: {
          containers: [{ name: "c", image: "busybox" }],
          volumes: [{ name: "d", persistentVolumeClaim: { claimName } }],
        },
      });
    await ok(["create", "-f", "-"], podWith("needs-missing", "nope"));
    await ok(["create", "-f", "-"], podWith("needs-immediate", "immediate"));
    await eventually(
      async () =>
        /FailedScheduling\s+0\/2 nodes are available: persistentvolumeclaim "nope" not found\./.test(
          await eventsOf("Pod", "needs-missing"),
        ),
      30_000,
      "FailedScheduling for the missing claim",
    );
    await eventually(
      async () =>
        /FailedScheduling\s+0\/2 nodes are available: pod has unbound immediate PersistentVolumeClaims\./.test(
          await eventsOf("Pod", "needs-immediate"),
        ),
      30_000,
      "FailedScheduling for the unbound immediate claim",
    );
    await eventually(
      async () =>
        /ProvisioningFailed\s+no volume plugin matched name: kubernetes\.io\/no-provisioner/.test(
          await eventsOf("PersistentVolumeClaim", "immediate"),
        ),
      20_000,
      "ProvisioningFailed for no-provisioner",
    );

    // Once a matching volume appears, the claim binds and the pod is scheduled.
    await ok(["create", "-f", "-"], json(pv("manual-1", { storageClassName: "manual" })));
    await eventually(async () => (await claimPhase("immediate")) === "Bound", 20_000, "Bound");
    await eventually(
      async () =>
        ((await api(cluster.url, "/api/v1/namespaces/default/pods/needs-immediate")).body.spec
          ?.nodeName ?? "") !== "",
      40_000,
      "needs-immediate scheduled",
    );
  });

  it("Delete on a volume made by hand: the claim's deletion leaves it Failed, as no plugin deletes it", async () => {
    await ok(
      ["create", "-f", "-"],
      json(
        pv("by-hand", { capacity: { storage: "9Gi" }, persistentVolumeReclaimPolicy: "Delete" }),
      ),
    );
    await ok(
      ["create", "-f", "-"],
      json(
        pvc("uses-by-hand", { storageClassName: "", resources: { requests: { storage: "9Gi" } } }),
      ),
    );
    await eventually(async () => (await claimPhase("uses-by-hand")) === "Bound", 20_000, "Bound");
    await ok(["delete", "pvc", "uses-by-hand"]);
    await eventually(async () => (await volumePhase("by-hand")) === "Failed", 20_000, "Failed");
    assert.match(
      await eventsOf("PersistentVolume", "by-hand"),
      /VolumeFailedDelete\s+error getting deleter volume plugin for volume "by-hand": no deletable volume plugin matched/,
    );
  });

  it("a claim made while no class is the default gets the default class once one is marked", async () => {
    const mark = (value: string) =>
      ok([
        "annotate",
        "storageclass",
        "standard",
        `storageclass.kubernetes.io/is-default-class=${value}`,
        "--overwrite",
      ]);
    await mark("false");
    try {
      await ok(
        ["create", "-f", "-"],
        json({
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: "late" },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "40Gi" } } },
        }),
      );
      const created = JSON.parse(await ok(["get", "pvc", "late", "-o", "json"]));
      assert.equal(created.spec.storageClassName, undefined);
      await eventually(
        async () => /FailedBinding/.test(await eventsOf("PersistentVolumeClaim", "late")),
        20_000,
        "FailedBinding while no class is the default",
      );
    } finally {
      await mark("true");
    }
    await eventually(
      async () =>
        JSON.parse(await ok(["get", "pvc", "late", "-o", "json"])).spec.storageClassName ===
        "standard",
      20_000,
      "default class assigned",
    );
    await eventually(
      async () => /WaitForFirstConsumer/.test(await eventsOf("PersistentVolumeClaim", "late")),
      20_000,
      "WaitForFirstConsumer once in the default class",
    );
  });

  it("local volumes of a no-provisioner WaitForFirstConsumer class: the pod goes where its volume is", async () => {
    await ok(
      ["create", "-f", "-"],
      json({
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: "local-storage" },
        provisioner: "kubernetes.io/no-provisioner",
        volumeBindingMode: "WaitForFirstConsumer",
      }),
    );
    const onSim1 = {
      storageClassName: "local-storage",
      local: { path: "/mnt/disks/one" },
      hostPath: undefined,
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: "kubernetes.io/hostname", operator: "In", values: ["sim-1"] },
              ],
            },
          ],
        },
      },
    };
    await ok(["create", "-f", "-"], json(pv("local-one", onSim1)));
    await ok(
      ["create", "-f", "-"],
      json(pvc("local-claim", { storageClassName: "local-storage" })),
    );
    await eventually(
      async () =>
        /WaitForFirstConsumer/.test(await eventsOf("PersistentVolumeClaim", "local-claim")),
      20_000,
      "WaitForFirstConsumer",
    );
    assert.equal(await claimPhase("local-claim"), "Pending");
    assert.equal(await volumePhase("local-one"), "Available");
    await ok(
      ["create", "-f", "-"],
      json({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "local-user" },
        spec: {
          containers: [{ name: "c", image: "busybox" }],
          volumes: [{ name: "d", persistentVolumeClaim: { claimName: "local-claim" } }],
        },
      }),
    );
    await eventually(
      async () =>
        (await api(cluster.url, "/api/v1/namespaces/default/pods/local-user")).body.spec
          ?.nodeName === "sim-1",
      30_000,
      "local-user on sim-1",
    );
    const claim = JSON.parse(await ok(["get", "pvc", "local-claim", "-o", "json"]));
    assert.equal(claim.spec.volumeName, "local-one");
    assert.equal(claim.status.phase, "Bound");

    // A second claim of the class has no volume left: its pod cannot be scheduled.
    await ok(
      ["create", "-f", "-"],
      json(pvc("local-claim-2", { storageClassName: "local-storage" })),
    );
    await ok(
      ["create", "-f", "-"],
      json({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "local-user-2" },
        spec: {
          containers: [{ name: "c", image: "busybox" }],
          volumes: [{ name: "d", persistentVolumeClaim: { claimName: "local-claim-2" } }],
        },
      }),
    );
    await eventually(
      async () =>
        /FailedScheduling\s+0\/2 nodes are available: 2 node\(s\) didn't find available persistent volumes to bind\./.test(
          await eventsOf("Pod", "local-user-2"),
        ),
      30_000,
      "FailedScheduling: no volume to bind",
    );
  });

  it("a bound volume waits for its claim (pv-protection); deleted anyway, its claim is Lost", async () => {
    await ok(["create", "-f", "-"], json(pv("fragile", { capacity: { storage: "11Gi" } })));
    await ok(
      ["create", "-f", "-"],
      json(pvc("loses-it", { storageClassName: "", resources: { requests: { storage: "11Gi" } } })),
    );
    await eventually(async () => (await claimPhase("loses-it")) === "Bound", 20_000, "Bound");
    await eventually(
      async () =>
        (await api(cluster.url, "/api/v1/persistentvolumes/fragile")).body.metadata
          .finalizers?.[0] === "kubernetes.io/pv-protection",
      20_000,
      "pv-protection finalizer",
    );
    await ok(["delete", "pv", "fragile", "--wait=false"]);
    await eventually(
      async () =>
        /^fragile\s+11Gi\s+RWO\s+Retain\s+Terminating\s/m.test(
          await ok(["get", "pv", "fragile", "--no-headers"]),
        ),
      20_000,
      "volume Terminating",
    );
    assert.equal(await claimPhase("loses-it"), "Bound");

    // Removing the finalizer by hand lets the volume go: the claim has lost it.
    await ok(["patch", "pv", "fragile", "--type=merge", "-p", '{"metadata":{"finalizers":null}}']);
    await eventually(async () => (await claimPhase("loses-it")) === "Lost", 20_000, "Lost");
    assert.match(
      await eventsOf("PersistentVolumeClaim", "loses-it"),
      /ClaimLost\s+Bound claim has lost its PersistentVolume\. Data on the volume is lost!/,
    );
  });

  it("a claim in use by a pod stays Terminating until the pod is gone (pvc-protection)", async () => {
    await ok(
      ["create", "-f", "-"],
      json(pvc("in-use", { resources: { requests: { storage: "1Gi" } } })),
    );
    await ok(
      ["create", "-f", "-"],
      json({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "holder" },
        spec: {
          containers: [{ name: "c", image: "busybox" }],
          volumes: [{ name: "d", persistentVolumeClaim: { claimName: "in-use" } }],
        },
      }),
    );
    await eventually(async () => (await claimPhase("in-use")) === "Bound", 30_000, "in-use Bound");
    const claim = JSON.parse(await ok(["get", "pvc", "in-use", "-o", "json"]));
    assert.deepEqual(claim.metadata.finalizers, ["kubernetes.io/pvc-protection"]);
    const volumeName = claim.spec.volumeName as string;

    await ok(["delete", "pvc", "in-use", "--wait=false"]);
    await eventually(
      async () =>
        /^in-use\s+Terminating\s/m.test(await ok(["get", "pvc", "in-use", "--no-headers"])),
      20_000,
      "claim Terminating",
    );
    // Still there a moment later: the pod holds it.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(
      (await api(cluster.url, "/api/v1/namespaces/default/persistentvolumeclaims/in-use")).status,
      200,
    );

    await ok(["delete", "pod", "holder", "--grace-period=0", "--force"]);
    await eventually(
      async () =>
        (await api(cluster.url, "/api/v1/namespaces/default/persistentvolumeclaims/in-use"))
          .status === 404,
      30_000,
      "claim gone after its pod",
    );
    await eventually(
      async () =>
        (await api(cluster.url, `/api/v1/persistentvolumes/${volumeName}`)).status === 404,
      30_000,
      "its provisioned volume deleted",
    );
  });
});
