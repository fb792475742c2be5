// start/stop/restart/uninstall: the exact argv each platform's manager gets, and the no-service cases.
import { describe, expect, test } from "bun:test";
import { cli, exists, json, makeSandbox, plistPath, stateFile, userUnit, type ServiceSandbox } from "../service/helpers.ts";

const UID = process.getuid?.() ?? 0;
const LOCAL = { gateway: { mode: "local" } };

async function installed(platform: "linux" | "darwin" | "win32", env: Record<string, string> = {}): Promise<ServiceSandbox> {
  const sb = makeSandbox({ platform, config: LOCAL, env: { APPDATA: "/nonexistent-appdata", ...env } });
  const r = await cli(sb, ["gateway", "install"]);
  if (r.code !== 0) throw new Error(r.stderr);
  sb.clearCalls();
  return sb;
}

async function calls(sb: ServiceSandbox, argv: string[]): Promise<{ code: number; calls: string[][]; doc: any }> {
  sb.clearCalls();
  const r = await cli(sb, [...argv, "--json"]);
  return { code: r.code, calls: sb.calls(), doc: json(r) };
}

describe("linux (systemd)", () => {
  const u = "openclaw-gateway.service";
  test("start, stop, stop --disable, restart", async () => {
    const sb = await installed("linux");
    expect(await calls(sb, ["gateway", "start"])).toMatchObject({
      code: 0, calls: [["systemctl", "--user", "reset-failed", u], ["systemctl", "--user", "enable", "--now", u]],
      doc: { action: "start", ok: true, result: "started", message: `Started systemd service: ${u}` },
    });
    expect(await calls(sb, ["gateway", "stop"])).toMatchObject({ code: 0, calls: [["systemctl", "--user", "stop", u]], doc: { result: "stopped" } });
    expect((await calls(sb, ["gateway", "stop", "--disable"])).calls).toEqual([["systemctl", "--user", "disable", "--now", u]]);
    expect(await calls(sb, ["gateway", "restart"])).toMatchObject({
      code: 0, calls: [["systemctl", "--user", "reset-failed", u], ["systemctl", "--user", "restart", u]], doc: { result: "restarted" },
    });
  });

  test("uninstall: disable --now, remove the unit, daemon-reload; the secrets file is kept", async () => {
    const sb = await installed("linux");
    const r = await calls(sb, ["gateway", "uninstall"]);
    expect(r.calls).toEqual([["systemctl", "--user", "disable", "--now", u], ["systemctl", "--user", "daemon-reload"]]);
    expect(r.doc).toMatchObject({ ok: true, result: "uninstalled", message: `Removed systemd service: ${userUnit(sb)}` });
    expect(exists(userUnit(sb))).toBe(false);
    expect(exists(stateFile(sb, "gateway.env"))).toBe(true);
    expect(r.doc.hints.join("\n")).toContain("Kept the secrets file");
  });

  test("a failing systemctl: exit 1 with its message", async () => {
    const sb = await installed("linux", { FAKE_SYSTEMCTL_RESTART_CODE: "5", FAKE_SYSTEMCTL_RESTART_ERR: "Failed to restart openclaw-gateway.service: Unit not found." });
    const r = await calls(sb, ["gateway", "restart"]);
    expect(r.code).toBe(1);
    expect(r.doc).toMatchObject({ ok: false, result: "failed", error: "systemctl --user restart openclaw-gateway.service failed: Failed to restart openclaw-gateway.service: Unit not found." });
  });

  test("a system unit (no user unit) is managed with plain systemctl", async () => {
    const sb = makeSandbox({ config: LOCAL });
    expect((await cli(sb, ["gateway", "install", "--system"])).code).toBe(0);
    expect((await calls(sb, ["gateway", "restart"])).calls).toEqual([["systemctl", "reset-failed", u], ["systemctl", "restart", u]]);
  });
});

