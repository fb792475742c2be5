import { describe, expect, test } from "bun:test";
import { assembleBeacons, dedupeAndSort, parseTxt, RecordStore, unresolved, type MdnsRecord } from "../../src/discovery/beacons.ts";
import { normalizeDomain } from "../../src/discovery/discover.ts";
import { fnv1a, renderZone, tailnetAddresses } from "../../src/discovery/wide-area.ts";

const PTR = "_openclaw-gw._tcp.local";
function gateway(instance: string, host: string, port: number, txt: string[]): MdnsRecord[] {
  const fqdn = `${instance}.${PTR}`;
  return [
    { type: "PTR", name: PTR, ttl: 4500, data: fqdn },
    { type: "SRV", name: fqdn, ttl: 120, data: { priority: 0, weight: 0, port, target: host } },
    { type: "TXT", name: fqdn, ttl: 4500, data: txt.map((t) => Buffer.from(t)) },
    { type: "A", name: host, ttl: 120, data: "127.0.0.1" },
  ];
}

describe("beacons from records", () => {
  test("the published JSON shape: hints from TXT, wsUrl from the SRV host and port (never TXT)", () => {
    const [b] = assembleBeacons(gateway("vm (OpenClaw)", "vm.local", 18922, ["role=gateway", "gatewayPort=9999", "lanHost=other.local", "displayName=vm", "sshPort=22", "cliPath=/x", "tailnetDns=vm.ts.net", "transport=gateway"]));
    expect(b).toEqual({
      instanceName: "vm (OpenClaw)", displayName: "vm", domain: "local.", host: "vm.local", port: 18922,
      txt: { role: "gateway", gatewayPort: "9999", lanHost: "other.local", displayName: "vm", sshPort: "22", cliPath: "/x", tailnetDns: "vm.ts.net", transport: "gateway" },
      lanHost: "other.local", tailnetDns: "vm.ts.net", cliPath: "/x", role: "gateway", transport: "gateway", gatewayPort: 9999, sshPort: 22,
      addresses: ["127.0.0.1"], wsUrl: "ws://vm.local:18922",
    });
    expect(Object.keys(b!).at(-1)).toBe("wsUrl");
  });
  test("gatewayTls=1 gives wss and the fingerprint; no SRV gives wsUrl null", () => {
    const [tls] = assembleBeacons(gateway("a", "a.local", 1, ["gatewayTls=1", "gatewayTlsSha256=ff"]));
    expect(tls).toMatchObject({ gatewayTls: true, gatewayTlsFingerprintSha256: "ff", wsUrl: "wss://a.local:1" });
    const [bare] = assembleBeacons([{ type: "PTR", name: PTR, data: `b.${PTR}` }]);
    expect(bare).toMatchObject({ instanceName: "b", displayName: "b", host: null, port: null, txt: {}, wsUrl: null });
  });
  test("a goodbye (TTL 0) removes the instance; records are matched case-insensitively", () => {
    const store = new RecordStore();
    for (const r of gateway("vm", "vm.local", 1, ["displayName=vm"])) store.add(r);
    expect(assembleBeacons(store.all())).toHaveLength(1);
    store.add({ type: "PTR", name: PTR.toUpperCase(), ttl: 0, data: `vm.${PTR}` });
    expect(assembleBeacons(store.all())).toHaveLength(0);
  });
  test("unresolved lists instances without SRV/TXT and SRV hosts without addresses", () => {
    const recs = gateway("x", "x.local", 1, []).filter((r) => r.type !== "TXT" && r.type !== "A");
    expect(unresolved(recs)).toEqual({ instances: [`x.${PTR}`], hosts: ["x.local"] });
  });
  test("dedupe on domain|instance|display|host|port|gatewayPort and sort by displayName", () => {
    const recs = [...gateway("b", "b.local", 2, ["displayName=Zed"]), ...gateway("a", "a.local", 1, ["displayName=Alpha"])];
    const beacons = assembleBeacons(recs);
    expect(beacons.map((b) => b.displayName)).toEqual(["Alpha", "Zed"]);
    expect(dedupeAndSort([...beacons, ...beacons])).toHaveLength(2);
  });
  test("TXT parsing: first = splits, bare keys are empty, the first duplicate wins", () => {
    expect(parseTxt(["a=b=c", "flag", "a=again", ""])).toEqual({ a: "b=c", flag: "" });
  });
  test("domains are normalised with one trailing dot", () => {
    expect(normalizeDomain("openclaw.internal")).toBe("openclaw.internal.");
    expect(normalizeDomain("openclaw.internal..")).toBe("openclaw.internal.");
  });
});

describe("wide-area zone", () => {
  const input = {
    domain: "openclaw.internal.", hostLabel: "vm", port: 18789, ipv4: "100.101.102.103",
    txt: { role: "gateway", gatewayPort: "18789", lanHost: "vm.local", displayName: "vm", transport: "gateway", tailnetDns: "vm.ts.net" },
    now: new Date("2026-03-04T12:00:00Z"),
  };
  test("records and TXT (no lanHost), serial from the date, hash line first", () => {
    const { text, hash } = renderZone(input);
    const lines = text.split("\n");
    expect(lines[0]).toBe(`; openclaw-content-hash: ${hash}`);
    expect(lines.slice(1, 11)).toEqual([
      "$ORIGIN openclaw.internal.",
      "$TTL 60",
      "@ IN SOA ns1 hostmaster 2026030401 7200 3600 1209600 60",
      "@ IN NS ns1",
      "ns1 IN A 100.101.102.103",
      "vm IN A 100.101.102.103",
      "_openclaw-gw._tcp IN PTR vm-gateway._openclaw-gw._tcp",
      "vm-gateway._openclaw-gw._tcp IN SRV 0 0 18789 vm",
      'vm-gateway._openclaw-gw._tcp IN TXT "displayName=vm" "role=gateway" "transport=gateway" "gatewayPort=18789" "tailnetDns=vm.ts.net"',
      "",
    ]);
  });
  test("the hash ignores the serial (no daily rewrite) but follows content", () => {
    const a = renderZone(input).hash;
    expect(renderZone({ ...input, now: new Date("2027-01-01T00:00:00Z") }).hash).toBe(a);
    expect(renderZone({ ...input, port: 1 }).hash).not.toBe(a);
    expect(fnv1a("")).toBe("811c9dc5");
    expect(fnv1a("a")).toBe("e40c292c");
  });
  test("only 100.64.0.0/10 counts as a tailnet IPv4", () => {
    const ifaces = { ts0: [{ address: "100.127.1.1", family: "IPv4" }], eth0: [{ address: "100.63.0.1", family: "IPv4" }] } as never;
    expect(tailnetAddresses(ifaces).ipv4).toBe("100.127.1.1");
    expect(tailnetAddresses({ eth0: [{ address: "100.128.0.1", family: "IPv4" }] } as never).ipv4).toBeUndefined();
  });
});
