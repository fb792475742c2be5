// What every hook request goes through before its handler (http.md §8): the switch, the query-token
// refusal, the method, the hook token (never the gateway's), the bare base path, the body.
import { describe, expect, test } from "bun:test";
import { GATEWAY_TOKEN, HOOK_TOKEN, hookApp } from "./helpers.ts";
import { QUERY_TOKEN_MESSAGE } from "../../../src/http/hooks/routes.ts";

const TEXT = "text/plain; charset=utf-8";
const JSON_TYPE = "application/json; charset=utf-8";

async function expectText(res: Response, status: number, body: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe(TEXT);
  expect(await res.text()).toBe(body);
}

describe("hooks off", () => {
  test("every hook path is a plain 404, whatever the method, token or query", async () => {
    const t = hookApp({ hooks: { enabled: false } });
    for (const path of ["/hooks", "/hooks/wake", "/hooks/agent", "/hooks/github", "/hooks/wake?token=x"]) {
      await expectText(await t.post(path, { text: "x" }), 404, "Not Found");
      await expectText(await t.request(path), 404, "Not Found");
    }
    expect(t.systemEvents).toEqual([]);
  });

  test("the section without enabled is off; enabling it in the live config serves at once", async () => {
    const t = hookApp({ hooks: { enabled: undefined } });
    expect((await t.post("/hooks/wake", { text: "x" })).status).toBe(404);
    t.state.config = { ...t.state.config, hooks: { enabled: true, token: HOOK_TOKEN } };
    expect((await t.post("/hooks/wake", { text: "x" })).status).toBe(200);
    t.state.config = { ...t.state.config, hooks: { enabled: false, token: HOOK_TOKEN } };
    expect((await t.post("/hooks/wake", { text: "x" })).status).toBe(404);
  });
});

