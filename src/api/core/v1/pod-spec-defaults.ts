/**
 * Upstream's defaults for pod specs and everything in them (pkg/apis/core/v1 defaulting, including
 * the declarative `+default` markers of the types). All functions mutate in place and are
 * idempotent.
 *
 * Some defaults only ever apply to Pod objects, never to the pod templates of workloads (upstream
 * keeps them out of templates so that defaulting a template does not change it across versions):
 * those are in `defaultPodOnlyFields`.
 */
import { formatQuantity, roundUpQuantity, tryQuantity } from "../../quantity.js";
import { defaultPullPolicy } from "./image-reference.js";
import type {
  Container,
  DownwardAPIVolumeFile,
  EnvVar,
  Handler,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ResourceList,
  ResourceRequirements,
  Volume,
} from "./pod-shapes.js";
import { VOLUME_SOURCE_NAMES } from "./volume-types.js";

/**
 * Mode 0644, the default permission bits of files in config map, secret, downward API and projected
 * volumes.
 */
export const DEFAULT_FILE_MODE = 0o644;
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";
export const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";

/** Fills in upstream's defaults of a pod spec and everything it contains. */
export function defaultPodSpec(spec: PodSpec): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = "ClusterFirst";
  if (!spec.restartPolicy) spec.restartPolicy = "Always";
  if (!isObject(spec.securityContext)) spec.securityContext = {};
  if (typeof spec.terminationGracePeriodSeconds !== "number") {
    spec.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  }
  if (!spec.schedulerName) spec.schedulerName = DEFAULT_SCHEDULER_NAME;

  for (const volume of objects(spec.volumes)) defaultVolume(volume);
  for (const c of objects(spec.initContainers)) defaultContainer(c);
  for (const c of objects(spec.containers)) defaultContainer(c);
  for (const c of objects(spec.ephemeralContainers)) defaultContainer(c);
  if (isObject(spec.overhead)) normalizeResourceList(spec.overhead);
  if (isObject(spec.resources)) defaultResources(spec.resources);
}

/** Fills in the defaults of a pod template: those of its spec, which is created when absent. */
export function defaultPodTemplateSpec(template: PodTemplateSpec): void {
  if (!isObject(template.spec)) template.spec = {};
  defaultPodSpec(template.spec);
}

/**
 * The defaults upstream applies to Pod objects only: requests copied from limits, service links
 * enabled, and, with host networking, host ports equal to container ports.
 */
export function defaultPodOnlyFields(spec: PodSpec): void {
  for (const c of [...objects(spec.containers), ...objects(spec.initContainers)]) {
    const resources = c.resources;
    if (!isObject(resources) || !isObject(resources.limits)) continue;
    if (!isObject(resources.requests)) resources.requests = {};
    for (const [name, limit] of Object.entries(resources.limits)) {
      if (!(name in resources.requests)) resources.requests[name] = limit;
    }
  }

  if (typeof spec.enableServiceLinks !== "boolean") spec.enableServiceLinks = true;

  if (spec.hostNetwork === true) {
    for (const c of [...objects(spec.containers), ...objects(spec.initContainers)]) {
      for (const port of objects(c.ports)) {
        if (!port.hostPort) port.hostPort = port.containerPort ?? 0;
      }
    }
  }
}

function defaultContainer(c: Container): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = DEFAULT_TERMINATION_MESSAGE_PATH;
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = "File";
  // Upstream always serialises a container's resources, even when nothing is set.
  if (!isObject(c.resources)) c.resources = {};
  defaultResources(c.resources);

  for (const port of objects(c.ports)) {
    if (!port.protocol) port.protocol = "TCP";
  }
  for (const env of objects(c.env)) defaultEnvVar(env);
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (isObject(probe)) defaultProbe(probe);
  }
  if (isObject(c.lifecycle)) {
    if (isObject(c.lifecycle.postStart)) defaultHandler(c.lifecycle.postStart);
    if (isObject(c.lifecycle.preStop)) defaultHandler(c.lifecycle.preStop);
  }
}

function defaultEnvVar(env: EnvVar): void {
  const from = env.valueFrom;
  if (!isObject(from)) return;
  if (isObject(from.fieldRef) && !from.fieldRef.apiVersion) from.fieldRef.apiVersion = "v1";
  if (isObject(from.resourceFieldRef)) defaultDivisor(from.resourceFieldRef);
}

/** Upstream writes an unset divisor as "0", since the field is not a pointer. */
function defaultDivisor(selector: { divisor?: string | number }): void {
  if (selector.divisor === undefined || selector.divisor === null) selector.divisor = "0";
  else selector.divisor = normalizeQuantity(selector.divisor);
}

function defaultProbe(probe: Probe): void {
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
  defaultHandler(probe);
}

function defaultHandler(handler: Handler): void {
  if (isObject(handler.httpGet)) {
    if (!handler.httpGet.path) handler.httpGet.path = "/";
    if (!handler.httpGet.scheme) handler.httpGet.scheme = "HTTP";
  }
  if (isObject(handler.grpc) && typeof handler.grpc.service !== "string") handler.grpc.service = "";
}

