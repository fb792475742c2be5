import { describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { editTool } from "../../../../src/agents/tools/fs/index.ts";
import { ToolInputError } from "../../../../src/agents/tools/types.ts";
import { ctxFor, failure, sandbox, text } from "./helpers.ts";

function setup(content: string) {
  const { ws } = sandbox();
  mkdirSync(join(ws, "notes"));
  const file = join(ws, "notes/x.txt");
  writeFileSync(file, content);
  return { ws, file, ctx: ctxFor(ws), now: () => readFileSync(file, "utf8") };
}

describe("edit", () => {
  test("replaces one block", async () => {
    const { ctx, now } = setup("alpha\nbeta\ngamma\n");
    const r = await editTool.execute({ path: "notes/x.txt", edits: [{ oldText: "beta", newText: "BETA" }] }, ctx);
    expect(text(r)).toBe("Successfully replaced 1 block(s) in notes/x.txt.");
    expect(now()).toBe("alpha\nBETA\ngamma\n");
    expect(r.details).toMatchObject({ blocks: 1, changed: true, diff: "-2 beta\n+2 BETA", firstChangedLine: 2 });
  });

  test("several blocks, each matched against the file as it was", async () => {
    const { ctx, now } = setup("one two three\n");
    const r = await editTool.execute(
      { path: "notes/x.txt", edits: [{ oldText: "three", newText: "two" }, { oldText: "one", newText: "zero" }] },
      ctx,
    );
    expect(text(r)).toBe("Successfully replaced 2 block(s) in notes/x.txt.");
    expect(now()).toBe("zero two two\n");
  });

  test("no match: the spec's error with the current contents; nothing written", async () => {
    const { ctx, now } = setup("alpha\nbeta\n");
    const err = await failure(editTool, { path: "notes/x.txt", edits: [{ oldText: "alpha \n", newText: "x" }] }, ctx);
    expect(err.message).toBe(
      "Could not find the exact text in notes/x.txt. The old text must match exactly including all whitespace and newlines.\nCurrent file contents:\nalpha\nbeta\n",
    );
    expect(now()).toBe("alpha\nbeta\n");
  });

  test("multi-block edits are atomic: one miss and no block is applied", async () => {
    const { ws, ctx, now } = setup("a b c\n");
    const err = await failure(editTool, { path: "notes/x.txt", edits: [{ oldText: "a", newText: "A" }, { oldText: "zzz", newText: "Z" }] }, ctx);
    expect(err.message).toStartWith("Could not find the exact text of edits[1] in notes/x.txt.");
    expect(now()).toBe("a b c\n");
    expect(readdirSync(join(ws, "notes"))).toEqual(["x.txt"]);
  });

  test("an oldText found more than once is refused with the count", async () => {
    const { ctx, now } = setup("x = 1\nx = 1\nx = 1\n");
    const err = await failure(editTool, { path: "notes/x.txt", edits: [{ oldText: "x = 1", newText: "x = 2" }] }, ctx);
    expect(err.message).toBe("Found 3 occurrences of the text in notes/x.txt. The old text must be unique: add surrounding lines so it matches exactly once.");
    expect(now()).toBe("x = 1\nx = 1\nx = 1\n");
    // With enough context it is unique.
    await editTool.execute({ path: "notes/x.txt", edits: [{ oldText: "x = 1\nx = 1\nx = 1", newText: "x = 2" }] }, ctx);
    expect(now()).toBe("x = 2\n");
  });

  test("overlapping blocks are refused", async () => {
    const { ctx, now } = setup("abcdef\n");
    const err = await failure(editTool, { path: "notes/x.txt", edits: [{ oldText: "abcd", newText: "1" }, { oldText: "cdef", newText: "2" }] }, ctx);
    expect(err).toBeInstanceOf(ToolInputError);
    expect(err.message).toBe("edits[0] and edits[1] overlap in notes/x.txt; merge them into one block.");
    expect(now()).toBe("abcdef\n");
  });

  test("a CRLF file matches LF text and stays CRLF", async () => {
    const { ctx, now } = setup("one\r\ntwo\r\nthree\r\n");
    await editTool.execute({ path: "notes/x.txt", edits: [{ oldText: "one\ntwo", newText: "1\n2" }] }, ctx);
    expect(now()).toBe("1\r\n2\r\nthree\r\n");
  });

  test("missing file, binary file, directory, bad edits", async () => {
    const { ws, ctx } = setup("text");
    writeFileSync(join(ws, "b.bin"), Buffer.from([1, 0, 2]));
    expect((await failure(editTool, { path: "gone.txt", edits: [{ oldText: "a", newText: "b" }] }, ctx)).message).toBe(`File not found: ${join(ws, "gone.txt")}.`);
    expect((await failure(editTool, { path: "b.bin", edits: [{ oldText: "a", newText: "b" }] }, ctx)).message).toBe(
      "b.bin looks like a binary file (it has NUL bytes); edit works on text files.",
    );
    expect((await failure(editTool, { path: "notes", edits: [{ oldText: "a", newText: "b" }] }, ctx)).message).toBe("notes is a directory; edit works on files.");
    expect((await failure(editTool, { path: "notes/x.txt" }, ctx)).message).toBe("edits required");
    expect((await failure(editTool, { path: "notes/x.txt", edits: [] }, ctx)).message).toBe("edits must be a non-empty array of {oldText, newText}");
    expect((await failure(editTool, { path: "notes/x.txt", edits: [{ oldText: "t" }] }, ctx)).message).toBe("edits[0] must be an object with string oldText and newText");
    expect((await failure(editTool, { path: "notes/x.txt", edits: [{ oldText: "", newText: "x" }] }, ctx)).message).toBe("edits[0].oldText must not be empty");
  });

  test("a no-op edit succeeds without rewriting", async () => {
    const { ctx, now } = setup("same\n");
    const r = await editTool.execute({ path: "notes/x.txt", edits: [{ oldText: "same", newText: "same" }] }, ctx);
    expect(r.details).toMatchObject({ changed: false, firstChangedLine: null });
    expect(now()).toBe("same\n");
  });

  test("title", () => {
    expect(editTool.title!({ path: "notes/x.txt", edits: [] })).toBe("Edit notes/x.txt");
  });
});
