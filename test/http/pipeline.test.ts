import { describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { standaloneOpenApiDocument } from "../../src/http/app.ts";
import { FakeAgents } from "./fake-agents.ts";
import { OPEN_CONFIG, testApp } from "./helpers.ts";

const CHAT = { model: "openclaw", messages: [{ role: "user", content: "hi" }] };

describe("every response", () => {
  const { request, post } = testApp();
  test.each([
    ["200", () => request("/v1/models")],
    // Asked for as JSON: an unknown GET that accepts HTML gets the Control UI's app shell.
    ["404", () => request("/nope", { headers: { accept: "application/json" } })],
    ["405", () => request("/v1/models", { method: "POST" })],
    ["401", () => request("/v1/models", { headers: { authorization: "none" } })],
    ["healthz", () => request("/healthz")],
    ["stream", () => post("/v1/chat/completions", { ...CHAT, stream: true })],
  ])("%s carries the security headers", async (_name, send) => {
    const res = await send();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("permissions-policy")).toBe("camera=(), microphone=(self), geolocation=()");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    await res.text();
  });
});

describe("routing", () => {
  const { request } = testApp();
  test.each(["/nope", "/v1/nope", "/v1", "/tools", "/tools/invoke/x"])("%s is a plain-text 404 (asked for as JSON)", async (path) => {
    const res = await request(path, { headers: { accept: "application/json" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe("Not Found");
  });

  test.each([
    ["POST", "/v1/models", "GET"],
    ["HEAD", "/v1/models", "GET"],
    ["OPTIONS", "/v1/models/openclaw", "GET"],
    ["GET", "/v1/chat/completions", "POST"],
    ["PUT", "/v1/responses", "POST"],
    ["GET", "/v1/embeddings", "POST"],
    ["GET", "/tools/invoke", "POST"],
  ])("%s %s → 405 Allow: %s, before auth", async (method, path, allow) => {
    const res = await request(path, { method, headers: { authorization: "none" } });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    if (method !== "HEAD") expect(await res.text()).toBe("Method Not Allowed");
  });

  test("an unhandled exception is a bare plain-text 500", async () => {
    const agents = new FakeAgents();
    agents.listAgents = () => {
      throw new Error("secret detail");
    };
    const t = testApp({ agents });
    const res = await t.request("/v1/models");
    expect(res.status).toBe(500);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toBe("Internal Server Error");
    expect(t.errors).toHaveLength(1);
  });

  test("an Expect header other than 100-continue is 417", async () => {
    const res = await request("/v1/models", { headers: { expect: "something" } });
    expect(res.status).toBe(417);
    expect(await res.text()).toBe("");
  });

  test("a non-websocket Upgrade is 400 with Connection: close", async () => {
    const res = await request("/v1/models", { headers: { upgrade: "h2c" } });
    expect(res.status).toBe(400);
    expect(res.headers.get("connection")).toBe("close");
  });

  test.each(["x-forwarded-for", "x-forwarded-proto", "forwarded", "x-real-ip"])("%s without a trusted proxy is refused (not on /healthz)", async (header) => {
    for (const path of ["/v1/models", "/readyz"]) {
      const res = await request(path, { headers: { [header]: "203.0.113.5" } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe("proxy_attribution_required");
    }
    expect((await request("/healthz", { headers: { [header]: "1.2.3.4" } })).status).toBe(200);
  });

  test("draining refuses user work with 503 gateway_unavailable", async () => {
    const t = testApp({ draining: true });
    const res = await t.post("/v1/chat/completions", CHAT);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({
      error: { message: "Gateway is temporarily unavailable while suspending or restarting", type: "service_unavailable", code: "gateway_unavailable" },
    });
  });
});

describe("request bodies", () => {
  const small: OpenClawConfig = { ...OPEN_CONFIG, gateway: { ...OPEN_CONFIG.gateway, http: { ...OPEN_CONFIG.gateway!.http, maxBodyBytes: 100 } } };

  test("over gateway.http.maxBodyBytes by Content-Length → 413, Connection: close", async () => {
    const { post } = testApp({ config: small });
    const res = await post("/v1/chat/completions", { ...CHAT, pad: "x".repeat(200) });
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
    expect(await res.json()).toEqual({ error: { message: "Payload too large", type: "invalid_request_error" } });
  });

  test("a declared Content-Length over the limit is refused without reading the body", async () => {
    const { request } = testApp({ config: small });
    const body = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(10)); } }); // never closes
    const res = await request("/v1/chat/completions", { method: "POST", body, duplex: "half", headers: { "content-length": "1000000" } } as RequestInit);
    expect(res.status).toBe(413);
  });

  test("a chunked body is counted while it is read", async () => {
    const { request, agents } = testApp({ config: small });
    const chunk = new TextEncoder().encode(" ".repeat(60));
    const body = new ReadableStream({
      start(c) {
        c.enqueue(chunk);
        c.enqueue(chunk);
        c.close();
      },
    });
    const res = await request("/v1/chat/completions", { method: "POST", body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(agents.turns).toHaveLength(0);
  });

  test.each([
    ["/v1/embeddings", 5 * 1024 * 1024],
    ["/tools/invoke", 2 * 1024 * 1024],
  ])("%s has its own %d-byte limit", async (path, limit) => {
    const { post } = testApp();
    expect((await post(path, { pad: "x".repeat(limit) })).status).toBe(413);
    expect((await post(path, { pad: "x".repeat(limit - 100) })).status).not.toBe(413);
  });

  test("401 wins over 413", async () => {
    const { request } = testApp({ config: small });
    const res = await request("/tools/invoke", { method: "POST", body: "x".repeat(3 * 1024 * 1024), headers: { authorization: "none" } });
    expect(res.status).toBe(401);
  });

  test.each(["{bad", "[1,", '{"a":}'])("bad JSON %p → 400 with the JSON.parse message", async (raw) => {
    const { post } = testApp();
    let message = "";
    try {
      JSON.parse(raw);
    } catch (err) {
      message = (err as Error).message;
    }
    const res = await post("/v1/chat/completions", raw);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message, type: "invalid_request_error" } });
  });

  test("an empty body is {} and Content-Type is not required", async () => {
    const { request } = testApp();
    const empty = await request("/v1/chat/completions", { method: "POST" });
    expect(await empty.json()).toEqual({ error: { message: "Missing user message in `messages`.", type: "invalid_request_error" } });
    const plain = await request("/v1/chat/completions", { method: "POST", body: JSON.stringify(CHAT), headers: { "content-type": "text/plain" } });
    expect(plain.status).toBe(200);
  });
});

