import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pod, service } from "./fixtures.js";
import { TriggerTimeTracker, formatTriggerTime } from "./trigger-time.js";

const at = (text: string): number => Date.parse(text);

describe("TriggerTimeTracker", () => {
  it("reports the earliest change not reported yet", () => {
    const tracker = new TriggerTimeTracker();
    const svc = service();
    const a = pod("a", 1, { readySince: "2024-06-01T11:00:05Z" });
    const b = pod("b", 2, { readySince: "2024-06-01T11:00:09Z" });
    // First sync: the service's creation is the earliest change.
    assert.equal(tracker.compute("default/web", svc, [a, b]), at("2024-06-01T10:00:00Z"));
    // Nothing changed since.
    assert.equal(tracker.compute("default/web", svc, [a, b]), undefined);
    // b's readiness flipped later: only b counts.
    const b2 = pod("b", 2, { ready: false, readySince: "2024-06-01T11:05:00Z" });
    assert.equal(tracker.compute("default/web", svc, [a, b2]), at("2024-06-01T11:05:00Z"));
    // A new pod counts with its own time.
    const c = pod("c", 3, { readySince: "2024-06-01T11:06:00Z" });
    assert.equal(tracker.compute("default/web", svc, [a, b2, c]), at("2024-06-01T11:06:00Z"));
  });

  it("starts over for a service it forgot", () => {
    const tracker = new TriggerTimeTracker();
    tracker.compute("default/web", service(), []);
    tracker.delete("default/web");
    assert.equal(tracker.compute("default/web", service(), []), at("2024-06-01T10:00:00Z"));
  });
});

describe("formatTriggerTime()", () => {
  const cases: [string, string][] = [
    ["2024-06-01T11:00:00.000Z", "2024-06-01T11:00:00Z"],
    ["2024-06-01T11:00:00.120Z", "2024-06-01T11:00:00.12Z"],
    ["2024-06-01T11:00:10.005Z", "2024-06-01T11:00:10.005Z"],
  ];
  for (const [input, want] of cases) {
    it(`writes ${input} as ${want}`, () => assert.equal(formatTriggerTime(at(input)), want));
  }
});
