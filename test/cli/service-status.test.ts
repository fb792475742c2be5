// `gateway status`: the supervisor's word (fake systemctl/launchctl/schtasks) and the RPC probe
// (a real gateway started in this process) are reported side by side, never merged.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultLogFile } from "../../src/logging/paths.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { freePort } from "../fixtures/spawn.ts";
import { cli, json, makeSandbox, type ServiceSandbox } from "../service/helpers.ts";

const U = "openclaw-gateway.service";
const LOCAL = { gateway: { mode: "local" } };
const RUNNING = {
  FAKE_SYSTEMCTL_IS_ENABLED_OUT: "enabled",
  FAKE_SYSTEMCTL_SHOW_OUT: "Id=openclaw-gateway.service\nLoadState=loaded\nActiveState=active\nSubState=running\nResult=success\nMainPID=4242\nExecMainStatus=0",
};
const STOPPED = {
  FAKE_SYSTEMCTL_IS_ENABLED_OUT: "enabled",
  FAKE_SYSTEMCTL_SHOW_OUT: "Id=openclaw-gateway.service\nLoadState=loaded\nActiveState=inactive\nSubState=dead\nResult=success\nMainPID=0\nExecMainStatus=0",
};

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

async function installedAt(port: number, env: Record<string, string>): Promise<ServiceSandbox> {
  const sb = makeSandbox({ config: LOCAL, env });
  // The token goes to the env file only; status finds it there for the probe.
  const r = await cli(sb, ["gateway", "install", "--port", String(port)], { OPENCLAW_GATEWAY_TOKEN: TEST_TOKEN });
  if (r.code !== 0) throw new Error(r.stderr);
  sb.clearCalls();
  return sb;
}

