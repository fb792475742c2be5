// Tailscale Serve/Funnel with a recording fake `tailscale` on PATH, and real HTTP/WS requests to
// the managed listener carrying what Serve adds (X-Forwarded-*, Tailscale-User-Login, the ts.net Host).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { GatewayStartError } from "../../src/gateway/server.ts";
import { claimRoute } from "../../src/gateway/tailscale/route.ts";
import { fakeTailscale, type FakeTailscale } from "../fixtures/fake-tailscale.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { rawRequest, WS_UPGRADE_HEADERS } from "../fixtures/raw-http.ts";
import { newTestDevice } from "../fixtures/device.ts";
import { connectParams, RawClient } from "../fixtures/ws-client.ts";

const TS_HOST = "vm.tail1234.ts.net";
const SERVE_HEADERS = {
  host: TS_HOST,
  "x-forwarded-for": "100.64.0.9",
  "x-forwarded-proto": "https",
  "x-forwarded-host": TS_HOST,
  "tailscale-user-login": "alice@example.com",
  origin: `https://${TS_HOST}`,
};
const config = (mode: "serve" | "funnel", extra: OpenClawConfig["gateway"] = {}): OpenClawConfig => ({
  gateway: { mode: "local", tailscale: { mode }, http: { endpoints: { chatCompletions: { enabled: true } } }, ...extra },
});

function managedPortOf(calls: string[]): number {
  const claim = calls.find((c) => /^(sudo )?(serve|funnel) --yes --bg=false \d+$/.test(c));
  return Number(claim?.split(" ").at(-1));
}

/** A device-signed connect over the managed listener, returning the connect response frame. */
async function deviceConnect(port: number, headers: Record<string, string>, opts: { token?: string; clientId?: string; device?: boolean } = {}) {
  const c = await RawClient.open(`ws://127.0.0.1:${port}`, headers);
  const challenge = await c.waitFor((f) => f.event === "connect.challenge");
  const clientId = opts.clientId ?? "cli";
  let params = connectParams({ token: opts.token, clientId, mode: clientId === "cli" ? "cli" : "webchat", scopes: ["operator.read", "operator.write"] }) as any;
  if (opts.device !== false) params = newTestDevice().signConnect(params, challenge.payload.nonce);
  const res = await c.request("connect", params);
  c.close();
  return res;
}

