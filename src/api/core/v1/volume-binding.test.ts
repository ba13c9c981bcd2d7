import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StorageClass } from "../../storage/v1/storage-class.js";
import type { PersistentVolume } from "./persistent-volume.js";
import type { PersistentVolumeClaim } from "./persistent-volume-claim.js";
import { claim, volume } from "./volume-fixtures.js";
import {
  defaultStorageClassName,
  findBestVolume,
  isVolumeBoundToClaim,
  podClaimNames,
  volumeMismatch,
  type MatchOptions,
} from "./volume-binding.js";

describe("findBestVolume()", () => {
  const none: MatchOptions = { delayBinding: false };
  const cases: {
    name: string;
    claim: PersistentVolumeClaim;
    volumes: PersistentVolume[];
    opts?: MatchOptions;
    want: string | undefined;
  }[] = [
    {
      name: "takes the smallest volume that is large enough",
      claim: claim("c", { resources: { requests: { storage: "2Gi" } } }),
      volumes: [
        volume("big", { capacity: { storage: "10Gi" } }),
        volume("small", { capacity: { storage: "1Gi" } }),
        volume("fits", { capacity: { storage: "2048Mi" } }),
        volume("mid", { capacity: { storage: "3Gi" } }),
      ],
      want: "fits",
    },
    {
      name: "nothing large enough",
      claim: claim("c", { resources: { requests: { storage: "5Gi" } } }),
      volumes: [volume("a"), volume("b", { capacity: { storage: "4Gi" } })],
      want: undefined,
    },
    {
      name: 'the class must be the claim\'s, and "" matches only volumes without one',
      claim: claim("c"),
      volumes: [volume("fast", { storageClassName: "fast" }), volume("none")],
      want: "none",
    },
    {
      name: "a claim of a class takes only that class",
      claim: claim("c", { storageClassName: "fast" }),
      volumes: [volume("none"), volume("slow", { storageClassName: "slow" })],
      want: undefined,
    },
    {
      name: "the beta annotation names the class too",
      claim: {
        ...claim("c", {}),
        metadata: {
          name: "c",
          namespace: "default",
          uid: "u",
          annotations: { "volume.beta.kubernetes.io/storage-class": "gold" },
        },
      },
      volumes: [volume("plain"), volume("gold", { storageClassName: "gold" })],
      want: "gold",
    },
    {
      name: "every requested access mode must be offered; fewer extra modes win over size",
      claim: claim("c", { accessModes: ["ReadWriteOnce"] }),
      volumes: [
        volume("many", {
          accessModes: ["ReadWriteOnce", "ReadWriteMany"],
          capacity: { storage: "1Gi" },
        }),
        volume("one", { accessModes: ["ReadWriteOnce"], capacity: { storage: "5Gi" } }),
        volume("rox", { accessModes: ["ReadOnlyMany"] }),
      ],
      want: "one",
    },
    {
      name: "ReadWriteMany is not offered by a ReadWriteOnce volume",
      claim: claim("c", { accessModes: ["ReadWriteMany"] }),
      volumes: [volume("rwo")],
      want: undefined,
    },
    {
      name: "volume modes must agree",
      claim: claim("c", { volumeMode: "Block" }),
      volumes: [volume("fs"), volume("block", { volumeMode: "Block" })],
      want: "block",
    },
    {
      name: "the claim's selector filters by labels",
      claim: claim("c", { selector: { matchLabels: { tier: "gold" } } }),
      volumes: [
        volume("silver", {}, { labels: { tier: "silver" } }),
        volume("gold", {}, { labels: { tier: "gold" } }),
      ],
      want: "gold",
    },
    {
      name: "only Available volumes without a claimRef are taken",
      claim: claim("c"),
      volumes: [
        volume("pending", {}, { phase: "Pending" }),
        volume("released", {}, { phase: "Released" }),
        volume("other", { claimRef: { namespace: "default", name: "other" } }),
        volume("deleting", {}, { deleting: true }),
      ],
      want: undefined,
    },
    {
      name: "a volume reserved for the claim wins in any phase, even when larger",
      claim: claim("c"),
      volumes: [
        volume("plain"),
        volume(
          "mine",
          { capacity: { storage: "9Gi" }, claimRef: { namespace: "default", name: "c" } },
          { phase: "Pending" },
        ),
      ],
      want: "mine",
    },
    {
      name: "a volume reserved for a claim of the same name but another uid is not taken",
      claim: claim("c"),
      volumes: [volume("old", { claimRef: { namespace: "default", name: "c", uid: "gone" } })],
      want: undefined,
    },
    {
      name: "waiting for a consumer: only a reserved volume is taken",
      claim: claim("c"),
      volumes: [volume("plain"), volume("mine", { claimRef: { namespace: "default", name: "c" } })],
      opts: { delayBinding: true },
      want: "mine",
    },
    {
      name: "waiting for a consumer without a reserved volume: none",
      claim: claim("c"),
      volumes: [volume("plain")],
      opts: { delayBinding: true },
      want: undefined,
    },
    {
      name: "the node must reach the volume",
      claim: claim("c"),
      volumes: [volume("far"), volume("near", { capacity: { storage: "2Gi" } })],
      opts: { delayBinding: false, fitsNode: (pv) => pv.metadata.name === "near" },
      want: "near",
    },
    {
      name: "a reserved volume the node cannot reach means no volume at all",
      claim: claim("c"),
      volumes: [volume("plain"), volume("mine", { claimRef: { namespace: "default", name: "c" } })],
      opts: { delayBinding: false, fitsNode: (pv) => pv.metadata.name !== "mine" },
      want: undefined,
    },
    {
      name: "excluded volumes are skipped",
      claim: claim("c"),
      volumes: [volume("a"), volume("b", { capacity: { storage: "2Gi" } })],
      opts: { delayBinding: false, exclude: new Set(["a"]) },
      want: "b",
    },
    {
      name: "a claim without a request matches nothing",
      claim: claim("c", { resources: {} }),
      volumes: [volume("a")],
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(findBestVolume(c.claim, c.volumes, c.opts ?? none)?.metadata.name, c.want);
    });
  }
});

