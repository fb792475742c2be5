import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeTool, WRITE_MAX_BYTES } from "../../../../src/agents/tools/fs/index.ts";
import { ToolInputError } from "../../../../src/agents/tools/types.ts";
import { ctxFor, failure, sandbox, text } from "./helpers.ts";

describe("write", () => {
  test("creates the file and its parents; the path is echoed as given", async () => {
    const { ws } = sandbox();
    const r = await writeTool.execute({ path: "notes/deep/x.txt", content: "hello" }, ctxFor(ws));
    expect(text(r)).toBe("Successfully wrote 5 bytes to notes/deep/x.txt");
    expect(readFileSync(join(ws, "notes/deep/x.txt"), "utf8")).toBe("hello");
    expect(r.details).toMatchObject({ path: join(ws, "notes/deep/x.txt"), bytes: 5, created: true, changed: true, diff: "+1 hello", firstChangedLine: 1 });
  });

  test("counts UTF-8 bytes, not characters", async () => {
    const { ws } = sandbox();
    expect(text(await writeTool.execute({ path: "u.txt", content: "héllo ✓" }, ctxFor(ws)))).toBe("Successfully wrote 10 bytes to u.txt");
  });

  test("replaces an existing file whole, keeps its mode, leaves no temp file", async () => {
    const { ws } = sandbox();
    const f = join(ws, "run.sh");
    writeFileSync(f, "echo one\necho two\n");
    chmodSync(f, 0o751);
    const r = await writeTool.execute({ path: "run.sh", content: "echo one\necho 2\n" }, ctxFor(ws));
    expect(readFileSync(f, "utf8")).toBe("echo one\necho 2\n");
    expect(statSync(f).mode & 0o777).toBe(0o751);
    expect(readdirSync(ws)).toEqual(["run.sh"]);
    expect(r.details).toMatchObject({ created: false, changed: true, diff: "-2 echo two\n+2 echo 2", firstChangedLine: 2 });
    const same = await writeTool.execute({ path: "run.sh", content: "echo one\necho 2\n" }, ctxFor(ws));
    expect(same.details).toMatchObject({ created: false, changed: false, firstChangedLine: null });
  });

  test("an empty content is a valid write", async () => {
    const { ws } = sandbox();
    expect(text(await writeTool.execute({ path: "e", content: "" }, ctxFor(ws)))).toBe("Successfully wrote 0 bytes to e");
    expect(readFileSync(join(ws, "e"), "utf8")).toBe("");
  });

  test("writes through a symlink: the link stays, its target changes", async () => {
    const { ws } = sandbox();
    writeFileSync(join(ws, "real.txt"), "old");
    symlinkSync("real.txt", join(ws, "link.txt"));
    await writeTool.execute({ path: "link.txt", content: "new" }, ctxFor(ws));
    expect(readFileSync(join(ws, "real.txt"), "utf8")).toBe("new");
    expect(statSync(join(ws, "link.txt")).isFile()).toBe(true);
    expect(readdirSync(ws).sort()).toEqual(["link.txt", "real.txt"]);
  });

  test("by default a write may leave the workspace", async () => {
    const { root, ws } = sandbox();
    await writeTool.execute({ path: "../escape.txt", content: "out" }, ctxFor(ws));
    expect(readFileSync(join(root, "escape.txt"), "utf8")).toBe("out");
  });

  test(`refuses more than ${WRITE_MAX_BYTES} bytes`, async () => {
    const { ws } = sandbox();
    const err = await failure(writeTool, { path: "huge", content: "x".repeat(WRITE_MAX_BYTES + 1) }, ctxFor(ws));
    expect(err).toBeInstanceOf(ToolInputError);
    expect(err.message).toStartWith(`content is ${WRITE_MAX_BYTES + 1} bytes; write takes at most ${WRITE_MAX_BYTES} bytes`);
    expect(readdirSync(ws)).toEqual([]);
  });

  test("bad arguments and impossible targets", async () => {
    const { ws } = sandbox();
    mkdirSync(join(ws, "dir"));
    writeFileSync(join(ws, "file"), "");
    const ctx = ctxFor(ws);
    expect((await failure(writeTool, { path: "x" }, ctx)).message).toBe("content required");
    expect((await failure(writeTool, { path: "x", content: 5 }, ctx)).message).toBe("content must be a string");
    expect((await failure(writeTool, { content: "x" }, ctx)).message).toBe("path required");
    expect((await failure(writeTool, { path: "dir", content: "x" }, ctx)).message).toBe("dir is a directory; give a file path.");
    expect((await failure(writeTool, { path: "new/", content: "x" }, ctx)).message).toBe("new/ names a directory; give a file path.");
    expect((await failure(writeTool, { path: "file/sub.txt", content: "x" }, ctx)).message).toMatch(/^Cannot write file\/sub\.txt: .+ \((ENOTDIR|EEXIST)\)\.$/);
    expect((await failure(writeTool, { path: "x", content: "x" }, ctxFor(undefined))).message).toBe("The write tool needs the agent's workspace directory, and none was given.");
  });

  test("an aborted run writes nothing", async () => {
    const { ws } = sandbox();
    const ac = new AbortController();
    ac.abort(new Error("run aborted"));
    expect((await failure(writeTool, { path: "a", content: "x" }, ctxFor(ws, { signal: ac.signal }))).message).toBe("run aborted");
    expect(readdirSync(ws)).toEqual([]);
  });

  test("title", () => {
    expect(writeTool.title!({ path: "notes/x.txt", content: "" })).toBe("Write notes/x.txt");
  });
});
