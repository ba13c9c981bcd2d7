/**
 * `NodeLeaseRenewer`: keeps a node's Lease in kube-node-lease fresh, as the kubelet does, for simulated
 * nodes and the real agent alike. One renewal runs at a time (two in flight from one copy would
 * conflict); a conflict or a missing Lease makes the next renewal start from the server's copy.
 */
import type { Node } from "../api/core/v1/node.js";
import type { KubeObject } from "../api/meta/types.js";
import { isAlreadyExists, isConflict, isNotFound } from "../client/api-error.js";
import type { KubeClient } from "../client/client.js";
import { resources } from "../client/resource.js";
import type { Logger } from "../util/log.js";
import { microTime, nodeLease } from "./node-object.js";

export class NodeLeaseRenewer {
  readonly #client: KubeClient;
  readonly #name: string;
  readonly #log: Logger;
  readonly #active: () => boolean;
  #lease: KubeObject | undefined;
  #renewing: Promise<void> | undefined;
  /** The registered Node (its uid owns the Lease); no renewal happens before it is set. */
  node: Node | undefined;

  /** `active` says whether renewals should happen now (false while stopped). */
  constructor(client: KubeClient, name: string, log: Logger, active: () => boolean = () => true) {
    this.#client = client;
    this.#name = name;
    this.#log = log;
    this.#active = active;
  }

  /** Renews the Lease (creating it if missing); a renewal already in flight is joined. */
  renew(): Promise<void> {
    this.#renewing ??= this.#once().finally(() => (this.#renewing = undefined));
    return this.#renewing;
  }

  async #once(): Promise<void> {
    if (!this.#active() || !this.node) return;
    const now = new Date().toISOString();
    try {
      if (this.#lease) {
        const lease = this.#lease as KubeObject & { spec: Record<string, unknown> };
        this.#lease = await this.#client.update(resources.leases, {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: this.#name,
            leaseDurationSeconds: 40,
            renewTime: microTime(now),
          },
        });
        return;
      }
      try {
        this.#lease = await this.#client.create(resources.leases, nodeLease(this.node, now));
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        this.#lease = await this.#client.get(resources.leases, this.#name, {
          namespace: "kube-node-lease",
        });
        await this.#once();
      }
    } catch (err) {
      // Someone else changed it (or removed it): start again from the server's copy next time.
      if (isConflict(err) || isNotFound(err)) this.#lease = undefined;
      this.#log.warn("lease renewal failed", { node: this.#name, err: String(err) });
    }
  }
}
