// Browsers stay out unless invited: a WebSocket upgrade with a foreign Origin never gets hello-ok,
// in any auth mode; the gateway's own origins, the allowlist and local dev pages do; clients that
// send no Origin (CLI, node hosts) are unaffected.
import { afterAll, describe, expect, test } from "bun:test";
import type { AuthConfig } from "../../src/gateway/auth.ts";
import { checkOrigin, normalizeOrigin, type OriginPolicy } from "../../src/auth/origin.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { RawClient } from "../fixtures/ws-client.ts";

const started: TestGateway[] = [];
afterAll(async () => {
  for (const g of started) await g.stop();
});

async function gateway(auth: AuthConfig, controlUi?: object): Promise<TestGateway> {
  const g = await startTestGateway({ auth, config: { gateway: { mode: "local", ...(controlUi ? { controlUi } : {}) } } });
  started.push(g);
  return g;
}

const modes: Array<[string, AuthConfig, { token?: string; password?: string }]> = [
  ["none", { mode: "none" }, {}],
  ["token", { mode: "token", token: TEST_TOKEN }, { token: TEST_TOKEN }],
  ["password", { mode: "password", password: "pw-0123456789" }, { password: "pw-0123456789" }],
];

/** Connects with these upgrade headers; resolves with the connect res frame and the close. */
async function attempt(g: TestGateway, headers: Record<string, string> | undefined, creds: object, clientId = "cli") {
  const c = await RawClient.open(g.url, headers);
  await c.waitFor((f) => f.event === "connect.challenge");
  const res = await c.request("connect", {
    minProtocol: 4, maxProtocol: 4,
    client: { id: clientId, version: "test", platform: "linux", mode: clientId === "cli" ? "cli" : "webchat", instanceId: crypto.randomUUID() },
    role: "operator", scopes: ["operator.admin"], ...(Object.keys(creds).length ? { auth: creds } : {}),
  });
  return { c, res };
}

describe("a foreign Origin is refused before hello-ok", () => {
  for (const [name, auth, creds] of modes) {
    test(`auth ${name}: CONTROL_UI_ORIGIN_NOT_ALLOWED and close 1008, whatever client id`, async () => {
      const g = await gateway(auth);
      for (const clientId of ["cli", "openclaw-control-ui", "gateway-client"]) {
        const { c, res } = await attempt(g, { Origin: "http://evil.example" }, creds, clientId);
        expect(res.ok).toBe(false);
        expect(res.error).toMatchObject({
          code: "INVALID_REQUEST",
          message: "origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)",
          details: { code: "CONTROL_UI_ORIGIN_NOT_ALLOWED", reason: "origin not allowed" },
        });
        expect((await c.waitClose()).code).toBe(1008);
        expect(c.frames.some((f) => f.payload?.type === "hello-ok")).toBe(false);
      }
    });
  }

  test("a DNS-rebinding page (Origin and Host both the attacker's name) is refused", async () => {
    const g = await gateway({ mode: "none" });
    const host = `evil.example:${g.port}`;
    const { c, res } = await attempt(g, { Origin: `http://${host}`, Host: host }, {});
    expect(res.error?.details?.code).toBe("CONTROL_UI_ORIGIN_NOT_ALLOWED");
    expect((await c.waitClose()).code).toBe(1008);
  });

  test("Origin: null and malformed origins are 'origin missing or invalid'", async () => {
    const g = await gateway({ mode: "none" });
    for (const origin of ["null", "file://", "http://user:pw@127.0.0.1", "not a url"]) {
      const { c, res } = await attempt(g, { Origin: origin }, {});
      expect(res.error?.details).toEqual({ code: "CONTROL_UI_ORIGIN_NOT_ALLOWED", reason: "origin missing or invalid" });
      await c.waitClose();
    }
  });

  test("a LAN address that is not the Host the page was loaded from is refused", async () => {
    const g = await gateway({ mode: "token", token: TEST_TOKEN });
    const { res, c } = await attempt(g, { Origin: `http://192.168.1.5:${g.port}` }, { token: TEST_TOKEN });
    expect(res.error?.details?.code).toBe("CONTROL_UI_ORIGIN_NOT_ALLOWED");
    c.close();
  });
});