function defaultResources(resources: ResourceRequirements): void {
  if (isObject(resources.limits)) normalizeResourceList(resources.limits);
  if (isObject(resources.requests)) normalizeResourceList(resources.requests);
}

/**
 * Rounds every quantity of a resource list up to milli precision and writes it in canonical form,
 * as upstream does on decoding. Values that are not quantities are left for validation to report.
 */
export function normalizeResourceList(list: ResourceList): void {
  for (const [name, value] of Object.entries(list)) {
    const q = tryQuantity(value);
    if (q) list[name] = formatQuantity(roundUpQuantity(q, -3));
  }
}

function normalizeQuantity(value: string | number): string | number {
  const q = tryQuantity(value);
  return q ? formatQuantity(q) : value;
}

function defaultVolume(volume: Volume): void {
  const hasSource = VOLUME_SOURCE_NAMES.some(
    (name) => volume[name] !== undefined && volume[name] !== null,
  );
  if (!hasSource) volume.emptyDir = {};

  if (isObject(volume.hostPath) && typeof volume.hostPath.type !== "string")
    volume.hostPath.type = "";
  if (
    isObject(volume.emptyDir) &&
    volume.emptyDir.sizeLimit !== undefined &&
    volume.emptyDir.sizeLimit !== null
  ) {
    volume.emptyDir.sizeLimit = normalizeQuantity(volume.emptyDir.sizeLimit);
  }
  for (const source of [volume.secret, volume.configMap, volume.downwardAPI, volume.projected]) {
    if (isObject(source) && typeof source.defaultMode !== "number")
      source.defaultMode = DEFAULT_FILE_MODE;
  }
  if (isObject(volume.downwardAPI)) defaultDownwardAPIFiles(volume.downwardAPI.items);
  if (isObject(volume.projected)) {
    for (const projection of objects(volume.projected.sources)) {
      if (isObject(projection.downwardAPI)) defaultDownwardAPIFiles(projection.downwardAPI.items);
      const token = projection.serviceAccountToken;
      if (isObject(token) && typeof token.expirationSeconds !== "number")
        token.expirationSeconds = 3600;
    }
  }
  if (isObject(volume.image) && !volume.image.pullPolicy) {
    volume.image.pullPolicy = defaultPullPolicy(volume.image.reference);
  }
  if (isObject(volume.ephemeral) && isObject(volume.ephemeral.volumeClaimTemplate)) {
    defaultClaimSpec(volume.ephemeral.volumeClaimTemplate);
  }
  defaultPluginSources(volume);
}

function defaultDownwardAPIFiles(items: DownwardAPIVolumeFile[] | undefined): void {
  for (const file of objects(items)) {
    if (isObject(file.fieldRef) && !file.fieldRef.apiVersion) file.fieldRef.apiVersion = "v1";
    if (isObject(file.resourceFieldRef)) defaultDivisor(file.resourceFieldRef);
  }
}

function defaultClaimSpec(template: { spec?: Record<string, unknown> }): void {
  const spec = template.spec;
  if (!isObject(spec)) return;
  if (typeof spec["volumeMode"] !== "string") spec["volumeMode"] = "Filesystem";
  // The claim's resources are not a pointer upstream, so they always appear.
  if (!isObject(spec["resources"])) spec["resources"] = {};
  const resources = spec["resources"] as ResourceRequirements;
  defaultResources(resources);
}

/**
 * The declarative defaults of the network and cloud volume sources. Plain string fields are
 * defaulted when empty; azureDisk's fields are pointers upstream, so only absent ones are.
 */
const PLUGIN_DEFAULTS: Readonly<Record<string, Readonly<Record<string, string | boolean>>>> = {
  iscsi: { iscsiInterface: "default" },
  rbd: { pool: "rbd", user: "admin", keyring: "/etc/ceph/keyring" },
  azureDisk: { cachingMode: "ReadWrite", fsType: "ext4", readOnly: false, kind: "Shared" },
  scaleIO: { storageMode: "ThinProvisioned", fsType: "xfs" },
};
const POINTER_DEFAULTS = new Set(["azureDisk"]);

function defaultPluginSources(volume: Volume): void {
  for (const [source, defaults] of Object.entries(PLUGIN_DEFAULTS)) {
    const value = volume[source];
    if (!isObject(value)) continue;
    const fields = value as Record<string, unknown>;
    for (const [field, def] of Object.entries(defaults)) {
      const current = fields[field];
      const unset =
        current === undefined ||
        current === null ||
        (current === "" && !POINTER_DEFAULTS.has(source));
      if (unset) fields[field] = def;
    }
  }
}

function isObject<T>(v: T | null | undefined): v is T & object {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The elements of a list that are objects; anything else is left for validation to report. */
function objects<T>(list: T[] | null | undefined): (T & object)[] {
  return Array.isArray(list) ? list.filter((x): x is T & object => isObject(x)) : [];
}