describe("before the token", () => {
  test("?token= is refused with 400 text even with a valid header (and before the method check)", async () => {
    const t = hookApp();
    await expectText(await t.post("/hooks/wake?token=" + HOOK_TOKEN, { text: "x" }), 400, QUERY_TOKEN_MESSAGE);
    await expectText(await t.request("/hooks/agent?a=1&token="), 400, QUERY_TOKEN_MESSAGE);
    expect(t.systemEvents).toEqual([]);
  });

  test("GET is 405 Allow: POST without any credential; so are PUT, DELETE, HEAD", async () => {
    const t = hookApp();
    for (const method of ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const res = await t.request("/hooks/wake", { method, headers: { authorization: "none" } });
      expect(res.headers.get("allow")).toBe("POST");
      await expectText(res, 405, "Method Not Allowed");
    }
    const head = await t.request("/hooks/agent", { method: "HEAD", headers: { authorization: "none" } });
    expect([head.status, head.headers.get("allow")]).toEqual([405, "POST"]);
    expect((await t.request("/hooks/github", { headers: { authorization: "Bearer wrong" } })).status).toBe(405);
  });

  test("a draining gateway refuses hooks with 503", async () => {
    const t = hookApp();
    t.state.draining = true;
    const res = await t.post("/hooks/wake", { text: "x" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
  });
});

describe("the hook token", () => {
  test("missing, wrong, or the gateway token: plain 401 Unauthorized", async () => {
    const t = hookApp();
    const attempts: Record<string, string>[] = [
      { authorization: "none" },
      { authorization: "Bearer wrong" },
      { authorization: `Bearer ${GATEWAY_TOKEN}` },
      { authorization: "none", "x-openclaw-token": GATEWAY_TOKEN },
      { authorization: `Basic ${btoa(`user:${HOOK_TOKEN}`)}` },
      { authorization: "none", "x-api-key": HOOK_TOKEN },
    ];
    for (const headers of attempts) {
      await expectText(await t.post("/hooks/wake", { text: "x" }, headers), 401, "Unauthorized");
    }
    expect(t.systemEvents).toEqual([]);
  });

  test("Bearer or x-openclaw-token; a non-empty Bearer wins over the header", async () => {
    const t = hookApp();
    expect((await t.post("/hooks/wake", { text: "a" }, { authorization: `bearer   ${HOOK_TOKEN}  ` })).status).toBe(200);
    expect((await t.post("/hooks/wake", { text: "b" }, { authorization: "none", "x-openclaw-token": HOOK_TOKEN })).status).toBe(200);
    // An empty Bearer falls back to x-openclaw-token …
    expect((await t.post("/hooks/wake", { text: "c" }, { authorization: "Bearer ", "x-openclaw-token": HOOK_TOKEN })).status).toBe(200);
    // … a wrong one does not.
    expect((await t.post("/hooks/wake", { text: "d" }, { authorization: "Bearer wrong", "x-openclaw-token": HOOK_TOKEN })).status).toBe(401);
  });

  test("with gateway auth none the hook token is still required", async () => {
    const t = hookApp({ auth: { mode: "none" } });
    expect((await t.post("/hooks/wake", { text: "x" }, { authorization: "none" })).status).toBe(401);
    expect((await t.post("/hooks/wake", { text: "x" })).status).toBe(200);
  });

  test("a hook token equal to the gateway token works, with one warning per config", async () => {
    const t = hookApp({ hooks: { token: GATEWAY_TOKEN } });
    expect((await t.post("/hooks/wake", { text: "x" }, { authorization: `Bearer ${GATEWAY_TOKEN}` })).status).toBe(200);
    expect((await t.post("/hooks/wake", { text: "y" }, { authorization: `Bearer ${GATEWAY_TOKEN}` })).status).toBe(200);
    const warnings = t.logs.filter((l) => l.level === "warn" && l.msg.includes("hooks.token is the same as the gateway token"));
    expect(warnings).toHaveLength(1);
    // A distinct token gives no such warning.
    const u = hookApp();
    await u.post("/hooks/wake", { text: "x" });
    expect(u.logs.filter((l) => l.msg.includes("same as the gateway"))).toEqual([]);
  });

  test("the hook token does not open the gateway's API routes", async () => {
    const t = hookApp();
    const res = await t.post("/tools/invoke", { tool: "agents_list" });
    expect(res.status).toBe(401);
  });
});

describe("paths", () => {
  test("the bare base path is 404 after the token; with a wrong token it is 401", async () => {
    const t = hookApp();
    await expectText(await t.post("/hooks", {}), 404, "Not Found");
    await expectText(await t.post("/hooks/", {}), 404, "Not Found");
    await expectText(await t.post("/hooks", {}, { authorization: "Bearer wrong" }), 401, "Unauthorized");
  });

  test("no mappings: any other sub-path is 404", async () => {
    const t = hookApp();
    await expectText(await t.post("/hooks/github", { action: "x" }), 404, "Not Found");
    await expectText(await t.post("/hooks/a/b/c", {}), 404, "Not Found");
  });

  test("hooks.path moves every endpoint; the default path is then not served", async () => {
    const t = hookApp({ hooks: { path: "api/inbound/" } });
    const res = await t.post("/api/inbound/wake", { text: "moved" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, mode: "now", eventOutcome: "queued" });
    expect((await t.post("/api/inbound/agent", { message: "m" })).status).toBe(200);
    await expectText(await t.post("/hooks/wake", { text: "x" }), 404, "Not Found");
    await expectText(await t.post("/api/inbound", {}), 404, "Not Found");
    await expectText(await t.request("/api/inbound/wake"), 405, "Method Not Allowed");
    // The other routes are untouched.
    expect((await t.request("/healthz")).status).toBe(200);
  });
});

describe("the body", () => {
  test("not JSON → 400 {ok:false,error:<parser message>}; Content-Type is not required", async () => {
    const t = hookApp();
    const res = await t.post("/hooks/wake", "{not json");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe(JSON_TYPE);
    const body = (await res.json()) as { ok: boolean; error: unknown };
    expect(body.ok).toBe(false);
    expect(typeof body.error).toBe("string");
    expect(body.error).toMatch(/JSON/);
    const plain = await t.post("/hooks/wake", JSON.stringify({ text: "as text/plain" }), { "content-type": "text/plain" });
    expect(plain.status).toBe(200);
  });

  test("over 256 KiB → 413 {ok:false,error:'payload too large'}, declared or streamed", async () => {
    const t = hookApp();
    const big = JSON.stringify({ text: "x".repeat(300_000) });
    const res = await t.post("/hooks/wake", big);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ ok: false, error: "payload too large" });
    const chunks = [new TextEncoder().encode('{"text":"'), new Uint8Array(270_000).fill(120), new TextEncoder().encode('"}')];
    const stream = new ReadableStream({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const streamed = await t.request("/hooks/wake", { method: "POST", body: stream });
    expect(streamed.status).toBe(413);
    // Just under the limit is fine.
    const fits = await t.post("/hooks/wake", JSON.stringify({ text: "y".repeat(256 * 1024 - 20) }));
    expect(fits.status).toBe(200);
    expect(t.systemEvents).toHaveLength(1);
  });

  test("a body that stops arriving → 408 {ok:false,error:'request body timeout'}", async () => {
    const t = hookApp({ limits: { bodyTimeoutMs: 50 } });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"text":'));
      },
    });
    const res = await t.request("/hooks/wake", { method: "POST", body: stream });
    expect(res.status).toBe(408);
    expect(await res.json()).toEqual({ ok: false, error: "request body timeout" });
  });

  test("an empty body is {}: the handler's own error", async () => {
    const t = hookApp();
    const res = await t.request("/hooks/wake", { method: "POST" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, error: "text required" });
  });

  test("a JSON body that is not an object is read as {}", async () => {
    const t = hookApp();
    for (const body of ["[1,2]", '"text"', "null", "42"]) {
      expect(await (await t.post("/hooks/agent", body)).json()).toEqual({ ok: false, error: "message required" });
    }
  });
});
