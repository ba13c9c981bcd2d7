/**
 * Event (events.k8s.io/v1): the newer shape of core/v1 Event. Upstream keeps one store of events
 * and serves it through both APIs; `toCoreEvent` and `fromCoreEvent` convert between the two shapes
 * for a server that does the same. New events written through this API must carry the fields of a
 * new-style event (eventTime, reporting controller and instance, action), and may not set the
 * deprecated ones.
 */
// Importing core/v1 Event also defines the EventSource and ObjectReference types this schema names.
import {
  eventColumns,
  type Event as CoreEvent,
  type EventObjectReference,
} from "../../core/v1/event.js";
import { sameValue } from "../../core/v1/same-value.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource } from "../../resource.js";
import { defineType, f, int32, microTime, ref, string, time } from "../../schema.js";
import {
  check,
  checkDNS1123Subdomain,
  checkQualifiedName,
  immutable,
  invalid,
  required,
  root,
} from "../../validation.js";

/** The repeats of an event that keeps happening. */
export interface EventSeries {
  count?: number;
  lastObservedTime?: string;
}

/** An events.k8s.io/v1 Event. */
export interface Event extends KubeObject {
  eventTime?: string | null;
  series?: EventSeries;
  reportingController?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
  regarding?: EventObjectReference;
  related?: EventObjectReference;
  note?: string;
  type?: string;
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  deprecatedCount?: number;
}

const EVENTS = "io.k8s.api.events.v1";

const EventSeriesSchema = defineType({
  name: `${EVENTS}.EventSeries`,
  description: "Repeats of an event that keeps happening.",
  fields: {
    count: f(int32(), 1, "How many times the event has happened so far; at least 2.", {
      required: true,
    }),
    lastObservedTime: f(microTime(), 2, "When the event was last seen.", { required: true }),
  },
});

defineType({
  name: `${EVENTS}.Event`,
  description: "A report of something that happened in the cluster, for users to read.",
  gvk: { group: "events.k8s.io", version: "v1", kind: "Event" },
  fields: {
    ...objectFields(),
    eventTime: f(microTime(), 2, "When the event was first observed.", { required: true }),
    series: f(EventSeriesSchema, 3, "Repeats of this event, when it keeps happening."),
    reportingController: f(
      string(),
      4,
      "Controller that emitted the event, such as kubernetes.io/kubelet.",
    ),
    reportingInstance: f(
      string(),
      5,
      "Instance of the controller that emitted the event, such as kubelet-node1.",
    ),
    action: f(string(), 6, "What was done, or failed, about the object."),
    reason: f(string(), 7, "Short CamelCase reason for the action."),
    regarding: f(ref("io.k8s.api.core.v1.ObjectReference"), 8, "The object the event is about."),
    related: f(ref("io.k8s.api.core.v1.ObjectReference"), 9, "A second object the event concerns."),
    note: f(string(), 10, "Human-readable description of what happened, at most 1 kB."),
    type: f(string(), 11, "Normal or Warning."),
    deprecatedSource: f(
      ref("io.k8s.api.core.v1.EventSource"),
      12,
      "The reporter, as core/v1 events named it; not set by new clients.",
    ),
    deprecatedFirstTimestamp: f(
      time(),
      13,
      "When a core/v1 event was first recorded; not set by new clients.",
    ),
    deprecatedLastTimestamp: f(
      time(),
      14,
      "When a core/v1 event was last recorded; not set by new clients.",
    ),
    deprecatedCount: f(
      int32(),
      15,
      "How many times a core/v1 event happened; not set by new clients.",
    ),
  },
});

/** The core/v1 shape of an events.k8s.io/v1 Event. */
export function toCoreEvent(event: Event): CoreEvent {
  const {
    apiVersion: _a,
    kind: _k,
    metadata,
    regarding,
    note,
    deprecatedSource,
    deprecatedFirstTimestamp,
    deprecatedLastTimestamp,
    deprecatedCount,
    reportingController,
    ...same
  } = event;
  const core: CoreEvent = {
    ...same,
    apiVersion: "v1",
    kind: "Event",
    metadata,
    involvedObject: regarding ?? {},
  };
  if (note !== undefined) core.message = note;
  if (deprecatedSource !== undefined) core.source = deprecatedSource;
  if (deprecatedFirstTimestamp !== undefined) core.firstTimestamp = deprecatedFirstTimestamp;
  if (deprecatedLastTimestamp !== undefined) core.lastTimestamp = deprecatedLastTimestamp;
  if (deprecatedCount !== undefined) core.count = deprecatedCount;
  if (reportingController !== undefined) core.reportingComponent = reportingController;
  return core;
}

/** The events.k8s.io/v1 shape of a core/v1 Event. */
export function fromCoreEvent(core: CoreEvent): Event {
  const {
    apiVersion: _a,
    kind: _k,
    metadata,
    involvedObject,
    message,
    source,
    firstTimestamp,
    lastTimestamp,
    count,
    reportingComponent,
    ...same
  } = core;
  const event: Event = { ...same, apiVersion: "events.k8s.io/v1", kind: "Event", metadata };
  if (involvedObject !== undefined) event.regarding = involvedObject;
  if (message !== undefined) event.note = message;
  if (source !== undefined) event.deprecatedSource = source;
  if (firstTimestamp !== undefined) event.deprecatedFirstTimestamp = firstTimestamp;
  if (lastTimestamp !== undefined) event.deprecatedLastTimestamp = lastTimestamp;
  if (count !== undefined) event.deprecatedCount = count;
  if (reportingComponent !== undefined) event.reportingController = reportingComponent;
  return event;
}

