// tools.fs.workspaceOnly across the four tools: `..`, absolute paths and symlinks that lead out.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { editTool, fsTools, lsTool, readTool, writeTool } from "../../../../src/agents/tools/fs/index.ts";
import { realpathLoose } from "../../../../src/agents/tools/fs/paths.ts";
import { ToolInputError } from "../../../../src/agents/tools/types.ts";
import { ctxFor, failure, sandbox, text } from "./helpers.ts";

const escapeText = (ws: string, p: string) => `Path escapes sandbox root (${ws}): ${p}. Use a relative path inside the workspace (tools.fs.workspaceOnly is on).`;

describe("workspaceOnly", () => {
  test("fsTools lists the four tools with object schemas", () => {
    expect(fsTools.map((t) => t.name)).toEqual(["read", "write", "edit", "ls"]);
    for (const t of fsTools) expect(t.parameters).toMatchObject({ type: "object", additionalProperties: false });
  });

  test("`..` and absolute paths that leave the workspace are refused by every tool", async () => {
    const { root, ws } = sandbox();
    writeFileSync(join(root, "secret.txt"), "s");
    const ctx = ctxFor(ws, { workspaceOnly: true });
    const cases: [typeof readTool, Record<string, unknown>, string][] = [
      [readTool, { path: "../secret.txt" }, "../secret.txt"],
      [readTool, { path: join(root, "secret.txt") }, join(root, "secret.txt")],
      [writeTool, { path: "notes/../../escape.txt", content: "x" }, "notes/../../escape.txt"],
      [editTool, { path: "../secret.txt", edits: [{ oldText: "s", newText: "t" }] }, "../secret.txt"],
      [lsTool, { path: ".." }, ".."],
    ];
    for (const [tool, args, shown] of cases) {
      const err = await failure(tool, args, ctx);
      expect(err).toBeInstanceOf(ToolInputError);
      expect(err.message).toBe(escapeText(ws, shown));
    }
    expect(existsSync(join(root, "escape.txt"))).toBe(false);
    expect(readFileSync(join(root, "secret.txt"), "utf8")).toBe("s");
  });

  test("`..` that stays inside, and the workspace itself, are allowed", async () => {
    const { ws } = sandbox();
    mkdirSync(join(ws, "notes"));
    writeFileSync(join(ws, "SOUL.md"), "soul");
    const ctx = ctxFor(ws, { workspaceOnly: true });
    expect(text(await readTool.execute({ path: "notes/../SOUL.md" }, ctx))).toBe("soul");
    expect(text(await readTool.execute({ path: join(ws, "SOUL.md") }, ctx))).toBe("soul");
    expect(text(await lsTool.execute({ path: "." }, ctx))).toBe('"SOUL.md"\n"notes/"');
    // A name that merely starts with two dots is not a parent reference.
    await writeTool.execute({ path: "..hidden", content: "h" }, ctx);
    expect(readFileSync(join(ws, "..hidden"), "utf8")).toBe("h");
  });

  test("a symlink pointing outside is refused, for existing files and for new files under it", async () => {
    const { root, ws } = sandbox();
    mkdirSync(join(root, "outside"));
    writeFileSync(join(root, "outside/secret.txt"), "s");
    symlinkSync(join(root, "outside"), join(ws, "door"));
    symlinkSync(join(root, "outside/secret.txt"), join(ws, "secret-link"));
    symlinkSync(join(root, "outside/not-yet.txt"), join(ws, "dangling"));
    const ctx = ctxFor(ws, { workspaceOnly: true });
    for (const [tool, args] of [
      [readTool, { path: "door/secret.txt" }],
      [readTool, { path: "secret-link" }],
      [writeTool, { path: "door/new/file.txt", content: "x" }],
      [writeTool, { path: "dangling", content: "x" }],
      [editTool, { path: "secret-link", edits: [{ oldText: "s", newText: "t" }] }],
      [lsTool, { path: "door" }],
    ] as const) {
      const err = await failure(tool, args, ctx);
      expect(err.message).toBe(escapeText(ws, args.path));
    }
    expect(existsSync(join(root, "outside/new"))).toBe(false);
    expect(existsSync(join(root, "outside/not-yet.txt"))).toBe(false);
    // Without confinement the same links work.
    expect(text(await readTool.execute({ path: "door/secret.txt" }, ctxFor(ws)))).toBe("s");
  });

  test("a symlink inside the workspace pointing inside is allowed", async () => {
    const { ws } = sandbox();
    mkdirSync(join(ws, "real"));
    writeFileSync(join(ws, "real/a.txt"), "a");
    symlinkSync("real", join(ws, "alias"));
    const ctx = ctxFor(ws, { workspaceOnly: true });
    expect(text(await readTool.execute({ path: "alias/a.txt" }, ctx))).toBe("a");
    await writeTool.execute({ path: "alias/b.txt", content: "b" }, ctx);
    expect(readFileSync(join(ws, "real/b.txt"), "utf8")).toBe("b");
  });

  test("a workspace reached through a symlink still confines correctly", async () => {
    const { root, ws } = sandbox();
    symlinkSync(ws, join(root, "ws-link"));
    writeFileSync(join(ws, "in.txt"), "in");
    writeFileSync(join(root, "out.txt"), "out");
    const ctx = ctxFor(join(root, "ws-link"), { workspaceOnly: true });
    expect(text(await readTool.execute({ path: "in.txt" }, ctx))).toBe("in");
    expect((await failure(readTool, { path: "../out.txt" }, ctx)).message).toBe(escapeText(join(root, "ws-link"), "../out.txt"));
  });

  test("realpathLoose follows existing links and appends the missing rest", async () => {
    const { root, ws } = sandbox();
    symlinkSync(join(root), join(ws, "up"));
    expect(await realpathLoose(join(ws, "up/a/b"))).toBe(join(root, "a/b"));
    symlinkSync("loop2", join(ws, "loop1"));
    symlinkSync("loop1", join(ws, "loop2"));
    await expect(realpathLoose(join(ws, "loop1"))).rejects.toThrow();
  });
});
