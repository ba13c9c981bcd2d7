/**
 * DefaultStorageClass: a claim created without a storage class gets the cluster's default class, as
 * upstream's admission plugin of that name does. A claim that names a class, even `""` (no class), is
 * left alone; so is every claim while no class is marked default.
 */
import type { PersistentVolumeClaim } from "../../api/core/v1/persistent-volume-claim.js";
import { BETA_STORAGE_CLASS_ANNOTATION } from "../../api/core/v1/persistent-volume.js";
import { defaultStorageClassName } from "../../api/core/v1/volume-binding.js";
import type { KubeObject } from "../../api/meta/types.js";
import type { StorageClass } from "../../api/storage/v1/storage-class.js";
import type { AdmissionAttributes, MutatingPlugin } from "./admission.js";

export class DefaultStorageClass implements MutatingPlugin {
  readonly name = "DefaultStorageClass";
  readonly #classes: () => Iterable<KubeObject>;

  /** `classes` lists every stored StorageClass (from the watch cache). */
  constructor(classes: () => Iterable<KubeObject>) {
    this.#classes = classes;
  }

  admit(attrs: AdmissionAttributes): void {
    if (attrs.operation !== "CREATE" || attrs.subresource) return;
    if (attrs.def.group !== "" || attrs.def.kind !== "PersistentVolumeClaim") return;
    const claim = attrs.object as PersistentVolumeClaim | undefined;
    if (!claim) return;
    if (claim.spec?.storageClassName !== undefined) return;
    if (claim.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] !== undefined) return;
    const name = defaultStorageClassName(this.#classes() as Iterable<StorageClass>);
    if (name !== undefined) (claim.spec ??= {}).storageClassName = name;
  }
}
