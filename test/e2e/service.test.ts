// The generated service commands, run for real: the user unit's ExecStart (through sh, with the
// unit's Environment= and its EnvironmentFile= sourced), the plist's ProgramArguments with its
// EnvironmentVariables (secrets via OPENCLAW_ENV_FILE), and the Windows script's command line.
// Each must start a gateway that answers `health` with the token that lives only in gateway.env.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI_READER, callGateway } from "../../src/cli/rpc.ts";
import { readInstalledDefinition } from "../../src/service/definitions.ts";
import { freePort } from "../fixtures/spawn.ts";
import { cli, makeSandbox, plistPath, stateFile, userUnit, type ServiceSandbox } from "../service/helpers.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const TOKEN = "service-e2e-token-0123456789";
const LOCAL = { gateway: { mode: "local" } };

interface Running {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  ready: Promise<string>;
  output: () => string;
}

const running: Running[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.proc.kill("SIGKILL");
    await r.proc.exited;
  }
});

function start(argv: string[], env: Record<string, string>, cwd: string): Running {
  const proc = Bun.spawn(argv, { env, cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let out = "";
  const ready = new Promise<string>((resolve, reject) => {
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      const dec = new TextDecoder();
      for await (const chunk of stream) {
        out += dec.decode(chunk);
        const m = /Gateway ready: (ws:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      }
    };
    Promise.all([pump(proc.stdout), pump(proc.stderr)]).then(() => reject(new Error(`exited before ready:\n${out}`)));
  });
  ready.catch(() => {});
  const r = { proc, ready, output: () => out };
  running.push(r);
  return r;
}

async function expectHealthyWithFileToken(r: Running, port: number): Promise<void> {
  const url = await r.ready;
  expect(url).toBe(`ws://127.0.0.1:${port}`);
  const health = await callGateway<{ ok?: boolean }>({ url, urlSource: "flag", token: TOKEN }, { identity: CLI_READER, method: "health", timeoutMs: 5000 });
  expect(health.ok).toBe(true);
  // The token really is the one from the env file: a wrong one is refused.
  await expect(callGateway({ url, urlSource: "flag", token: "wrong" }, { identity: CLI_READER, method: "health", timeoutMs: 5000 })).rejects.toThrow();
  r.proc.kill("SIGTERM");
  expect(await r.proc.exited).toBe(0);
}

async function install(sb: ServiceSandbox, port: number): Promise<void> {
  const r = await cli(sb, ["gateway", "install", "--port", String(port)], { OPENCLAW_GATEWAY_TOKEN: TOKEN });
  expect(r.code).toBe(0);
}

describe("the installed service command starts a gateway that answers health", () => {
  test("systemd: ExecStart as written, via sh -c, with Environment= and EnvironmentFile= like systemd", async () => {
    const sb = makeSandbox({ config: LOCAL });
    const port = freePort();
    await install(sb, port);
    const unit = readFileSync(userUnit(sb), "utf8");
    expect(unit).not.toContain(TOKEN);
    const execStart = /^ExecStart=(.*)$/m.exec(unit)![1]!;
    const envFile = /^EnvironmentFile=-(.*)$/m.exec(unit)![1]!;
    const env: Record<string, string> = { PATH: process.env.PATH! };
    for (const m of unit.matchAll(/^Environment=([A-Z_]+)=(\S*)$/gm)) env[m[1]!] = m[2]!;
    expect(env.OPENCLAW_STATE_DIR).toBe(join(sb.home, ".openclaw"));
    // systemd's own escapes ($$, %%) would need undoing; this unit has none.
    expect(execStart).not.toMatch(/\$\$|%%/);
    const script = `set -a; . "${envFile}"; set +a; exec ${execStart}`;
    await expectHealthyWithFileToken(start(["sh", "-c", script], env, sb.home), port);
  });

  test("launchd: ProgramArguments + EnvironmentVariables; the token arrives through OPENCLAW_ENV_FILE", async () => {
    const sb = makeSandbox({ platform: "darwin", config: LOCAL });
    const port = freePort();
    await install(sb, port);
    const def = readInstalledDefinition(plistPath(sb), "launchd")!;
    expect(def.environment.OPENCLAW_ENV_FILE).toBe(stateFile(sb, "gateway.env"));
    expect(def.environment.OPENCLAW_GATEWAY_TOKEN).toBeUndefined();
    await expectHealthyWithFileToken(start(def.programArguments, { PATH: process.env.PATH!, ...def.environment }, sb.home), port);
  });

  test("Windows: gateway.cmd's set lines and command line (run here without cmd.exe)", async () => {
    const sb = makeSandbox({ platform: "win32", config: LOCAL, env: { APPDATA: "/nonexistent" } });
    const port = freePort();
    await install(sb, port);
    const def = readInstalledDefinition(stateFile(sb, "gateway.cmd"), "schtasks")!;
    expect(def.port).toBe(port);
    await expectHealthyWithFileToken(start(def.programArguments, { PATH: process.env.PATH!, ...def.environment }, sb.home), port);
  });
});

test("gateway run refuses a malformed OPENCLAW_ENV_FILE with exit 78 (no restart loop)", async () => {
  const sb = makeSandbox({ config: LOCAL });
  const bad = join(sb.home, "bad.env");
  writeFileSync(bad, "OPENCLAW_GATEWAY_TOKEN=\"unterminated\n");
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "../../src/main.ts"), "gateway", "run", "--port", "0"], {
    env: { PATH: process.env.PATH!, HOME: sb.home, OPENCLAW_ENV_FILE: bad, OPENCLAW_LOG_DIR: join(sb.home, "logs") },
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await proc.exited).toBe(78);
  expect(await new Response(proc.stderr).text()).toContain(`Gateway failed to start: ${bad}:1: unterminated double-quoted value`);
});