describe("tailscale serve", () => {
  let ts: FakeTailscale;
  let gw: TestGateway;
  let managed: number;
  beforeAll(async () => {
    ts = fakeTailscale();
    gw = await startTestGateway({ config: config("serve"), tailscale: { env: ts.env() } });
    managed = managedPortOf(ts.calls());
  });
  afterAll(() => gw.stop());

  test("runs the published sequence, on a dedicated loopback port", () => {
    expect(managed).toBeGreaterThan(0);
    expect(managed).not.toBe(gw.port);
    expect(ts.calls()).toEqual(["version", "status --json", "serve status --json", `serve --yes --bg=false ${managed}`, "status --json"]);
  });

  test("status reports the route (gateway status and openclaw status read it)", async () => {
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    try {
      expect((await c.request("status", {})).payload.tailscale).toEqual({ mode: "serve", url: `https://${TS_HOST}/` });
    } finally {
      c.close();
    }
  });

  test("HTTP on the managed listener: forwarding headers required; the identity header is not an HTTP credential", async () => {
    const bare = await rawRequest(managed, { path: "/v1/models", headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(bare.status).toBe(403);
    expect(JSON.parse(bare.body).error.type).toBe("proxy_attribution_required");
    const viaServe = await fetch(`http://127.0.0.1:${managed}/v1/models`, { headers: { ...SERVE_HEADERS, authorization: `Bearer ${TEST_TOKEN}` } });
    expect(viaServe.status).toBe(200);
    const identityOnly = await fetch(`http://127.0.0.1:${managed}/v1/models`, { headers: SERVE_HEADERS });
    expect(identityOnly.status).toBe(401);
  });

  test("the same Serve headers on the ordinary port are refused at the upgrade (403)", async () => {
    const res = await rawRequest(gw.port, { headers: { ...WS_UPGRADE_HEADERS, ...SERVE_HEADERS } });
    expect(res.status).toBe(403);
  });

  test("a device connect with a whois-confirmed login needs no token: auth.method tailscale, requested scopes, no pairing", async () => {
    const res = await deviceConnect(managed, SERVE_HEADERS);
    expect(res.ok).toBe(true);
    expect(res.payload.auth).toMatchObject({ method: "tailscale", role: "operator", scopes: ["operator.read", "operator.write"] });
    expect(res.payload.auth.deviceToken).toBeUndefined();
    const again = await deviceConnect(managed, SERVE_HEADERS);
    expect(again.ok).toBe(true);
    // One lookup for the address, then the 60 s cache.
    expect(ts.calls().filter((c) => c.startsWith("whois"))).toEqual(["whois --json 100.64.0.9"]);
  });

  test("refusals: login ≠ whois, no device, a wrong explicit token, a token + device that is not paired", async () => {
    const mismatch = await deviceConnect(managed, { ...SERVE_HEADERS, "tailscale-user-login": "bob@example.com" });
    expect(mismatch.error?.details.code).toBe("AUTH_TOKEN_MISSING");
    const noDevice = await deviceConnect(managed, SERVE_HEADERS, { device: false, clientId: "openclaw-control-ui" });
    expect(noDevice.error?.details.code).toBe("CONTROL_UI_DEVICE_IDENTITY_REQUIRED");
    const wrong = await deviceConnect(managed, SERVE_HEADERS, { token: "wrong" });
    expect(wrong.error?.details.code).toBe("AUTH_TOKEN_MISMATCH");
    const unpaired = await deviceConnect(managed, { ...SERVE_HEADERS, "tailscale-user-login": "" }, { token: TEST_TOKEN });
    expect(unpaired.error?.code).toBe("NOT_PAIRED");
  });

  test("the ts.net same-origin rule needs Host to match the Origin", async () => {
    const res = await deviceConnect(managed, { ...SERVE_HEADERS, host: `127.0.0.1:${managed}` });
    expect(res.error?.details.code).toBe("CONTROL_UI_ORIGIN_NOT_ALLOWED");
  });
});

describe("start and stop", () => {
  test("stop releases the route: the foreground claim gets SIGTERM", async () => {
    const ts = fakeTailscale();
    const gw = await startTestGateway({ config: config("serve"), tailscale: { env: ts.env() } });
    await gw.stop();
    expect(ts.calls().at(-1)).toBe("got TERM");
  }, 20_000);

  test("a permission error is retried under sudo -n", async () => {
    const ts = fakeTailscale();
    const gw = await startTestGateway({ config: config("serve"), tailscale: { env: ts.env({ FAKE_TS_DENY: "1" }) } });
    try {
      const calls = ts.calls();
      expect(calls.slice(0, 4)).toEqual(["version", "status --json", "serve status --json", "sudo serve status --json"]);
      expect(calls).toContain(`sudo serve --yes --bg=false ${managedPortOf(calls)}`);
    } finally {
      await gw.stop();
    }
  }, 20_000);

  test("when sudo -n fails too, start-up fails (exit 1) with the operator hint", async () => {
    const ts = fakeTailscale();
    const err = await startTestGateway({ config: config("serve"), tailscale: { env: ts.env({ FAKE_TS_DENY: "1", FAKE_SUDO_FAIL: "1" }) } }).catch((e) => e);
    expect(err).toBeInstanceOf(GatewayStartError);
    expect(err.exitCode).toBe(1);
    expect(err.message).toStartWith("[tailscale] serve failed:");
    expect(err.message).toContain("sudo tailscale set --operator=$USER");
  }, 20_000);

  test("no tailscale binary: fails closed with exit 1 and the ENOENT of serve status", async () => {
    const ts = fakeTailscale({ withTailscale: false });
    const err = await startTestGateway({ config: config("serve"), tailscale: { env: ts.env() } }).catch((e) => e);
    expect(err).toBeInstanceOf(GatewayStartError);
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe("[tailscale] serve failed: Command failed with ENOENT: tailscale serve status --json spawn tailscale ENOENT");
  }, 20_000);

  test("funnel needs password auth (exit 78); with it, the claim is `funnel`", async () => {
    const ts = fakeTailscale();
    const err = await startTestGateway({ config: config("funnel"), tailscale: { env: ts.env() } }).catch((e) => e);
    expect(err.exitCode).toBe(78);
    expect(err.message).toBe("tailscale funnel requires gateway auth mode=password (set gateway.auth.password or OPENCLAW_GATEWAY_PASSWORD)");
    expect(ts.calls()).toEqual([]);
    const gw = await startTestGateway({ config: config("funnel"), auth: { mode: "password", password: "pw" }, tailscale: { env: ts.env() } });
    try {
      const port = managedPortOf(ts.calls());
      expect(ts.calls()).toContain(`funnel --yes --bg=false ${port}`);
      // Funnel callers are the internet: a Serve identity header is never an identity there.
      const res = await deviceConnect(port, SERVE_HEADERS);
      expect(res.error?.details.code).toBe("AUTH_PASSWORD_MISSING");
      expect(ts.calls().some((c) => c.startsWith("whois"))).toBe(false);
    } finally {
      await gw.stop();
    }
  }, 20_000);

  test("a legacy root route to the gateway port is removed before the claim", async () => {
    const ts = fakeTailscale();
    ts.setServeStatus({ Web: { [`${TS_HOST}:443`]: { Handlers: { "/": { Proxy: "http://127.0.0.1:18789" } } } } });
    const lines: string[] = [];
    const route = await claimRoute({
      mode: "serve", binary: "tailscale", managedPort: 40123, gatewayPort: 18789, env: ts.env(),
      log: { info: (m) => lines.push(m), warn: (m) => lines.push(m) },
    });
    await route.release();
    expect(ts.calls()).toEqual([
      "version", "status --json", "serve status --json", "serve --yes --https=443 --set-path=/ off", "serve --yes --bg=false 40123", "status --json", "got TERM",
    ]);
    expect(route.url).toBe(`https://${TS_HOST}/`);
    expect(lines.join("\n")).toContain("route adopted from a previous OpenClaw release");
    expect(lines.join("\n")).toContain(`serve enabled: https://${TS_HOST}/ (WS via wss://${TS_HOST})`);
  }, 20_000);
});
