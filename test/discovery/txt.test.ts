import { describe, expect, test } from "bun:test";
import { buildTxt, instanceName, machineDisplayName, mdnsHostLabel, sshPortFromEnv, truncateUtf8 } from "../../src/discovery/txt.ts";
import { answerScope, buildAdvertiseSpec } from "../../src/discovery/spec.ts";

const base = { port: 18922, host: "vm", displayName: "vm" };

describe("TXT record", () => {
  test("minimal, loopback bind: the always-present keys only, in wire order", () => {
    expect(Object.entries(buildTxt({ ...base, mode: "minimal", bindHosts: ["127.0.0.1", "::1"] }))).toEqual([
      ["role", "gateway"], ["gatewayPort", "18922"], ["lanHost", "vm.local"], ["displayName", "vm"], ["transport", "gateway"],
    ]);
  });
  test("minimal, bound beyond loopback: gatewayDirectReachable=1 before transport", () => {
    expect(Object.keys(buildTxt({ ...base, mode: "minimal", bindHosts: ["0.0.0.0"] }))).toEqual(["role", "gatewayPort", "lanHost", "displayName", "gatewayDirectReachable", "transport"]);
    expect(buildTxt({ ...base, mode: "minimal", bindHosts: ["192.168.1.5", "127.0.0.1"] }).gatewayDirectReachable).toBe("1");
  });
  test("minimal leaves out the full-mode keys even when they are known", () => {
    const txt = buildTxt({ ...base, mode: "minimal", bindHosts: ["127.0.0.1"], tailnetDns: "a.ts.net", cliPath: "/x", sshPort: 2 });
    expect(txt).not.toHaveProperty("tailnetDns");
    expect(txt).not.toHaveProperty("cliPath");
    expect(txt).not.toHaveProperty("sshPort");
  });
  test("full: tailnetDns and cliPath before transport, sshPort (default 22) last; TLS keys after displayName", () => {
    const txt = buildTxt({ ...base, mode: "full", bindHosts: ["127.0.0.1"], tailnetDns: "vm.tail.ts.net", cliPath: "/opt/openclaw", tls: { fingerprintSha256: "ab:cd" } });
    expect(Object.entries(txt)).toEqual([
      ["role", "gateway"], ["gatewayPort", "18922"], ["lanHost", "vm.local"], ["displayName", "vm"],
      ["gatewayTls", "1"], ["gatewayTlsSha256", "ab:cd"], ["tailnetDns", "vm.tail.ts.net"], ["cliPath", "/opt/openclaw"],
      ["transport", "gateway"], ["sshPort", "22"],
    ]);
  });
  test("OPENCLAW_SSH_PORT: a port number, else 22", () => {
    expect(sshPortFromEnv({ OPENCLAW_SSH_PORT: "2222" })).toBe(2222);
    expect(sshPortFromEnv({ OPENCLAW_SSH_PORT: "ssh" })).toBe(22);
    expect(sshPortFromEnv({ OPENCLAW_SSH_PORT: "70000" })).toBe(22);
    expect(sshPortFromEnv({})).toBe(22);
  });
});

describe("names", () => {
  test("instance name gets \" (OpenClaw)\" unless it already says openclaw", () => {
    expect(instanceName("vm")).toBe("vm (OpenClaw)");
    expect(instanceName("my-OpenClaw-box")).toBe("my-OpenClaw-box");
  });
  test("instance name is cut to 63 UTF-8 bytes without splitting a character", () => {
    const name = instanceName("é".repeat(40));
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name).toBe("é".repeat(31));
    expect(truncateUtf8("abc", 2)).toBe("ab");
  });
  test("machine display name drops .local and falls back to openclaw", () => {
    expect(machineDisplayName("studio.local")).toBe("studio");
    expect(machineDisplayName("  ")).toBe("openclaw");
  });
  test("host label: OPENCLAW_MDNS_HOSTNAME, else the hostname's first label when valid, else openclaw", () => {
    expect(mdnsHostLabel({ OPENCLAW_MDNS_HOSTNAME: "lab.local" }, "vm")).toBe("lab");
    expect(mdnsHostLabel({}, "vm.example.com")).toBe("vm");
    expect(mdnsHostLabel({}, "bad_name")).toBe("openclaw");
  });
});

describe("where it answers", () => {
  const ifaces = {
    lo: [
      { address: "127.0.0.1", family: "IPv4", internal: true },
      { address: "::1", family: "IPv6", internal: true },
    ],
    eth0: [{ address: "192.168.1.5", family: "IPv4", internal: false }],
  } as unknown as NodeJS.Dict<import("node:os").NetworkInterfaceInfo[]>;
  test("loopback bind: the loopback interface and its addresses only", () => {
    expect(answerScope(["127.0.0.1", "::1"], ifaces)).toEqual({ interfaces: ["lo"], restrictedAddresses: ["127.0.0.1", "::1"], disabledIpv6: false });
  });
  test("a specific address: its interface (plus loopback when also bound), no AAAA without an IPv6 listener", () => {
    expect(answerScope(["192.168.1.5", "127.0.0.1"], ifaces)).toEqual({ interfaces: ["eth0", "lo"], restrictedAddresses: ["192.168.1.5", "127.0.0.1"], disabledIpv6: true });
  });
  test("wildcard bind: every interface with an address of the bound family, named as the OS names it", () => {
    expect(answerScope(["0.0.0.0"], ifaces)).toEqual({ interfaces: ["eth0", "lo"], disabledIpv6: true });
    // A veth/VLAN link ("veth-a@if2" to `ip -o link`) is still named plainly, so it is answered on.
    const withVeth = { ...ifaces, "veth-a": [{ address: "10.77.0.1", family: "IPv4", internal: false }], wg6: [{ address: "fd00::2", family: "IPv6", internal: false }] } as unknown as typeof ifaces;
    expect(answerScope(["0.0.0.0"], withVeth)).toEqual({ interfaces: ["eth0", "lo", "veth-a"], disabledIpv6: true });
    // An IPv6 wildcard covers IPv6-only interfaces too.
    expect(answerScope(["::"], withVeth)).toEqual({ interfaces: ["eth0", "lo", "veth-a", "wg6"], disabledIpv6: false });
    // Nothing known (an odd host): left to the library rather than an empty list.
    expect(answerScope(["0.0.0.0"], {})).toEqual({ disabledIpv6: true });
  });
  test("the spec ties it together: full mode from env hints", () => {
    const spec = buildAdvertiseSpec({
      config: {}, env: { OPENCLAW_CLI_PATH: "/bin/oc", OPENCLAW_MDNS_HOSTNAME: "gw" }, mode: "full", port: 1, bindHosts: ["127.0.0.1"], hostname: "box", interfaces: ifaces, tailnetDns: "box.ts.net",
    });
    expect(spec).toMatchObject({ name: "box (OpenClaw)", hostLabel: "gw", port: 1, interfaces: ["lo"] });
    expect(spec.txt).toMatchObject({ displayName: "box", lanHost: "gw.local", cliPath: "/bin/oc", tailnetDns: "box.ts.net", sshPort: "22" });
  });
});
