import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { FieldError } from "../../errors.js";
import type { TableColumn } from "../../resource.js";
import { eventsV1Events, fromCoreEvent, toCoreEvent, type Event } from "./event.js";

const now = new Date("2024-05-01T12:00:00Z");

function event(mutate: (e: Event) => void = () => {}): Event {
  const e: Event = {
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    metadata: {
      name: "web-0.17c",
      namespace: "default",
      creationTimestamp: "2024-05-01T11:50:00Z",
    },
    eventTime: "2024-05-01T11:50:00.000000Z",
    reportingController: "kates.io/scheduler",
    reportingInstance: "kates-server-1",
    action: "Binding",
    reason: "Scheduled",
    regarding: { kind: "Pod", namespace: "default", name: "web-0", uid: "u1" },
    note: "Successfully assigned default/web-0 to node-1",
    type: "Normal",
  };
  mutate(e);
  return e;
}

function summary(errors: FieldError[] | undefined): string[] {
  return (errors ?? []).map((e) => `${e.type} ${e.field}`);
}

describe("eventsV1Events.validate", () => {
  it("accepts a new-style event", () => {
    assert.deepEqual(eventsV1Events.validate?.(event()), []);
  });

  const cases: [string, (e: Event) => void, string[]][] = [
    ["a missing eventTime", (e) => delete e.eventTime, ["FieldValueRequired eventTime"]],
    [
      "a missing reporting controller",
      (e) => delete e.reportingController,
      ["FieldValueRequired reportingController", "FieldValueInvalid reportingController"],
    ],
    [
      "a missing reporting instance",
      (e) => delete e.reportingInstance,
      ["FieldValueRequired reportingInstance"],
    ],
    ["a missing action", (e) => delete e.action, ["FieldValueRequired action"]],
    ["an unknown type", (e) => (e.type = "Error"), ["FieldValueInvalid type"]],
    [
      "a note over 1 kB, reported at upstream's path",
      (e) => (e.note = "x".repeat(1025)),
      ["FieldValueInvalid message"],
    ],
    [
      "a series of one",
      (e) => (e.series = { count: 1, lastObservedTime: "2024-05-01T11:55:00.000000Z" }),
      ["FieldValueInvalid series.count"],
    ],
    ["a deprecated count", (e) => (e.deprecatedCount = 3), ["FieldValueInvalid deprecatedCount"]],
    [
      "a deprecated source",
      (e) => (e.deprecatedSource = { component: "kubelet" }),
      ["FieldValueInvalid deprecatedSource"],
    ],
    [
      "an object without namespace outside default and kube-system",
      (e) => {
        e.metadata.namespace = "apps";
        e.regarding = { kind: "Node", name: "node-1" };
      },
      ["FieldValueInvalid involvedObject.namespace"],
    ],
  ];
  for (const [what, mutate, want] of cases) {
    it(`refuses ${what}`, () => {
      assert.deepEqual(summary(eventsV1Events.validate?.(event(mutate))), want);
    });
  }
});

describe("eventsV1Events.validateUpdate", () => {
  it("allows a growing series and refuses a new note, under the core field name", () => {
    const old = event(
      (e) => (e.series = { count: 2, lastObservedTime: "2024-05-01T11:55:00.000000Z" }),
    );
    const repeated = structuredClone(old);
    repeated.series = { count: 3, lastObservedTime: "2024-05-01T11:58:00.000000Z" };
    assert.deepEqual(eventsV1Events.validateUpdate?.(repeated, old), []);
    const edited = structuredClone(old);
    edited.note = "changed";
    assert.deepEqual(summary(eventsV1Events.validateUpdate?.(edited, old)), [
      "FieldValueInvalid message",
    ]);
  });
});

describe("toCoreEvent() and fromCoreEvent()", () => {
  it("map the renamed fields and round-trip", () => {
    const e = event((x) => {
      x.deprecatedCount = 2;
      x.deprecatedSource = { component: "kubelet", host: "node-1" };
    });
    const core = toCoreEvent(e);
    assert.equal(core.apiVersion, "v1");
    assert.deepEqual(core.involvedObject, e.regarding);
    assert.equal(core.message, e.note);
    assert.equal(core.reportingComponent, "kates.io/scheduler");
    assert.deepEqual([core.count, core.source], [2, { component: "kubelet", host: "node-1" }]);
    assert.deepEqual(fromCoreEvent(core), e);
  });
});

describe("eventsV1Events columns", () => {
  const columns = eventsV1Events.columns as TableColumn<Event>[];

  it("shows the core event table, with the name last and wide", () => {
    assert.deepEqual(
      columns.map((c) => [c.name, c.priority, c.cell(event(), now)]),
      [
        ["Last Seen", 0, "10m"],
        ["Type", 0, "Normal"],
        ["Reason", 0, "Scheduled"],
        ["Object", 0, "pod/web-0"],
        ["Subobject", 1, ""],
        ["Source", 1, "kates.io/scheduler, kates-server-1"],
        ["Message", 0, "Successfully assigned default/web-0 to node-1"],
        ["First Seen", 1, "10m"],
        ["Count", 1, 1],
        ["Name", 1, "web-0.17c"],
      ],
    );
    assert.equal(columns.at(-1)?.format, "name");
  });

  it("shows a series by its last observation and count", () => {
    const e = event(
      (x) => (x.series = { count: 4, lastObservedTime: "2024-05-01T11:59:00.000000Z" }),
    );
    const cell = (name: string): unknown => columns.find((c) => c.name === name)?.cell(e, now);
    assert.deepEqual([cell("Last Seen"), cell("Count")], ["60s", 4]);
  });
});
