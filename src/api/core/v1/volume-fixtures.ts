/** Builders of volumes and claims for the tests of binding, provisioning and VolumeBinding. */
import type { PersistentVolume } from "./persistent-volume.js";
import type { PersistentVolumeClaim } from "./persistent-volume-claim.js";

/** An Available volume of class "" with 1Gi and ReadWriteOnce unless told otherwise. */
export function volume(
  name: string,
  spec: Partial<NonNullable<PersistentVolume["spec"]>> = {},
  extra: { labels?: Record<string, string>; phase?: string; deleting?: boolean } = {},
): PersistentVolume {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      ...(extra.labels ? { labels: extra.labels } : {}),
      ...(extra.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
    spec: {
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce"],
      storageClassName: "",
      volumeMode: "Filesystem",
      ...spec,
    },
    status: { phase: extra.phase ?? "Available" },
  };
}

/** A claim in default of class "" asking for 1Gi ReadWriteOnce unless told otherwise. */
export function claim(
  name: string,
  spec: Partial<NonNullable<PersistentVolumeClaim["spec"]>> = {},
  annotations?: Record<string, string>,
): PersistentVolumeClaim {
  return {
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
      storageClassName: "",
      volumeMode: "Filesystem",
      ...spec,
    },
    status: { phase: "Pending" },
  };
}
