import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ResourceDefinition } from "../../resource.js";
import { events, type Event } from "./event.js";
import { cells, simulateCreate, summarize } from "./strategy-harness.js";

const def = events as ResourceDefinition;

function event(extra: Partial<Event> = {}, namespace = "default"): Event {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "web-0.17a", namespace },
    involvedObject: { kind: "Pod", namespace: "default", name: "web-0" },
    reason: "Pulled",
    message: "Image pulled",
    type: "Normal",
    ...extra,
  };
}

describe("Event validation", () => {
  const newStyle = {
    eventTime: "2024-01-01T00:00:00.000000Z",
    reportingComponent: "kates.io/agent",
    reportingInstance: "node-1",
    action: "Pull",
  };
  const cases: { name: string; input: Event; want: string[] }[] = [
    { name: "an event about an object in its namespace", input: event(), want: [] },
    {
      name: "an event in another namespace than its object",
      input: event({}, "kube-system"),
      want: ["FieldValueInvalid involvedObject.namespace"],
    },
    {
      name: "an event about a node in default",
      input: event({ involvedObject: { kind: "Node", name: "n1" } }),
      want: [],
    },
    {
      name: "an event about a node in another namespace",
      input: event({ involvedObject: { kind: "Node", name: "n1" } }, "team-a"),
      want: ["FieldValueInvalid involvedObject.namespace"],
    },
    { name: "a new-style event", input: event(newStyle), want: [] },
    {
      name: "a new-style event without reporter, action or reason",
      input: event({ eventTime: newStyle.eventTime, reason: "" }),
      want: [
        "FieldValueRequired reportingComponent",
        "FieldValueInvalid reportingComponent",
        "FieldValueRequired reportingInstance",
        "FieldValueRequired action",
        "FieldValueRequired reason",
      ],
    },
    {
      name: "a new-style event with a long message",
      input: event({ ...newStyle, message: "x".repeat(1025) }),
      want: ["FieldValueInvalid message"],
    },
    {
      name: "a new-style event about a node in kube-system",
      input: event({ ...newStyle, involvedObject: { kind: "Node", name: "n1" } }, "kube-system"),
      want: [],
    },
  ];
  for (const c of cases) {
    it(`checks ${c.name}`, () => {
      assert.deepEqual(summarize(simulateCreate(def, c.input).errors), c.want);
    });
  }
});

describe("Event table", () => {
  const now = new Date("2024-01-01T01:00:00Z");
  const columns = (e: Event) => cells(def, e, now);

  it("prints the columns kubectl shows, with the name last", () => {
    const e = event({
      firstTimestamp: "2024-01-01T00:00:00Z",
      lastTimestamp: "2024-01-01T00:58:00Z",
      count: 4,
      type: "Warning",
      reason: "BackOff",
      message: "  Back-off restarting failed container\n",
      source: { component: "kubelet", host: "node-1" },
      involvedObject: {
        kind: "Pod",
        namespace: "default",
        name: "web-0",
        fieldPath: "spec.containers{web}",
      },
    });
    assert.deepEqual(columns(e), {
      "Last Seen": "2m",
      Type: "Warning",
      Reason: "BackOff",
      Object: "pod/web-0",
      Subobject: "spec.containers{web}",
      Source: "kubelet, node-1",
      Message: "Back-off restarting failed container",
      "First Seen": "60m",
      Count: 4,
      Name: "web-0.17a",
    });
    assert.equal(def.columns.find((c) => c.name === "Name")?.format, "name");
  });

  const cases: { name: string; input: Event; want: Record<string, unknown> }[] = [
    {
      name: "an event without timestamps",
      input: event(),
      want: { "Last Seen": "<unknown>", "First Seen": "<unknown>", Count: 1 },
    },
    {
      name: "a new-style event",
      input: event({
        eventTime: "2024-01-01T00:30:00.000000Z",
        reportingComponent: "kates-scheduler",
      }),
      want: { "Last Seen": "30m", "First Seen": "30m", Count: 1, Source: "kates-scheduler" },
    },
    {
      name: "a series",
      input: event({
        eventTime: "2024-01-01T00:10:00.000000Z",
        series: { count: 7, lastObservedTime: "2024-01-01T00:59:00.000000Z" },
      }),
      want: { "Last Seen": "60s", "First Seen": "50m", Count: 7 },
    },
    {
      name: "an event about a kind without name",
      input: event({ involvedObject: { kind: "Node" } }),
      want: { Object: "node" },
    },
  ];
  for (const c of cases) {
    it(`prints ${c.name}`, () => {
      const row = columns(c.input);
      for (const [k, v] of Object.entries(c.want)) assert.equal(row[k], v, k);
    });
  }
});

describe("Event field selectors", () => {
  const e = event({
    involvedObject: {
      kind: "Pod",
      namespace: "default",
      name: "web-0",
      uid: "u1",
      apiVersion: "v1",
      resourceVersion: "7",
      fieldPath: "spec",
    },
    reportingComponent: "kubelet",
  });
  const cases: [string, string][] = [
    ["involvedObject.kind", "Pod"],
    ["involvedObject.namespace", "default"],
    ["involvedObject.name", "web-0"],
    ["involvedObject.uid", "u1"],
    ["involvedObject.apiVersion", "v1"],
    ["involvedObject.resourceVersion", "7"],
    ["involvedObject.fieldPath", "spec"],
    ["reason", "Pulled"],
    ["reportingComponent", "kubelet"],
    ["source", "kubelet"],
    ["type", "Normal"],
  ];
  for (const [field, want] of cases) {
    it(`selects on ${field}`, () => {
      assert.equal(def.fieldSelectors?.[field]?.(e), want);
    });
  }

  it("selects source by component before the reporting controller", () => {
    assert.equal(
      def.fieldSelectors?.["source"]?.(
        event({ source: { component: "scheduler" }, reportingComponent: "x" }),
      ),
      "scheduler",
    );
  });
});