describe("invited browsers and non-browser clients get in", () => {
  test("the gateway's own origins, a loopback dev server, and no Origin at all", async () => {
    const g = await gateway({ mode: "token", token: TEST_TOKEN });
    for (const headers of [
      { Origin: `http://127.0.0.1:${g.port}` },
      { Origin: `http://localhost:${g.port}` },
      { Origin: "http://localhost:5173" },
      undefined,
    ]) {
      const { c, res } = await attempt(g, headers, { token: TEST_TOKEN });
      expect(res.ok).toBe(true);
      expect(res.payload.type).toBe("hello-ok");
      c.close();
    }
  });

  test("gateway.controlUi.allowedOrigins admits exactly the origins it lists (case-insensitive)", async () => {
    const g = await gateway({ mode: "none" }, { allowedOrigins: ["https://GW.example"] });
    const ok = await attempt(g, { Origin: "https://gw.example" }, {});
    expect(ok.res.ok).toBe(true);
    ok.c.close();
    const other = await attempt(g, { Origin: "https://other.example" }, {});
    expect(other.res.ok).toBe(false);
    other.c.close();
  });

  test("a hot config change to the allowlist applies to the next connect", async () => {
    const g = await gateway({ mode: "none" });
    const before = await attempt(g, { Origin: "https://ui.example" }, {});
    expect(before.res.ok).toBe(false);
    before.c.close();
    const config = { gateway: { mode: "local" as const, controlUi: { allowedOrigins: ["https://ui.example"] } } };
    g.applyConfig({ loaded: { ...g.runtime.loaded, config }, config, auth: { mode: "none" } });
    const after = await attempt(g, { Origin: "https://ui.example" }, {});
    expect(after.res.ok).toBe(true);
    // Taking the origin out again disconnects the browser that used it; others stay.
    const cli = await attempt(g, undefined, {});
    const none = { gateway: { mode: "local" as const } };
    g.applyConfig({ loaded: { ...g.runtime.loaded, config: none }, config: none, auth: { mode: "none" } });
    expect(await after.c.waitClose()).toEqual({ code: 1008, reason: "origin not allowed" });
    expect((await cli.c.request("health")).ok).toBe(true);
    cli.c.close();
  });
});

describe("checkOrigin rules", () => {
  const policy: OriginPolicy = { allowedOrigins: [], hostHeaderFallback: false, ownOrigins: ["http://127.0.0.1:18789"] };
  const cases: Array<[string, string | undefined, boolean, boolean]> = [
    // origin, Host header, local peer, allowed
    ["http://127.0.0.1:18789", "127.0.0.1:18789", true, true],
    ["http://127.0.0.1:18789/", "127.0.0.1:18789", false, true],
    ["http://localhost:5173", "127.0.0.1:18789", true, true],
    ["http://localhost:5173", "127.0.0.1:18789", false, false],
    ["http://gw.local:18789", "gw.local:18789", false, true],
    ["https://box.tail1234.ts.net", "box.tail1234.ts.net", false, true],
    ["http://10.0.0.7:18789", "10.0.0.7:18789", false, true],
    ["http://evil.example:18789", "evil.example:18789", true, false],
    ["http://evil.example", "127.0.0.1:18789", true, false],
    ["http://127.0.0.1.evil.example", "127.0.0.1:18789", true, false],
  ];
  for (const [origin, host, localPeer, allowed] of cases) {
    test(`${origin} (Host ${host}, ${localPeer ? "local" : "remote"} peer) → ${allowed ? "allowed" : "refused"}`, () => {
      expect(checkOrigin({ origin, host, localPeer }, policy).ok).toBe(allowed);
    });
  }

  test("the Host-header fallback admits an origin equal to Host only when turned on", () => {
    const req = { origin: "http://evil.example:18789", host: "evil.example:18789", localPeer: false };
    expect(checkOrigin(req, policy).ok).toBe(false);
    expect(checkOrigin(req, { ...policy, hostHeaderFallback: true }).ok).toBe(true);
  });

  test("normalizeOrigin drops default ports and trailing slashes, refuses paths and userinfo", () => {
    expect(normalizeOrigin("HTTP://LocalHost:80/")).toBe("http://localhost");
    expect(normalizeOrigin("https://a.example:443")).toBe("https://a.example");
    expect(normalizeOrigin("https://a.example/path")).toBeUndefined();
    expect(normalizeOrigin("https://u@a.example")).toBeUndefined();
  });
});
