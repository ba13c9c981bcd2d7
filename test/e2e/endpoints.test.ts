/**
 * End to end: the Endpoints and EndpointSlice controllers and the API server's own endpoints, with
 * the real kubectl against a cluster with every controller, the scheduler and two simulated nodes
 * (which run pods to Running and Ready and give them addresses).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resolveAdvertiseAddress } from "../../src/apiserver/endpoint-reconciler.js";
import { ControllerManager, controllerManagerClient } from "../../src/controllers/manager.js";
import { eventually, startCluster, type TestCluster } from "../harness.js";

interface PodView {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
}

interface SliceView {
  metadata: {
    name: string;
    generateName?: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
  };
  addressType: string;
  endpoints?: {
    addresses: string[];
    conditions: { ready?: boolean; serving?: boolean; terminating?: boolean };
    nodeName?: string;
    targetRef?: { kind: string; name: string; uid: string };
  }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

interface EndpointsView {
  metadata: { labels?: Record<string, string> };
  subsets?: {
    addresses?: { ip: string; nodeName?: string; targetRef?: { name: string } }[];
    notReadyAddresses?: { ip: string; targetRef?: { name: string } }[];
    ports?: { name?: string; port: number; protocol?: string }[];
  }[];
}

const TIMEOUT = 60_000;

describe("endpoints and endpointslices (kubectl)", () => {
  let cluster: TestCluster;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const json = async <T>(args: string[]): Promise<T> =>
    JSON.parse(await ok([...args, "-o", "json"])) as T;
  const runningPods = async (): Promise<PodView[]> => {
    const list = await json<{ items: PodView[] }>(["get", "pods", "-l", "app=web"]);
    return list.items.filter((p) => !p.metadata.deletionTimestamp && p.status?.podIP);
  };
  const endpoints = (name: string): Promise<EndpointsView> => json(["get", "endpoints", name]);
  const slices = async (service: string): Promise<SliceView[]> =>
    (
      await json<{ items: SliceView[] }>([
        "get",
        "endpointslices",
        "-l",
        `kubernetes.io/service-name=${service}`,
      ])
    ).items;
  const readyIPs = (ep: EndpointsView): string[] =>
    (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
  const sliceIPs = (list: SliceView[], ready: boolean): string[] =>
    list
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => (e.conditions.ready ?? false) === ready)
      .flatMap((e) => e.addresses)
      .sort();

  /** Waits until the deployment has `n` running pods and both objects list exactly their IPs. */
  const waitForBackends = async (n: number): Promise<string[]> => {
    let ips: string[] = [];
    await eventually(
      async () => {
        const pods = await runningPods();
        ips = pods.map((p) => p.status!.podIP!).sort();
        if (pods.length !== n) return false;
        const ep = await endpoints("web");
        const list = await slices("web");
        return (
          JSON.stringify(readyIPs(ep)) === JSON.stringify(ips) &&
          JSON.stringify(sliceIPs(list, true)) === JSON.stringify(ips)
        );
      },
      TIMEOUT,
      `${n} backends of service web`,
    );
    return ips;
  };

  before(async () => {
    cluster = await startCluster({ controllers: true, scheduler: true, simulatedNodes: 2 });
  });
  after(async () => {
    await cluster?.close();
  });

  it("kubectl expose gives Endpoints and EndpointSlices with the pods' addresses and ports", async () => {
    await ok(["create", "deployment", "web", "--image=nginx", "--replicas=2", "--port=80"]);
    await ok(["expose", "deployment", "web", "--port=8080", "--target-port=80"]);
    const ips = await waitForBackends(2);

    const ep = await endpoints("web");
    assert.equal(ep.subsets?.length, 1);
    assert.deepEqual(ep.subsets?.[0]?.ports, [{ port: 80, protocol: "TCP" }]);
    assert.equal(ep.metadata.labels?.["endpoints.kubernetes.io/managed-by"], "endpoint-controller");
    const pods = await runningPods();
    for (const address of ep.subsets?.[0]?.addresses ?? []) {
      const pod = pods.find((p) => p.status?.podIP === address.ip);
      assert.ok(pod, `address ${address.ip} is a pod's`);
      assert.equal(address.targetRef?.name, pod.metadata.name);
      assert.equal(address.nodeName, pod.spec.nodeName);
    }

    const service = await json<{ metadata: { uid: string } }>(["get", "service", "web"]);
    const list = await slices("web");
    assert.equal(list.length, 1);
    const slice = list[0]!;
    assert.equal(slice.addressType, "IPv4");
    assert.equal(slice.metadata.generateName, "web-");
    assert.ok(slice.metadata.name.startsWith("web-"));
    assert.equal(
      slice.metadata.labels?.["endpointslice.kubernetes.io/managed-by"],
      "endpointslice-controller.k8s.io",
    );
    assert.deepEqual(slice.metadata.ownerReferences?.[0], {
      apiVersion: "v1",
      kind: "Service",
      name: "web",
      uid: service.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    });
    assert.deepEqual(slice.ports, [{ name: "", port: 80, protocol: "TCP" }]);
    for (const e of slice.endpoints ?? []) {
      assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
      assert.equal(e.targetRef?.kind, "Pod");
      assert.match(e.nodeName ?? "", /^sim-[01]$/);
    }

    const table = await ok(["get", "endpoints", "web"]);
    for (const ip of ips) assert.match(table, new RegExp(`${ip.replaceAll(".", "\\.")}:80`));
    const describe = await ok(["describe", "service", "web"]);
    const line = describe.split("\n").find((l) => l.startsWith("Endpoints:"));
    assert.ok(line, describe);
    for (const ip of ips) assert.ok(line.includes(`${ip}:80`), line);
  });

  it("scaling the deployment changes the endpoints", async () => {
    await ok(["scale", "deployment", "web", "--replicas=3"]);
    await waitForBackends(3);
    await ok(["scale", "deployment", "web", "--replicas=1"]);
    const [ip] = await waitForBackends(1);
    const list = await slices("web");
    assert.equal(list.length, 1, "the slice is reused, not replaced");
    assert.deepEqual(sliceIPs(list, true), [ip]);
  });

  it("a pod that is not ready is listed under notReadyAddresses and with ready=false", async () => {
    const [pod] = await runningPods();
    assert.ok(pod);
    const ip = pod.status!.podIP!;
    await ok([
      "patch",
      "pod",
      pod.metadata.name,
      "--subresource=status",
      "-p",
      JSON.stringify({
        status: { conditions: [{ type: "Ready", status: "False", reason: "ProbeFailed" }] },
      }),
    ]);
    await eventually(
      async () => {
        const ep = await endpoints("web");
        const notReady = (ep.subsets ?? []).flatMap((s) => s.notReadyAddresses ?? []);
        const list = await slices("web");
        const e = list.flatMap((s) => s.endpoints ?? []).find((x) => x.addresses[0] === ip);
        return (
          readyIPs(ep).length === 0 &&
          notReady.some((a) => a.ip === ip) &&
          e?.conditions.ready === false &&
          e.conditions.serving === false &&
          e.conditions.terminating === false
        );
      },
      TIMEOUT,
      "the not-ready pod in both objects",
    );
    // The simulated node does not undo the change: it still holds a moment later.
    await new Promise((r) => setTimeout(r, 1000));
    const again = await json<PodView>(["get", "pod", pod.metadata.name]);
    assert.equal(again.status?.conditions?.find((c) => c.type === "Ready")?.status, "False");
  });

  it("past 100 endpoints a second slice is made, and scaling to zero leaves one empty slice", async () => {
    await ok(["scale", "deployment", "web", "--replicas=150"]);
    // As upstream, slices are not rebalanced: 100+50 and 99+51 are both right.
    let seen = "";
    await eventually(
      async () => {
        const list = await slices("web");
        const sizes = list.map((sl) => (sl.endpoints ?? []).length).sort((a, b) => b - a);
        seen = `slices ${JSON.stringify(sizes)}, pods ${(await runningPods()).length}`;
        return sizes.length === 2 && sizes.every((n) => n <= 100) && sizes[0]! + sizes[1]! === 150;
      },
      TIMEOUT * 2,
      "150 endpoints in two slices",
    ).catch((err: Error) => {
      throw new Error(`${err.message} (last seen: ${seen})`);
    });
    const all = sliceIPs(await slices("web"), true).concat(sliceIPs(await slices("web"), false));
    assert.equal(new Set(all).size, 150, "no endpoint is listed twice");

    await ok(["scale", "deployment", "web", "--replicas=0"]);
    await eventually(
      async () => {
        const list = await slices("web");
        const ep = await endpoints("web");
        return (
          list.length === 1 &&
          (list[0]!.endpoints ?? []).length === 0 &&
          (ep.subsets ?? []).length === 0
        );
      },
      TIMEOUT * 2,
      "one empty slice and empty Endpoints",
    );
    const table = await ok(["get", "endpoints", "web"]);
    assert.match(table, /web\s+<none>/);
  });

  it("deleting the service removes its Endpoints and EndpointSlices", async () => {
    await ok(["delete", "service", "web"]);
    await eventually(
      async () => {
        const r = await cluster.kubectl(["get", "endpoints", "web"]);
        return (
          r.code !== 0 && /NotFound|not found/.test(r.stderr) && (await slices("web")).length === 0
        );
      },
      TIMEOUT,
      "the endpoints of web to go",
    );
  });

  it("a headless service resolves named ports per pod and publishes hostnames", async () => {
    const pod = (name: string, port: number, hostname?: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, labels: { app: "db" } },
      spec: {
        ...(hostname ? { hostname, subdomain: "db" } : {}),
        containers: [
          { name: "pg", image: "postgres", ports: [{ name: "pgport", containerPort: port }] },
        ],
      },
    });
    const manifest = {
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "db" },
          spec: {
            clusterIP: "None",
            selector: { app: "db" },
            publishNotReadyAddresses: true,
            ports: [{ name: "pg", port: 5432, targetPort: "pgport" }],
          },
        },
        pod("db-0", 15432, "db-0"),
        pod("db-1", 25432),
      ],
    };
    await ok(["apply", "-f", "-"], JSON.stringify(manifest));
    await eventually(
      async () => {
        const ep = await endpoints("db");
        return readyIPs(ep).length === 2 && sliceIPs(await slices("db"), true).length === 2;
      },
      TIMEOUT,
      "the endpoints of db",
    );
    const ep = await endpoints("db");
    assert.equal(ep.metadata.labels?.["service.kubernetes.io/headless"], "");
    const byPort = (ep.subsets ?? [])
      .map((sub) => ({
        port: sub.ports?.[0]?.port,
        name: sub.ports?.[0]?.name,
        pods: (sub.addresses ?? []).map((a) => [
          a.targetRef?.name,
          (a as { hostname?: string }).hostname,
        ]),
      }))
      .sort((a, b) => (a.port ?? 0) - (b.port ?? 0));
    assert.deepEqual(byPort, [
      { port: 15432, name: "pg", pods: [["db-0", "db-0"]] },
      { port: 25432, name: "pg", pods: [["db-1", undefined]] },
    ]);

    const list = (await slices("db")).sort(
      (a, b) => (a.ports?.[0]?.port ?? 0) - (b.ports?.[0]?.port ?? 0),
    );
    assert.deepEqual(
      list.map((sl) => [
        sl.ports?.[0]?.port,
        sl.metadata.labels?.["service.kubernetes.io/headless"],
        sl.endpoints?.map((e) => [e.targetRef?.name, (e as { hostname?: string }).hostname]),
      ]),
      [
        [15432, "", [["db-0", "db-0"]]],
        [25432, "", [["db-1", undefined]]],
      ],
    );
  });

  it("custom Endpoints of a service without a selector are mirrored into an EndpointSlice", async () => {
    const manifest = (ips: string[], labels: Record<string, string> = {}): string =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [
          {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "ext" },
            spec: { ports: [{ name: "db", port: 5432, protocol: "TCP" }] },
          },
          {
            apiVersion: "v1",
            kind: "Endpoints",
            metadata: { name: "ext", labels },
            subsets: [
              {
                addresses: ips.map((ip) => ({ ip })),
                ports: [{ name: "db", port: 5432, protocol: "TCP" }],
              },
            ],
          },
        ],
      });
    await ok(["apply", "-f", "-"], manifest(["192.0.2.10", "192.0.2.11"]));
    await eventually(
      async () => {
        const list = await slices("ext");
        return (
          list.length === 1 &&
          list[0]!.metadata.labels?.["endpointslice.kubernetes.io/managed-by"] ===
            "endpointslicemirroring-controller.k8s.io" &&
          JSON.stringify(sliceIPs(list, true)) === JSON.stringify(["192.0.2.10", "192.0.2.11"])
        );
      },
      TIMEOUT,
      "the mirrored slice of ext",
    );
    const [slice] = await slices("ext");
    assert.deepEqual(slice?.ports, [{ name: "db", port: 5432, protocol: "TCP" }]);
    assert.equal(slice?.metadata.ownerReferences?.[0]?.kind, "Endpoints");

    await ok(["apply", "-f", "-"], manifest(["192.0.2.12"]));
    await eventually(
      async () => JSON.stringify(sliceIPs(await slices("ext"), true)) === '["192.0.2.12"]',
      TIMEOUT,
      "the mirrored slice to follow the Endpoints",
    );
    await ok(
      ["apply", "-f", "-"],
      manifest(["192.0.2.12"], { "endpointslice.kubernetes.io/skip-mirror": "true" }),
    );
    await eventually(
      async () => (await slices("ext")).length === 0,
      TIMEOUT,
      "the mirrored slice to go once skip-mirror is set",
    );
  });

  it("the kubernetes service has the API server's address and port", async () => {
    const ip = resolveAdvertiseAddress("127.0.0.1");
    assert.ok(ip, "this machine has an address to advertise");
    const port = Number(new URL(cluster.url).port);
    const ep = await endpoints("kubernetes");
    assert.deepEqual(ep.subsets, [
      { addresses: [{ ip }], ports: [{ name: "https", port, protocol: "TCP" }] },
    ]);
    assert.equal(ep.metadata.labels?.["endpointslice.kubernetes.io/skip-mirror"], "true");
    const slice = await json<SliceView>(["get", "endpointslice", "kubernetes"]);
    assert.equal(slice.addressType, "IPv4");
    assert.deepEqual(slice.endpoints, [{ addresses: [ip], conditions: { ready: true } }]);
    assert.deepEqual(slice.ports, [{ name: "https", port, protocol: "TCP" }]);
    assert.deepEqual(slice.metadata.labels, { "kubernetes.io/service-name": "kubernetes" });
    // skip-mirror keeps the mirroring controller from adding a second slice.
    assert.deepEqual(
      (await slices("kubernetes")).map((s) => s.metadata.name),
      ["kubernetes"],
    );
    const describe = await ok(["describe", "service", "kubernetes"]);
    assert.match(describe, new RegExp(`Endpoints:\\s+${ip.replaceAll(".", "\\.")}:${port}`));
  });

  it("on start, the Endpoints controller deletes its own Endpoints whose service is gone", async () => {
    await cluster.controllers?.stop();
    const orphan = (name: string, labels: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name, labels },
      subsets: [{ addresses: [{ ip: "192.0.2.20" }], ports: [{ port: 80 }] }],
    });
    await ok(
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [
          orphan("stale", { "endpoints.kubernetes.io/managed-by": "endpoint-controller" }),
          orphan("users-own", {}),
        ],
      }),
    );

    const client = controllerManagerClient(cluster.url);
    const manager = new ControllerManager({
      client,
      controllers: ["endpoint"],
      retryPeriodMs: 200,
    });
    manager.start();
    try {
      await eventually(
        async () => (await cluster.kubectl(["get", "endpoints", "stale"])).code !== 0,
        TIMEOUT,
        "the leftover Endpoints to go",
      );
      assert.equal((await cluster.kubectl(["get", "endpoints", "users-own"])).code, 0);
    } finally {
      await manager.stop();
      client.close();
    }
  });
});
