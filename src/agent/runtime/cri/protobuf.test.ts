import assert from "node:assert/strict";
import { test } from "node:test";

import * as m from "./messages.js";
import { decodeMessage, encodeMessage, message, ProtobufDecodeError } from "./protobuf.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("encodeMessage() writes the bytes protobuf specifies, checked by hand", () => {
  const cases: { name: string; got: Uint8Array; want: string }[] = [
    {
      name: "string field 1",
      got: encodeMessage(m.VersionRequest, { version: "v1" }),
      want: "0a027631",
    },
    {
      name: "string and int64",
      got: encodeMessage(m.StopContainerRequest, { containerId: "ab", timeout: 10 }),
      want: "0a026162100a",
    },
    {
      name: "negative int32 is ten bytes, sign-extended",
      got: encodeMessage(m.ExecSyncResponse, { exitCode: -1 }),
      want: "18ffffffffffffffffff01",
    },
    {
      name: "map entry is a nested key/value message",
      got: encodeMessage(m.PodSandboxConfig, { labels: { a: "b" } }),
      want: "32060a0161120162",
    },
    {
      name: "repeated int64 is packed",
      got: encodeMessage(m.LinuxSandboxSecurityContext, { supplementalGroups: [1, 300] }),
      want: "2a0301ac02",
    },
    {
      name: "nested messages are length-delimited",
      got: encodeMessage(m.RunPodSandboxRequest, { config: { metadata: { name: "p" } } }),
      want: "0a050a030a0170",
    },
    {
      name: "proto3 defaults are left out",
      got: encodeMessage(m.StopContainerRequest, { containerId: "", timeout: 0 }),
      want: "",
    },
    {
      name: "repeated strings keep empty elements",
      got: encodeMessage(m.ExecSyncRequest, { cmd: ["", "x"] }),
      want: "1200120178",
    },
  ];
  for (const c of cases) assert.equal(hex(c.got), c.want, c.name);
});

test("decodeMessage() reads back what encodeMessage() wrote, with proto3 defaults", () => {
  const config = {
    metadata: { name: "web-0", uid: "u-1", namespace: "default", attempt: 2 },
    hostname: "web-0",
    labels: { app: "web", "io.kubernetes.pod.name": "web-0" },
    portMappings: [{ protocol: 1, containerPort: 53, hostPort: 0, hostIp: "" }],
    linux: {
      securityContext: {
        namespaceOptions: { network: 2, pid: 1, ipc: 0, targetId: "" },
        runAsUser: { value: 1000 },
        supplementalGroups: [5, 2 ** 40],
      },
    },
  };
  const back = decodeMessage(m.PodSandboxConfig, encodeMessage(m.PodSandboxConfig, config));

  assert.deepEqual(back["metadata"], config.metadata);
  assert.deepEqual(back["labels"], config.labels);
  assert.deepEqual(back["portMappings"], config.portMappings);
  assert.equal(back["logDirectory"], "");
  assert.deepEqual(back["annotations"], {});
  assert.equal(back["dnsConfig"], undefined);
  const linux = back["linux"] as any;
  assert.deepEqual(linux.securityContext.supplementalGroups, [5, 2 ** 40]);
  assert.equal(linux.securityContext.runAsUser.value, 1000);
  assert.equal(linux.securityContext.namespaceOptions.network, 2);

  const exec = decodeMessage(
    m.ExecSyncResponse,
    encodeMessage(m.ExecSyncResponse, { stdout: Buffer.from("ok\n"), exitCode: -2 }),
  );
  assert.equal(Buffer.from(exec["stdout"] as Uint8Array).toString(), "ok\n");
  assert.equal((exec["stderr"] as Uint8Array).length, 0);
  assert.equal(exec["exitCode"], -2);

  const ts = Number(1_733_312_000_123_456_789n);
  const status = decodeMessage(
    m.ContainerStatus,
    encodeMessage(m.ContainerStatus, { id: "c", createdAt: ts, state: 1 }),
  );
  assert.equal(status["createdAt"], ts);
  assert.equal(status["state"], 1);
});

test("decodeMessage() skips unknown fields of every wire type and accepts unpacked repeated numbers", () => {
  // field 1 "v1", unknown 9 varint, unknown 10 fixed64, unknown 11 bytes, unknown 12 fixed32, field 4 "x"
  const bytes = Buffer.from(
    "0a027631" + "4801" + "510102030405060708" + "5a02aabb" + "6501020304" + "220178",
    "hex",
  );
  assert.deepEqual(decodeMessage(m.VersionResponse, bytes), {
    version: "v1",
    runtimeName: "",
    runtimeVersion: "",
    runtimeApiVersion: "x",
  });

  const unpacked = Buffer.from("2801" + "2802", "hex");
  assert.deepEqual(
    decodeMessage(m.LinuxSandboxSecurityContext, unpacked)["supplementalGroups"],
    [1, 2],
  );
});

test("decodeMessage() refuses truncated input and wrong wire types", () => {
  assert.throws(
    () => decodeMessage(m.VersionRequest, Buffer.from("0a05763", "hex")),
    ProtobufDecodeError,
  );
  assert.throws(
    () => decodeMessage(m.VersionRequest, Buffer.from("0a0576", "hex")),
    ProtobufDecodeError,
  );
  assert.throws(() => decodeMessage(m.VersionRequest, Buffer.from("0801", "hex")), /wire type 0/);
  assert.throws(() => decodeMessage(m.VersionRequest, Buffer.from("0a01ff", "hex")), /UTF-8/);
});

test("encodeMessage() refuses unknown keys and values of the wrong type", () => {
  assert.throws(() => encodeMessage(m.VersionRequest, { versoin: "v1" }), /unknown field versoin/);
  assert.throws(() => encodeMessage(m.StopContainerRequest, { timeout: "10" }), /integer/);
  assert.throws(() => encodeMessage(m.ContainerMetadata, { attempt: -1 }), /negative/);
  const small = message("t.Small", { n: { no: 1, type: "int32" } });
  assert.throws(() => encodeMessage(small, { n: 2 ** 31 }), /32 bits/);
});
