// Trusted-proxy auth over real HTTP and WebSocket requests: 127.0.0.1 is the configured proxy,
// 127.0.0.2 a second loopback address that is not, and the forwarded headers are what a proxy sends.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { startTestGateway, type TestGateway } from "../fixtures/gateway.ts";
import { rawRequest, WS_UPGRADE_HEADERS } from "../fixtures/raw-http.ts";
import { RawClient } from "../fixtures/ws-client.ts";

const PASSWORD = "pw123";
const CONFIG: OpenClawConfig = {
  gateway: {
    mode: "local",
    trustedProxies: ["127.0.0.1"],
    auth: {
      mode: "trusted-proxy",
      password: PASSWORD,
      trustedProxy: {
        userHeader: "x-forwarded-user",
        requiredHeaders: ["x-forwarded-proto"],
        allowLoopback: true,
        allowUsers: ["alice@example.com", "bob@example.com"],
      },
    },
    controlUi: { allowedOrigins: ["https://gw.example"] },
    http: { endpoints: { chatCompletions: { enabled: true } } },
  },
};
const PROXIED = { "x-forwarded-for": "203.0.113.5", "x-forwarded-user": "alice@example.com", "x-forwarded-proto": "https" };
const ATTRIBUTION = "proxy_attribution_required";
const UNAUTHORIZED = { error: { message: "Unauthorized", type: "unauthorized" } };

let gw: TestGateway;
let base: string;
beforeAll(async () => {
  gw = await startTestGateway({ config: CONFIG, auth: { mode: "trusted-proxy", password: PASSWORD } });
  base = `http://127.0.0.1:${gw.port}`;
});
afterAll(() => gw.stop());

const models = (headers: Record<string, string> = {}) => fetch(`${base}/v1/models`, { headers });

