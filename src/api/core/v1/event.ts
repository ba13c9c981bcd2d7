/**
 * Event (core/v1): a report of something that happened to an object, for users to read with `kubectl
 * get events` and `kubectl describe`. Validation is upstream's lenient one for core/v1 events: old-style
 * events (without eventTime) need only a namespace that matches their object's.
 */
import { age } from "../../columns.js";
import type { FieldError } from "../../errors.js";
import type { KubeObject } from "../../meta/types.js";
import { objectFields } from "../../meta/v1.js";
import { defineResource, type TableColumn } from "../../resource.js";
import { defineType, f, int32, microTime, string, time } from "../../schema.js";
import {
  check,
  checkDNS1123Subdomain,
  checkQualifiedName,
  invalid,
  required,
  root,
} from "../../validation.js";
import { ObjectReference } from "./reference-types.js";

const CORE = "io.k8s.api.core.v1";

/** Length limits of new-style events (those with eventTime). */
const MAX_REPORTING_INSTANCE = 128;
const MAX_ACTION = 128;
const MAX_REASON = 128;
const MAX_NOTE = 1024;

export interface EventObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** A core/v1 Event as stored and served. */
export interface Event extends KubeObject {
  involvedObject: EventObjectReference;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  count?: number;
  type?: string;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  action?: string;
  related?: EventObjectReference;
  reportingComponent?: string;
  reportingInstance?: string;
}

const EventSource = defineType({
  name: `${CORE}.EventSource`,
  description: "The component that reported an event.",
  fields: {
    component: f(string(), 1, "Component that reported the event."),
    host: f(string(), 2, "Node on which the event was reported."),
  },
});

const EventSeries = defineType({
  name: `${CORE}.EventSeries`,
  description: "A series of repeats of the same event.",
  fields: {
    count: f(int32(), 1, "How many times the event has happened so far."),
    lastObservedTime: f(microTime(), 2, "When the event was last seen."),
  },
});

defineType({
  name: `${CORE}.Event`,
  description: "A report of something that happened to an object.",
  gvk: { group: "", version: "v1", kind: "Event" },
  fields: {
    ...objectFields(),
    involvedObject: f(ObjectReference, 2, "The object the event is about.", { required: true }),
    reason: f(
      string(),
      3,
      "Short CamelCase reason for the event, such as Pulled or FailedScheduling.",
    ),
    message: f(string(), 4, "Human-readable description of what happened."),
    source: f(EventSource, 5, "Component that reported the event."),
    firstTimestamp: f(time(), 6, "When the event was first recorded."),
    lastTimestamp: f(time(), 7, "When the event was last recorded."),
    count: f(int32(), 8, "How many times the event has happened."),
    type: f(string(), 9, "Normal or Warning."),
    eventTime: f(microTime(), 10, "When the event was first observed, for new-style events."),
    series: f(EventSeries, 11, "Repeats of the event, for new-style events."),
    action: f(string(), 12, "What was done, or failed, about the object."),
    related: f(ObjectReference, 13, "A second object the event concerns."),
    reportingComponent: f(
      string(),
      14,
      "Controller that emitted the event, such as kubernetes.io/kubelet.",
    ),
    reportingInstance: f(string(), 15, "Instance of the controller that emitted the event."),
  },
});

function validateEvent(event: Event): FieldError[] {
  const errors: FieldError[] = [];
  const involved = event.involvedObject ?? {};
  const involvedNamespace = root("involvedObject").child("namespace");
  const namespace = event.metadata.namespace ?? "";
  const mismatch = () =>
    invalid(involvedNamespace, involved.namespace ?? "", "does not match event.namespace");

  if (!event.eventTime) {
    // Events about cluster-scoped objects may live in "default", as old clients put them there.
    if (!involved.namespace) {
      if (namespace !== "" && namespace !== "default") errors.push(mismatch());
    } else if (namespace !== involved.namespace) errors.push(mismatch());
  } else {
    if (!involved.namespace && namespace !== "default" && namespace !== "kube-system")
      errors.push(mismatch());
    const component = event.reportingComponent ?? "";
    if (!component) errors.push(required(root("reportingComponent")));
    errors.push(...check(root("reportingComponent"), component, checkQualifiedName));
    errors.push(
      ...requiredWithLimit(event.reportingInstance, "reportingInstance", MAX_REPORTING_INSTANCE),
    );
    errors.push(...requiredWithLimit(event.action, "action", MAX_ACTION));
    errors.push(...requiredWithLimit(event.reason, "reason", MAX_REASON));
    if ((event.message ?? "").length > MAX_NOTE) {
      errors.push(invalid(root("message"), "", `can have at most ${MAX_NOTE} characters`));
    }
  }
  errors.push(...check(root("namespace"), namespace, checkDNS1123Subdomain));
  return errors;
}