const MAX_REPORTING_INSTANCE = 128;
const MAX_ACTION = 128;
const MAX_REASON = 128;
const MAX_NOTE = 1024;

function limited(value: string | undefined, field: string, max: number): FieldError[] {
  if (!value) return [required(root(field))];
  return value.length > max ? [invalid(root(field), "", `can have at most ${max} characters`)] : [];
}

/**
 * Upstream validates both APIs' events as its internal (core-shaped) event, so error paths name the
 * core fields (`involvedObject.namespace`, `message`), not this API's.
 */
function validateEvent(event: Event): FieldError[] {
  const errors: FieldError[] = [];
  const namespace = event.metadata.namespace ?? "";
  if (!event.regarding?.namespace && namespace !== "default" && namespace !== "kube-system") {
    errors.push(
      invalid(
        root("involvedObject").child("namespace"),
        event.regarding?.namespace ?? "",
        "does not match event.namespace",
      ),
    );
  }
  const controller = event.reportingController ?? "";
  if (!controller) errors.push(required(root("reportingController")));
  errors.push(...check(root("reportingController"), controller, checkQualifiedName));
  errors.push(...limited(event.reportingInstance, "reportingInstance", MAX_REPORTING_INSTANCE));
  errors.push(...limited(event.action, "action", MAX_ACTION));
  errors.push(...limited(event.reason, "reason", MAX_REASON));
  if ((event.note ?? "").length > MAX_NOTE)
    errors.push(invalid(root("message"), "", `can have at most ${MAX_NOTE} characters`));
  errors.push(...check(root("namespace"), namespace, checkDNS1123Subdomain));

  errors.push(...validateSeries(event));
  if (!event.eventTime) errors.push(required(root("eventTime")));
  if (event.type !== "Normal" && event.type !== "Warning") {
    errors.push(invalid(root("type"), "", `has invalid value: ${event.type ?? ""}`));
  }
  if (event.deprecatedFirstTimestamp)
    errors.push(invalid(root("deprecatedFirstTimestamp"), "", "needs to be unset"));
  if (event.deprecatedLastTimestamp)
    errors.push(invalid(root("deprecatedLastTimestamp"), "", "needs to be unset"));
  if (event.deprecatedCount) errors.push(invalid(root("deprecatedCount"), "", "needs to be unset"));
  if (event.deprecatedSource?.component || event.deprecatedSource?.host) {
    errors.push(invalid(root("deprecatedSource"), "", "needs to be unset"));
  }
  return errors;
}

function validateSeries(event: Event): FieldError[] {
  if (!event.series) return [];
  const errors: FieldError[] = [];
  if ((event.series.count ?? 0) < 2)
    errors.push(invalid(root("series.count"), "", "should be at least 2"));
  if (!event.series.lastObservedTime) errors.push(required(root("series.lastObservedTime")));
  return errors;
}

/** What an update may not change, under the core field names upstream reports. */
function validateEventUpdate(event: Event, old: Event): FieldError[] {
  const fixed: [string, unknown, unknown][] = [
    ["involvedObject", event.regarding, old.regarding],
    ["reason", event.reason, old.reason],
    ["message", event.note, old.note],
    ["source", event.deprecatedSource, old.deprecatedSource],
    ["firstTimestamp", event.deprecatedFirstTimestamp, old.deprecatedFirstTimestamp],
    ["lastTimestamp", event.deprecatedLastTimestamp, old.deprecatedLastTimestamp],
    ["count", event.deprecatedCount, old.deprecatedCount],
    ["type", event.type, old.type],
    ["eventTime", event.eventTime, old.eventTime],
    ["action", event.action, old.action],
    ["related", event.related, old.related],
    ["reportingController", event.reportingController, old.reportingController],
    ["reportingInstance", event.reportingInstance, old.reportingInstance],
  ];
  return fixed
    .filter(([, value, was]) => !sameValue(value, was))
    .map(([name, value]) => immutable(root(name), value ?? null));
}

/** The resource definition of events.k8s.io/v1 Event. */
export const eventsV1Events = defineResource<Event>({
  group: "events.k8s.io",
  version: "v1",
  kind: "Event",
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  namespaced: true,
  schema: `${EVENTS}.Event`,
  // The same table as core/v1 events, read through the core view of the event.
  columns: eventColumns.map((c) => ({
    ...c,
    cell: (e: Event, now: Date) => c.cell(toCoreEvent(e), now),
  })),
  fieldSelectors: {
    "regarding.kind": (e) => e.regarding?.kind ?? "",
    "regarding.namespace": (e) => e.regarding?.namespace ?? "",
    "regarding.name": (e) => e.regarding?.name ?? "",
    "regarding.uid": (e) => e.regarding?.uid ?? "",
    "regarding.apiVersion": (e) => e.regarding?.apiVersion ?? "",
    "regarding.resourceVersion": (e) => e.regarding?.resourceVersion ?? "",
    "regarding.fieldPath": (e) => e.regarding?.fieldPath ?? "",
    reason: (e) => e.reason ?? "",
    reportingController: (e) => e.reportingController ?? "",
    type: (e) => e.type ?? "",
  },
  validate: validateEvent,
  validateUpdate: validateEventUpdate,
});
