// GET /metrics: behind the gateway's HTTP auth, valid Prometheus text, and every family counts what
// happened on this gateway (and nothing a client can choose ends up as a label value).
import { afterAll, describe, expect, test } from "bun:test";
import type { Provider, StreamEvent } from "../../src/agents/providers/types.ts";
import { ProviderError } from "../../src/agents/providers/types.ts";
import { METRICS } from "../../src/metrics/catalog.ts";
import { GatewayMetrics } from "../../src/metrics/gateway-metrics.ts";
import { FakeAgents } from "../http/fake-agents.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { rawUpgrade } from "../fixtures/raw-upgrade.ts";
import { RawClient } from "../fixtures/ws-client.ts";

let g: TestGateway;
afterAll(async () => {
  await g?.stop();
});

async function scrape(token: string | null = TEST_TOKEN): Promise<Response> {
  return fetch(`http://127.0.0.1:${g.port}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

/** The value of one series, e.g. value(text, 'openclaw_ws_requests_total{method="health",code="ok"}'). */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("GET /metrics on a running gateway", () => {
  test("needs the gateway's credential", async () => {
    g = await startTestGateway({
      agents: new FakeAgents(),
      config: { gateway: { mode: "local", http: { endpoints: { chatCompletions: { enabled: true } } }, handshake: { maxPendingPerAddress: 1 } } },
    });
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape("wrong")).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  test("counts handshakes, requests, events, refusals, HTTP requests and agent runs", async () => {
    const c = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin"], clientId: "openclaw-control-ui", mode: "ui" });
    expect((await c.request("health")).ok).toBe(true);
    expect((await c.request("health")).ok).toBe(true);
    expect((await c.request("no.such.method-1234")).ok).toBe(false);
    await expect(RawClient.connect(g.url, { token: "wrong-token-000000000" })).rejects.toThrow();
    const held = await rawUpgrade(g.port, { localAddress: "127.0.0.9" });
    const refused = await rawUpgrade(g.port, { localAddress: "127.0.0.9" });
    expect(refused.status).toBe(503);
    const chat = await fetch(`http://127.0.0.1:${g.port}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(chat.status).toBe(200);

    const text = await (await scrape()).text();
    expect(value(text, 'openclaw_ws_handshakes_total{result="ok",code=""}')).toBe(1);
    expect(value(text, 'openclaw_ws_handshakes_total{result="error",code="AUTH_TOKEN_MISMATCH"}')).toBe(1);
    expect(value(text, 'openclaw_ws_requests_total{method="health",code="ok"}')).toBe(2);
    // A ui client without a device holds no scopes: authorization runs before the method lookup.
    expect(value(text, 'openclaw_ws_requests_total{method="(unknown)",code="FORBIDDEN"}')).toBe(1);
    expect(text).not.toContain("no.such.method-1234");
    expect(value(text, 'openclaw_ws_request_duration_seconds_count{method="health"}')).toBe(2);
    expect(value(text, 'openclaw_ws_request_duration_seconds_bucket{method="health",le="+Inf"}')).toBe(2);
    expect(value(text, 'openclaw_ws_connections{role="operator",phase="ready"}')).toBe(1);
    expect(value(text, 'openclaw_ws_connections{role="none",phase="pending"}')).toBe(1);
    expect(value(text, 'openclaw_ws_upgrades_refused_total{reason="budget_address"}')).toBe(1);
    expect(value(text, 'openclaw_ws_events_sent_total{event="presence"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'openclaw_http_requests_total{route="/v1/chat/completions",status="200"}')).toBe(1);
    expect(value(text, 'openclaw_http_requests_total{route="/metrics",status="401"}')).toBe(2);
    expect(value(text, 'openclaw_agent_runs_total{outcome="ok"}')).toBe(1);
    expect(value(text, "process_resident_memory_bytes")!).toBeGreaterThan(1_000_000);
    expect(value(text, 'openclaw_event_loop_lag_seconds{quantile="0.99"}')).toBeGreaterThanOrEqual(0);
    held.socket.destroy();
    c.close();
  });

  test("the exposition is well-formed and declares every family of the catalog once", async () => {
    const text = await (await scrape()).text();
    const series = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? -?([0-9.e+-]+|\+Inf|NaN)$/;
    for (const line of text.trimEnd().split("\n")) {
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
      expect(line).toMatch(series);
    }
    for (const decl of Object.values(METRICS)) {
      expect(text.split("\n").filter((l) => l === `# TYPE ${decl.name} ${decl.type}`)).toHaveLength(1);
    }
  });
});

describe("the provider seam", () => {
  function provider(events: StreamEvent[], fail?: ProviderError): Provider {
    return {
      id: "stub",
      api: "openai-completions",
      async *stream() {
        for (const e of events) yield e;
        if (fail) throw fail;
      },
    };
  }

  test("streams are timed by provider and outcome, to their first and last event", async () => {
    const m = new GatewayMetrics();
    const ok = m.instrumentProvider(provider([{ type: "text", delta: "a" } as StreamEvent]));
    for await (const _ of ok.stream({} as never)) {
      // drain
    }
    const bad = m.instrumentProvider(provider([], new ProviderError("rate_limit", "slow down")));
    await expect((async () => {
      for await (const _ of bad.stream({} as never)) {
        // drain
      }
    })()).rejects.toThrow("slow down");
    const text = m.render({ connections: [], eventLoop: { p99Ms: 0, maxMs: 0 }, uptimeSeconds: 0, version: "test" });
    expect(value(text, 'openclaw_provider_request_duration_seconds_count{provider="stub",outcome="ok"}')).toBe(1);
    expect(value(text, 'openclaw_provider_request_duration_seconds_count{provider="stub",outcome="rate_limit"}')).toBe(1);
    expect(value(text, 'openclaw_provider_first_event_seconds_count{provider="stub"}')).toBe(1);
  });
});
