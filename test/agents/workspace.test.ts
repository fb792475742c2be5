import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import {
  BOOTSTRAP_FILE,
  createWorkspaceManager,
  ensureWorkspace,
  PROMPT_FILE_MAX_CHARS,
  PROMPT_TOTAL_MAX_CHARS,
  resolveSkipBootstrap,
  resolveWorkspaceDir,
  WORKSPACE_FILES,
  WORKSPACE_TEMPLATES,
  workspacePrompt,
} from "../../src/agents/workspace.ts";

// Not the gateway fixture's tempDir: this suite needs none of the gateway.
const tempDir = (prefix: string) => mkdtempSync(join(process.env.OPENCLAW_TEST_TMP ?? "/tmp", prefix));
const cfg = (c: unknown) => c as OpenClawConfig;
const env = { HOME: "/home/ada" };

describe("resolveWorkspaceDir", () => {
  const state = "/var/lib/oc";

  test("precedence for the default agent: own entry > defaults > OPENCLAW_WORKSPACE_DIR > <state>/workspace", () => {
    const full = cfg({ agents: { defaults: { workspace: "/d/ws" }, entries: { main: { workspace: "/own/ws" } } } });
    expect(resolveWorkspaceDir(full, "main", state, { ...env, OPENCLAW_WORKSPACE_DIR: "/env/ws" })).toBe("/own/ws");
    const noOwn = cfg({ agents: { defaults: { workspace: "/d/ws" }, entries: { main: {} } } });
    expect(resolveWorkspaceDir(noOwn, "main", state, { ...env, OPENCLAW_WORKSPACE_DIR: "/env/ws" })).toBe("/d/ws");
    expect(resolveWorkspaceDir(cfg({}), "main", state, { ...env, OPENCLAW_WORKSPACE_DIR: "/env/ws" })).toBe("/env/ws");
    expect(resolveWorkspaceDir(cfg({}), "main", state, env)).toBe("/var/lib/oc/workspace");
    expect(resolveWorkspaceDir(cfg({}), "main", state, { ...env, OPENCLAW_WORKSPACE_DIR: "  " })).toBe("/var/lib/oc/workspace");
  });

  test("~ is expanded with the env's HOME; relative paths are under the state dir", () => {
    expect(resolveWorkspaceDir(cfg({ agents: { defaults: { workspace: "~/my-ws" } } }), "main", state, env)).toBe("/home/ada/my-ws");
    expect(resolveWorkspaceDir(cfg({}), "main", state, { ...env, OPENCLAW_WORKSPACE_DIR: "~" })).toBe("/home/ada");
    expect(resolveWorkspaceDir(cfg({ agents: { defaults: { workspace: "spaces/main" } } }), "main", state, env)).toBe("/var/lib/oc/spaces/main");
  });

  test("a non-default agent without its own workspace gets one of its own", () => {
    const roster = { main: {}, work: {} };
    expect(resolveWorkspaceDir(cfg({ agents: { entries: roster } }), "work", state, { ...env, OPENCLAW_WORKSPACE_DIR: "/env/ws" })).toBe("/var/lib/oc/workspace-work");
    expect(resolveWorkspaceDir(cfg({ agents: { defaults: { workspace: "~/spaces" }, entries: roster } }), "work", state, env)).toBe("/home/ada/spaces/work");
    expect(resolveWorkspaceDir(cfg({ agents: { entries: { main: {}, work: { workspace: "/w" } } } }), "work", state, env)).toBe("/w");
    // The default agent of a roster is whichever is marked, not necessarily "main".
    const marked = cfg({ agents: { entries: { main: {}, work: { default: true } } } });
    expect(resolveWorkspaceDir(marked, "work", state, env)).toBe("/var/lib/oc/workspace");
    expect(resolveWorkspaceDir(marked, "main", state, env)).toBe("/var/lib/oc/workspace-main");
  });

  test("a sole configured agent is the default and inherits the default workspace", () => {
    expect(resolveWorkspaceDir(cfg({ agents: { entries: { solo: {} } } }), "solo", state, env)).toBe("/var/lib/oc/workspace");
  });

  test("an agent id that is not a plain name is refused", () => {
    expect(() => resolveWorkspaceDir(cfg({}), "../etc", state, env)).toThrow('Invalid agent id for a workspace: "../etc"');
  });

  test("resolveSkipBootstrap: entry over defaults", () => {
    expect(resolveSkipBootstrap(cfg({}), "main")).toBe(false);
    expect(resolveSkipBootstrap(cfg({ agents: { defaults: { skipBootstrap: true } } }), "main")).toBe(true);
    expect(resolveSkipBootstrap(cfg({ agents: { defaults: { skipBootstrap: true }, entries: { main: { skipBootstrap: false } } } }), "main")).toBe(false);
  });
});

