import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../src/cli/index.ts";
import { isProfileStateDir, REDACTED_TOKEN, resetTargets } from "../../src/cli/setup.ts";
import { writeFileAtomic } from "../../src/config/write-file.ts";
import { loadConfig } from "../../src/config/load.ts";
import { resolvePaths } from "../../src/config/paths.ts";
import { tempDir } from "../fixtures/gateway.ts";
import { captureIO } from "./helpers.ts";

interface Flags {
  dev?: boolean;
  profile?: string;
  env?: Record<string, string>;
}

/** `openclaw [--dev|--profile] setup …` in process, with HOME at `home`. */
async function setup(home: string, argv: string[], flags: Flags = {}) {
  const env = { HOME: home, OPENCLAW_HOME: home, ...flags.env };
  const ctx = { env, paths: resolvePaths({ env, dev: flags.dev, profile: flags.profile }), globals: { dev: !!flags.dev, profile: flags.profile, noColor: true } };
  const cap = captureIO(ctx);
  const code = await runCli(ctx, ["setup", ...argv], cap.io);
  return { code, stdout: cap.stdout.join(""), stderr: cap.stderr.join(""), paths: ctx.paths };
}

const mode = (p: string) => statSync(p).mode & 0o777;

describe("openclaw --dev setup", () => {
  test("creates ~/.openclaw-dev/openclaw.json (0600), the state dir (0700) and the workspace; prints the token once", async () => {
    const home = tempDir("setup-");
    const r = await setup(home, [], { dev: true });
    expect(r.code).toBe(0);
    const dir = join(home, ".openclaw-dev");
    const file = join(dir, "openclaw.json");
    expect(r.stdout).toStartWith(`Dev config ready: ${file}\n`);
    expect(mode(file)).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    expect(statSync(join(dir, "workspace")).isDirectory()).toBe(true);
    const loaded = loadConfig(file, {});
    expect(loaded.config.gateway).toMatchObject({ mode: "local", bind: "loopback", auth: { mode: "token" } });
    expect(loaded.config.gateway?.port).toBeUndefined();
    const token = loaded.config.gateway!.auth!.token!;
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(r.stdout).toContain(`token: ${token}`);
    expect(r.stdout).toContain("port=19001");
    expect(r.stdout).toContain("Start it: openclaw --dev gateway run");
    // No temp files left behind by the atomic write.
    expect(readdirSync(dir).sort()).toEqual(["openclaw.json", "workspace"]);
  });

  test("--json: {ok, path, created, stateDir, token: redacted}; the token itself never appears", async () => {
    const home = tempDir("setup-");
    const r = await setup(home, ["--json"], { dev: true });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const dir = join(home, ".openclaw-dev");
    expect(out).toEqual({ ok: true, path: join(dir, "openclaw.json"), created: true, stateDir: dir, token: REDACTED_TOKEN });
    const token = loadConfig(out.path, {}).config.gateway!.auth!.token!;
    expect(r.stdout).not.toContain(token);
  });

  test("an existing config is left untouched; --force overwrites it after a .bak", async () => {
    const home = tempDir("setup-");
    await setup(home, [], { dev: true });
    const file = join(home, ".openclaw-dev/openclaw.json");
    const before = readFileSync(file, "utf8");
    const again = await setup(home, [], { dev: true });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Dev config ready: ${file}`);
    expect(again.stdout).toContain("already exists and was left unchanged");
    expect(again.stdout).not.toContain("token:");
    expect(readFileSync(file, "utf8")).toBe(before);
    const json = JSON.parse((await setup(home, ["--json"], { dev: true })).stdout);
    expect(json).toEqual({ ok: true, path: file, created: false, stateDir: join(home, ".openclaw-dev") });

    const forced = await setup(home, ["--force"], { dev: true });
    expect(forced.code).toBe(0);
    expect(readFileSync(`${file}.bak`, "utf8")).toBe(before);
    expect(readFileSync(file, "utf8")).not.toBe(before);
    expect(mode(file)).toBe(0o600);
  });

  test("the default and named profiles say Config ready and use their own dirs", async () => {
    const home = tempDir("setup-");
    const def = await setup(home, []);
    expect(def.stdout).toStartWith(`Config ready: ${join(home, ".openclaw/openclaw.json")}\n`);
    expect(def.stdout).toContain("port=18789");
    const named = await setup(home, [], { profile: "work" });
    expect(named.stdout).toStartWith(`Config ready: ${join(home, ".openclaw-work/openclaw.json")}\n`);
    expect(named.stdout).toContain("Start it: openclaw --profile work gateway run");
  });
});

describe("setup --reset", () => {
  function populate(stateDir: string): void {
    for (const d of ["workspace/notes", "state", "logs", "credentials"]) mkdirSync(join(stateDir, d), { recursive: true });
    writeFileSync(join(stateDir, "state/sessions.sqlite"), "x");
    writeFileSync(join(stateDir, "logs/raw-stream.jsonl"), "{}\n");
    writeFileSync(join(stateDir, "gateway.env"), "OPENCLAW_GATEWAY_TOKEN=x\n");
    writeFileSync(join(stateDir, "keep-me.txt"), "not ours to remove");
  }

  test("lists what it removes, removes it, then sets the profile up again", async () => {
    const home = tempDir("setup-");
    await setup(home, [], { dev: true });
    const dir = join(home, ".openclaw-dev");
    populate(dir);
    const oldToken = loadConfig(join(dir, "openclaw.json"), {}).config.gateway!.auth!.token!;
    const r = await setup(home, ["--reset"], { dev: true });
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const head = lines.indexOf(`Resetting the dev profile (${dir}); removing:`);
    expect(head).toBe(0);
    expect(lines.slice(1, 7)).toEqual([
      `  - config: ${join(dir, "openclaw.json")}`,
      `  - credentials (service env file): ${join(dir, "gateway.env")}`,
      `  - credentials: ${join(dir, "credentials")}`,
      `  - sessions database: ${join(dir, "state")}`,
      `  - workspace: ${join(dir, "workspace")}`,
      `  - logs: ${join(dir, "logs")}`,
    ]);
    expect(r.stdout).toContain("Removed 6 item(s).");
    expect(r.stdout).toContain(`Dev config ready: ${join(dir, "openclaw.json")}`);
    for (const gone of ["gateway.env", "credentials", "state", "logs", "workspace/notes"]) expect(existsSync(join(dir, gone))).toBe(false);
    expect(existsSync(join(dir, "keep-me.txt"))).toBe(true);
    expect(loadConfig(join(dir, "openclaw.json"), {}).config.gateway!.auth!.token).not.toBe(oldToken);
  });

  test("--json reports the removed items", async () => {
    const home = tempDir("setup-");
    await setup(home, [], { profile: "rescue" });
    const dir = join(home, ".openclaw-rescue");
    populate(dir);
    const out = JSON.parse((await setup(home, ["--reset", "--json"], { profile: "rescue" })).stdout);
    expect(out).toMatchObject({ ok: true, created: true, stateDir: dir, token: REDACTED_TOKEN });
    expect(out.removed.map((t: { what: string }) => t.what)).toEqual([
      "config", "credentials (service env file)", "credentials", "sessions database", "workspace", "logs",
    ]);
  });

  test("the main ~/.openclaw (or an OPENCLAW_STATE_DIR) is refused without --yes", async () => {
    const home = tempDir("setup-");
    await setup(home, []);
    const dir = join(home, ".openclaw");
    populate(dir);
    const r = await setup(home, ["--reset"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Refusing to --reset ${dir}: it is not a dev or named profile's state dir`);
    expect(existsSync(join(dir, "state/sessions.sqlite"))).toBe(true);
    const custom = join(home, "custom-state");
    const viaEnv = await setup(home, ["--reset", "--json"], { env: { OPENCLAW_STATE_DIR: custom } });
    expect(viaEnv.code).toBe(1);
    expect(JSON.parse(viaEnv.stdout).error.type).toBe("reset_refused");

    const yes = await setup(home, ["--reset", "--yes"]);
    expect(yes.code).toBe(0);
    expect(existsSync(join(dir, "state"))).toBe(false);
  });

  test("refused while another process (a gateway) holds the state dir", async () => {
    const home = tempDir("setup-");
    await setup(home, [], { dev: true });
    const dir = join(home, ".openclaw-dev");
    const holder = Bun.spawn([process.execPath, join(import.meta.dir, "../fixtures/lock-holder.ts"), dir], { stdout: "pipe", stderr: "inherit" });
    try {
      const reader = holder.stdout.getReader();
      await reader.read();
      reader.releaseLock();
      const r = await setup(home, ["--reset"], { dev: true });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`A gateway is running on ${dir} (pid ${holder.pid}); stop it first (openclaw gateway stop).`);
      expect(r.stdout).not.toContain("removing");
      expect(existsSync(join(dir, "openclaw.json"))).toBe(true);
    } finally {
      holder.kill("SIGKILL");
      await holder.exited;
    }
    expect((await setup(home, ["--reset"], { dev: true })).code).toBe(0);
  }, 60_000); // a second process holds the lock

  test("targets and profile detection", () => {
    const home = tempDir("setup-");
    expect(isProfileStateDir(resolvePaths({ env: { HOME: home }, dev: true }))).toBe(true);
    expect(isProfileStateDir(resolvePaths({ env: { HOME: home }, profile: "x" }))).toBe(true);
    expect(isProfileStateDir(resolvePaths({ env: { HOME: home }, profile: "default" }))).toBe(false);
    expect(isProfileStateDir(resolvePaths({ env: { HOME: home } }))).toBe(false);
    // OPENCLAW_PROFILE names the log file but does not move the state dir: not safe to wipe.
    expect(isProfileStateDir(resolvePaths({ env: { HOME: home, OPENCLAW_PROFILE: "x" } }))).toBe(false);
    expect(resetTargets(resolvePaths({ env: { HOME: home }, dev: true })).map((t) => t.what)).toContain("sessions database");
  });

  test("writeFileAtomic replaces the file and leaves no temp file", () => {
    const dir = tempDir("atomic-");
    const p = join(dir, "sub/f.json");
    writeFileAtomic(p, "one");
    writeFileAtomic(p, "two");
    expect(readFileSync(p, "utf8")).toBe("two");
    expect(mode(p)).toBe(0o600);
    expect(readdirSync(join(dir, "sub"))).toEqual(["f.json"]);
  });
});
