import assert from "node:assert/strict";
import { describe, it } from "node:test";
import "../../api/registry.js";
import { StatusError } from "../../api/errors.js";
import { decodeProtobufObject } from "./decode.js";

// A hand assembler of the wire format, independent of encode.ts: each helper returns the bytes of
// one field, written from the protobuf encoding rules and upstream's field numbers.
type Bytes = number[];
const varint = (value: number | bigint): Bytes => {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: Bytes = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
};
const tag = (field: number, wireType: number): Bytes => varint((field << 3) | wireType);
const int = (field: number, value: number | bigint): Bytes => [...tag(field, 0), ...varint(value)];
const bytes = (field: number, payload: Bytes | Buffer): Bytes => [
  ...tag(field, 2),
  ...varint(payload.length),
  ...payload,
];
const str = (field: number, text: string): Bytes => bytes(field, Buffer.from(text, "utf8"));
const msg = (field: number, ...parts: Bytes[]): Bytes => bytes(field, parts.flat());
const entry = (field: number, key: string, value: Bytes): Bytes => msg(field, str(1, key), value);
const strEntry = (field: number, key: string, value: string): Bytes =>
  entry(field, key, str(2, value));
const envelope = (apiVersion: string, kind: string, ...object: Bytes[]): Buffer =>
  Buffer.from([
    ...[0x6b, 0x38, 0x73, 0x00],
    ...msg(1, str(1, apiVersion), str(2, kind)),
    ...msg(2, ...object),
    ...str(3, ""),
    ...str(4, ""),
  ]);
/** ObjectMeta (field 1 of every kind) as gogo writes it: empty strings, zero ints, a zero time. */
const meta = (name: string, ...more: Bytes[]): Bytes =>
  msg(
    1,
    str(1, name),
    str(2, ""),
    str(3, ""),
    str(4, ""),
    str(5, ""),
    str(6, ""),
    int(7, 0),
    msg(8),
    ...more,
  );

