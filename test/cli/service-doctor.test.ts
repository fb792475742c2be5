// `openclaw doctor`: drift between the installed service and what install would write now, and --fix.
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { VERSION } from "../../src/version.ts";
import { cli, exists, json, makeSandbox, plistPath, stateFile, userUnit, type ServiceSandbox } from "../service/helpers.ts";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
const U = "openclaw-gateway.service";
const LINGER = ["loginctl", "show-user", "alice", "-p", "Linger"];

function writeConfig(sb: ServiceSandbox, config: object): void {
  writeFileSync(join(sb.home, ".openclaw/openclaw.json"), JSON.stringify(config));
}

async function installed(platform: "linux" | "darwin" = "linux", config: object = { gateway: { mode: "local", port: 19100 } }): Promise<ServiceSandbox> {
  const sb = makeSandbox({ platform, config });
  const r = await cli(sb, ["gateway", "install"], { OPENCLAW_GATEWAY_TOKEN: "doctor-token-abc" });
  if (r.code !== 0) throw new Error(r.stderr);
  sb.clearCalls();
  return sb;
}

const codes = (doc: any) => doc.findings.map((f: any) => f.code);

test("a fresh install has no findings", async () => {
  const sb = await installed();
  const r = await cli(sb, ["doctor", "--json"]);
  expect(r.code).toBe(0);
  expect(json(r)).toEqual({
    ok: true, policy: "auto",
    service: { platform: "linux", manager: "systemd", label: "systemd", scope: "user", name: U, definitionPath: userUnit(sb), installed: true },
    findings: [], fix: { attempted: false, ok: null, commands: [] }, notes: [],
  });
  expect(sb.calls()).toEqual([LINGER]);
});

test("port drift: gateway.port changed after install → port-mismatch; --fix rewrites, daemon-reloads and restarts", async () => {
  const sb = await installed();
  writeConfig(sb, { gateway: { mode: "local", port: 19200 } });
  const r = await cli(sb, ["doctor", "--json"]);
  expect(r.code).toBe(1);
  const doc = json<any>(r);
  expect(codes(doc)).toEqual(["port-mismatch", "definition-stale"]);
  expect(doc.findings[0].message).toBe("Gateway service port 19100 does not match the current gateway port 19200 (config).");
  const human = await cli(sb, ["doctor"]);
  expect(human.stdout).toContain("- warning: port-mismatch: Gateway service port 19100 does not match the current gateway port 19200 (config).\n");
  expect(human.stdout).toContain("Repair with: openclaw doctor --fix");

  sb.clearCalls();
  const fixed = await cli(sb, ["doctor", "--fix", "--json"]);
  expect(fixed.code).toBe(0);
  const fdoc = json<any>(fixed);
  expect(fdoc.fix).toMatchObject({ attempted: true, ok: true });
  expect(fdoc.fix.commands).toEqual([["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", U], ["systemctl", "--user", "restart", U], LINGER]);
  expect(fdoc.findings.every((f: any) => f.fixed === true)).toBe(true);
  expect(readFileSync(userUnit(sb), "utf8")).toContain(" gateway run --port 19200\n");
  expect(json<any>(await cli(sb, ["doctor", "--json"])).findings).toEqual([]);
  // The secrets survived the rewrite.
  expect(readFileSync(stateFile(sb, "gateway.env"), "utf8")).toContain("OPENCLAW_GATEWAY_TOKEN=doctor-token-abc\n");
});

test("binary drift: a unit pointing at another (missing) binary", async () => {
  const sb = await installed();
  const unit = readFileSync(userUnit(sb), "utf8").replace(/^ExecStart=.*$/m, "ExecStart=/opt/old/openclaw gateway run --port 19100");
  writeFileSync(userUnit(sb), unit);
  const doc = json<any>(await cli(sb, ["doctor", "--json"]));
  expect(codes(doc)).toEqual(["binary-missing", "binary-mismatch", "definition-stale"]);
  expect(doc.findings[1].detail).toBe(`service: /opt/old/openclaw; current: ${process.execPath} ${MAIN}`);
  const fixed = json<any>(await cli(sb, ["doctor", "--fix", "--json"]));
  expect(fixed.ok).toBe(true);
  expect(readFileSync(userUnit(sb), "utf8")).toContain(`ExecStart=${process.execPath} ${MAIN} gateway run --port 19100\n`);
});

test("version drift: a unit written by another version", async () => {
  const sb = await installed();
  writeFileSync(userUnit(sb), readFileSync(userUnit(sb), "utf8").replace(`OPENCLAW_SERVICE_VERSION=${VERSION}`, "OPENCLAW_SERVICE_VERSION=2026.1.1"));
  const doc = json<any>(await cli(sb, ["doctor", "--json"]));
  expect(codes(doc)).toEqual(["version-mismatch", "definition-stale"]);
  expect(doc.findings[0].message).toBe(`Gateway service was installed by version 2026.1.1; this CLI is ${VERSION}.`);
  expect(json<any>(await cli(sb, ["doctor", "--fix", "--json"])).ok).toBe(true);
  expect(readFileSync(userUnit(sb), "utf8")).toContain(`OPENCLAW_SERVICE_VERSION=${VERSION}\n`);
});