describe("endpoint switches (read per request)", () => {
  const cfg = (chatCompletions: boolean, responses: boolean): OpenClawConfig => ({
    ...OPEN_CONFIG,
    gateway: { mode: "local", http: { endpoints: { chatCompletions: { enabled: chatCompletions }, responses: { enabled: responses } } } },
  });
  const paths: [string, string, unknown][] = [
    ["GET", "/v1/models", undefined],
    ["GET", "/v1/models/openclaw", undefined],
    ["POST", "/v1/embeddings", { model: "openclaw", input: "x" }],
    ["POST", "/v1/chat/completions", CHAT],
    ["POST", "/v1/responses", { model: "openclaw", input: "hi" }],
  ];
  test.each([
    [false, false, [404, 404, 404, 404, 404]],
    [true, false, [200, 200, 200, 200, 404]],
    [false, true, [200, 200, 200, 404, 200]],
    [true, true, [200, 200, 200, 200, 200]],
  ])("chat=%p responses=%p", async (chat, responses, expected) => {
    const t = testApp({ config: OPEN_CONFIG });
    t.state.config = cfg(chat, responses);
    for (const [i, [method, path, body]] of paths.entries()) {
      const res = await t.request(path, { method, body: body === undefined ? null : JSON.stringify(body) });
      expect([path, res.status]).toEqual([path, expected[i]!]);
      if (res.status === 404) expect(await res.text()).toBe("Not Found");
    }
  });

  test("/tools/invoke is always on", async () => {
    const t = testApp({ config: { gateway: { mode: "local" } } });
    expect((await t.post("/tools/invoke", { tool: "agents_list" })).status).toBe(200);
  });

  test("a disabled endpoint is 404 before the method check and auth", async () => {
    const t = testApp({ config: { gateway: { mode: "local" } } });
    expect((await t.request("/v1/models", { method: "POST", headers: { authorization: "none" } })).status).toBe(404);
  });
});

describe("/openapi.json", () => {
  test("documents every route with its request and response schemas", async () => {
    const { request } = testApp();
    const doc = (await (await request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths).sort()).toEqual(
      ["/health", "/healthz", "/hooks/agent", "/hooks/wake", "/hooks/{name}", "/metrics", "/ready", "/readyz", "/tools/invoke", "/v1/chat/completions", "/v1/embeddings", "/v1/models", "/v1/models/{id}", "/v1/responses"].sort(),
    );
    expect(Object.keys(doc.paths["/v1/models"]!)).toEqual(["get"]);
    const refs: Record<string, string> = {
      "/v1/chat/completions": "ChatCompletionRequest",
      "/v1/responses": "ResponsesRequest",
      "/v1/embeddings": "EmbeddingsRequest",
      "/tools/invoke": "ToolsInvokeRequest",
    };
    for (const [path, name] of Object.entries(refs)) {
      expect(doc.paths[path]!.post!.requestBody!.content["application/json"]!.schema.$ref).toBe(`#/components/schemas/${name}`);
      expect(doc.components.schemas[name]).toBeDefined();
    }
    for (const name of ["Model", "ModelList", "ChatCompletion", "ChatCompletionChunk", "Response", "EmbeddingsResponse", "ToolsInvokeResult", "Error", "GatewayError"]) {
      expect(doc.components.schemas[name]).toBeDefined();
    }
  });
});

describe("standaloneOpenApiDocument", () => {
  test("builds the same document without a gateway", async () => {
    const { request } = testApp();
    const served = await (await request("/openapi.json")).json();
    expect(standaloneOpenApiDocument()).toEqual(served as never);
  });
});
