import { describe, expect, test } from "bun:test";
import { parseSse, SseParser, type SseEvent } from "../../../src/agents/providers/sse.ts";

/** Feeds `text` to a fresh parser cut at the given offsets. */
function feed(text: string, cuts: number[]): SseEvent[] {
  const p = new SseParser();
  const out: SseEvent[] = [];
  let prev = 0;
  for (const c of [...cuts, text.length]) {
    out.push(...p.push(text.slice(prev, c)));
    prev = c;
  }
  return [...out, ...p.end()];
}

describe("SseParser", () => {
  test("splits events on blank lines", () => {
    expect(parseSse("data: a\n\ndata: b\n\n")).toEqual([{ data: "a" }, { data: "b" }]);
  });

  test("same result however the stream is cut, for every single cut point and byte-by-byte", () => {
    const doc = "event: one\ndata: {\"x\": 1}\r\n\r\n: comment\r\ndata: line1\rdata: line2\r\rdata: [DONE]\n\n";
    const expected = parseSse(doc);
    expect(expected).toEqual([
      { event: "one", data: '{"x": 1}' },
      { data: "line1\nline2" },
      { data: "[DONE]" },
    ]);
    for (let i = 0; i <= doc.length; i++) expect(feed(doc, [i])).toEqual(expected);
    expect(feed(doc, Array.from({ length: doc.length }, (_, i) => i))).toEqual(expected);
  });

  test("CR at the end of a chunk followed by LF in the next is one line end, not two", () => {
    // Were "\r" + "\n" read as two line ends, the blank line would dispatch "a" early and "b" separately.
    expect(feed("data: a\r\ndata: b\r\n\r\n", [8])).toEqual([{ data: "a\nb" }]);
  });

  test("multi-line data joins with \\n; only one leading space is dropped", () => {
    expect(parseSse("data: a\ndata:b\ndata:  c\n\n")).toEqual([{ data: "a\nb\n c" }]);
  });

  test("comments and unknown fields are ignored; events without data are dropped", () => {
    expect(parseSse(": keep-alive\n\nfoo: bar\nevent: ping\n\n:x\ndata: real\n\n")).toEqual([{ data: "real" }]);
  });

  test("a field without a colon counts with an empty value", () => {
    expect(parseSse("data\n\n")).toEqual([{ data: "" }]);
  });

  test("event name resets after dispatch; id persists; retry is read", () => {
    expect(parseSse("event: a\nid: 7\nretry: 1500\ndata: 1\n\ndata: 2\n\n")).toEqual([
      { event: "a", id: "7", retry: 1500, data: "1" },
      { id: "7", data: "2" },
    ]);
  });

  test("UTF-8 code points split across byte chunks decode intact", () => {
    const bytes = new TextEncoder().encode("data: héllo ✓ 𝄞\n\n");
    const p = new SseParser();
    const out: SseEvent[] = [];
    for (const b of bytes) out.push(...p.push(new Uint8Array([b])));
    expect([...out, ...p.end()]).toEqual([{ data: "héllo ✓ 𝄞" }]);
  });

  test("a leading BOM is skipped", () => {
    expect(parseSse("\uFEFFdata: x\n\n")).toEqual([{ data: "x" }]);
  });

  test("a last event without its closing blank line is still delivered at end()", () => {
    const p = new SseParser();
    expect(p.push("data: [DONE]")).toEqual([]);
    expect(p.end()).toEqual([{ data: "[DONE]" }]);
  });

  test("nothing is dispatched before the blank line arrives", () => {
    const p = new SseParser();
    expect(p.push("data: a\n")).toEqual([]);
    expect(p.push("data: b\n")).toEqual([]);
    expect(p.push("\n")).toEqual([{ data: "a\nb" }]);
  });
});
