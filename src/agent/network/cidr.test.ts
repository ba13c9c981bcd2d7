import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  contains,
  formatCidr,
  formatIp,
  hostAt,
  overlaps,
  parseCidr,
  parseIp,
  subnet,
  subnetCount,
} from "./cidr.js";

describe("cidr", () => {
  it("parseIp() and formatIp() round-trip dotted addresses", () => {
    for (const ip of ["0.0.0.0", "10.244.1.0", "172.18.0.2", "255.255.255.255"]) {
      assert.equal(formatIp(parseIp(ip)), ip);
    }
    assert.equal(parseIp("10.0.0.1"), 167772161);
  });

  it("parseIp() refuses malformed addresses", () => {
    for (const bad of [
      "",
      "10.0.0",
      "10.0.0.256",
      "10.0.0.01",
      "a.b.c.d",
      "1.2.3.4.5",
      "-1.0.0.0",
    ]) {
      assert.throws(() => parseIp(bad), /Cannot parse IPv4 address/, bad);
    }
  });

  it("parseCidr() refuses bad prefixes and set host bits", () => {
    assert.deepEqual(parseCidr("10.96.0.0/12"), { base: parseIp("10.96.0.0"), prefix: 12 });
    assert.throws(() => parseCidr("10.0.0.0/33"), /at most 32/);
    assert.throws(() => parseCidr("10.0.0.0"), /Cannot parse CIDR/);
    assert.throws(
      () => parseCidr("10.244.1.0/16"),
      /host bits are set \(did you mean 10\.244\.0\.0\/16\?\)/,
    );
  });

  it("subnet() takes the n-th block and refuses one outside", () => {
    const outer = parseCidr("10.244.0.0/16");
    const cases: [number, number, string][] = [
      [24, 0, "10.244.0.0/24"],
      [24, 1, "10.244.1.0/24"],
      [24, 255, "10.244.255.0/24"],
      [26, 5, "10.244.1.64/26"],
      [16, 0, "10.244.0.0/16"],
    ];
    for (const [prefix, index, want] of cases)
      assert.equal(formatCidr(subnet(outer, prefix, index)), want);
    assert.equal(subnetCount(outer, 24), 256);
    assert.equal(subnetCount(outer, 8), 0);
    assert.throws(() => subnet(outer, 24, 256), /out of range/);
    assert.throws(() => subnet(outer, 8, 0), /out of range/);
  });

  it("hostAt(), overlaps() and contains() agree on block bounds", () => {
    const net = parseCidr("172.18.0.0/24");
    assert.equal(formatIp(hostAt(net, 2)), "172.18.0.2");
    assert.throws(() => hostAt(net, 256), /out of range/);
    assert.ok(overlaps(parseCidr("10.96.0.0/12"), parseCidr("10.100.0.0/16")));
    assert.ok(!overlaps(parseCidr("10.96.0.0/12"), parseCidr("10.244.0.0/16")));
    assert.ok(!overlaps(parseCidr("10.0.0.0/24"), parseCidr("10.0.1.0/24")));
    assert.ok(contains(net, parseIp("172.18.0.255")));
    assert.ok(!contains(net, parseIp("172.18.1.0")));
  });
});