function requiredWithLimit(value: string | undefined, field: string, max: number): FieldError[] {
  if (!value) return [required(root(field))];
  return value.length > max ? [invalid(root(field), "", `can have at most ${max} characters`)] : [];
}

/** The OBJECT column: `kind/name` in lower-case kind, or the kind alone. */
export function eventObject(event: Event): string {
  const kind = (event.involvedObject?.kind ?? "").toLowerCase();
  const name = event.involvedObject?.name;
  return name ? `${kind}/${name}` : kind;
}

/** The SOURCE column: component and host, falling back to the reporting controller and instance. */
export function eventSource(event: Event): string {
  const component = event.source?.component || event.reportingComponent || "";
  const host = event.source?.host || event.reportingInstance || "";
  return host ? `${component}, ${host}` : component;
}

function firstSeen(event: Event, now: Date): string {
  return event.firstTimestamp ? age(event.firstTimestamp, now) : age(event.eventTime, now);
}

function lastSeen(event: Event, now: Date): string {
  if (event.series) return age(event.series.lastObservedTime, now);
  return event.lastTimestamp ? age(event.lastTimestamp, now) : firstSeen(event, now);
}

/** The COUNT column: the series count, the event's count, or 1 for a single new-style event. */
export function eventCount(event: Event): number {
  if (event.series) return event.series.count ?? 0;
  return event.count || 1;
}

/**
 * kubectl's event table. It does not start with the name: that comes last, and only with -o wide; a column
 * of format "name" tells the table builder not to add its own NAME column first.
 */
export const eventColumns: TableColumn<Event>[] = [
  {
    name: "Last Seen",
    type: "string",
    description: "When the event was last seen.",
    priority: 0,
    cell: lastSeen,
  },
  {
    name: "Type",
    type: "string",
    description: "Normal or Warning.",
    priority: 0,
    cell: (e) => e.type ?? "",
  },
  {
    name: "Reason",
    type: "string",
    description: "Why the event happened.",
    priority: 0,
    cell: (e) => e.reason ?? "",
  },
  {
    name: "Object",
    type: "string",
    description: "The object the event is about.",
    priority: 0,
    cell: eventObject,
  },
  {
    name: "Subobject",
    type: "string",
    description: "The part of the object the event is about.",
    priority: 1,
    cell: (e) => e.involvedObject?.fieldPath ?? "",
  },
  {
    name: "Source",
    type: "string",
    description: "Who reported the event.",
    priority: 1,
    cell: eventSource,
  },
  {
    name: "Message",
    type: "string",
    description: "What happened.",
    priority: 0,
    cell: (e) => (e.message ?? "").trim(),
  },
  {
    name: "First Seen",
    type: "string",
    description: "When the event was first seen.",
    priority: 1,
    cell: firstSeen,
  },
  {
    name: "Count",
    type: "string",
    description: "How many times it happened.",
    priority: 1,
    cell: eventCount,
  },
  {
    name: "Name",
    type: "string",
    format: "name",
    description: "Name of the event.",
    priority: 1,
    cell: (e) => e.metadata.name ?? "",
  },
];

export const events = defineResource<Event>({
  group: "",
  version: "v1",
  kind: "Event",
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  namespaced: true,
  schema: `${CORE}.Event`,
  columns: eventColumns,
  fieldSelectors: {
    "involvedObject.kind": (e) => e.involvedObject?.kind ?? "",
    "involvedObject.namespace": (e) => e.involvedObject?.namespace ?? "",
    "involvedObject.name": (e) => e.involvedObject?.name ?? "",
    "involvedObject.uid": (e) => e.involvedObject?.uid ?? "",
    "involvedObject.apiVersion": (e) => e.involvedObject?.apiVersion ?? "",
    "involvedObject.resourceVersion": (e) => e.involvedObject?.resourceVersion ?? "",
    "involvedObject.fieldPath": (e) => e.involvedObject?.fieldPath ?? "",
    reason: (e) => e.reason ?? "",
    reportingComponent: (e) => e.reportingComponent ?? "",
    source: (e) => e.source?.component || e.reportingComponent || "",
    type: (e) => e.type ?? "",
  },
  validate: validateEvent,
});
