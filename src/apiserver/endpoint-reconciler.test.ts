import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EndpointSlice } from "../api/discovery/v1/endpoint-slice.js";
import { openBackend } from "../storage/open.js";
import type { Backend } from "../storage/backend.js";
import { silentLogger } from "../util/log.js";
import { ADMIN } from "./auth/authenticator.js";
import {
  kubernetesEndpointSlice,
  kubernetesEndpoints,
  resolveAdvertiseAddress,
} from "./endpoint-reconciler.js";
import { ApiServer } from "./server.js";

describe("the kubernetes service's endpoints", () => {
  it("name the server's address and port on the https port", () => {
    assert.deepEqual(kubernetesEndpoints("192.0.2.7", 6443), {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: {
        name: "kubernetes",
        namespace: "default",
        labels: { "endpointslice.kubernetes.io/skip-mirror": "true" },
      },
      subsets: [
        {
          addresses: [{ ip: "192.0.2.7" }],
          ports: [{ name: "https", port: 6443, protocol: "TCP" }],
        },
      ],
    });
    const slice = kubernetesEndpointSlice("fd00::7", 6443);
    assert.equal(slice.addressType, "IPv6");
    assert.deepEqual(slice.endpoints, [{ addresses: ["fd00::7"], conditions: { ready: true } }]);
    assert.deepEqual(slice.metadata.labels, { "kubernetes.io/service-name": "kubernetes" });
  });

  it("advertise a routable bind address as is, and never a loopback or wildcard one", () => {
    assert.equal(resolveAdvertiseAddress("192.0.2.9"), "192.0.2.9");
    for (const host of ["127.0.0.1", "0.0.0.0", "::", "localhost"]) {
      const ip = resolveAdvertiseAddress(host);
      if (ip === undefined) continue; // A machine with no other interface has nothing to advertise.
      assert.doesNotMatch(ip, /^127\.|^0\.0\.0\.0$/);
    }
  });
});

describe("KubernetesEndpointReconciler in the API server", () => {
  let backend: Backend;
  let server: ApiServer;
  const opts = { dryRun: false, user: ADMIN };

  before(async () => {
    backend = await openBackend({ type: "memory", dataDir: "" });
    server = await ApiServer.start({
      backend,
      host: "127.0.0.1",
      port: 0,
      logger: silentLogger,
      advertiseAddress: "192.0.2.7",
      endpointReconcileIntervalMs: 50,
    });
  });
  after(async () => {
    await server.close();
    await backend.close();
  });

  const until = async (check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error("Timed out waiting for the reconciler");
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const slice = async (): Promise<EndpointSlice | undefined> => {
    try {
      return (await server.store("discovery.k8s.io", "endpointslices").get("default", "kubernetes"))
        .obj as EndpointSlice;
    } catch {
      return undefined;
    }
  };

  it("writes both objects at start", async () => {
    const ep = await server.store("", "endpoints").get("default", "kubernetes");
    const port = Number(new URL(server.url).port);
    assert.deepEqual(
      (ep.obj as { subsets?: unknown }).subsets,
      kubernetesEndpoints("192.0.2.7", port).subsets,
    );
    assert.equal((await slice())?.endpoints?.[0]?.addresses?.[0], "192.0.2.7");
  });

  it("brings back a deleted Endpoints object and repairs an edited slice", async () => {
    await server.store("", "endpoints").delete("default", "kubernetes", {}, opts);
    await server
      .store("discovery.k8s.io", "endpointslices")
      .update(
        "default",
        "kubernetes",
        (cur) => ({ ...cur, endpoints: [{ addresses: ["192.0.2.99"] }] }),
        opts,
      );
    await until(async () => {
      try {
        await server.store("", "endpoints").get("default", "kubernetes");
      } catch {
        return false;
      }
      return (await slice())?.endpoints?.[0]?.addresses?.[0] === "192.0.2.7";
    });
  });
});

describe("a server restarted on another port", () => {
  it("points the kubernetes Service and its endpoints at the new port", async () => {
    const backend = await openBackend({ type: "memory", dataDir: "" });
    const start = () =>
      ApiServer.start({
        backend,
        host: "127.0.0.1",
        port: 0,
        logger: silentLogger,
        advertiseAddress: "192.0.2.7",
      });
    const first = await start();
    const firstPort = Number(new URL(first.url).port);
    await first.close();
    const second = await start();
    try {
      const port = Number(new URL(second.url).port);
      assert.notEqual(port, firstPort);
      const svc = (await second.store("", "services").get("default", "kubernetes"))
        .obj as unknown as {
        spec: { ports: { port: number; targetPort: number }[] };
      };
      assert.deepEqual(
        svc.spec.ports.map((p) => [p.port, p.targetPort]),
        [[443, port]],
      );
      const ep = (await second.store("", "endpoints").get("default", "kubernetes"))
        .obj as unknown as {
        subsets: { ports: { port: number }[] }[];
      };
      assert.equal(ep.subsets[0]?.ports[0]?.port, port);
    } finally {
      await second.close();
      await backend.close();
    }
  });
});