describe("volumeMismatch()", () => {
  const cases: [string, PersistentVolume, PersistentVolumeClaim, string | undefined][] = [
    ["fits", volume("v"), claim("c"), undefined],
    [
      "too small",
      volume("v", { capacity: { storage: "1Mi" } }),
      claim("c"),
      "requested PV is too small",
    ],
    [
      "class",
      volume("v", { storageClassName: "x" }),
      claim("c"),
      "storageClassName does not match",
    ],
    ["volume mode", volume("v", { volumeMode: "Block" }), claim("c"), "incompatible volumeMode"],
    [
      "access mode",
      volume("v"),
      claim("c", { accessModes: ["ReadWriteMany"] }),
      "incompatible accessMode",
    ],
    // Size is checked first, as upstream.
    [
      "size before class",
      volume("v", { capacity: { storage: "1" }, storageClassName: "x" }),
      claim("c"),
      "requested PV is too small",
    ],
  ];
  for (const [name, pv, pvc, want] of cases) {
    it(name, () => assert.equal(volumeMismatch(pv, pvc), want));
  }
});

describe("isVolumeBoundToClaim()", () => {
  it("matches by namespace and name, and by uid when the volume has one", () => {
    const c = claim("c");
    assert.equal(isVolumeBoundToClaim(volume("v"), c), false);
    assert.equal(
      isVolumeBoundToClaim(volume("v", { claimRef: { namespace: "default", name: "c" } }), c),
      true,
    );
    assert.equal(
      isVolumeBoundToClaim(
        volume("v", { claimRef: { namespace: "default", name: "c", uid: "uid-c" } }),
        c,
      ),
      true,
    );
    assert.equal(
      isVolumeBoundToClaim(
        volume("v", { claimRef: { namespace: "default", name: "c", uid: "x" } }),
        c,
      ),
      false,
    );
    assert.equal(
      isVolumeBoundToClaim(volume("v", { claimRef: { namespace: "other", name: "c" } }), c),
      false,
    );
  });
});

describe("defaultStorageClassName()", () => {
  const sc = (name: string, created: string, isDefault: boolean, beta = false): StorageClass => ({
    metadata: {
      name,
      creationTimestamp: created,
      annotations: isDefault
        ? {
            [beta
              ? "storageclass.beta.kubernetes.io/is-default-class"
              : "storageclass.kubernetes.io/is-default-class"]: "true",
          }
        : {},
    },
    provisioner: "p",
  });
  it("is undefined without a default class", () => {
    assert.equal(defaultStorageClassName([sc("a", "2026-01-01T00:00:00Z", false)]), undefined);
  });
  it("takes the newest default, then the first name", () => {
    assert.equal(
      defaultStorageClassName([
        sc("old", "2026-01-01T00:00:00Z", true),
        sc("new", "2026-02-01T00:00:00Z", true, true),
        sc("newer-not-default", "2026-03-01T00:00:00Z", false),
      ]),
      "new",
    );
    assert.equal(
      defaultStorageClassName([
        sc("b", "2026-01-01T00:00:00Z", true),
        sc("a", "2026-01-01T00:00:00Z", true),
      ]),
      "a",
    );
  });
});

describe("podClaimNames()", () => {
  it("lists claim volumes and generic ephemeral volumes by their claim names", () => {
    assert.deepEqual(
      podClaimNames({
        metadata: { name: "web" },
        spec: {
          volumes: [
            { name: "a", persistentVolumeClaim: { claimName: "data" } },
            { name: "tmp", ephemeral: { volumeClaimTemplate: {} } },
            { name: "cm" },
          ],
        },
      }),
      [
        { name: "data", ephemeral: false },
        { name: "web-tmp", ephemeral: true },
      ],
    );
  });
});