describe("macOS (launchd)", () => {
  const target = `gui/${UID}/ai.openclaw.gateway`;
  test("start: enable + kickstart; not loaded → bootstrap", async () => {
    const sb = await installed("darwin");
    expect((await calls(sb, ["gateway", "start"])).calls).toEqual([["launchctl", "enable", target], ["launchctl", "kickstart", target]]);
    sb.env.FAKE_LAUNCHCTL_KICKSTART_CODE = "113";
    sb.env.FAKE_LAUNCHCTL_KICKSTART_ERR = 'Could not find service "ai.openclaw.gateway" in domain for user gui: 501';
    const r = await calls(sb, ["gateway", "start"]);
    expect(r.calls).toEqual([["launchctl", "enable", target], ["launchctl", "kickstart", target], ["launchctl", "bootstrap", `gui/${UID}`, plistPath(sb)]]);
    expect(r.doc).toMatchObject({ ok: true, result: "started", message: `Started LaunchAgent: ${target}` });
  });

  test("stop is bootout; --disable persists with disable first; restart is kickstart -k", async () => {
    const sb = await installed("darwin");
    expect((await calls(sb, ["gateway", "stop"])).calls).toEqual([["launchctl", "bootout", target]]);
    expect((await calls(sb, ["gateway", "stop", "--disable"])).calls).toEqual([["launchctl", "disable", target], ["launchctl", "bootout", target]]);
    expect((await calls(sb, ["gateway", "restart"])).calls).toEqual([["launchctl", "enable", target], ["launchctl", "kickstart", "-k", target]]);
  });

  test("stop when not loaded is a successful no-op; uninstall boots out and removes the plist", async () => {
    const sb = await installed("darwin", { FAKE_LAUNCHCTL_BOOTOUT_CODE: "3", FAKE_LAUNCHCTL_BOOTOUT_ERR: "Boot-out failed: 3: No such process" });
    expect((await calls(sb, ["gateway", "stop"])).doc).toMatchObject({ ok: true, result: "not-loaded" });
    const u = await calls(sb, ["gateway", "uninstall"]);
    expect(u.calls).toEqual([["launchctl", "bootout", target]]);
    expect(u.doc).toMatchObject({ ok: true, result: "uninstalled" });
    expect(exists(plistPath(sb))).toBe(false);
  });
});

describe("Windows (schtasks)", () => {
  const tn = ["/TN", "OpenClaw Gateway"];
  test("start, stop --disable, restart, uninstall", async () => {
    const sb = await installed("win32");
    expect((await calls(sb, ["gateway", "start"])).calls).toEqual([["schtasks", "/Change", "/ENABLE", ...tn], ["schtasks", "/Run", ...tn]]);
    expect((await calls(sb, ["gateway", "stop"])).calls).toEqual([["schtasks", "/End", ...tn]]);
    expect((await calls(sb, ["gateway", "stop", "--disable"])).calls).toEqual([["schtasks", "/End", ...tn], ["schtasks", "/Change", "/DISABLE", ...tn]]);
    expect((await calls(sb, ["gateway", "restart"])).calls).toEqual([["schtasks", "/End", ...tn], ["schtasks", "/Run", ...tn]]);
    const u = await calls(sb, ["gateway", "uninstall"]);
    expect(u.calls).toEqual([["schtasks", "/End", ...tn], ["schtasks", "/Delete", "/F", ...tn]]);
    expect(exists(stateFile(sb, "gateway.cmd"))).toBe(false);
    expect(exists(stateFile(sb, "gateway-task.xml"))).toBe(false);
  });
});

describe("no service installed", () => {
  for (const platform of ["linux", "darwin", "win32"] as const) {
    test(`${platform}: start/restart fail with the install hint, stop/uninstall are no-ops; nothing runs`, async () => {
      const sb = makeSandbox({ platform });
      const start = await calls(sb, ["gateway", "start"]);
      expect(start.code).toBe(1);
      expect(start.doc).toMatchObject({ ok: false, result: "not-installed", error: "Gateway service not installed." });
      expect(start.doc.hints).toContain("Install it with: openclaw gateway install");
      expect((await calls(sb, ["gateway", "restart"])).code).toBe(1);
      expect(await calls(sb, ["gateway", "stop"])).toMatchObject({ code: 0, calls: [], doc: { ok: true, result: "not-installed" } });
      expect(await calls(sb, ["gateway", "uninstall"])).toMatchObject({ code: 0, calls: [], doc: { ok: true, result: "not-installed" } });
    });
  }

  test("human output: Error + Tip lines on stderr", async () => {
    const sb = makeSandbox();
    const r = await cli(sb, ["gateway", "start"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: Gateway service not installed.\nTip: Install it with: openclaw gateway install\n");
  });

  test("an unsupported platform is a clean error", async () => {
    const sb = makeSandbox({ env: { OPENCLAW_SERVICE_PLATFORM: "freebsd" } });
    const r = await cli(sb, ["gateway", "install", "--json"]);
    expect(r.code).toBe(1);
    expect(json(r)).toMatchObject({ action: "install", ok: false, error: "Gateway service install not supported on freebsd" });
  });
});