test("secrets: env file readable by others, token embedded in the unit → moved back to the 0600 env file", async () => {
  const sb = await installed();
  chmodSync(stateFile(sb, "gateway.env"), 0o644);
  const doc = json<any>(await cli(sb, ["doctor", "--json"]));
  expect(codes(doc)).toEqual(["env-file-mode"]);
  expect(doc.findings[0].severity).toBe("error");

  writeFileSync(stateFile(sb, "gateway.env"), "");
  writeFileSync(userUnit(sb), readFileSync(userUnit(sb), "utf8").replace("[Install]", "Environment=OPENCLAW_GATEWAY_TOKEN=embedded-secret-1\n\n[Install]"));
  const doc2 = json<any>(await cli(sb, ["doctor", "--json"]));
  expect(codes(doc2)).toEqual(["definition-stale", "secret-embedded", "env-file-mode"]);
  expect(json<any>(await cli(sb, ["doctor", "--fix", "--json"])).ok).toBe(true);
  expect(readFileSync(userUnit(sb), "utf8")).not.toContain("embedded-secret-1");
  expect(readFileSync(stateFile(sb, "gateway.env"), "utf8")).toContain("OPENCLAW_GATEWAY_TOKEN=embedded-secret-1\n");
  expect(statSync(stateFile(sb, "gateway.env")).mode & 0o777).toBe(0o600);
});

test("OPENCLAW_SERVICE_REPAIR_POLICY=external: report only, even with --fix", async () => {
  const sb = await installed();
  writeConfig(sb, { gateway: { mode: "local", port: 19300 } });
  const before = readFileSync(userUnit(sb), "utf8");
  const r = await cli(sb, ["doctor", "--fix"], { OPENCLAW_SERVICE_REPAIR_POLICY: "External" });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain("Gateway service is managed externally (OPENCLAW_SERVICE_REPAIR_POLICY=external); skipped service repair.");
  expect(readFileSync(userUnit(sb), "utf8")).toBe(before);
  expect(sb.calls()).toEqual([LINGER]);
});

describe("system units", () => {
  function systemUnit(sb: ServiceSandbox): string {
    return join(sb.env.OPENCLAW_SERVICE_ROOT!, "etc/systemd/system", U);
  }

  test("a system unit owns the profile: audited and repaired as a system unit, never shadowed by a user unit", async () => {
    const sb = makeSandbox({ config: { gateway: { mode: "local", port: 19100 } } });
    expect((await cli(sb, ["gateway", "install", "--system"])).code).toBe(0);
    writeConfig(sb, { gateway: { mode: "local", port: 19400 } });
    sb.clearCalls();
    const doc = json<any>(await cli(sb, ["doctor", "--json"]));
    expect(doc.service).toMatchObject({ scope: "system", definitionPath: systemUnit(sb) });
    expect(codes(doc)).toEqual(["system-unit-owns-profile", "port-mismatch", "definition-stale"]);
    const fixed = json<any>(await cli(sb, ["doctor", "--fix", "--json"]));
    expect(fixed.fix.commands).toEqual([["systemctl", "daemon-reload"], ["systemctl", "enable", U], ["systemctl", "restart", U]]);
    expect(readFileSync(systemUnit(sb), "utf8")).toContain("--port 19400\n");
    expect(exists(userUnit(sb))).toBe(false);
  });

  test("user and system unit for the same profile: dueling-scopes error, not auto-fixed", async () => {
    const sb = await installed();
    mkdirSync(join(systemUnit(sb), ".."), { recursive: true });
    writeFileSync(systemUnit(sb), "[Service]\nExecStart=/usr/local/bin/openclaw gateway\n");
    const r = await cli(sb, ["doctor", "--json"]);
    expect(r.code).toBe(1);
    const doc = json<any>(r);
    expect(doc.findings[0]).toMatchObject({ code: "dueling-scopes", severity: "error", fixable: false });
  });
});

test("macOS: drift fixed with bootout → enable → bootstrap", async () => {
  const sb = await installed("darwin");
  writeConfig(sb, { gateway: { mode: "local", port: 19500 } });
  const uid = process.getuid?.() ?? 0;
  const doc = json<any>(await cli(sb, ["doctor", "--fix", "--json"]));
  expect(doc.fix.commands).toEqual([
    ["launchctl", "bootout", `gui/${uid}/ai.openclaw.gateway`],
    ["launchctl", "enable", `gui/${uid}/ai.openclaw.gateway`],
    ["launchctl", "bootstrap", `gui/${uid}`, plistPath(sb)],
  ]);
  expect(readFileSync(plistPath(sb), "utf8")).toContain("<string>19500</string>");
});

test("nothing installed: an info finding, exit 0", async () => {
  const sb = makeSandbox();
  const r = await cli(sb, ["doctor", "--json"]);
  expect(r.code).toBe(0);
  expect(json<any>(r).findings).toMatchObject([{ code: "service-not-installed", severity: "info" }]);
});
