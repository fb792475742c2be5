import { describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lsTool } from "../../../../src/agents/tools/fs/index.ts";
import { ToolInputError } from "../../../../src/agents/tools/types.ts";
import { ctxFor, failure, sandbox, text } from "./helpers.ts";

describe("ls", () => {
  test("sorted, JSON-quoted, / after directories, dotfiles included", async () => {
    const { ws } = sandbox();
    mkdirSync(join(ws, ".git"));
    mkdirSync(join(ws, "notes"));
    for (const f of ["b.md", "a.md", ".env", "Z.txt", "with \"quote\".txt"]) writeFileSync(join(ws, f), "");
    symlinkSync("notes", join(ws, "to-notes"));
    symlinkSync("missing", join(ws, "dangling"));
    const r = await lsTool.execute({}, ctxFor(ws));
    expect(text(r)).toBe(['".env"', '".git/"', '"Z.txt"', '"a.md"', '"b.md"', '"dangling"', '"notes/"', '"to-notes/"', '"with \\"quote\\".txt"'].join("\n"));
    expect(r.details).toMatchObject({ path: ws, total: 9, count: 9 });
  });

  test("a subdirectory; an empty one", async () => {
    const { ws } = sandbox();
    mkdirSync(join(ws, "notes/empty"), { recursive: true });
    writeFileSync(join(ws, "notes/x.txt"), "");
    expect(text(await lsTool.execute({ path: "notes" }, ctxFor(ws)))).toBe('"empty/"\n"x.txt"');
    expect(text(await lsTool.execute({ path: "notes/empty" }, ctxFor(ws)))).toBe("(empty directory)");
  });

  test("limit pages with after", async () => {
    const { ws } = sandbox();
    for (let i = 0; i < 7; i++) writeFileSync(join(ws, `f${i}`), "");
    mkdirSync(join(ws, "f3x"));
    const ctx = ctxFor(ws);
    const first = await lsTool.execute({ limit: 3 }, ctx);
    expect(text(first)).toBe('"f0"\n"f1"\n"f2"\n\n[5 more entries. Use after="f2" to continue.]');
    expect(first.details).toMatchObject({ truncated: true, nextAfter: "f2", count: 3, total: 8 });
    expect(text(await lsTool.execute({ limit: 3, after: "f2" }, ctx))).toBe('"f3"\n"f3x/"\n"f4"\n\n[2 more entries. Use after="f4" to continue.]');
    // The "/" marker handed back is tolerated; a name that is not there still pages by order.
    expect(text(await lsTool.execute({ after: "f3x/" }, ctx))).toBe('"f4"\n"f5"\n"f6"');
    expect(text(await lsTool.execute({ after: "f55" }, ctx))).toBe('"f6"');
    expect(text(await lsTool.execute({ after: "zzz" }, ctx))).toBe("(no more entries)");
  });

  test(`default limit is 500`, async () => {
    const { ws } = sandbox();
    for (let i = 0; i < 503; i++) writeFileSync(join(ws, `n${String(i).padStart(3, "0")}`), "");
    const t = text(await lsTool.execute({}, ctxFor(ws)));
    expect(t.split("\n\n")[0]!.split("\n")).toHaveLength(500);
    expect(t).toEndWith('[3 more entries. Use after="n499" to continue.]');
  });

  test("missing directory, a file, bad arguments", async () => {
    const { ws } = sandbox();
    writeFileSync(join(ws, "f.txt"), "");
    const ctx = ctxFor(ws);
    expect((await failure(lsTool, { path: "nope" }, ctx)).message).toBe(`Directory not found: ${join(ws, "nope")}.`);
    const notDir = await failure(lsTool, { path: "f.txt" }, ctx);
    expect(notDir).toBeInstanceOf(ToolInputError);
    expect(notDir.message).toBe("Not a directory: f.txt. Use read to see a file.");
    expect((await failure(lsTool, { limit: 0 }, ctx)).message).toBe("limit must be an integer >= 1");
    expect((await failure(lsTool, { after: 3 }, ctx)).message).toBe("after must be a string");
  });

  test("titles", () => {
    expect(lsTool.title!({ path: "notes" })).toBe("List notes");
    expect(lsTool.title!({})).toBe("List workspace");
  });
});
