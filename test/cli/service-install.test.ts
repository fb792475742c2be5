// `gateway install` against fake systemctl/launchctl/schtasks/loginctl: exact argv sequences per
// platform, the dry-run format, install twice, --force, secrets only in the 0600 env file.
import { describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { VERSION } from "../../src/version.ts";
import { cli, exists, json, makeSandbox, plistPath, stateFile, userUnit, type ServiceSandbox } from "../service/helpers.ts";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
const BUN = process.execPath;
const UID = process.getuid?.() ?? 0;
const LOCAL = { gateway: { mode: "local" } };
const SECRET = "tok-SECRET-0123456789";

function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else out.push(p);
  }
  return out;
}

/** Every file install wrote except the env file must be free of the secret (also in UTF-16). */
function expectSecretOnlyInEnvFile(sb: ServiceSandbox, secret: string): void {
  const envFile = stateFile(sb, "gateway.env");
  expect(readFileSync(envFile, "utf8")).toContain(secret);
  expect(statSync(envFile).mode & 0o777).toBe(0o600);
  for (const f of allFiles(sb.home)) {
    if (f === envFile || f === sb.log) continue;
    const raw = readFileSync(f);
    expect({ f, hit: raw.toString("utf8").includes(secret) || raw.toString("utf16le").includes(secret) }).toEqual({ f, hit: false });
  }
}

