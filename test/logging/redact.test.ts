import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../../src/logging/logger.ts";
import { createRedactor, maskValue } from "../../src/logging/redact.ts";
import { capture, tempDir } from "./helpers.ts";

describe("mask rule", () => {
  test("18+ chars keep first 6 and last 4, shorter become ***", () => {
    expect(maskValue("abcdefghijklmnopqr")).toBe("abcdef…opqr");
    expect(maskValue("abcdefghijklmnopq")).toBe("***");
    expect(maskValue("x")).toBe("***");
  });
});

describe("default patterns", () => {
  const r = createRedactor();
  const key = "sk-proj-AbCdEf0123456789xyzW";

  test.each([
    [`using ${key} now`, "using sk-pro…xyzW now"],
    ["Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "Authorization: Bearer eyJhbG….sig"],
    ["Bearer abc123", "Bearer ***"],
    ["openclaw gateway --token hunter2hunter2 --port 1", "openclaw gateway --token *** --port 1"],
    ["--password=opensesame", "--password=***"],
    ["--password to start", "--password *** start"],
    ['{"token":"0123456789abcdef0123456789"}', '{"token":"012345…6789"}'],
    ['{"apiKey": "short"}', '{"apiKey": "***"}'],
    ["password=swordfish&user=bob", "password=***&user=bob"],
    ["gateway token: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "gateway token: 9f86d0…0a08"],
    ["ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_ab…6789"],
  ])("%s", (input, expected) => {
    expect(r.text(input)).toBe(expected);
  });

  test("plain text and counters survive", () => {
    for (const s of ["http server listening on 127.0.0.1:18789", "inputTokens=523 outputTokens: 12", "reason=token_mismatch"]) {
      expect(r.text(s)).toBe(s);
    }
  });

  test("custom patterns replace the defaults", () => {
    const c = createRedactor({ patterns: [String.raw`acct-(\d+)`, "/SECRETWORD/"] });
    expect(c.text("acct-42 SECRETWORD secretword sk-proj-AbCdEf0123456789xyzW")).toBe(
      "acct-*** *** secretword sk-proj-AbCdEf0123456789xyzW",
    );
  });

  test("invalid patterns are reported and skipped", () => {
    const c = createRedactor({ patterns: ["(unclosed", "ok(\\d+)"] });
    expect(c.invalid).toEqual(["(unclosed"]);
    expect(c.text("ok123")).toBe("ok***");
  });
});

describe("exact secrets", () => {
  test("are masked anywhere, by the same length rule, without double masking", () => {
    const long = "plain-looking-long-secret-value";
    const r = createRedactor({ secrets: () => [long, "pw12", "", "ab"] });
    expect(r.text(`x${long}y and ${long}`)).toBe("xplain-…aluey and plain-…alue");
    expect(r.text("code pw12!")).toBe("code ***!");
    expect(r.text("ab stays")).toBe("ab stays");
    expect(r.text(`--token ${long}`)).toBe("--token plain-…alue");
  });

  test("secrets() is read on every call so rotations apply", () => {
    let current = "first-secret-0001";
    const r = createRedactor({ secrets: () => [current] });
    expect(r.text(current)).toBe("***");
    current = "second-secret-0002";
    expect(r.text("first-secret-0001 second-secret-0002")).toBe("first-secret-0001 second…0002");
  });
});

describe("field masking", () => {
  test("sensitive keys are masked entirely, nested values by pattern", () => {
    const r = createRedactor({ secrets: () => ["nested-secret-string-1"] });
    const out = r.value({
      token: "abc",
      gatewayPassword: "0123456789012345678901234",
      Authorization: "Bearer x",
      api_key: { nested: "object" },
      inputTokens: 523,
      nested: { note: "has nested-secret-string-1 inside", list: ["Bearer zzz"] },
      url: "ws://127.0.0.1:18789",
    });
    expect(out).toEqual({
      token: "***",
      gatewayPassword: "***",
      Authorization: "***",
      api_key: "***",
      inputTokens: 523,
      nested: { note: "has nested…ng-1 inside", list: ["Bearer ***"] },
      url: "ws://127.0.0.1:18789",
    });
  });
});

describe("both sinks are redacted", () => {
  test("message and fields in the file and on the console", () => {
    const dir = tempDir();
    const file = join(dir, "r.log");
    const stdout = capture();
    const stderr = capture();
    const secret = "my-gateway-token-abcdef123456";
    const log = createLogger({ file, stdout, stderr, secrets: () => [secret] });
    const g = log.child("gateway");
    g.info(`connect with ${secret}`);
    g.warn("auth", { token: secret, header: `Bearer ${secret}`, hint: "--password hunter2" });
    const text = (existsSync(file) ? readFileSync(file, "utf8") : "") + stdout.chunks.join("") + stderr.chunks.join("");
    expect(text).not.toContain(secret);
    expect(text).not.toContain("hunter2");
    expect(text).toContain("my-gat…3456");
    const recs = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(recs[1]["2"]).toEqual({ token: "***", header: "Bearer my-gat…3456", hint: "--password ***" });
  });
});
