/**
 * The storage conformance suite: one set of black-box tests that every Backend must pass. A backend's
 * test file calls `registerConformanceTests` with a factory that opens fresh stores (and, for stores that
 * persist, reopens one). The tests are in `conformance/`, one file per area.
 */

import { describe } from "node:test";
import type { BackendFactory } from "./conformance/helpers.js";
import { registerHistoryTests } from "./conformance/history.js";
import { registerReadTests } from "./conformance/reads.js";
import { registerWatchTests } from "./conformance/watch.js";
import { registerWriteTests } from "./conformance/writes.js";

export type { BackendFactory } from "./conformance/helpers.js";

/** Registers the whole conformance suite under `describe(name)` for the backends `factory` opens. */
export function registerConformanceTests(name: string, factory: BackendFactory): void {
  describe(name, () => {
    describe("writes", () => registerWriteTests(factory));
    describe("reads", () => registerReadTests(factory));
    describe("watch", () => registerWatchTests(factory));
    describe("compaction, close and reopen", () => registerHistoryTests(factory));
  });
}