describe("linux (systemd user unit)", () => {
  test("install: env file + unit, daemon-reload, enable --now, linger check; no token in the unit", async () => {
    const sb = makeSandbox({ config: LOCAL });
    const r = await cli(sb, ["gateway", "install"], { OPENCLAW_GATEWAY_TOKEN: SECRET });
    expect(r.code).toBe(0);
    expect(sb.calls()).toEqual([
      ["systemctl", "--user", "daemon-reload"],
      ["systemctl", "--user", "enable", "--now", "openclaw-gateway.service"],
      ["loginctl", "show-user", "alice", "-p", "Linger"],
    ]);
    expect(r.stdout).toContain(`Installed systemd service: ${userUnit(sb)}`);
    const unit = readFileSync(userUnit(sb), "utf8");
    expect(unit).toContain(`ExecStart=${BUN} ${MAIN} gateway run --port 18789\n`);
    expect(unit).toContain(`EnvironmentFile=-${stateFile(sb, "gateway.env")}\n`);
    expect(unit).toContain(`Environment=OPENCLAW_SERVICE_VERSION=${VERSION}\n`);
    expect(unit).not.toContain("OPENCLAW_GATEWAY_TOKEN");
    expectSecretOnlyInEnvFile(sb, SECRET);
  });

  test("install twice is a no-op with a hint; --force rewrites and restarts", async () => {
    const sb = makeSandbox({ config: LOCAL });
    expect((await cli(sb, ["gateway", "install"])).code).toBe(0);
    const before = readFileSync(userUnit(sb), "utf8");
    sb.clearCalls();
    const again = await cli(sb, ["gateway", "install"]);
    expect(again.code).toBe(0);
    expect(sb.calls()).toEqual([]);
    expect(again.stdout).toContain(`Gateway service already installed: ${userUnit(sb)}`);
    expect(again.stdout).toContain("Reinstall with: openclaw gateway install --force");
    const againJson = json(await cli(sb, ["gateway", "install", "--json"]));
    expect(againJson).toMatchObject({ action: "install", ok: true, result: "already-installed", commands: [] });

    writeFileSync(userUnit(sb), "stale");
    const forced = await cli(sb, ["gateway", "install", "--force"]);
    expect(forced.code).toBe(0);
    expect(sb.calls()).toEqual([
      ["systemctl", "--user", "daemon-reload"],
      ["systemctl", "--user", "enable", "openclaw-gateway.service"],
      ["systemctl", "--user", "restart", "openclaw-gateway.service"],
      ["loginctl", "show-user", "alice", "-p", "Linger"],
    ]);
    expect(readFileSync(userUnit(sb), "utf8")).toBe(before);
  });

  test("no token anywhere: install mints one into the env file only, and says so", async () => {
    const sb = makeSandbox({ config: LOCAL });
    const r = await cli(sb, ["gateway", "install"]);
    expect(r.code).toBe(0);
    const token = /^OPENCLAW_GATEWAY_TOKEN=(\S+)$/m.exec(readFileSync(stateFile(sb, "gateway.env"), "utf8"))?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(r.stdout).toContain(`generated one into ${stateFile(sb, "gateway.env")} (mode 0600)`);
    expectSecretOnlyInEnvFile(sb, token!);
    // --force keeps the token (and any key the operator added).
    writeFileSync(stateFile(sb, "gateway.env"), `${readFileSync(stateFile(sb, "gateway.env"), "utf8")}EXTRA_KEY="a b"\n`, { mode: 0o644 });
    expect((await cli(sb, ["gateway", "install", "--force"])).code).toBe(0);
    const after = readFileSync(stateFile(sb, "gateway.env"), "utf8");
    expect(after).toContain(`OPENCLAW_GATEWAY_TOKEN=${token}\n`);
    expect(after).toContain('EXTRA_KEY="a b"\n');
    expect(statSync(stateFile(sb, "gateway.env")).mode & 0o777).toBe(0o600);
  });

  test("lingering off: the enable-linger hint; no logind: no guess", async () => {
    const sb = makeSandbox({ config: LOCAL, env: { FAKE_LOGINCTL_SHOW_USER_OUT: "Linger=no" } });
    const r = await cli(sb, ["gateway", "install"]);
    expect(r.stdout).toContain("Lingering is off for alice: the user service stops at logout. Enable it with: sudo loginctl enable-linger alice\n");
    const noLogind = makeSandbox({ config: LOCAL, env: { FAKE_LOGINCTL_SHOW_USER_OUT: "", FAKE_LOGINCTL_SHOW_USER_ERR: "Failed to connect to bus: Host is down", FAKE_LOGINCTL_SHOW_USER_CODE: "1" } });
    expect((await cli(noLogind, ["gateway", "install"])).stdout).not.toContain("enable-linger");
  });

  test("--dry-run writes and runs nothing and prints # file: / # run: lines with exact contents", async () => {
    const sb = makeSandbox({ config: LOCAL });
    const r = await cli(sb, ["gateway", "install", "--dry-run", "--port", "19999"], { OPENCLAW_GATEWAY_TOKEN: SECRET });
    expect(r.code).toBe(0);
    expect(sb.calls()).toEqual([]);
    expect(exists(userUnit(sb))).toBe(false);
    expect(exists(stateFile(sb, "gateway.env"))).toBe(false);
    const h = sb.home;
    expect(r.stdout).toBe(`# file: ${h}/.openclaw/gateway.env
# OpenClaw gateway service secrets (mode 0600): loaded by the gateway service, never written into
# the unit, plist or task. KEY=VALUE per line; \`openclaw gateway install --force\` keeps added keys.
OPENCLAW_GATEWAY_TOKEN=<redacted>
# file: ${h}/.config/systemd/user/openclaw-gateway.service
[Unit]
Description=OpenClaw Gateway
After=network-online.target
Wants=network-online.target
StartLimitBurst=10
StartLimitIntervalSec=300

[Service]
ExecStart=${BUN} ${MAIN} gateway run --port 19999
Restart=always
RestartSec=5
RestartPreventExitStatus=78
TimeoutStopSec=30
TimeoutStartSec=30
SuccessExitStatus=0 143
KillMode=mixed
EnvironmentFile=-${h}/.openclaw/gateway.env
Environment=HOME=${h}
Environment=OPENCLAW_STATE_DIR=${h}/.openclaw
Environment=OPENCLAW_CONFIG_PATH=${h}/.openclaw/openclaw.json
Environment=OPENCLAW_LOG_DIR=${h}/logs
Environment=OPENCLAW_SERVICE_MARKER=openclaw
Environment=OPENCLAW_SERVICE_KIND=gateway
Environment=OPENCLAW_SERVICE_VERSION=${VERSION}

[Install]
WantedBy=default.target
# run: systemctl --user daemon-reload
# run: systemctl --user enable --now openclaw-gateway.service
`);
    expect(r.stdout).not.toContain(SECRET);
  });

  test("--dry-run --json: the plan with contents, secrets redacted", async () => {
    const sb = makeSandbox({ config: LOCAL });
    const doc = json<any>(await cli(sb, ["gateway", "install", "--dry-run", "--json"], { OPENCLAW_GATEWAY_TOKEN: SECRET }));
    expect(doc).toMatchObject({
      action: "install", ok: true, result: "dry-run",
      service: { platform: "linux", manager: "systemd", label: "systemd", scope: "user", name: "openclaw-gateway.service", definitionPath: userUnit(sb) },
      commands: [["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", "openclaw-gateway.service"]],
      install: { port: 18789, portSource: "default", envFile: { path: stateFile(sb, "gateway.env"), keys: ["OPENCLAW_GATEWAY_TOKEN"], generatedToken: false } },
    });
    expect(doc.install.files.map((f: any) => [f.path, f.mode])).toEqual([[stateFile(sb, "gateway.env"), "0600"], [userUnit(sb), "0644"]]);
    expect(JSON.stringify(doc)).not.toContain(SECRET);
  });

  test("named profile and --dev: unit name, port and global flags follow the profile", async () => {
    const sb = makeSandbox();
    const work = json<any>(await cli(sb, ["gateway", "install", "--dry-run", "--json"], {}, { profile: "work" }));
    expect(work.service.name).toBe("openclaw-gateway-work.service");
    expect(work.install.programArguments.slice(-6)).toEqual(["--profile", "work", "gateway", "run", "--port", "41984"]);
    const unit = work.install.files[1].content as string;
    expect(unit).toContain("Description=OpenClaw Gateway (profile: work)\n");
    expect(unit).toContain("Environment=OPENCLAW_PROFILE=work\n");
    expect(unit).toContain(`Environment=OPENCLAW_STATE_DIR=${sb.home}/.openclaw-work\n`);
    const dev = json<any>(await cli(sb, ["gateway", "install", "--dry-run", "--json"], {}, { dev: true }));
    expect(dev.service.name).toBe("openclaw-gateway-dev.service");
    expect(dev.install.programArguments.slice(-5)).toEqual(["--dev", "gateway", "run", "--port", "19001"]);
  });

  test("a system unit of the same name blocks a user install, even with --force", async () => {
    const sb = makeSandbox({ config: LOCAL });
    const sys = join(sb.env.OPENCLAW_SERVICE_ROOT!, "etc/systemd/system/openclaw-gateway.service");
    mkdirSync(join(sys, ".."), { recursive: true });
    writeFileSync(sys, "[Service]\nExecStart=/usr/local/bin/openclaw gateway\n");
    const r = await cli(sb, ["gateway", "install", "--force"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error: System systemd unit ${sys} already owns this gateway unit name.`);
    expect(r.stderr).toContain("duplicate managers can restart-loop the gateway");
    expect(sb.calls()).toEqual([]);
    expect(exists(userUnit(sb))).toBe(false);
  });

  test("--system writes /etc/systemd/system/<unit> with User= and runs systemctl without --user", async () => {
    const sb = makeSandbox({ config: LOCAL });
    const r = await cli(sb, ["gateway", "install", "--system"]);
    expect(r.code).toBe(0);
    const path = join(sb.env.OPENCLAW_SERVICE_ROOT!, "etc/systemd/system/openclaw-gateway.service");
    const unit = readFileSync(path, "utf8");
    expect(unit).toContain("User=alice\n");
    expect(unit).toContain("WantedBy=multi-user.target\n");
    expect(sb.calls()).toEqual([["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", "openclaw-gateway.service"]]);
  });

  test("systemctl failing (no user bus): exit 1, the tool's words, the container hint, files rolled back", async () => {
    const sb = makeSandbox({ config: LOCAL, env: { FAKE_SYSTEMCTL_DAEMON_RELOAD_CODE: "1", FAKE_SYSTEMCTL_DAEMON_RELOAD_ERR: "Failed to connect to bus: No medium found" } });
    const r = await cli(sb, ["gateway", "install", "--json"]);
    expect(r.code).toBe(1);
    const doc = json<any>(r);
    expect(doc).toMatchObject({ action: "install", ok: false, result: "failed", error: "systemctl --user daemon-reload failed: Failed to connect to bus: No medium found" });
    expect(doc.hints.join("\n")).toContain("systemd user services are unavailable here");
    expect(doc.warnings).toContain("Rolled back: the service files are as they were before.");
    expect(exists(userUnit(sb))).toBe(false);
    expect(exists(stateFile(sb, "gateway.env"))).toBe(false);
  });

  test("a failed --force puts the previous unit back byte for byte", async () => {
    const sb = makeSandbox({ config: LOCAL });
    expect((await cli(sb, ["gateway", "install"])).code).toBe(0);
    writeFileSync(userUnit(sb), "# operator's unit\n");
    const r = await cli(sb, ["gateway", "install", "--force"], { FAKE_SYSTEMCTL_RESTART_CODE: "1", FAKE_SYSTEMCTL_RESTART_ERR: "Job failed" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: systemctl --user restart openclaw-gateway.service failed: Job failed");
    expect(readFileSync(userUnit(sb), "utf8")).toBe("# operator's unit\n");
  });
});

describe("macOS (LaunchAgent)", () => {
  test("install: plist + env file, enable then bootstrap into gui/<uid>; --force boots out first", async () => {
    const sb = makeSandbox({ platform: "darwin", config: LOCAL });
    const r = await cli(sb, ["gateway", "install"], { OPENCLAW_GATEWAY_TOKEN: SECRET });
    expect(r.code).toBe(0);
    const target = `gui/${UID}/ai.openclaw.gateway`;
    expect(sb.calls()).toEqual([["launchctl", "enable", target], ["launchctl", "bootstrap", `gui/${UID}`, plistPath(sb)]]);
    const plist = readFileSync(plistPath(sb), "utf8");
    expect(plist).toContain(`<string>${stateFile(sb, "gateway.env")}</string>`);
    expect(plist).toContain(`<string>${sb.home}/Library/Logs/openclaw/gateway.log</string>`);
    expectSecretOnlyInEnvFile(sb, SECRET);
    sb.clearCalls();
    expect((await cli(sb, ["gateway", "install", "--force"])).code).toBe(0);
    expect(sb.calls()).toEqual([
      ["launchctl", "bootout", target],
      ["launchctl", "enable", target],
      ["launchctl", "bootstrap", `gui/${UID}`, plistPath(sb)],
    ]);
  });

  test("profile label ai.openclaw.<profile>; profiles 'gateway'/'node' and upper case are refused", async () => {
    const sb = makeSandbox({ platform: "darwin" });
    const doc = json<any>(await cli(sb, ["gateway", "install", "--dry-run", "--json"], {}, { profile: "rescue" }));
    expect(doc.service.name).toBe("ai.openclaw.rescue");
    expect(doc.service.definitionPath).toBe(plistPath(sb, "ai.openclaw.rescue"));
    expect((await cli(sb, ["gateway", "install"], {}, { profile: "node" })).stderr).toContain("would collide with the LaunchAgent label");
    expect((await cli(sb, ["gateway", "install"], {}, { profile: "Work" })).stderr).toContain("must be lowercase");
  });
});

describe("Windows (Scheduled Task)", () => {
  const winEnv = (sb: ServiceSandbox) => ({ APPDATA: join(sb.home, "AppData", "Roaming"), USERNAME: "alice", USERDOMAIN: "WORKGROUP" });

  test("install: gateway.cmd + task XML + env file, /Create /F /TN … /XML …, then /Run", async () => {
    const sb = makeSandbox({ platform: "win32", config: LOCAL });
    const r = await cli(sb, ["gateway", "install"], { ...winEnv(sb), OPENCLAW_GATEWAY_TOKEN: SECRET });
    expect(r.code).toBe(0);
    expect(sb.calls()).toEqual([
      ["schtasks", "/Create", "/F", "/TN", "OpenClaw Gateway", "/XML", stateFile(sb, "gateway-task.xml")],
      ["schtasks", "/Run", "/TN", "OpenClaw Gateway"],
    ]);
    expect(r.stdout).toContain("Installed Scheduled Task: OpenClaw Gateway");
    const script = readFileSync(stateFile(sb, "gateway.cmd"), "utf8");
    expect(script).toContain(`set "OPENCLAW_ENV_FILE=${stateFile(sb, "gateway.env")}"\r\n`);
    expect(script).toContain(`"${BUN}" ${MAIN} gateway run --port 18789 < NUL\r\n`);
    const xml = readFileSync(stateFile(sb, "gateway-task.xml"));
    expect([...xml.subarray(0, 2)]).toEqual([0xff, 0xfe]); // UTF-16LE BOM, what schtasks /XML expects
    expectSecretOnlyInEnvFile(sb, SECRET);
  });

  test("task creation denied: a Startup-folder login item that runs gateway.cmd, launched now", async () => {
    const sb = makeSandbox({ platform: "win32", config: LOCAL, env: { FAKE_SCHTASKS_CREATE_CODE: "1", FAKE_SCHTASKS_CREATE_ERR: "ERROR: Access is denied." } });
    const r = await cli(sb, ["gateway", "install"], winEnv(sb));
    expect(r.code).toBe(0);
    const item = join(sb.home, "AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/OpenClaw Gateway.cmd");
    expect(sb.calls()).toEqual([
      ["schtasks", "/Create", "/F", "/TN", "OpenClaw Gateway", "/XML", stateFile(sb, "gateway-task.xml")],
      ["cmd.exe", "/d", "/c", "start", "", "/min", item],
    ]);
    expect(r.stdout).toContain(`Installed Windows login item: ${item}`);
    expect(r.stderr).toContain("Scheduled Task creation was refused (ERROR: Access is denied.)");
    expect(readFileSync(item, "utf8")).toContain(`/d /c ${stateFile(sb, "gateway.cmd")}\r\n`);
  });

  test("profile task name 'OpenClaw Gateway (<profile>)'", async () => {
    const sb = makeSandbox({ platform: "win32" });
    const doc = json<any>(await cli(sb, ["gateway", "install", "--dry-run", "--json"], winEnv(sb), { profile: "ops" }));
    expect(doc.service.name).toBe("OpenClaw Gateway (ops)");
    expect(doc.commands[0]).toEqual(["schtasks", "/Create", "/F", "/TN", "OpenClaw Gateway (ops)", "/XML", stateFile(sb, "gateway-task.xml", "ops")]);
  });
});

test("unknown flags and bad ports are usage errors", async () => {
  const sb = makeSandbox();
  expect((await cli(sb, ["gateway", "install", "--prot", "1"])).code).toBe(2);
  expect((await cli(sb, ["gateway", "install", "--port", "0"])).code).toBe(2);
});
