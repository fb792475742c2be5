// The hook token's failed-attempt limit (http.md §8): 20 wrong tokens in 60 s → 401 ×20, then 429
// Too Many Requests with Retry-After: 60; loopback is not exempt; a right token is still served
// during the lockout and clears it.
import { describe, expect, test } from "bun:test";
import { HookAuthLimiter, HOOK_AUTH_LIMITS } from "../../../src/http/hooks/limiter.ts";
import { hookApp } from "./helpers.ts";

const wrong = { authorization: "Bearer wrong-token" };

async function failTimes(t: ReturnType<typeof hookApp>, n: number, ip: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await t.post("/hooks/wake", { text: "x" }, wrong, ip)).status);
  return statuses;
}

describe("over HTTP", () => {
  for (const ip of ["127.0.0.1", "::1", "::ffff:127.0.0.1", "203.0.113.50"]) {
    test(`${ip}: 20 × 401, then 429 Too Many Requests with Retry-After: 60`, async () => {
      const t = hookApp();
      expect(await failTimes(t, 20, ip)).toEqual(Array(20).fill(401));
      const locked = await t.post("/hooks/wake", { text: "x" }, wrong, ip);
      expect(locked.status).toBe(429);
      expect(locked.headers.get("retry-after")).toBe("60");
      expect(locked.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await locked.text()).toBe("Too Many Requests");
      // No token at all is a wrong attempt too.
      expect((await t.post("/hooks/agent", { message: "x" }, { authorization: "none" }, ip)).status).toBe(429);
      expect(t.logs.some((l) => l.level === "warn" && l.msg.includes("hook auth throttled"))).toBe(true);
    });
  }

  test("a right token during the lockout is served and clears the address's failures", async () => {
    const t = hookApp();
    const ip = "127.0.0.1";
    await failTimes(t, 20, ip);
    expect((await t.post("/hooks/wake", { text: "x" }, wrong, ip)).status).toBe(429);
    const ok = await t.post("/hooks/wake", { text: "during lockout" }, {}, ip);
    expect(ok.status).toBe(200);
    // Counting starts again: 19 more wrong tokens are 401s, the 20th locks again.
    expect(await failTimes(t, 20, ip)).toEqual(Array(20).fill(401));
    expect((await t.post("/hooks/wake", { text: "x" }, wrong, ip)).status).toBe(429);
  });

  test("the lockout is per address", async () => {
    const t = hookApp();
    await failTimes(t, 20, "198.51.100.1");
    expect((await t.post("/hooks/wake", { text: "x" }, wrong, "198.51.100.1")).status).toBe(429);
    expect((await t.post("/hooks/wake", { text: "x" }, wrong, "198.51.100.2")).status).toBe(401);
  });

  test("hook failures do not lock the address out of the gateway's own API, nor the other way round", async () => {
    const t = hookApp();
    const ip = "203.0.113.60";
    await failTimes(t, 21, ip);
    const api = await t.app.request(
      "/tools/invoke",
      { method: "POST", body: JSON.stringify({ tool: "agents_list" }), headers: { authorization: "Bearer gateway-token-123" } },
      { server: { requestIP: () => ({ address: ip }) } },
    );
    expect(api.status).toBe(200);
    // Ten bad gateway tokens lock the gateway door, not the hook door.
    for (let i = 0; i < 10; i++) {
      await t.app.request("/tools/invoke", { method: "POST", body: "{}", headers: { authorization: "Bearer bad" } }, { server: { requestIP: () => ({ address: "203.0.113.61" }) } });
    }
    expect((await t.post("/hooks/wake", { text: "x" }, {}, "203.0.113.61")).status).toBe(200);
  });

  test("method and query-token refusals are not failed attempts", async () => {
    const t = hookApp();
    const ip = "198.51.100.9";
    for (let i = 0; i < 25; i++) {
      await t.request("/hooks/wake", { method: "GET", headers: { authorization: "Bearer wrong" }, ip });
      await t.post("/hooks/wake?token=wrong", {}, wrong, ip);
    }
    expect((await t.post("/hooks/wake", { text: "x" }, wrong, ip)).status).toBe(401);
  });
});

describe("HookAuthLimiter", () => {
  test("the settings: 20 attempts, 60 s window, 60 s lockout, loopback not exempt", () => {
    expect(HOOK_AUTH_LIMITS).toEqual({ maxAttempts: 20, windowMs: 60_000, lockoutMs: 60_000, exemptLoopback: false });
  });

  test("failures older than the window do not count; the lockout ends after 60 s", () => {
    let now = 1_000_000;
    const limiter = new HookAuthLimiter(() => now);
    for (let i = 0; i < 19; i++) limiter.recordFailure("127.0.0.1");
    now += 60_000;
    limiter.recordFailure("127.0.0.1");
    expect(limiter.retryAfterMs("127.0.0.1")).toBe(0);
    for (let i = 0; i < 19; i++) limiter.recordFailure("127.0.0.1");
    expect(limiter.retryAfterMs("127.0.0.1")).toBe(60_000);
    now += 59_001;
    expect(limiter.retryAfterMs("127.0.0.1")).toBe(999);
    now += 999;
    expect(limiter.retryAfterMs("127.0.0.1")).toBe(0);
  });

  test("clear() ends a lockout at once", () => {
    const limiter = new HookAuthLimiter(() => 5);
    for (let i = 0; i < 20; i++) limiter.recordFailure("::1");
    expect(limiter.retryAfterMs("::1")).toBe(60_000);
    limiter.clear("::1");
    expect(limiter.retryAfterMs("::1")).toBe(0);
    limiter.recordFailure("::1");
    expect(limiter.retryAfterMs("::1")).toBe(0);
  });
});
