import { describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { OPEN_CONFIG, testApp, TOKEN } from "./helpers.ts";

const CHAT = { model: "openclaw", messages: [{ role: "user", content: "hi" }] };
const UNAUTHORIZED = { error: { message: "Unauthorized", type: "unauthorized" } };

describe("bearer auth", () => {
  const { request } = testApp();
  test.each([
    ["no header", undefined, 401],
    ["wrong token", "Bearer nope", 401],
    ["lowercase prefix, padded", `  bearer   ${TOKEN}  `, 200],
    ["upper-case prefix", `BEARER ${TOKEN}`, 200],
    ["token without prefix", TOKEN, 401],
    ["basic auth", `Basic ${btoa(`x:${TOKEN}`)}`, 401],
    ["empty bearer", "Bearer ", 401],
  ])("%s → %d", async (_name, authorization, status) => {
    const res = await request("/v1/models", { headers: { authorization: authorization ?? "none" } });
    expect(res.status).toBe(status);
    if (status === 401) {
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(await res.json()).toEqual(UNAUTHORIZED);
    }
  });

  test("x-api-key and ?token= are not credentials", async () => {
    expect((await request("/v1/models", { headers: { authorization: "none", "x-api-key": TOKEN } })).status).toBe(401);
    expect((await request(`/v1/models?token=${TOKEN}`, { headers: { authorization: "none" } })).status).toBe(401);
  });

  test("password mode takes the password in the Bearer slot", async () => {
    const t = testApp({ auth: { mode: "password", password: "pw123" } });
    expect((await t.request("/v1/models", { headers: { authorization: "Bearer pw123" } })).status).toBe(200);
    expect((await t.request("/v1/models")).status).toBe(401);
  });

  test("mode none lets everyone in", async () => {
    const t = testApp({ auth: { mode: "none" } });
    expect((await t.request("/v1/models", { headers: { authorization: "none" } })).status).toBe(200);
  });

  test("auth changes hot-apply", async () => {
    const t = testApp();
    t.state.auth = { mode: "token", token: "rotated" };
    expect((await t.request("/v1/models")).status).toBe(401);
    expect((await t.request("/v1/models", { headers: { authorization: "Bearer rotated" } })).status).toBe(200);
  });
});

describe("failed-auth rate limit", () => {
  const limited = (exemptLoopback: boolean): OpenClawConfig => ({
    ...OPEN_CONFIG,
    gateway: { ...OPEN_CONFIG.gateway, auth: { rateLimit: { maxAttempts: 3, lockoutMs: 20_000, exemptLoopback } } },
  });
  const bad = { authorization: "Bearer wrong" };

  test("3 failures, then 429 with Retry-After, even for the right token; other clients unaffected", async () => {
    const { request } = testApp({ config: limited(false) });
    for (let i = 0; i < 3; i++) expect((await request("/v1/models", { headers: bad })).status).toBe(401);
    const locked = await request("/v1/models", { headers: bad });
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("20");
    expect(await locked.json()).toEqual({ error: { message: "Too many failed authentication attempts. Please try again later.", type: "rate_limited" } });
    expect((await request("/v1/models")).status).toBe(429);
    expect((await request("/v1/models", { ip: "198.51.100.1" })).status).toBe(200);
    expect((await request("/healthz")).status).toBe(200);
  });

  test("loopback is exempt by default, but its failures still count once the exemption is off", async () => {
    const t = testApp({ config: limited(true) });
    for (let i = 0; i < 15; i++) expect((await t.request("/v1/models", { headers: bad, ip: "127.0.0.1" })).status).toBe(401);
    expect((await t.request("/v1/models", { ip: "::1" })).status).toBe(200);
    t.state.config = limited(false);
    expect((await t.request("/v1/models", { headers: bad, ip: "127.0.0.1" })).status).toBe(429);
  });

  test("IPv4-mapped addresses are the same client", async () => {
    const { request } = testApp({ config: limited(false) });
    for (let i = 0; i < 3; i++) await request("/v1/models", { headers: bad, ip: "::ffff:192.0.2.7" });
    expect((await request("/v1/models", { ip: "192.0.2.7" })).status).toBe(429);
  });

  test("with default settings 15 bad loopback attempts stay 401", async () => {
    const { request } = testApp();
    for (let i = 0; i < 15; i++) expect((await request("/v1/models", { headers: bad, ip: "127.0.0.1" })).status).toBe(401);
  });
});

describe("scopes (mode none + x-openclaw-scopes)", () => {
  const { request, post } = testApp({ auth: { mode: "none" } });
  const missing = (scope: string) => ({
    ok: false,
    error: { type: "forbidden", message: `missing scope: ${scope}`, details: { code: "MISSING_SCOPE", missingScope: scope, requiredScopes: [scope] } },
  });

  test.each([
    ["GET", "/v1/models", "", 403, "operator.read"],
    ["GET", "/v1/models", "operator.write", 200, ""],
    ["GET", "/v1/models/openclaw", " operator.read , x ", 200, ""],
    ["POST", "/v1/chat/completions", "operator.read", 403, "operator.write"],
    ["POST", "/v1/responses", "operator.read", 403, "operator.write"],
    ["POST", "/v1/embeddings", "operator.read", 403, "operator.write"],
    ["POST", "/tools/invoke", "operator.read", 403, "operator.write"],
    ["POST", "/v1/chat/completions", "operator.admin", 200, ""],
  ])("%s %s with scopes %p → %d", async (method, path, scopes, status, scope) => {
    const res = await request(path, {
      method,
      headers: { "x-openclaw-scopes": scopes },
      body: method === "POST" ? JSON.stringify(path === "/tools/invoke" ? { tool: "agents_list" } : path === "/v1/responses" ? { model: "openclaw", input: "hi" } : path === "/v1/embeddings" ? { model: "openclaw", input: "x" } : CHAT) : null,
    });
    expect(res.status).toBe(status);
    if (status === 403) expect(await res.json()).toEqual(missing(scope));
  });

  test("no scopes header grants the default operator set", async () => {
    expect((await request("/v1/models")).status).toBe(200);
  });

  test("x-openclaw-model also needs operator.admin", async () => {
    const res = await post("/v1/chat/completions", CHAT, { "x-openclaw-scopes": "operator.write", "x-openclaw-model": "stub/other" });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual(missing("operator.admin"));
  });

  test("shared-secret callers ignore x-openclaw-scopes and may pick a model", async () => {
    const t = testApp();
    expect((await t.request("/v1/models", { headers: { "x-openclaw-scopes": "" } })).status).toBe(200);
    const res = await t.post("/v1/chat/completions", CHAT, { "x-openclaw-scopes": "", "x-openclaw-model": "stub/other" });
    expect(res.status).toBe(200);
    expect(t.agents.lastTurn.modelOverride).toBe("stub/other");
  });
});
