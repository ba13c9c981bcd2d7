/**
 * Schemas of containers (core/v1): Container and EphemeralContainer, and what a container declares:
 * ports, environment, resources, mounts, probes and lifecycle hooks.
 */
import type { Field } from "../../schema.js";
import {
  boolean,
  defineType,
  f,
  int32,
  int64,
  intOrString,
  keyedList,
  list,
  map,
  quantity,
  set,
  string,
} from "../../schema.js";
import { embed } from "./embedded.js";
import {
  ConfigMapKeySelector,
  FileKeySelector,
  ObjectFieldSelector,
  ResourceFieldSelector,
  SecretKeySelector,
  embeddedName,
} from "./reference-types.js";
import { SecurityContext } from "./security-types.js";

const CORE = "io.k8s.api.core.v1";

/** The signals a container may be stopped with (`lifecycle.stopSignal`). */
export const SIGNALS = [
  ...[
    "ABRT",
    "ALRM",
    "BUS",
    "CHLD",
    "CLD",
    "CONT",
    "FPE",
    "HUP",
    "ILL",
    "INT",
    "IO",
    "IOT",
    "KILL",
  ],
  ...[
    "PIPE",
    "POLL",
    "PROF",
    "PWR",
    "QUIT",
    "SEGV",
    "STKFLT",
    "STOP",
    "SYS",
    "TERM",
    "TRAP",
    "TSTP",
  ],
  ...["TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN"],
  ...Array.from({ length: 15 }, (_, i) => `RTMIN+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `RTMAX-${14 - i}`),
  "RTMAX",
].map((s) => `SIG${s}`);

const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];

export const ContainerPort = defineType({
  name: `${CORE}.ContainerPort`,
  description: "A network port a container listens on.",
  fields: {
    name: f(
      string(),
      1,
      "IANA service name of the port, unique in the pod, for services to refer to.",
    ),
    hostPort: f(int32(), 2, "Port to expose on the node; none when 0."),
    containerPort: f(int32(), 3, "Port number in the pod's network namespace (1-65535).", {
      required: true,
    }),
    protocol: f(string({ enum: ["SCTP", "TCP", "UDP"] }), 4, "TCP, UDP or SCTP; TCP by default."),
    hostIP: f(string(), 5, "Node address the host port is bound on."),
  },
});

export const EnvVarSource = defineType({
  name: `${CORE}.EnvVarSource`,
  description: "Where an env var's value comes from; exactly one field is set.",
  fields: {
    fieldRef: f(
      ObjectFieldSelector,
      1,
      "A field of the pod, such as `metadata.name` or `status.podIP`.",
    ),
    resourceFieldRef: f(ResourceFieldSelector, 2, "A resource limit or request of a container."),
    configMapKeyRef: f(ConfigMapKeySelector, 3, "A key of a config map."),
    secretKeyRef: f(SecretKeySelector, 4, "A key of a secret."),
    fileKeyRef: f(FileKeySelector, 5, "A key of an env file in one of the pod's volumes."),
  },
});

export const EnvVar = defineType({
  name: `${CORE}.EnvVar`,
  description: "An environment variable of a container.",
  fields: {
    name: f(string(), 1, "Name of the variable.", { required: true }),
    value: f(
      string(),
      2,
      "Value of the variable; `$(NAME)` expands earlier variables and `$$(NAME)` escapes it.",
    ),
    valueFrom: f(EnvVarSource, 3, "Source of the value, when it is not given literally."),
  },
});

export const ConfigMapEnvSource = defineType({
  name: `${CORE}.ConfigMapEnvSource`,
  description: "A config map whose every key becomes an environment variable.",
  fields: {
    ...embeddedName("config map"),
    optional: f(boolean(), 2, "Whether the config map may be missing.", { pointer: true }),
  },
});

export const SecretEnvSource = defineType({
  name: `${CORE}.SecretEnvSource`,
  description: "A secret whose every key becomes an environment variable.",
  fields: {
    ...embeddedName("secret"),
    optional: f(boolean(), 2, "Whether the secret may be missing.", { pointer: true }),
  },
});

export const EnvFromSource = defineType({
  name: `${CORE}.EnvFromSource`,
  description: "A config map or secret whose keys all become environment variables.",
  fields: {
    prefix: f(string(), 1, "Prefix added to every variable name."),
    configMapRef: f(ConfigMapEnvSource, 2, "The config map to read."),
    secretRef: f(SecretEnvSource, 3, "The secret to read."),
  },
});

export const ResourceClaim = defineType({
  name: `${CORE}.ResourceClaim`,
  description: "A reference from a container to one of the pod's resource claims.",
  fields: {
    name: f(string(), 1, "Name of an entry in the pod's `resourceClaims`.", { required: true }),
    request: f(string(), 2, "One request of the claim to use; the whole claim when empty."),
  },
});

export const ResourceRequirements = defineType({
  name: `${CORE}.ResourceRequirements`,
  description: "Compute resources a container needs and the most it may use.",
  fields: {
    limits: f(map(quantity()), 1, "Most of each resource the container may use."),
    requests: f(
      map(quantity()),
      2,
      "Least of each resource the container needs; the limit when only a limit is given.",
    ),
    claims: f(
      keyedList(ResourceClaim, ["name"]),
      3,
      "Dynamically allocated resources the container uses.",
    ),
  },
});

export const ContainerResizePolicy = defineType({
  name: `${CORE}.ContainerResizePolicy`,
  description: "How a container reacts when one of its resources is resized in place.",
  fields: {
    resourceName: f(string(), 1, "The resource: cpu or memory.", { required: true }),
    restartPolicy: f(string(), 2, "NotRequired or RestartContainer.", { required: true }),
  },
});

export const ContainerRestartRuleOnExitCodes = defineType({
  name: `${CORE}.ContainerRestartRuleOnExitCodes`,
  description: "Exit codes that a container restart rule matches.",
  fields: {
    operator: f(
      string(),
      1,
      "In or NotIn: whether the exit code must be among the values or not.",
      {
        required: true,
      },
    ),
    values: f(set(int32()), 2, "The exit codes, at most 255 of them."),
  },
});

export const ContainerRestartRule = defineType({
  name: `${CORE}.ContainerRestartRule`,
  description: "A rule that decides whether an exited container is restarted.",
  fields: {
    action: f(string(), 1, "What to do when the rule matches; only Restart exists.", {
      required: true,
    }),
    exitCodes: f(ContainerRestartRuleOnExitCodes, 2, "Exit codes the rule matches."),
  },
});

export const VolumeMount = defineType({
  name: `${CORE}.VolumeMount`,
  description: "A volume mounted into a container's filesystem.",
  fields: {
    name: f(string(), 1, "Name of one of the pod's volumes.", { required: true }),
    readOnly: f(boolean(), 2, "Whether the mount is read-only; false by default."),
    recursiveReadOnly: f(
      string(),
      7,
      "Whether submounts are read-only too: Disabled, IfPossible or Enabled.",
      { pointer: true },
    ),
    mountPath: f(string(), 3, "Path in the container to mount at; may not contain `:`.", {
      required: true,
    }),
    subPath: f(string(), 4, "Path inside the volume to mount instead of its root."),
    mountPropagation: f(
      string({ enum: ["Bidirectional", "HostToContainer", "None"] }),
      5,
      "How mounts propagate between host and container; None by default.",
      { pointer: true },
    ),
    subPathExpr: f(
      string(),
      6,
      "Like subPath, with `$(VAR)` references to the container's environment.",
    ),
  },
});

export const VolumeDevice = defineType({
  name: `${CORE}.VolumeDevice`,
  description: "A raw block volume exposed to a container as a device.",
  fields: {
    name: f(string(), 1, "Name of a persistent volume claim volume of the pod.", {
      required: true,
    }),
    devicePath: f(string(), 2, "Path of the device inside the container.", { required: true }),
  },
});

export const ExecAction = defineType({
  name: `${CORE}.ExecAction`,
  description: "A command run inside the container; exit status 0 is success.",
  fields: {
    command: f(list(string()), 1, "The command and its arguments, run without a shell."),
  },
});

export const HTTPHeader = defineType({
  name: `${CORE}.HTTPHeader`,
  description: "A header of an HTTP probe request.",
  fields: {
    name: f(string(), 1, "Header name; normalised on output.", { required: true }),
    value: f(string(), 2, "Header value.", { required: true }),
  },
});

export const HTTPGetAction = defineType({
  name: `${CORE}.HTTPGetAction`,
  description: "An HTTP GET request; a status from 200 to 399 is success.",
  fields: {
    path: f(string(), 1, "Path of the request; `/` by default."),
    port: f(intOrString(), 2, "Port number or name on the container.", { required: true }),
    host: f(string(), 3, "Host to connect to; the pod IP by default."),
    scheme: f(string({ enum: ["HTTP", "HTTPS"] }), 4, "HTTP or HTTPS; HTTP by default."),
    httpHeaders: f(list(HTTPHeader), 5, "Custom headers to send."),
  },
});

export const TCPSocketAction = defineType({
  name: `${CORE}.TCPSocketAction`,
  description: "A TCP connection attempt; connecting is success.",
  fields: {
    port: f(intOrString(), 1, "Port number or name on the container.", { required: true }),
    host: f(string(), 2, "Host to connect to; the pod IP by default."),
  },
});

export const GRPCAction = defineType({
  name: `${CORE}.GRPCAction`,
  description: "A gRPC health check call.",
  fields: {
    port: f(int32(), 1, "Port number of the gRPC service (1-65535).", { required: true }),
    service: f(
      string(),
      2,
      "Service name sent in the health check request; empty checks the server.",
      { pointer: true },
    ),
  },
});

export const SleepAction = defineType({
  name: `${CORE}.SleepAction`,
  description: "A pause of some seconds.",
  fields: {
    seconds: f(int64(), 1, "Seconds to sleep.", { required: true }),
  },
});

export const Probe = defineType({
  name: `${CORE}.Probe`,
  description: "A periodic health check of a container; exactly one handler is set.",
  fields: {
    ...embed(1, {
      exec: f(ExecAction, 1, "Run a command in the container."),
      httpGet: f(HTTPGetAction, 2, "Send an HTTP GET request."),
      tcpSocket: f(TCPSocketAction, 3, "Open a TCP connection."),
      grpc: f(GRPCAction, 4, "Call the gRPC health checking protocol."),
    }),
    initialDelaySeconds: f(
      int32(),
      2,
      "Seconds after the container starts before the first probe.",
    ),
    timeoutSeconds: f(int32(), 3, "Seconds before a probe times out; 1 by default."),
    periodSeconds: f(int32(), 4, "Seconds between probes; 10 by default."),
    successThreshold: f(
      int32(),
      5,
      "Consecutive successes that count as healthy after a failure; 1 by default.",
    ),
    failureThreshold: f(int32(), 6, "Consecutive failures that count as unhealthy; 3 by default."),
    terminationGracePeriodSeconds: f(
      int64(),
      7,
      "Grace period for stopping the pod when this probe fails; the pod's when unset.",
      { pointer: true },
    ),
  },
});

export const LifecycleHandler = defineType({
  name: `${CORE}.LifecycleHandler`,
  description: "An action run at a point of a container's lifecycle; exactly one field is set.",
  fields: {
    exec: f(ExecAction, 1, "Run a command in the container."),
    httpGet: f(HTTPGetAction, 2, "Send an HTTP GET request."),
    tcpSocket: f(TCPSocketAction, 3, "Deprecated and ignored; kept for compatibility."),
    sleep: f(SleepAction, 4, "Sleep for some seconds."),
  },
});

export const Lifecycle = defineType({
  name: `${CORE}.Lifecycle`,
  description: "Actions the kubelet runs when a container starts and before it stops.",
  fields: {
    postStart: f(
      LifecycleHandler,
      1,
      "Run right after the container is created; failure restarts it.",
    ),
    preStop: f(
      LifecycleHandler,
      2,
      "Run before the container is stopped; counts against the grace period.",
    ),
    stopSignal: f(
      string({ enum: SIGNALS }),
      3,
      "Signal that stops the container; the image's by default.",
      { pointer: true },
    ),
  },
});

/** The fields every kind of container has (upstream's Container, and EphemeralContainerCommon). */
function containerFields(): Record<string, Field> {
  return {
    name: f(string(), 1, "Name of the container, a DNS label unique in the pod.", {
      required: true,
    }),
    image: f(string(), 2, "Container image to run."),
    command: f(
      list(string()),
      3,
      "Entrypoint to run instead of the image's; `$(VAR)` references expand.",
    ),
    args: f(
      list(string()),
      4,
      "Arguments to the entrypoint instead of the image's; `$(VAR)` references expand.",
    ),
    workingDir: f(string(), 5, "Working directory; the image's by default."),
    ports: f(
      keyedList(ContainerPort, ["containerPort", "protocol"], { mergeKey: "containerPort" }),
      6,
      "Ports the container listens on; informational, any listening port is reachable.",
    ),
    envFrom: f(list(EnvFromSource), 19, "Config maps and secrets whose keys all become variables."),
    env: f(
      keyedList(EnvVar, ["name"], { mergeKey: "name" }),
      7,
      "Environment variables of the container.",
    ),
    resources: f(ResourceRequirements, 8, "Compute resources the container needs and may use."),
    resizePolicy: f(list(ContainerResizePolicy), 23, "How each resource may be resized in place."),
    restartPolicy: f(
      string(),
      24,
      "Restart behaviour of this container; Always makes an init container a sidecar.",
      { pointer: true },
    ),
    restartPolicyRules: f(list(ContainerRestartRule), 25, "Rules deciding restarts by exit code."),
    volumeMounts: f(
      keyedList(VolumeMount, ["mountPath"], { mergeKey: "mountPath" }),
      9,
      "Volumes mounted into the container's filesystem.",
    ),
    volumeDevices: f(
      keyedList(VolumeDevice, ["devicePath"], { mergeKey: "devicePath" }),
      21,
      "Block volumes exposed as devices.",
    ),
    livenessProbe: f(Probe, 10, "Check that restarts the container when it fails."),
    readinessProbe: f(
      Probe,
      11,
      "Check that removes the pod from service endpoints when it fails.",
    ),
    startupProbe: f(Probe, 22, "Check that must succeed before the other probes start."),
    lifecycle: f(Lifecycle, 12, "Actions run after start and before stop."),
    terminationMessagePath: f(
      string(),
      13,
      "File whose contents become the termination message; /dev/termination-log by default.",
    ),
    terminationMessagePolicy: f(
      string({ enum: ["FallbackToLogsOnError", "File"] }),
      20,
      "Where the termination message comes from: File, or FallbackToLogsOnError.",
    ),
    imagePullPolicy: f(
      string({ enum: PULL_POLICIES }),
      14,
      "When to pull the image; Always for `latest` or no tag, IfNotPresent otherwise.",
    ),
    securityContext: f(SecurityContext, 15, "Security settings of the container."),
    stdin: f(
      boolean(),
      16,
      "Whether the container has a stdin buffer; reads return EOF otherwise.",
    ),
    stdinOnce: f(boolean(), 17, "Whether stdin closes after the first attach session ends."),
    tty: f(boolean(), 18, "Whether the container gets a TTY; needs stdin."),
  };
}

export const Container = defineType({
  name: `${CORE}.Container`,
  description: "A container to run in the pod.",
  fields: containerFields(),
});

export const EphemeralContainer = defineType({
  name: `${CORE}.EphemeralContainer`,
  description: "A container added to a running pod for troubleshooting; it is never restarted.",
  fields: {
    ...embed(1, containerFields()),
    targetContainerName: f(
      string(),
      2,
      "Container whose namespaces (such as its process namespace) this one joins.",
    ),
  },
});