describe("decodeProtobufObject() on hand-built bodies", () => {
  it("decodes a ConfigMap with data, binaryData and immutable", () => {
    const body = envelope(
      "v1",
      "ConfigMap",
      meta("settings", strEntry(11, "app", "web")),
      strEntry(2, "color", "blue"),
      strEntry(2, "empty", ""),
      entry(3, "blob", bytes(2, [0x00, 0xff, 0x10])),
      int(4, 1),
    );
    assert.deepEqual(decodeProtobufObject(body), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", labels: { app: "web" } },
      data: { color: "blue", empty: "" },
      binaryData: { blob: "AP8Q" },
      immutable: true,
    });
  });

  it("decodes a Deployment with replicas 0, keeping the pointer's zero and empty structs", () => {
    const container = msg(2, str(1, "web"), str(2, "nginx"), msg(8), str(14, ""), int(16, 0));
    const body = envelope(
      "apps/v1",
      "Deployment",
      meta("web"),
      msg(
        2,
        int(1, 0), // replicas: *int32
        msg(2, strEntry(1, "app", "web")),
        msg(3, msg(1, strEntry(11, "app", "web")), msg(2, container, str(3, ""))),
        msg(4), // strategy: an empty struct
        int(5, 0), // minReadySeconds: int32, so 0 is unset
        int(7, 0), // paused: bool
      ),
      msg(3, int(1, 0), int(2, 0)),
    );
    assert.deepEqual(decodeProtobufObject(body), {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "web", image: "nginx", resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it("decodes a Secret's binary data as base64 and its type", () => {
    const binary = Buffer.from([0x00, 0x01, 0x80, 0xfe, 0xff, 0x0a]);
    const body = envelope(
      "v1",
      "Secret",
      meta("creds", str(3, "default")),
      entry(2, "key.bin", bytes(2, binary)),
      entry(2, "user", bytes(2, Buffer.from("admin"))),
      str(3, "Opaque"),
    );
    assert.deepEqual(decodeProtobufObject(body), {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "creds", namespace: "default" },
      data: { "key.bin": binary.toString("base64"), user: "YWRtaW4=" },
      type: "Opaque",
    });
  });

  it("decodes a Service's int and string targetPorts and drops a zero nodePort", () => {
    const port = (name: string, number: number, target: Bytes): Bytes =>
      msg(1, str(1, name), str(2, "TCP"), int(3, number), msg(4, target), int(5, 0));
    const body = envelope(
      "v1",
      "Service",
      meta("web"),
      msg(
        2,
        port("http", 80, [...int(1, 0), ...int(2, 8080), ...str(3, "")]),
        port("https", 443, [...int(1, 1), ...int(2, 0), ...str(3, "https")]),
        port("zero", 81, [...int(1, 0), ...int(2, 0), ...str(3, "")]),
        strEntry(2, "app", "web"),
        str(3, ""),
        str(4, "ClusterIP"),
      ),
      msg(3, msg(1)),
    );
    assert.deepEqual(decodeProtobufObject(body), {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: {
        ports: [
          { name: "http", protocol: "TCP", port: 80, targetPort: 8080 },
          { name: "https", protocol: "TCP", port: 443, targetPort: "https" },
          { name: "zero", protocol: "TCP", port: 81 },
        ],
        selector: { app: "web" },
        type: "ClusterIP",
      },
      status: { loadBalancer: {} },
    });
  });

  it("decodes a Namespace with finalizers, keeping its empty status", () => {
    const body = envelope("v1", "Namespace", meta("team-a"), msg(2, str(1, "kubernetes")), msg(3));
    assert.deepEqual(decodeProtobufObject(body), {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-a" },
      spec: { finalizers: ["kubernetes"] },
      status: {},
    });
  });
});

describe("decodeProtobufObject() value encodings", () => {
  const pod = (...spec: Bytes[]): Buffer => envelope("v1", "Pod", meta("p"), msg(2, ...spec));
  const securityContext = (...fields: Bytes[]): Buffer => pod(msg(14, ...fields));

  const cases: [string, Buffer, unknown][] = [
    [
      "negative int32 sent as a 10-byte varint",
      pod(msg(2, str(1, "c"), msg(10, int(2, -5)))),
      { containers: [{ name: "c", livenessProbe: { initialDelaySeconds: -5 } }] },
    ],
    [
      "negative and large int64",
      securityContext(int(2, -1n), int(5, 2n ** 40n)),
      { securityContext: { runAsUser: -1, fsGroup: 2 ** 40 } },
    ],
    [
      "repeated int64 unpacked, as gogo writes proto2, and packed",
      securityContext(int(4, 1), int(4, -2), bytes(4, [...varint(3), ...varint(-4)])),
      { securityContext: { supplementalGroups: [1, -2, 3, -4] } },
    ],
    [
      "a pointer bool's false and a pointer int64's 0",
      pod(int(21, 0), int(4, 0)),
      { automountServiceAccountToken: false, terminationGracePeriodSeconds: 0 },
    ],
    [
      "ResourceList quantities, including a zero",
      pod(
        msg(
          2,
          str(1, "c"),
          msg(8, entry(1, "cpu", msg(2, str(1, "250m"))), entry(2, "memory", msg(2, str(1, "0")))),
        ),
      ),
      {
        containers: [
          { name: "c", resources: { limits: { cpu: "250m" }, requests: { memory: "0" } } },
        ],
      },
    ],
    [
      "an embedded struct flattened into its parent (Volume's VolumeSource)",
      pod(msg(1, str(1, "cache"), msg(2, msg(2, str(1, ""))))),
      { volumes: [{ name: "cache", emptyDir: {} }] },
    ],
    [
      "a pointer quantity set to zero, and the zero IntOrString of a required field",
      pod(
        msg(1, str(1, "v"), msg(2, msg(2, msg(2, str(1, "0"))))),
        msg(2, str(1, "c"), msg(10, msg(1, msg(3, msg(1, int(1, 0), int(2, 0), str(3, "")))))),
      ),
      {
        volumes: [{ name: "v", emptyDir: { sizeLimit: "0" } }],
        containers: [{ name: "c", livenessProbe: { tcpSocket: { port: 0 } } }],
      },
    ],
    [
      "unknown fields of every wire type, which are skipped",
      pod(
        int(900, 7),
        [...tag(901, 1), 1, 2, 3, 4, 5, 6, 7, 8],
        str(902, "later"),
        [...tag(903, 5), 1, 2, 3, 4],
        [...tag(904, 3), ...int(1, 1), ...tag(904, 4)],
        str(3, "Never"),
      ),
      { restartPolicy: "Never" },
    ],
    [
      "a message field sent twice, which merges",
      pod(msg(14, int(2, 1)), msg(14, int(3, 2))),
      { securityContext: { runAsUser: 1, runAsNonRoot: true } },
    ],
    [
      "a scalar sent twice, where the last wins even when it is a dropped zero",
      pod(str(3, "Never"), str(3, "")),
      {},
    ],
  ];
  for (const [name, body, spec] of cases) {
    it(`decodes ${name}`, () => {
      assert.deepEqual(decodeProtobufObject(body).spec, spec);
    });
  }

  it("decodes Time to the second, MicroTime to the microsecond, and drops zero times", () => {
    const body = envelope(
      "coordination.k8s.io/v1",
      "Lease",
      meta("l", msg(9, int(1, 1700000000), int(2, 0))),
      msg(2, str(1, "me"), msg(3, int(1, 1700000000), int(2, 123456789)), msg(4)),
    );
    assert.deepEqual(decodeProtobufObject(body), {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "l", deletionTimestamp: "2023-11-14T22:13:20Z" },
      spec: { holderIdentity: "me", acquireTime: "2023-11-14T22:13:20.123456Z" },
    });
  });

  it("decodes raw JSON of a RawExtension and of managedFields' fieldsV1", () => {
    const fields = Buffer.from('{"f:data":{"f:a":{}}}');
    const body = envelope(
      "apps/v1",
      "ControllerRevision",
      meta(
        "r",
        msg(
          17,
          str(1, "kubectl"),
          str(2, "Update"),
          msg(4, int(1, 0), int(2, 0)),
          msg(7, bytes(1, fields)),
        ),
      ),
      msg(2, bytes(1, Buffer.from('{"spec":{"x":[1,null]}}'))),
      int(3, 4),
    );
    assert.deepEqual(decodeProtobufObject(body), {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        name: "r",
        managedFields: [
          {
            manager: "kubectl",
            operation: "Update",
            time: "1970-01-01T00:00:00Z",
            fieldsV1: { "f:data": { "f:a": {} } },
          },
        ],
      },
      data: { spec: { x: [1, null] } },
      revision: 4,
    });
  });

  it("keeps a map key named __proto__ as an own member", () => {
    const body = envelope("v1", "ConfigMap", meta("m"), strEntry(2, "__proto__", "x"));
    const data = decodeProtobufObject(body).data as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.deepEqual(Object.entries(data), [["__proto__", "x"]]);
  });
});