describe("systemd", () => {
  test("running service + running gateway: runtime from systemctl, rpc ok from the probe, same target", async () => {
    const sb = await installedAt(gw.port, RUNNING);
    const r = await cli(sb, ["gateway", "status", "--json"]);
    expect(r.code).toBe(0);
    const doc = json<any>(r);
    expect(sb.calls()).toEqual([
      ["systemctl", "--user", "is-enabled", U],
      ["systemctl", "--user", "show", U, "--no-pager", "--property=Id,LoadState,ActiveState,SubState,Result,NRestarts,MainPID,ExecMainStatus,ExecMainCode"],
    ]);
    expect(doc.service).toMatchObject({
      manager: "systemd", scope: "user", name: U, installed: true, loaded: true, loadedText: "enabled", port: gw.port,
      runtime: { status: "running", state: "active", subState: "running", pid: 4242 },
    });
    expect(doc.rpc).toMatchObject({ ok: true, url: `ws://127.0.0.1:${gw.port}`, urlSource: "service" });
    expect(doc.gateway).toMatchObject({ probeUrl: `ws://127.0.0.1:${gw.port}`, targetRole: "target", portListening: true });
    expect(doc.config).toMatchObject({ cli: { path: join(sb.home, ".openclaw/openclaw.json"), exists: true, valid: true }, mismatch: false });
    expect(doc.ok).toBe(true);
    expect(JSON.stringify(doc)).not.toContain(TEST_TOKEN);

    const human = await cli(sb, ["gateway", "status"]);
    expect(human.stdout).toContain(`Service: systemd user unit ${U} (enabled)\n`);
    expect(human.stdout).toContain("Runtime: running (pid 4242, state active, sub running)\n");
    expect(human.stdout).toContain(`Config (cli): ${join(sb.home, ".openclaw/openclaw.json")}\n`);
    expect(human.stdout).toContain(`Probe target: ws://127.0.0.1:${gw.port} (service)\n`);
    expect(human.stdout).toMatch(/RPC probe: ok \(gateway \S+, \d+ ms\)/);
  });

  test("supervisor says stopped while a gateway answers on the port: both reported as they are", async () => {
    const sb = await installedAt(gw.port, STOPPED);
    const doc = json<any>(await cli(sb, ["gateway", "status", "--json"]));
    expect(doc.service.runtime.status).toBe("stopped");
    expect(doc.rpc.ok).toBe(true);
  });

  test("service running but port closed: not-listening note, last error line of the file log, journalctl hint; --require-rpc exits 1", async () => {
    const port = freePort();
    const sb = await installedAt(port, RUNNING);
    const logDir = sb.env.OPENCLAW_LOG_DIR!;
    mkdirSync(logDir, { recursive: true });
    const line = (level: number, name: string, message: string) =>
      JSON.stringify({ 0: message, _meta: { logLevelId: level, logLevelName: name }, time: "2026-01-02T03:04:05.000+00:00", message });
    writeFileSync(defaultLogFile({ profile: null, dir: logDir }), [
      line(3, "INFO", "starting gateway"),
      line(5, "ERROR", "Gateway failed to start: another gateway instance is already listening"),
      line(3, "INFO", "shutting down"),
    ].join("\n") + "\n");
    const r = await cli(sb, ["gateway", "status", "--json"]);
    expect(r.code).toBe(0);
    const doc = json<any>(r);
    expect(doc.rpc.ok).toBe(false);
    expect(doc.gateway.portListening).toBe(false);
    expect(doc.lastError).toBe("2026-01-02T03:04:05.000+00:00 ERROR Gateway failed to start: another gateway instance is already listening");
    expect(doc.logFile).toBe(defaultLogFile({ profile: null, dir: logDir }));
    expect(doc.hints).toContain(`Gateway port ${port} is not listening (service appears running).`);
    expect(doc.hints).toContain(`Logs: journalctl --user -u ${U} -n 200 --no-pager`);

    const human = await cli(sb, ["gateway", "status", "--require-rpc", "--timeout", "2000"]);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain("Last gateway error: 2026-01-02T03:04:05.000+00:00 ERROR Gateway failed to start");
    expect(human.stdout).toContain(`Port ${port}: not listening`);
  });

  test("--no-probe: no RPC at all; --url/--token probe an explicit target", async () => {
    const sb = await installedAt(freePort(), RUNNING);
    const skipped = json<any>(await cli(sb, ["gateway", "status", "--json", "--no-probe"]));
    expect(skipped.rpc).toBeNull();
    expect(skipped.ok).toBe(true);
    const explicit = json<any>(await cli(sb, ["gateway", "status", "--json", "--url", gw.url, "--token", TEST_TOKEN]));
    expect(explicit.rpc).toMatchObject({ ok: true, urlSource: "flag" });
    expect(explicit.gateway.targetRole).toBe("diagnostic-only");
    expect((await cli(sb, ["gateway", "status", "--no-probe", "--require-rpc"])).code).toBe(2);
  });

  test("an invalid local config is a failed probe (config_invalid) in the report; a bad --url is a usage error", async () => {
    const sb = makeSandbox({ config: { gateway: { mode: "local" }, bogus: true } });
    const r = await cli(sb, ["gateway", "status", "--json"]);
    expect(r.code).toBe(0);
    const doc = json<any>(r);
    expect(doc.config.cli).toMatchObject({ exists: true, valid: false });
    expect(doc.rpc).toMatchObject({ ok: false, error: { kind: "config_invalid" } });
    expect(doc.rpc.error.message).toContain("bogus");
    expect(doc.ok).toBe(false);
    expect((await cli(sb, ["gateway", "status", "--require-rpc"])).code).toBe(1);
    const badUrl = await cli(sb, ["gateway", "status", "--url", "http:/nope", "--token", "t"]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain("Invalid --url");
  });

  test("not installed: said so, with the install hint; the probe still runs", async () => {
    const sb = makeSandbox({ config: { gateway: { mode: "local", port: gw.port, auth: { token: TEST_TOKEN } } } });
    const doc = json<any>(await cli(sb, ["gateway", "status", "--json"]));
    expect(doc.service).toMatchObject({ installed: false, runtime: null, command: null });
    expect(doc.rpc).toMatchObject({ ok: true, urlSource: "local loopback" });
    expect(doc.hints).toContain("Service not installed. Install it with: openclaw gateway install");
    expect(sb.calls()).toEqual([]);
  });

  test("--deep lists other gateway-like units (not ours, not other profiles) with clean-up hints", async () => {
    const sb = await installedAt(freePort(), RUNNING);
    const userDir = join(sb.home, ".config/systemd/user");
    const sysDir = join(sb.env.OPENCLAW_SERVICE_ROOT!, "etc/systemd/system");
    mkdirSync(sysDir, { recursive: true });
    writeFileSync(join(userDir, "clawdbot-gateway.service"), "[Service]\nExecStart=/usr/bin/clawdbot gateway --port 18789\n");
    writeFileSync(join(userDir, "openclaw-gateway-ops.service"), "[Service]\nExecStart=/x/openclaw gateway run\nEnvironment=OPENCLAW_SERVICE_MARKER=openclaw\n");
    writeFileSync(join(userDir, "unrelated.service"), "[Service]\nExecStart=/bin/true\n");
    writeFileSync(join(sysDir, "mygw.service"), "[Service]\nExecStart=/opt/openclaw/bin/openclaw gateway\n");
    const doc = json<any>(await cli(sb, ["gateway", "status", "--json", "--deep", "--no-probe"]));
    expect(doc.extraServices.map((e: any) => [e.label, e.scope, e.legacy])).toEqual([
      ["clawdbot-gateway.service", "user", true],
      ["mygw.service", "system", false],
    ]);
    const human = await cli(sb, ["gateway", "status", "--deep", "--no-probe"]);
    expect(human.stdout).toContain("Other gateway-like services detected (best effort):\n");
    expect(human.stdout).toContain(`- clawdbot-gateway.service (user, legacy, unit: ${join(userDir, "clawdbot-gateway.service")})\n`);
    expect(human.stdout).toContain(`  Clean up: systemctl --user disable --now clawdbot-gateway.service && rm ${join(userDir, "clawdbot-gateway.service")}\n`);
    expect(human.stdout).toContain("Recommendation: run a single gateway per machine");
    expect(json<any>(await cli(sb, ["gateway", "status", "--json", "--no-probe"])).extraServices).toBeUndefined();
  });
});

test("macOS: launchctl print parsed into the runtime", async () => {
  const sb = makeSandbox({ platform: "darwin", config: LOCAL, env: {
    FAKE_LAUNCHCTL_PRINT_OUT: "gui/501/ai.openclaw.gateway = {\n\tstate = running\n\tpid = 777\n\tlast exit code = 0\n}",
  } });
  expect((await cli(sb, ["gateway", "install"])).code).toBe(0);
  sb.clearCalls();
  const doc = json<any>(await cli(sb, ["gateway", "status", "--json", "--no-probe"]));
  expect(sb.calls()).toEqual([["launchctl", "print", `gui/${process.getuid?.() ?? 0}/ai.openclaw.gateway`]]);
  expect(doc.service).toMatchObject({ manager: "launchd", label: "LaunchAgent", loaded: true, loadedText: "loaded", runtime: { status: "running", pid: 777, lastExitStatus: 0 } });
});

test("Windows: schtasks /Query /FO LIST /V parsed; --deep lists stray tasks", async () => {
  const query = "Folder: \\\nHostName: PC\nTaskName: \\OpenClaw Gateway\nStatus: Running\nLast Result: 0\nTask To Run: C:\\Windows\\System32\\cmd.exe /d /c gateway.cmd\nScheduled Task State: Enabled\n\n"
    + "HostName: PC\nTaskName: \\Clawdbot Gateway\nStatus: Ready\nTask To Run: C:\\clawdbot\\clawdbot.exe gateway\n\n"
    + "HostName: PC\nTaskName: \\OpenClaw Gateway (ops)\nStatus: Ready\nTask To Run: cmd.exe /c x\n\n"
    + "HostName: PC\nTaskName: \\Backup\nStatus: Ready\nTask To Run: backup.exe\n";
  const sb = makeSandbox({ platform: "win32", config: LOCAL, env: { FAKE_SCHTASKS_QUERY_OUT: query, APPDATA: "/nonexistent" } });
  expect((await cli(sb, ["gateway", "install"])).code).toBe(0);
  sb.clearCalls();
  const doc = json<any>(await cli(sb, ["gateway", "status", "--json", "--no-probe", "--deep"]));
  expect(sb.calls()).toEqual([["schtasks", "/Query", "/TN", "OpenClaw Gateway", "/FO", "LIST", "/V"], ["schtasks", "/Query", "/FO", "LIST", "/V"]]);
  expect(doc.service.runtime).toMatchObject({ status: "running", state: "Running", lastExitStatus: 0 });
  expect(doc.extraServices).toEqual([{
    platform: "win32", label: "Clawdbot Gateway", scope: "user", path: null, detail: "task to run: C:\\clawdbot\\clawdbot.exe gateway",
    legacy: true, hints: ['Clean up: schtasks /Delete /TN "Clawdbot Gateway" /F'],
  }]);
});
