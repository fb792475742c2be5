// With auth `none` the bearer check protects nothing, so the HTTP API itself refuses what a page on
// another site could make the owner's browser send: cross-site writes and DNS-rebinding requests.
import { describe, expect, test } from "bun:test";
import type { OriginPolicy } from "../../src/auth/origin.ts";
import type { AuthConfig } from "../../src/gateway/auth.ts";
import { createHttpApp } from "../../src/http/app.ts";
import { FakeAgents } from "./fake-agents.ts";
import { OPEN_CONFIG, TOKEN } from "./helpers.ts";

const CHAT = JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "hi" }] });
const POLICY: OriginPolicy = { allowedOrigins: ["https://ui.example"], hostHeaderFallback: false, ownOrigins: ["http://127.0.0.1:18789", "http://localhost:18789"] };

function app(auth: AuthConfig) {
  const a = createHttpApp({ config: () => OPEN_CONFIG, auth: () => auth, agents: new FakeAgents(), uptimeMs: () => 1, isDraining: () => false, originPolicy: () => POLICY });
  return (path: string, init: RequestInit = {}, ip = "127.0.0.1") =>
    a.request(path, init, { server: { requestIP: () => ({ address: ip }) } });
}

const post = (headers: Record<string, string>) => ({ method: "POST", body: CHAT, headers: { "content-type": "application/json", ...headers } });

describe("auth none", () => {
  const call = app({ mode: "none" });
  test.each([
    ["a foreign Origin", { origin: "http://evil.example" }],
    ["Origin: null (sandboxed frame)", { origin: "null" }],
    ["Sec-Fetch-Site: cross-site without an Origin", { "sec-fetch-site": "cross-site" }],
    ["a DNS-rebinding Host", { host: "evil.example:18789", origin: "http://evil.example:18789" }],
  ])("%s → 403 with the OpenAI error body, nothing run", async (_name, headers) => {
    const res = await call("/v1/chat/completions", post(headers));
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("forbidden");
    expect(body.error.message).toContain("gateway.controlUi.allowedOrigins");
  });

  test("a rebinding page cannot read either: a GET for a foreign Host name is refused", async () => {
    expect((await call("/v1/models", { headers: { host: "evil.example:18789" } })).status).toBe(403);
  });

  test.each([
    ["no browser headers (curl, SDKs)", {}],
    ["the gateway's own origin", { origin: "http://127.0.0.1:18789", host: "127.0.0.1:18789" }],
    ["an allowlisted origin", { origin: "https://ui.example" }],
    ["a loopback dev server", { origin: "http://localhost:5173" }],
    ["Sec-Fetch-Site: same-origin", { "sec-fetch-site": "same-origin", host: "localhost:18789" }],
  ])("%s → served", async (_name, headers) => {
    expect((await call("/v1/chat/completions", post(headers))).status).toBe(200);
  });
});

test("token auth: the bearer is the protection; Origin is ignored on API routes (as published)", async () => {
  const call = app({ mode: "token", token: TOKEN });
  const res = await call("/v1/chat/completions", post({ origin: "http://evil.example", authorization: `Bearer ${TOKEN}` }));
  expect(res.status).toBe(200);
});