describe("decodeProtobufObject() refusals", () => {
  const cm = (...object: Bytes[]): Buffer => envelope("v1", "ConfigMap", meta("m"), ...object);
  const withEnvelope = (...fields: Bytes[]): Buffer =>
    Buffer.from([0x6b, 0x38, 0x73, 0x00, ...fields.flat()]);
  const cases: [string, Buffer, number, RegExp][] = [
    ["a body without the magic", Buffer.from('{"kind":"Pod"}'), 400, /start with the bytes/],
    ["a body that is only the magic", withEnvelope(), 400, /empty/],
    ["a truncated varint", cm([...tag(4, 0), 0x80]), 400, /at immutable: truncated varint/],
    [
      "a length past the end of its message",
      withEnvelope(msg(1, str(1, "v1"), str(2, "ConfigMap")), [...tag(2, 2), 50, 1, 2]),
      400,
      /envelope: length 50 runs past the end/,
    ],
    [
      "a varint of 11 bytes",
      cm([...tag(4, 0), ...Array(10).fill(0xff), 0x01]),
      400,
      /longer than 10 bytes/,
    ],
    [
      "a string sent as a varint",
      cm(int(2, 5)),
      400,
      /at data: field 2 has wire type 0 \(varint\), expected 2/,
    ],
    ["a bool sent as bytes", cm(str(4, "true")), 400, /at immutable: field 4 has wire type 2/],
    ["field number 0", cm([0x02, 0x00]), 400, /field number 0/],
    ["an invalid wire type", cm([...tag(30, 7)]), 400, /invalid wire type 7/],
    [
      "raw JSON that is not JSON",
      envelope("apps/v1", "ControllerRevision", meta("r"), msg(2, str(1, "{nope"))),
      400,
      /at data: the embedded raw object is not JSON/,
    ],
    [
      "an int-or-string of an unknown type",
      envelope("v1", "Service", meta("s"), msg(2, msg(1, int(3, 80), msg(4, int(1, 2))))),
      400,
      /at spec\.ports\[0\]\.targetPort: int-or-string type 2/,
    ],
    [
      "a time past year 9999",
      envelope("v1", "ConfigMap", meta("m", msg(8, int(1, 253402300800)))),
      400,
      /at metadata\.creationTimestamp: .*outside years 0 to 9999/,
    ],
    [
      "an empty quantity",
      envelope(
        "v1",
        "Pod",
        meta("p"),
        msg(2, msg(2, str(1, "c"), msg(8, entry(1, "cpu", msg(2, str(1, "")))))),
      ),
      400,
      /containers\[0\]\.resources\.limits: a quantity may not be empty/,
    ],
    [
      "an envelope without a kind",
      withEnvelope(msg(1, str(1, "v1")), msg(2)),
      400,
      /'Kind' is missing/,
    ],
    [
      "an envelope without an apiVersion",
      withEnvelope(msg(1, str(2, "Pod")), msg(2)),
      400,
      /'apiVersion' is missing/,
    ],
    [
      "a gzip content encoding",
      withEnvelope(msg(1, str(1, "v1"), str(2, "Pod")), msg(2), str(3, "gzip")),
      400,
      /content encoding "gzip"/,
    ],
    [
      "a JSON object inside the envelope",
      withEnvelope(
        msg(1, str(1, "v1"), str(2, "Pod")),
        bytes(2, Buffer.from("{}")),
        str(4, "application/json"),
      ),
      400,
      /content type "application\/json"/,
    ],
    [
      "a kind with no schema",
      withEnvelope(msg(1, str(1, "authentication.k8s.io/v1"), str(2, "TokenRequest")), msg(2)),
      415,
      /TokenRequest in authentication\.k8s\.io\/v1/,
    ],
    [
      "a known kind in another version",
      withEnvelope(msg(1, str(1, "apps/v1beta2"), str(2, "Deployment")), msg(2)),
      415,
      /Deployment in apps\/v1beta2/,
    ],
  ];
  for (const [name, body, code, message] of cases) {
    it(`refuses ${name} with ${code}`, () => {
      assert.throws(
        () => decodeProtobufObject(body),
        (err: unknown) => {
          assert.ok(err instanceof StatusError, String(err));
          assert.equal(err.code, code);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it("refuses every truncation of a real body with a 400, never another error", () => {
    const body = envelope(
      "apps/v1",
      "Deployment",
      meta("web", strEntry(11, "app", "web")),
      msg(2, int(1, 3)),
    );
    for (let length = 5; length < body.length; length++) {
      try {
        decodeProtobufObject(body.subarray(0, length));
      } catch (err) {
        assert.ok(
          err instanceof StatusError && err.code === 400,
          `length ${length}: ${String(err)}`,
        );
      }
    }
  });
});
