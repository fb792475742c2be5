import { describe, expect, test } from "bun:test";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRawStreamWriter, resolveRawStreamPath } from "../../src/logging/raw-stream.ts";
import { createRedactor } from "../../src/logging/redact.ts";
import { tempDir } from "./helpers.ts";

const TOKEN = "gw-token-0123456789abcdefXYZ";
const API_KEY = "sk-provider-key-0123456789abcdef";

describe("resolveRawStreamPath", () => {
  test("off unless --raw-stream, --raw-stream-path or OPENCLAW_RAW_STREAM=1", () => {
    expect(resolveRawStreamPath({}, "/s")).toBeUndefined();
    expect(resolveRawStreamPath({ OPENCLAW_RAW_STREAM: "0" }, "/s")).toBeUndefined();
    // A path alone in the env does not turn it on.
    expect(resolveRawStreamPath({ OPENCLAW_RAW_STREAM_PATH: "/x.jsonl" }, "/s")).toBeUndefined();
  });

  test("default <state>/logs/raw-stream.jsonl; the flag path beats the env path", () => {
    expect(resolveRawStreamPath({ OPENCLAW_RAW_STREAM: "1" }, "/s")).toBe("/s/logs/raw-stream.jsonl");
    expect(resolveRawStreamPath({}, "/s", { rawStream: true })).toBe("/s/logs/raw-stream.jsonl");
    expect(resolveRawStreamPath({ OPENCLAW_RAW_STREAM: "true", OPENCLAW_RAW_STREAM_PATH: "/e.jsonl" }, "/s")).toBe("/e.jsonl");
    expect(resolveRawStreamPath({ OPENCLAW_RAW_STREAM_PATH: "/e.jsonl" }, "/s", { rawStreamPath: "/f.jsonl" })).toBe("/f.jsonl");
    expect(resolveRawStreamPath({}, "/s", { rawStreamPath: "rel.jsonl" })).toBe(join(process.cwd(), "rel.jsonl"));
  });
});

describe("raw stream writer", () => {
  const redactor = () => createRedactor({ secrets: () => [TOKEN, API_KEY] });

  test("one JSON line per event {ts, runId, provider, model, event}, in a 0600 file under a 0700 dir", () => {
    const path = join(tempDir("raw-"), "logs/raw-stream.jsonl");
    const w = createRawStreamWriter({ path, redactor: redactor(), now: () => 1234 });
    w.write({ runId: "r1", provider: "p", model: "m", event: { type: "text", delta: "hi" } });
    w.write({ runId: "r1", provider: "p", model: "m", event: { type: "finish", reason: "stop", usage: { inputTokens: 3, outputTokens: 1 } } });
    const lines = readFileSync(path, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { ts: 1234, runId: "r1", provider: "p", model: "m", event: { type: "text", delta: "hi" } },
      { ts: 1234, runId: "r1", provider: "p", model: "m", event: { type: "finish", reason: "stop", usage: { inputTokens: 3, outputTokens: 1 } } },
    ]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
  });

  test("an existing file is made private before anything is appended", () => {
    const path = join(tempDir("raw-"), "raw.jsonl");
    writeFileSync(path, "");
    chmodSync(path, 0o644);
    createRawStreamWriter({ path, redactor: redactor() }).write({ runId: "r", provider: "p", model: "m", event: {} });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test("the gateway token and a provider apiKey never reach the file, however they appear", () => {
    const path = join(tempDir("raw-"), "raw.jsonl");
    const w = createRawStreamWriter({ path, redactor: redactor() });
    w.write({ runId: "r", provider: "p", model: "m", event: { type: "text", delta: `the token is ${TOKEN} and the key ${API_KEY}` } });
    w.write({ runId: "r", provider: "p", model: "m", event: { type: "tool_call", call: { id: "c", name: "x", arguments: JSON.stringify({ apiKey: API_KEY, token: TOKEN }) } } });
    w.write({ runId: "r", provider: "p", model: "m", event: { type: "raw", apiKey: API_KEY, headers: { authorization: `Bearer ${TOKEN}` } } });
    w.write({ runId: "r", provider: "p", model: "m", event: { type: "text", delta: "run it with --token hunter2-unknown-secret-value now" } });
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain("hunter2-unknown-secret-value");
    // Masking never breaks the JSON around the masked value.
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines[0].event.delta).toBe(`the token is gw-tok…fXYZ and the key sk-pro…cdef`);
    expect(lines[3].event.delta).toBe("run it with --token hunter…alue now");
  });

  test("a write failure is reported once and the writer stays off", () => {
    const dir = tempDir("raw-");
    const blocker = join(dir, "file");
    writeFileSync(blocker, "");
    const errors: unknown[] = [];
    const w = createRawStreamWriter({ path: join(blocker, "raw.jsonl"), redactor: redactor(), onError: (e) => errors.push(e) });
    w.write({ runId: "r", provider: "p", model: "m", event: {} });
    w.write({ runId: "r", provider: "p", model: "m", event: {} });
    expect(errors).toHaveLength(1);
  });
});
