import { describe, expect, test } from "bun:test";
import {
  parseCount, parseDurationMs, parseRateLimits, parseRetryAfterMs, parseRfc3339,
} from "../../../src/agents/providers/rate-limit-headers.ts";

const AT = Date.UTC(2026, 0, 2, 3, 4, 5);

describe("OpenAI-style x-ratelimit-* headers", () => {
  test("requests and tokens buckets, resets as durations from the response time", () => {
    const r = parseRateLimits({
      "x-ratelimit-limit-requests": "60", "x-ratelimit-remaining-requests": "59", "x-ratelimit-reset-requests": "1s",
      "x-ratelimit-limit-tokens": "150000", "x-ratelimit-remaining-tokens": "149984", "x-ratelimit-reset-tokens": "6m0s",
    }, AT);
    expect(r).toEqual({
      requests: { limit: 60, remaining: 59, resetAt: AT + 1000 },
      tokens: { limit: 150000, remaining: 149984, resetAt: AT + 360_000 },
    });
  });

  test("durations: Go-style units, fractions, bare seconds", () => {
    expect(parseDurationMs("20ms")).toBe(20);
    expect(parseDurationMs("1h2m3.5s")).toBe(3_723_500);
    expect(parseDurationMs("2m59.56s")).toBe(179_560);
    expect(parseDurationMs("0s")).toBe(0);
    expect(parseDurationMs("7")).toBe(7000);
    expect(parseDurationMs(" 1s ")).toBe(1000);
  });

  test("a bucket with only some headers keeps what it has", () => {
    expect(parseRateLimits({ "x-ratelimit-remaining-tokens": "5" }, AT)).toEqual({ tokens: { limit: null, remaining: 5, resetAt: null } });
  });
});

describe("Anthropic-style anthropic-ratelimit-* headers", () => {
  test("all four kinds, resets as RFC 3339 times", () => {
    const h: Record<string, string> = {};
    for (const [kind, limit, remaining] of [["requests", 50, 49], ["tokens", 100000, 99000], ["input-tokens", 80000, 79500], ["output-tokens", 20000, 19500]] as const) {
      h[`anthropic-ratelimit-${kind}-limit`] = String(limit);
      h[`anthropic-ratelimit-${kind}-remaining`] = String(remaining);
      h[`anthropic-ratelimit-${kind}-reset`] = "2026-01-02T03:05:00Z";
    }
    const reset = Date.UTC(2026, 0, 2, 3, 5, 0);
    expect(parseRateLimits(h, AT)).toEqual({
      requests: { limit: 50, remaining: 49, resetAt: reset },
      tokens: { limit: 100000, remaining: 99000, resetAt: reset },
      inputTokens: { limit: 80000, remaining: 79500, resetAt: reset },
      outputTokens: { limit: 20000, remaining: 19500, resetAt: reset },
    });
  });

  test("RFC 3339 with offsets and fractions; other date forms are not RFC 3339", () => {
    expect(parseRfc3339("2026-01-02T04:05:00.250+01:00")).toBe(Date.UTC(2026, 0, 2, 3, 5, 0, 250));
    expect(parseRfc3339("Fri, 02 Jan 2026 03:05:00 GMT")).toBeNull();
    expect(parseRfc3339("2026-01-02")).toBeNull();
    expect(parseRfc3339("2026-13-45T99:99:99Z")).toBeNull();
  });

  test("Anthropic's value wins where both families describe a kind", () => {
    const r = parseRateLimits({ "x-ratelimit-limit-requests": "10", "anthropic-ratelimit-requests-limit": "50" }, AT);
    expect(r?.requests?.limit).toBe(50);
  });
});

describe("odd, missing and garbage values", () => {
  test("no rate-limit headers: null", () => {
    expect(parseRateLimits({}, AT)).toBeNull();
    expect(parseRateLimits({ "content-type": "text/event-stream" }, AT)).toBeNull();
  });

  test("unreadable values are left out, the readable ones kept, and nothing throws", () => {
    const r = parseRateLimits({
      "x-ratelimit-limit-requests": "lots", "x-ratelimit-remaining-requests": "-1", "x-ratelimit-reset-requests": "soon",
      "x-ratelimit-limit-tokens": "", "x-ratelimit-remaining-tokens": "12", "x-ratelimit-reset-tokens": "5 minutes",
      "anthropic-ratelimit-tokens-limit": "1e999", "anthropic-ratelimit-input-tokens-reset": "tomorrow",
      "anthropic-ratelimit-output-tokens-remaining": "0x10",
    }, AT);
    expect(r).toEqual({ tokens: { limit: null, remaining: 12, resetAt: null } });
  });

  test("counts: only plain non-negative numbers", () => {
    expect(parseCount("42")).toBe(42);
    expect(parseCount(" 7 ")).toBe(7);
    for (const bad of [undefined, "", " ", "-3", "NaN", "Infinity", "1e3", "12abc", "0x1f", "9".repeat(400)]) expect(parseCount(bad)).toBeNull();
  });

  test("durations: garbage is null", () => {
    for (const bad of [undefined, "", "s", "1x", "m5", "-1s", "1.s", "1s2", "1".repeat(50) + "s", "1h 2m"]) expect(parseDurationMs(bad)).toBeNull();
  });

  test("any string at all never throws", () => {
    const samples = ["", "\u0000", "💥", "1".repeat(10_000), "NaNms", "9999999999999999999999h", "2026-02-30T00:00:00Z"];
    for (const v of samples) {
      const h = Object.fromEntries(["x-ratelimit-limit-requests", "x-ratelimit-reset-tokens", "anthropic-ratelimit-requests-reset", "retry-after", "retry-after-ms"].map((k) => [k, v]));
      expect(() => parseRateLimits(h, AT)).not.toThrow();
      expect(() => parseRetryAfterMs(h, AT)).not.toThrow();
    }
  });
});

describe("retry-after", () => {
  test("seconds, milliseconds (preferred), and an HTTP date relative to the response time", () => {
    expect(parseRetryAfterMs({ "retry-after": "20" }, AT)).toBe(20_000);
    expect(parseRetryAfterMs({ "retry-after": "20", "retry-after-ms": "1500" }, AT)).toBe(1500);
    expect(parseRetryAfterMs({ "retry-after": new Date(AT + 30_000).toUTCString() }, AT)).toBe(30_000);
    expect(parseRetryAfterMs({ "retry-after": new Date(AT - 30_000).toUTCString() }, AT)).toBe(0);
  });

  test("absent or unreadable: null", () => {
    expect(parseRetryAfterMs({}, AT)).toBeNull();
    expect(parseRetryAfterMs({ "retry-after": "" }, AT)).toBeNull();
    expect(parseRetryAfterMs({ "retry-after": "-5" }, AT)).toBeNull();
    expect(parseRetryAfterMs({ "retry-after": "whenever" }, AT)).toBeNull();
    expect(parseRetryAfterMs({ "retry-after-ms": "abc" }, AT)).toBeNull();
  });
});
