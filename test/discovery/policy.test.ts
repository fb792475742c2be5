import { describe, expect, test } from "bun:test";
import { bonjourEnvOverride, decideBonjour, detectContainerForBonjour, type HostProbe } from "../../src/discovery/policy.ts";

function host(files: Record<string, string> = {}): HostProbe {
  return { exists: (p) => Object.hasOwn(files, p), read: (p) => files[p] };
}
const bare = host({ "/proc/1/cgroup": "0::/\n" });
const enabled = { plugins: { entries: { bonjour: { enabled: true } } } };

describe("OPENCLAW_DISABLE_BONJOUR", () => {
  test.each([
    [undefined, "auto"],
    ["", "auto"],
    ["  ", "auto"],
    ["0", "force-on"],
    ["false", "force-on"],
    ["NO", "force-on"],
    ["off", "force-on"],
    ["1", "force-off"],
    ["true", "force-off"],
    ["yes", "force-off"],
    ["on", "force-off"],
    ["anything", "force-off"],
  ] as const)("%p → %s", (value, expected) => {
    expect(bonjourEnvOverride(value)).toBe(expected);
  });
});

describe("container detection", () => {
  test.each(["/.dockerenv", "/run/.containerenv", "/var/run/.containerenv"])("marker file %s", (marker) => {
    expect(detectContainerForBonjour({}, host({ [marker]: "" }))).toBe(true);
  });
  test("Fly needs both FLY_MACHINE_ID and FLY_APP_NAME", () => {
    expect(detectContainerForBonjour({ FLY_MACHINE_ID: "m", FLY_APP_NAME: "a" }, bare)).toBe(true);
    expect(detectContainerForBonjour({ FLY_MACHINE_ID: "m" }, bare)).toBe(false);
  });
  test.each(["12:pids:/docker/abc", "0::/system.slice/containerd.service", "1:name=x:/kubepods/besteffort/pod1", "2:cpu:/lxc/c1"])("cgroup %s", (line) => {
    expect(detectContainerForBonjour({}, host({ "/proc/1/cgroup": `${line}\n` }))).toBe(true);
  });
  test("a plain host (cgroup v2 root, no markers) is not a container; an unreadable cgroup is not either", () => {
    expect(detectContainerForBonjour({}, bare)).toBe(false);
    expect(detectContainerForBonjour({}, host())).toBe(false);
  });
});

describe("decideBonjour", () => {
  const container = host({ "/.dockerenv": "" });
  test("=0 alone turns it on, even in a container on Linux with no other setting", () => {
    expect(decideBonjour({}, { OPENCLAW_DISABLE_BONJOUR: "0" }, { platform: "linux", host: container })).toMatchObject({ enabled: true, mode: "minimal" });
  });
  test("mode off wins over =0", () => {
    const d = decideBonjour({ discovery: { mdns: { mode: "off" } } }, { OPENCLAW_DISABLE_BONJOUR: "0" }, { platform: "darwin", host: bare });
    expect(d).toEqual({ enabled: false, mode: "off", reason: "discovery.mdns.mode is off" });
  });
  test("a truthy value forces off, even with the plugin enabled on macOS", () => {
    expect(decideBonjour(enabled, { OPENCLAW_DISABLE_BONJOUR: "1" }, { platform: "darwin", host: bare }).enabled).toBe(false);
  });
  test("auto: on by default on macOS only; elsewhere the bonjour plugin must be enabled", () => {
    expect(decideBonjour({}, {}, { platform: "darwin", host: bare }).enabled).toBe(true);
    expect(decideBonjour({}, {}, { platform: "linux", host: bare })).toMatchObject({ enabled: false, reason: expect.stringContaining("plugins.entries.bonjour.enabled") });
    expect(decideBonjour(enabled, {}, { platform: "linux", host: bare })).toMatchObject({ enabled: true, mode: "minimal" });
  });
  test("auto: off in a detected container and under VITEST, even with the plugin enabled", () => {
    expect(decideBonjour(enabled, {}, { platform: "linux", host: container })).toMatchObject({ enabled: false, reason: expect.stringContaining("container") });
    expect(decideBonjour(enabled, { VITEST: "true" }, { platform: "linux", host: bare })).toMatchObject({ enabled: false, reason: "VITEST is set" });
  });
  test("an explicitly disabled plugin (or all plugins) stays off on macOS", () => {
    expect(decideBonjour({ plugins: { entries: { bonjour: { enabled: false } } } }, {}, { platform: "darwin", host: bare }).enabled).toBe(false);
    expect(decideBonjour({ plugins: { enabled: false } }, {}, { platform: "darwin", host: bare }).enabled).toBe(false);
  });
  test("the mode is carried through", () => {
    expect(decideBonjour({ discovery: { mdns: { mode: "full" } } }, { OPENCLAW_DISABLE_BONJOUR: "no" }, { host: bare }).mode).toBe("full");
  });
});
