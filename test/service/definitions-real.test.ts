// Real tools judge the generated definitions: systemd-analyze verify for every unit variant, a
// property-list parser (plutil, else python3 plistlib) for the plist, python3's xml.etree for the
// Task Scheduler XML exactly as install writes it (UTF-16 with BOM). Each test skips, saying why,
// only when its tool is absent.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { tempDir } from "../fixtures/gateway.ts";
import { cli, hasTool, json, makeSandbox, plistPath, stateFile } from "./helpers.ts";

const HAS_ANALYZE = hasTool("systemd-analyze");
const HAS_PLUTIL = hasTool("plutil");
const HAS_PYTHON = hasTool("python3");
if (!HAS_ANALYZE) console.warn("skipping systemd-analyze verify: systemd-analyze not installed (apt-get install -y systemd)");
if (!HAS_PLUTIL && !HAS_PYTHON) console.warn("skipping plist parse: neither plutil nor python3 is installed");
if (!HAS_PYTHON) console.warn("skipping task XML parse: python3 is not installed");

const LOCAL = { gateway: { mode: "local" } };

function verify(unitPath: string, user: boolean): { code: number; complaints: string[] } {
  const runtime = tempDir("xdg-");
  const r = Bun.spawnSync(["systemd-analyze", ...(user ? ["--user"] : []), "verify", unitPath], {
    env: { PATH: process.env.PATH!, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_LEVEL: "notice" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const text = `${r.stdout.toString()}${r.stderr.toString()}`;
  // Only complaints about our unit count; the host's own units are not ours to judge.
  const complaints = text.split("\n").filter((l) => l.includes(basename(unitPath)) || l.includes(unitPath));
  return { code: r.exitCode ?? -1, complaints };
}

describe.skipIf(!HAS_ANALYZE)("systemd-analyze verify", () => {
  const variants: Array<{ name: string; args: string[]; globals?: { profile?: string; dev?: boolean }; env?: Record<string, string>; user: boolean }> = [
    { name: "default user unit", args: [], user: true },
    { name: "named profile user unit", args: [], globals: { profile: "work" }, user: true },
    { name: "--dev user unit with --allow-unconfigured", args: ["--allow-unconfigured"], globals: { dev: true }, user: true },
    { name: "system unit", args: ["--system"], env: { USER: "root" }, user: false },
    { name: "paths with spaces and % in the state dir", args: [], env: { OPENCLAW_STATE_DIR: "/tmp/My State 100%" }, user: true },
  ];
  for (const v of variants) {
    test(v.name, async () => {
      const sb = makeSandbox({ config: LOCAL, env: v.env });
      const doc = json<any>(await cli(sb, ["gateway", "install", "--dry-run", "--json", ...v.args], {}, v.globals));
      const unit = doc.install.files.find((f: any) => f.path.endsWith(".service"));
      // systemd-analyze wants the real unit name; a fresh dir keeps it away from other units.
      const dir = tempDir("units-");
      const path = join(dir, basename(unit.path));
      writeFileSync(path, unit.content);
      const r = verify(path, v.user);
      expect(r).toEqual({ code: 0, complaints: [] });
    });
  }
});

describe.skipIf(!HAS_PLUTIL && !HAS_PYTHON)("launchd plist", () => {
  test("parses as a property list with the keys launchd needs", async () => {
    const sb = makeSandbox({ platform: "darwin", config: LOCAL });
    expect((await cli(sb, ["gateway", "install"], {}, { profile: "rescue" })).code).toBe(0);
    const file = plistPath(sb, "ai.openclaw.rescue");
    let parsed: any;
    if (HAS_PLUTIL) {
      const r = Bun.spawnSync(["plutil", "-convert", "json", "-o", "-", file]);
      expect(r.exitCode).toBe(0);
      parsed = JSON.parse(r.stdout.toString());
    } else {
      const py = "import json,plistlib,sys\nwith open(sys.argv[1],'rb') as f: print(json.dumps(plistlib.load(f)))";
      const r = Bun.spawnSync(["python3", "-c", py, file]);
      expect(r.stderr.toString()).toBe("");
      parsed = JSON.parse(r.stdout.toString());
    }
    expect(parsed).toMatchObject({
      Label: "ai.openclaw.rescue",
      Comment: "OpenClaw Gateway (profile: rescue)",
      RunAtLoad: true,
      KeepAlive: true,
      WorkingDirectory: join(sb.home, ".openclaw-rescue"),
      StandardOutPath: join(sb.home, "Library/Logs/openclaw/gateway-rescue.log"),
      StandardErrorPath: join(sb.home, "Library/Logs/openclaw/gateway-rescue.log"),
      EnvironmentVariables: {
        OPENCLAW_ENV_FILE: stateFile(sb, "gateway.env", "rescue"),
        OPENCLAW_PROFILE: "rescue",
        OPENCLAW_SERVICE_MARKER: "openclaw",
        OPENCLAW_SERVICE_KIND: "gateway",
      },
    });
    expect(parsed.ProgramArguments.slice(-6)).toEqual(["--profile", "rescue", "gateway", "run", "--port", "23532"]);
    expect(parsed.EnvironmentVariables.OPENCLAW_GATEWAY_TOKEN).toBeUndefined();
  });
});

describe.skipIf(!HAS_PYTHON)("Task Scheduler XML", () => {
  test("parses (UTF-16) with the task namespace and Triggers/Actions/Exec/Command/Arguments/Settings", async () => {
    const sb = makeSandbox({ platform: "win32", config: LOCAL, env: { USERNAME: "alice", USERDOMAIN: "CORP", SystemRoot: "C:\\Windows" } });
    expect((await cli(sb, ["gateway", "install"])).code).toBe(0);
    const py = `
import json, sys, xml.etree.ElementTree as ET
ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
root = ET.parse(sys.argv[1]).getroot()
find = lambda p: root.find(p, ns)
print(json.dumps({
  "tag": root.tag,
  "version": root.get("version"),
  "paths": {p: find(p) is not None for p in ["t:Triggers", "t:Triggers/t:LogonTrigger", "t:Actions", "t:Actions/t:Exec", "t:Actions/t:Exec/t:Command", "t:Actions/t:Exec/t:Arguments", "t:Settings"]},
  "command": find("t:Actions/t:Exec/t:Command").text,
  "arguments": find("t:Actions/t:Exec/t:Arguments").text,
  "user": find("t:Principals/t:Principal/t:UserId").text,
  "restart": find("t:Settings/t:RestartOnFailure/t:Count").text,
}))`;

// Each test runs a real tool (systemd-analyze, plutil or python3): room for a slow CI machine.
setDefaultTimeout(60_000);
    const r = Bun.spawnSync(["python3", "-c", py, stateFile(sb, "gateway-task.xml")]);
    expect(r.stderr.toString()).toBe("");
    const doc = JSON.parse(r.stdout.toString());
    expect(doc).toEqual({
      tag: "{http://schemas.microsoft.com/windows/2004/02/mit/task}Task",
      version: "1.2",
      paths: Object.fromEntries(["t:Triggers", "t:Triggers/t:LogonTrigger", "t:Actions", "t:Actions/t:Exec", "t:Actions/t:Exec/t:Command", "t:Actions/t:Exec/t:Arguments", "t:Settings"].map((p) => [p, true])),
      command: "C:\\Windows\\System32\\cmd.exe",
      arguments: `/d /c ${stateFile(sb, "gateway.cmd")}`,
      user: "CORP\\alice",
      restart: "3",
    });
    expect(readFileSync(stateFile(sb, "gateway-task.xml")).toString("utf16le")).not.toContain("OPENCLAW_GATEWAY_TOKEN");
  });
});