describe("ensureWorkspace", () => {
  test("a new directory is made 0700, seeded with the five files, and git-initialised", async () => {
    const dir = join(tempDir("ws-"), "state", "workspace");
    const r = await ensureWorkspace(dir);
    expect(r.created).toBe(true);
    expect(r.seeded).toEqual([...WORKSPACE_FILES]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of WORKSPACE_FILES) expect(readFileSync(join(dir, name), "utf8")).toBe(WORKSPACE_TEMPLATES[name]);
    expect(WORKSPACE_TEMPLATES[BOOTSTRAP_FILE]).toContain("Delete this file");
    const hasGit = Bun.which("git") !== null;
    expect(r.gitInitialized).toBe(hasGit);
    expect(existsSync(join(dir, ".git"))).toBe(hasGit);
  }, 20_000);

  test("seeds only a workspace that has none of the files, and never overwrites", async () => {
    const dir = tempDir("ws-");
    writeFileSync(join(dir, "SOUL.md"), "my own soul");
    const r = await ensureWorkspace(dir, { git: false });
    expect(r).toEqual({ created: false, seeded: [], gitInitialized: false });
    expect(readdirSync(dir)).toEqual(["SOUL.md"]);
    expect(readFileSync(join(dir, "SOUL.md"), "utf8")).toBe("my own soul");
  });

  test("an existing directory with other content is seeded; its files stay", async () => {
    const dir = tempDir("ws-");
    writeFileSync(join(dir, "project.txt"), "mine");
    const r = await ensureWorkspace(dir, { git: false });
    expect(r.created).toBe(false);
    expect(r.seeded).toHaveLength(5);
    expect(readFileSync(join(dir, "project.txt"), "utf8")).toBe("mine");
    expect(existsSync(join(dir, ".git"))).toBe(false);
  });

  test("skipBootstrap makes the directory and nothing else", async () => {
    const dir = join(tempDir("ws-"), "w");
    expect(await ensureWorkspace(dir, { skipBootstrap: true })).toEqual({ created: true, seeded: [], gitInitialized: false });
    expect(readdirSync(dir)).toEqual([]);
  });

  test("a file where the workspace should be is a clear error", async () => {
    const dir = join(tempDir("ws-"), "file");
    writeFileSync(dir, "");
    await expect(ensureWorkspace(dir)).rejects.toThrow(`The workspace path exists but is not a directory: ${dir}`);
  });
});