describe("HTTP in trusted-proxy mode", () => {
  test("no headers → 401", async () => {
    const res = await models();
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(UNAUTHORIZED);
  });

  test("the password as Bearer from a direct local caller → 200 (local fallback)", async () => {
    expect((await models({ authorization: `Bearer ${PASSWORD}` })).status).toBe(200);
    expect((await models({ authorization: "Bearer wrong" })).status).toBe(401);
  });

  test("any forwarded header turns the password fallback off", async () => {
    const res = await models({ authorization: `Bearer ${PASSWORD}`, "x-forwarded-for": "203.0.113.5" });
    expect(res.status).toBe(401);
  });

  test("identity headers without X-Forwarded-For → 403 proxy_attribution_required", async () => {
    const res = await models({ "x-forwarded-user": "alice@example.com", "x-forwarded-proto": "https" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.type).toBe(ATTRIBUTION);
  });

  test("forwarded client + user + required header → 200, scopes from x-openclaw-scopes", async () => {
    expect((await models(PROXIED)).status).toBe(200);
    expect((await models({ ...PROXIED, "x-forwarded-user": "bob@example.com" })).status).toBe(200);
    const noRead = await models({ ...PROXIED, "x-openclaw-scopes": "operator.approvals" });
    expect(noRead.status).toBe(403);
    expect(((await noRead.json()) as any).error.details.missingScope).toBe("operator.read");
  });

  test.each([
    ["a required header is missing", { "x-forwarded-proto": "" }],
    ["the user header is missing", { "x-forwarded-user": "" }],
    ["the user is not in allowUsers", { "x-forwarded-user": "mallory@example.com" }],
  ])("%s → 401", async (_name, change) => {
    const headers: Record<string, string> = { ...PROXIED };
    for (const [k, v] of Object.entries(change)) if (v === "") delete headers[k];
    else headers[k] = v;
    const res = await models(headers);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(UNAUTHORIZED);
  });

  test("a loopback forwarded client → 403 proxy_attribution_required", async () => {
    const res = await models({ ...PROXIED, "x-forwarded-for": "127.0.0.1" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.type).toBe(ATTRIBUTION);
  });

  test("Origin must be in gateway.controlUi.allowedOrigins once proxy auth passed", async () => {
    expect((await models({ ...PROXIED, origin: "https://gw.example" })).status).toBe(200);
    expect((await models({ ...PROXIED, origin: "http://evil.example" })).status).toBe(401);
  });

  test("the same headers from an untrusted hop (127.0.0.2) → 403, before auth", async () => {
    const res = await rawRequest(gw.port, { from: "127.0.0.2", path: "/v1/models", headers: PROXIED });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.type).toBe(ATTRIBUTION);
    // Without forwarding headers that peer is an ordinary (non-local-proxy) caller: 401, not 403.
    expect((await rawRequest(gw.port, { from: "127.0.0.2", path: "/v1/models" })).status).toBe(401);
  });

  test("/healthz is answered before attribution", async () => {
    expect((await rawRequest(gw.port, { from: "127.0.0.2", path: "/healthz", headers: PROXIED })).status).toBe(200);
  });
});

describe("WebSocket in trusted-proxy mode", () => {
  const url = () => `ws://127.0.0.1:${gw.port}`;

  test("the upgrade from an untrusted hop, or naming a loopback client, is refused with 403 JSON", async () => {
    const untrusted = await rawRequest(gw.port, { from: "127.0.0.2", headers: { ...WS_UPGRADE_HEADERS, ...PROXIED } });
    expect(untrusted.status).toBe(403);
    expect(untrusted.headers.connection).toBe("close");
    expect(JSON.parse(untrusted.body).error.type).toBe(ATTRIBUTION);
    const loop = await rawRequest(gw.port, { headers: { ...WS_UPGRADE_HEADERS, ...PROXIED, "x-forwarded-for": "127.0.0.1" } });
    expect(loop.status).toBe(403);
    const noXff = await rawRequest(gw.port, { headers: { ...WS_UPGRADE_HEADERS, "x-forwarded-user": "alice@example.com" } });
    expect(noXff.status).toBe(403);
    const ok = await rawRequest(gw.port, { headers: { ...WS_UPGRADE_HEADERS, ...PROXIED } });
    expect(ok.status).toBe(101);
  });

  test("a proxied user connects as trusted-proxy with the scopes it asked for", async () => {
    const c = await RawClient.connect(url(), { headers: PROXIED, scopes: ["operator.read", "operator.write"] });
    expect(c.hello.auth).toMatchObject({ method: "trusted-proxy", role: "operator", scopes: ["operator.read", "operator.write"] });
    c.close();
  });

  test("a direct local connect with the password is the fallback; wrong or none is refused", async () => {
    const c = await RawClient.connect(url(), { password: PASSWORD });
    expect(c.hello.auth.method).toBe("password");
    c.close();
    const wrong = await RawClient.connect(url(), { password: "nope" }).catch((e) => e.res);
    expect(wrong.error.details.code).toBe("AUTH_PASSWORD_MISMATCH");
    const none = await RawClient.connect(url()).catch((e) => e.res);
    expect(none.error.details.code).toBe("AUTH_UNAUTHORIZED");
  });

  test("forwarded without a valid identity is refused, even with the password", async () => {
    const noUser = await RawClient.connect(url(), { headers: { "x-forwarded-for": "203.0.113.5", "x-forwarded-proto": "https" }, password: PASSWORD }).catch((e) => e.res);
    expect(noUser.error.details.code).toBe("AUTH_UNAUTHORIZED");
    const c = await RawClient.open(url(), { ...PROXIED, "x-forwarded-user": "mallory@example.com" });
    await c.waitFor((f) => f.event === "connect.challenge");
    const res = await c.request("connect", { minProtocol: 4, maxProtocol: 4, client: { id: "cli", version: "t", platform: "linux", mode: "cli" }, role: "operator" });
    expect(res.error?.details.code).toBe("AUTH_UNAUTHORIZED");
    expect((await c.waitClose()).code).toBe(1008);
  });
});

describe("forwarded headers in token mode", () => {
  test("a trusted proxy's forwarded client passes attribution; the bearer still decides; the limiter keys on the client", async () => {
    const g = await startTestGateway({
      config: { gateway: { mode: "local", trustedProxies: ["127.0.0.1/32"], http: { endpoints: { chatCompletions: { enabled: true } } }, auth: { rateLimit: { maxAttempts: 2, exemptLoopback: false } } } },
      auth: { mode: "token", token: "tok" },
    });
    try {
      const at = (headers: Record<string, string>) => fetch(`http://127.0.0.1:${g.port}/v1/models`, { headers });
      expect((await at({ "x-forwarded-for": "198.51.100.7", authorization: "Bearer tok" })).status).toBe(200);
      expect((await at({ "x-forwarded-for": "198.51.100.7", authorization: "Bearer bad" })).status).toBe(401);
      expect((await at({ "x-forwarded-for": "198.51.100.7", authorization: "Bearer bad" })).status).toBe(401);
      expect((await at({ "x-forwarded-for": "198.51.100.7", authorization: "Bearer tok" })).status).toBe(429);
      // Another forwarded client behind the same proxy is not locked out.
      expect((await at({ "x-forwarded-for": "198.51.100.8", authorization: "Bearer tok" })).status).toBe(200);
      expect((await rawRequest(g.port, { from: "127.0.0.2", path: "/v1/models", headers: { "x-forwarded-proto": "https" } })).status).toBe(403);
      // Identity headers mean nothing outside trusted-proxy mode.
      expect((await at({ "x-forwarded-for": "198.51.100.9", "x-forwarded-user": "alice@example.com" })).status).toBe(401);
    } finally {
      await g.stop();
    }
  }, 20_000);
});
