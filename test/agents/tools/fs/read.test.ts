import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readTool, READ_MAX_BYTES, READ_MAX_LINES } from "../../../../src/agents/tools/fs/index.ts";
import { ToolInputError } from "../../../../src/agents/tools/types.ts";
import { ctxFor, failure, sandbox, text } from "./helpers.ts";

const lines = (n: number, f = (i: number) => `line ${i}`) => Array.from({ length: n }, (_, i) => f(i + 1));

describe("read", () => {
  test("a whole small file, relative to the workspace", async () => {
    const { ws } = sandbox();
    writeFileSync(join(ws, "IDENTITY.md"), "# Me\nname: Ada\n");
    const r = await readTool.execute({ path: "IDENTITY.md" }, ctxFor(ws));
    expect(text(r)).toBe("# Me\nname: Ada");
    expect(r.isError).toBeUndefined();
    expect(r.details).toMatchObject({ kind: "full", path: join(ws, "IDENTITY.md"), totalLines: 2, startLine: 1, endLine: 2 });
  });

  test("limit cuts with the continuation hint, and offset continues from it", async () => {
    const { ws } = sandbox();
    writeFileSync(join(ws, "f.txt"), lines(30).join("\n") + "\n");
    const ctx = ctxFor(ws);
    const first = await readTool.execute({ path: "f.txt", limit: 3 }, ctx);
    expect(text(first)).toBe("line 1\nline 2\nline 3\n\n[27 more lines in file. Use offset=4 to continue.]");
    expect(first.details).toMatchObject({
      kind: "truncated",
      content: "line 1\nline 2\nline 3",
      truncation: { reason: "limit", shownLines: 3 },
      continuation: { kind: "line", offset: 4, limit: 3 },
    });
    const next = await readTool.execute({ path: "f.txt", offset: 4, limit: 3 }, ctx);
    expect(text(next)).toBe("line 4\nline 5\nline 6\n\n[24 more lines in file. Use offset=7 to continue.]");
    const tail = await readTool.execute({ path: "f.txt", offset: 28 }, ctx);
    expect(text(tail)).toBe("line 28\nline 29\nline 30");
    expect(tail.details).toMatchObject({ kind: "full", startLine: 28, endLine: 30 });
    // A limit that ends exactly at the last line leaves nothing to continue with.
    expect(text(await readTool.execute({ path: "f.txt", offset: 28, limit: 3 }, ctx))).toBe("line 28\nline 29\nline 30");
  });

  test(`caps at ${READ_MAX_LINES} lines`, async () => {
    const { ws } = sandbox();
    writeFileSync(join(ws, "big.txt"), lines(2500).join("\n"));
    const r = await readTool.execute({ path: "big.txt" }, ctxFor(ws));
    const t = text(r);
    expect(t.split("\n\n[")[0]!.split("\n")).toHaveLength(READ_MAX_LINES);
    expect(t.endsWith("line 2000\n\n[500 more lines in file. Use offset=2001 to continue.]")).toBe(true);
    expect(r.details).toMatchObject({ truncation: { reason: "lines", maxLines: READ_MAX_LINES } });
    // A limit above the cap is capped, not refused.
    expect(text(await readTool.execute({ path: "big.txt", limit: 5000 }, ctxFor(ws)))).toEndWith("[500 more lines in file. Use offset=2001 to continue.]");
  });

  test("caps at 50 KB on a line boundary", async () => {
    const { ws } = sandbox();
    const row = "x".repeat(99); // 100 bytes with its newline
    writeFileSync(join(ws, "wide.txt"), lines(1000, () => row).join("\n"));
    const r = await readTool.execute({ path: "wide.txt" }, ctxFor(ws));
    const shown = Math.floor((READ_MAX_BYTES + 1) / 100);
    expect(text(r)).toEndWith(`${row}\n\n[${1000 - shown} more lines in file. Use offset=${shown + 1} to continue.]`);
    expect(r.details).toMatchObject({ truncation: { reason: "bytes", shownLines: shown } });
    expect((r.details.truncation as { shownBytes: number }).shownBytes).toBeLessThanOrEqual(READ_MAX_BYTES);
  });

  test("a line longer than 50 KB is cut, and cursor reads on from the cut", async () => {
    const { ws } = sandbox();
    const long = "é".repeat(40_000); // 80000 bytes: the cut must not split a character
    writeFileSync(join(ws, "min.js"), `short\n${long}\nafter\n`);
    const ctx = ctxFor(ws);
    const r = await readTool.execute({ path: "min.js", offset: 2 }, ctx);
    const head = "é".repeat(READ_MAX_BYTES / 2);
    const cursor = 6 + READ_MAX_BYTES;
    expect(text(r)).toBe(`${head}\n\n[Line 2 is longer than 50 KB; only its first 50 KB are shown. Use cursor=${cursor} to read on from there.]`);
    expect(r.details).toMatchObject({ continuation: { kind: "cursor", cursor } });
    const rest = await readTool.execute({ path: "min.js", cursor }, ctx);
    expect(text(rest)).toBe(`${"é".repeat(40_000 - READ_MAX_BYTES / 2)}\nafter`);
    const one = await readTool.execute({ path: "min.js", cursor, limit: 1 }, ctx);
    expect(text(one)).toEndWith(`\n\n[1 more lines in file. Use cursor=${6 + 80_001} to continue.]`);
  });

  test("a window deep inside a file larger than one stream chunk", async () => {
    const { ws } = sandbox();
    // ~1.3 MB: lines cross the 64 KiB chunk boundaries many times; no trailing newline.
    writeFileSync(join(ws, "log.txt"), lines(100_000, (i) => `entry ${i}`).join("\n"));
    const r = await readTool.execute({ path: "log.txt", offset: 77_777, limit: 4 }, ctxFor(ws));
    expect(text(r)).toBe("entry 77777\nentry 77778\nentry 77779\nentry 77780\n\n[22220 more lines in file. Use offset=77781 to continue.]");
    expect(r.details).toMatchObject({ totalLines: 100_000, startLine: 77_777, endLine: 77_780 });
  });

  test("CRLF line ends are shown without the \\r", async () => {
    const { ws } = sandbox();
    writeFileSync(join(ws, "w.txt"), "a\r\nb\r\n");
    expect(text(await readTool.execute({ path: "w.txt" }, ctxFor(ws)))).toBe("a\nb");
  });

  test("absolute paths outside the workspace are readable by default", async () => {
    const { root, ws } = sandbox();
    writeFileSync(join(root, "outside.txt"), "out there");
    expect(text(await readTool.execute({ path: join(root, "outside.txt") }, ctxFor(ws)))).toBe("out there");
    expect(text(await readTool.execute({ path: "../outside.txt" }, ctxFor(ws)))).toBe("out there");
  });

  test("missing file: the error names the absolute path; optional turns it into a note", async () => {
    const { ws } = sandbox();
    const err = await failure(readTool, { path: "nope.md" }, ctxFor(ws));
    expect(err.message).toBe(`File not found: ${join(ws, "nope.md")}.`);
    const r = await readTool.execute({ path: "nope.md", optional: true }, ctxFor(ws));
    expect(r.isError).toBeUndefined();
    expect(text(r)).toContain(join(ws, "nope.md"));
    expect(r.details).toMatchObject({ kind: "missing", optional: true });
  });

  test("a binary file answers a short note, not its bytes", async () => {
    const { ws } = sandbox();
    writeFileSync(join(ws, "img.bin"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0x49, 0x48]));
    const r = await readTool.execute({ path: "img.bin" }, ctxFor(ws));
    expect(text(r)).toBe("[img.bin is a binary file (10 bytes); it is not shown as text.]");
    expect(r.details).toMatchObject({ kind: "binary", bytes: 10 });
  });

  test("empty file, directory, offset past the end, bad arguments", async () => {
    const { ws } = sandbox();
    writeFileSync(join(ws, "empty"), "");
    writeFileSync(join(ws, "three"), "1\n2\n3\n");
    mkdirSync(join(ws, "dir"));
    const ctx = ctxFor(ws);
    const empty = await readTool.execute({ path: "empty" }, ctx);
    expect(text(empty)).toBe("");
    expect(empty.details).toMatchObject({ kind: "empty", totalLines: 0 });
    expect((await failure(readTool, { path: "dir" }, ctx)).message).toBe("dir is a directory; use ls to list it.");
    const past = await failure(readTool, { path: "three", offset: 9 }, ctx);
    expect(past).toBeInstanceOf(ToolInputError);
    expect(past.message).toBe("Offset 9 is beyond the end of three (3 lines).");
    expect((await failure(readTool, { path: "three", offset: 0 }, ctx)).message).toBe("offset must be an integer >= 1");
    expect((await failure(readTool, { path: "three", limit: 1.5 }, ctx)).message).toBe("limit must be an integer >= 1");
    expect((await failure(readTool, { path: "three", offset: 2, cursor: 0 }, ctx)).message).toBe("Give either offset or cursor, not both.");
    expect((await failure(readTool, {}, ctx)).message).toBe("path required");
    expect((await failure(readTool, { path: 42 }, ctx)).message).toBe("path must be a string");
    expect((await failure(readTool, { path: "  " }, ctx)).message).toBe("path must not be empty");
  });

  test("no workspace in the context is a clear error", async () => {
    const err = await failure(readTool, { path: "x" }, ctxFor(undefined));
    expect(err.message).toBe("The read tool needs the agent's workspace directory, and none was given.");
  });

  test("an aborted run stops the read", async () => {
    const { ws } = sandbox();
    writeFileSync(join(ws, "f"), "x");
    const ac = new AbortController();
    ac.abort(new Error("run aborted"));
    expect((await failure(readTool, { path: "f" }, ctxFor(ws, { signal: ac.signal }))).message).toBe("run aborted");
  });

  test("/proc-style files with size 0 still read", async () => {
    const r = await readTool.execute({ path: "/proc/self/status", limit: 1 }, ctxFor(sandbox().ws));
    expect(text(r)).toMatch(/^Name:/);
  });

  test("titles", () => {
    expect(readTool.title!({ path: "IDENTITY.md", limit: 3 })).toBe("Read first 3 lines of IDENTITY.md");
    expect(readTool.title!({ path: "a.txt", offset: 4, limit: 3 })).toBe("Read lines 4-6 of a.txt");
    expect(readTool.title!({ path: "a.txt", offset: 4 })).toBe("Read a.txt from line 4");
    expect(readTool.title!({ path: "a.txt" })).toBe("Read a.txt");
    expect(readTool.title!({})).toBe("Read file");
  });
});
