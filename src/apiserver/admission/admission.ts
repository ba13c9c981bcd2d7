/**
 * Admission: the last stages a write passes before storage. Mutating plugins may change the object;
 * validating plugins may only refuse it, by throwing a StatusError. Plugins run in the order given, mutating
 * ones before the object's own validation, validating ones after it.
 */
import type { KubeObject } from "../../api/meta/types.js";
import type { ResourceDefinition } from "../../api/resource.js";
import type { UserInfo } from "../auth/authenticator.js";

export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

/** What a plugin is told about one write. */
export interface AdmissionAttributes {
  operation: Operation;
  def: ResourceDefinition;
  namespace: string;
  name: string;
  subresource: string;
  /** The object as it will be stored (absent for DELETE). Mutating plugins may change it. */
  object?: KubeObject;
  /** The stored object before this write (UPDATE and DELETE). */
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
}

export interface MutatingPlugin {
  readonly name: string;
  /** May change `attrs.object`; throws a StatusError to refuse the write. */
  admit(attrs: AdmissionAttributes): void | Promise<void>;
}

export interface ValidatingPlugin {
  readonly name: string;
  /** Throws a StatusError to refuse the write; never changes anything. */
  validate(attrs: AdmissionAttributes): void | Promise<void>;
}

/** The admission chain of a server. */
export class Admission {
  readonly #mutating: MutatingPlugin[];
  readonly #validating: ValidatingPlugin[];

  constructor(mutating: MutatingPlugin[] = [], validating: ValidatingPlugin[] = []) {
    this.#mutating = mutating;
    this.#validating = validating;
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.#mutating) await p.admit(attrs);
  }

  async validate(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.#validating) await p.validate(attrs);
  }
}
