import { describe, expect, test } from "bun:test";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tailLogFile } from "../../src/logging/tail.ts";
import { tempDir } from "./helpers.ts";

/** Fixed-width lines make byte offsets easy to reason about: "line-000\n" is 9 bytes. */
const L = (i: number) => `line-${String(i).padStart(3, "0")}`;
const LINE_BYTES = 9;

function fileWith(n: number, extra = ""): string {
  const file = join(tempDir(), "t.log");
  writeFileSync(file, Array.from({ length: n }, (_, i) => `${L(i)}\n`).join("") + extra);
  return file;
}

describe("tailLogFile", () => {
  test("missing file", async () => {
    const file = join(tempDir(), "nope.log");
    expect(await tailLogFile(file, {})).toEqual({ file, cursor: 0, size: 0, lines: [] });
  });

  test("no cursor, small file: everything, cursor at size", async () => {
    const file = fileWith(5);
    const r = await tailLogFile(file, {});
    expect(r).toEqual({ file, cursor: 45, size: 45, lines: [0, 1, 2, 3, 4].map(L) });
  });

  test("no cursor: last maxBytes, partial first line dropped, truncated", async () => {
    const file = fileWith(10);
    const r = await tailLogFile(file, { maxBytes: 22 });
    // The window [68, 90) starts mid "line-007"; only 008 and 009 are whole.
    expect(r.lines).toEqual([L(8), L(9)]);
    expect(r.truncated).toBe(true);
    expect(r.cursor).toBe(90);
    expect(r.reset).toBeUndefined();
  });

  test("no cursor: a window that starts on a line boundary keeps its first line", async () => {
    const file = fileWith(10);
    const r = await tailLogFile(file, { maxBytes: 3 * LINE_BYTES });
    expect(r.lines).toEqual([L(7), L(8), L(9)]);
    expect(r.truncated).toBe(true);
  });

  test("limit keeps the newest lines and flags truncation", async () => {
    const file = fileWith(10);
    const r = await tailLogFile(file, { limit: 3 });
    expect(r.lines).toEqual([L(7), L(8), L(9)]);
    expect(r.truncated).toBe(true);
    expect(r.cursor).toBe(90);
  });

  test("cursor: only the lines appended since", async () => {
    const file = fileWith(3);
    const first = await tailLogFile(file, {});
    expect(first.truncated).toBeUndefined();
    appendFileSync(file, `${L(3)}\n${L(4)}\n`);
    const next = await tailLogFile(file, { cursor: first.cursor });
    expect(next).toEqual({ file, cursor: 45, size: 45, lines: [L(3), L(4)] });
    const idle = await tailLogFile(file, { cursor: next.cursor });
    expect(idle).toEqual({ file, cursor: 45, size: 45, lines: [] });
  });

  test("cursor beyond size (rotation) resets and reads the tail", async () => {
    const file = fileWith(2);
    const r = await tailLogFile(file, { cursor: 10_000 });
    expect(r).toEqual({ file, cursor: 18, size: 18, lines: [L(0), L(1)], reset: true });
  });

  test("a gap larger than maxBytes jumps ahead with skippedBytes", async () => {
    const file = fileWith(100);
    const r = await tailLogFile(file, { cursor: 9, maxBytes: 5 * LINE_BYTES });
    expect(r.reset).toBe(true);
    expect(r.truncated).toBe(true);
    expect(r.skippedBytes).toBe(900 - 45 - 9);
    expect(r.lines).toEqual([95, 96, 97, 98, 99].map(L));
    expect(r.cursor).toBe(900);
  });

  test("a partial trailing line stays unread until it is complete", async () => {
    const file = fileWith(2, '{"partial":');
    const r = await tailLogFile(file, {});
    expect(r.lines).toEqual([L(0), L(1)]);
    expect(r.size).toBe(18 + 11);
    expect(r.cursor).toBe(18);
    appendFileSync(file, "true}\n");
    const next = await tailLogFile(file, { cursor: r.cursor });
    expect(next.lines).toEqual(['{"partial":true}']);
    expect(next.cursor).toBe(next.size);
  });

  test("a cursor that lands mid-line skips the fragment", async () => {
    const file = fileWith(3);
    const r = await tailLogFile(file, { cursor: 4 });
    expect(r.lines).toEqual([L(1), L(2)]);
  });

  test("a window inside one long unfinished line returns nothing and does not advance", async () => {
    const file = fileWith(1, "z".repeat(100));
    const r = await tailLogFile(file, { maxBytes: 20 });
    expect(r.lines).toEqual([]);
    expect(r.cursor).toBe(109 - 20);
  });

  test("multi-byte characters survive", async () => {
    const file = join(tempDir(), "u.log");
    writeFileSync(file, "héllo…\nwörld🙂\n");
    expect((await tailLogFile(file, {})).lines).toEqual(["héllo…", "wörld🙂"]);
  });
});