describe("createWorkspaceManager", () => {
  test("ensure seeds once; BOOTSTRAP.md deleted by the agent is not recreated", async () => {
    const m = createWorkspaceManager({ git: false });
    const dir = join(tempDir("ws-"), "w");
    const [a, b] = await Promise.all([m.ensure(dir), m.ensure(dir)]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect([a.seeded.length, b.seeded.length].sort()).toEqual([0, 5]);
    rmSync(join(dir, BOOTSTRAP_FILE));
    writeFileSync(join(dir, "USER.md"), "edited");
    expect(await m.ensure(dir)).toEqual({ created: false, seeded: [], gitInitialized: false });
    expect(existsSync(join(dir, BOOTSTRAP_FILE))).toBe(false);
    expect(readFileSync(join(dir, "USER.md"), "utf8")).toBe("edited");
    // A second manager (a restart) also leaves the set-up workspace alone.
    expect((await createWorkspaceManager({ git: false }).ensure(dir)).seeded).toEqual([]);
  });

  test("a workspace removed behind its back is made again", async () => {
    const m = createWorkspaceManager({ git: false });
    const dir = join(tempDir("ws-"), "w");
    await m.ensure(dir);
    rmSync(dir, { recursive: true });
    const again = await m.ensure(dir);
    expect(again.created).toBe(true);
    expect(again.seeded).toHaveLength(5);
  });

  test("prompt: heading, one block per file by absolute path, bootstrap note while BOOTSTRAP.md exists", async () => {
    const m = createWorkspaceManager({ git: false });
    const dir = join(tempDir("ws-"), "w");
    await m.ensure(dir);
    const p = await m.prompt(dir);
    expect(p.text).toStartWith("## Workspace Files (injected)\n");
    for (const name of WORKSPACE_FILES) expect(p.text).toContain(`## ${join(dir, name)}\n${WORKSPACE_TEMPLATES[name].trimEnd()}`);
    expect(p.text).toContain("## Bootstrap Pending\n");
    expect(p.files.map((f) => f.name)).toEqual([...WORKSPACE_FILES]);
    expect(p.files[0]).toEqual({
      name: "AGENTS.md",
      path: join(dir, "AGENTS.md"),
      missing: false,
      rawChars: WORKSPACE_TEMPLATES["AGENTS.md"].length,
      injectedChars: WORKSPACE_TEMPLATES["AGENTS.md"].length,
      truncated: false,
    });
    rmSync(join(dir, BOOTSTRAP_FILE));
    const after = await m.prompt(dir);
    expect(after.text).not.toContain("Bootstrap Pending");
    expect(after.files[4]).toMatchObject({ name: BOOTSTRAP_FILE, missing: true, injectedChars: 0 });
    expect(after.text).toContain(`## ${join(dir, BOOTSTRAP_FILE)}\n[missing: ${BOOTSTRAP_FILE} does not exist in the workspace]`);
  });

  test("prompt limits: 20000 per file, 4000 for USER.md, 60000 in all; truncation is marked", async () => {
    const dir = tempDir("ws-");
    writeFileSync(join(dir, "AGENTS.md"), "a".repeat(25_000));
    writeFileSync(join(dir, "SOUL.md"), "s".repeat(19_000));
    writeFileSync(join(dir, "IDENTITY.md"), "i".repeat(20_000));
    writeFileSync(join(dir, "USER.md"), "u".repeat(5_000));
    writeFileSync(join(dir, "BOOTSTRAP.md"), "b".repeat(3_000));
    const p = await workspacePrompt(dir);
    const by = Object.fromEntries(p.files.map((f) => [f.name, f]));
    expect(by["AGENTS.md"]).toMatchObject({ rawChars: 25_000, injectedChars: PROMPT_FILE_MAX_CHARS, truncated: true });
    expect(by["SOUL.md"]).toMatchObject({ rawChars: 19_000, injectedChars: 19_000, truncated: false });
    // 60000 - 20000 - 19000 = 21000 left: IDENTITY.md fits whole, leaving 1000 for USER.md.
    expect(by["IDENTITY.md"]).toMatchObject({ injectedChars: 20_000, truncated: false });
    expect(by["USER.md"]).toMatchObject({ rawChars: 5_000, injectedChars: 1_000, truncated: true });
    expect(by["BOOTSTRAP.md"]).toMatchObject({ rawChars: 3_000, injectedChars: 0, truncated: true });
    expect(p.files.reduce((n, f) => n + f.injectedChars, 0)).toBe(PROMPT_TOTAL_MAX_CHARS);
    expect(p.text).toContain(`${"a".repeat(PROMPT_FILE_MAX_CHARS)}\n\n[… truncated: 20000 of 25000 characters shown; read ${join(dir, "AGENTS.md")} for the rest]`);
    expect(p.text).not.toContain("a".repeat(PROMPT_FILE_MAX_CHARS + 1));

    // On its own, USER.md is held to 4000.
    const solo = tempDir("ws-");
    writeFileSync(join(solo, "USER.md"), "u".repeat(5_000));
    const q = await workspacePrompt(solo);
    expect(q.files.find((f) => f.name === "USER.md")).toMatchObject({ injectedChars: 4_000, truncated: true });
    expect(q.text).not.toContain("Bootstrap Pending");
  });

  test("prompt re-reads a file only when it changed", async () => {
    const m = createWorkspaceManager({ git: false });
    const dir = tempDir("ws-");
    const soul = join(dir, "SOUL.md");
    const when = new Date("2026-01-02T03:04:05Z"); // whole seconds: utimes round-trips them exactly
    writeFileSync(soul, "first");
    utimesSync(soul, when, when);
    expect((await m.prompt(dir)).text).toContain("\nfirst");
    // Same size and mtime: served from memory even though the bytes differ underneath.
    writeFileSync(soul, "FIRST");
    utimesSync(soul, when, when);
    expect((await m.prompt(dir)).text).toContain("\nfirst");
    // A real change (new size) is picked up; a fresh read (no cache) always sees the bytes.
    writeFileSync(soul, "second version");
    expect((await m.prompt(dir)).text).toContain("\nsecond version");
    expect((await workspacePrompt(dir)).text).toContain("\nsecond version");
  });

  test("a directory named like a workspace file counts as missing", async () => {
    const dir = tempDir("ws-");
    mkdirSync(join(dir, "AGENTS.md"));
    expect((await workspacePrompt(dir)).files[0]).toMatchObject({ missing: true });
  });
});
