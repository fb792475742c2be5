// hooks.mappings: POST /hooks/<name> → the first matching mapping's wake or agent actions, built
// from {{templates}} over the JSON body (channels.md §7, docs gateway/config-hooks.md).
import { describe, expect, test } from "bun:test";
import type { HookMappingConfig } from "../../../src/config/sections/hooks.ts";
import { lookup, renderTemplate, type TemplateContext } from "../../../src/http/hooks/template.ts";
import { hookApp, UUID } from "./helpers.ts";

type Body = Record<string, any>;
const json = async (res: Response) => [res.status, (await res.json()) as Body] as const;
const withMappings = (mappings: HookMappingConfig[], more: Record<string, unknown> = {}) => hookApp({ hooks: { mappings, ...more } });
/** The hook's content inside the untrusted-content frame. */
const content = (message: string) => /----- BEGIN [^\n]*\n([\s\S]*)\n----- END /.exec(message)?.[1];

describe("templates", () => {
  const ctx: TemplateContext = {
    payload: { action: "opened", repository: { name: "gw", topics: ["a", "b"] }, messages: [{ subject: "hi" }], n: 3, yes: true, none: null, obj: { k: 1 } },
    headers: { "x-event-type": "push" },
    query: { kind: "ci" },
    path: "github",
  };

  test("paths, indexes, headers, query, path, now; missing and null are empty; objects are JSON", () => {
    expect(renderTemplate("GitHub event {{action}} on {{repository.name}}", ctx)).toBe("GitHub event opened on gw");
    expect(renderTemplate("{{payload.repository.topics[1]}} {{messages[0].subject}} {{ n }} {{yes}}", ctx)).toBe("b hi 3 true");
    expect(renderTemplate("{{headers.x-event-type}}/{{query.kind}}/{{path}}", ctx)).toBe("push/ci/github");
    expect(renderTemplate("[{{missing}}][{{none}}][{{repository.name.deeper}}][{{messages[5].subject}}]", ctx)).toBe("[][][][]");
    expect(renderTemplate("{{obj}} {{repository.topics}}", ctx)).toBe('{"k":1} ["a","b"]');
    expect(renderTemplate("{{now}}", ctx)).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(renderTemplate("no template {single}", ctx)).toBe("no template {single}");
  });

  test("only own properties, never the prototype chain", () => {
    const payload = JSON.parse('{"__proto__":{"polluted":"yes"},"a":{}}');
    expect(lookup(payload, "__proto__.polluted")).toBeUndefined();
    expect(lookup(payload, "a.constructor")).toBeUndefined();
    expect(lookup(payload, "a.toString")).toBeUndefined();
    expect(lookup({ a: [1] }, "a.length")).toBe(1);
    expect(renderTemplate("{{constructor}}{{a.hasOwnProperty}}", { ...ctx, payload })).toBe("");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("POST /hooks/<name>", () => {
  test("an agent mapping renders messageTemplate and answers {ok, runId}", async () => {
    const t = withMappings([{ id: "gh", match: { path: "github" }, action: "agent", messageTemplate: "GitHub event {{action}} on {{repository.name}}", name: "GitHub {{action}}" }]);
    const [status, body] = await json(await t.post("/hooks/github", { action: "opened", repository: { name: "gw" } }));
    expect([status, Object.keys(body)]).toEqual([200, ["ok", "runId"]]);
    expect(body.runId).toMatch(UUID);
    const turn = t.agents.lastTurn;
    expect(content(turn.message)).toBe("GitHub event opened on gw");
    expect(turn.message).toContain("Task: GitHub opened\n");
    expect(turn.sessionKey).toBe(`agent:main:hook:${body.runId}`);
  });

  test("a wake mapping queues textTemplate: {ok, mode, eventOutcome}", async () => {
    const t = withMappings([{ match: { path: "ping" }, action: "wake", textTemplate: "ping {{who}}" }]);
    expect(await json(await t.post("/hooks/ping", { who: "ci" }))).toEqual([200, { ok: true, mode: "now", eventOutcome: "queued" }]);
    expect(t.systemEvents[0]).toMatchObject({ text: "ping ci", sessionKey: "agent:main:main" });
    expect(t.agents.turns).toEqual([]);
  });

  test("no match is a plain 404; so is a sub-path when there are no mappings", async () => {
    const t = withMappings([{ match: { path: "github" }, messageTemplate: "x" }]);
    const res = await t.post("/hooks/nomap", {});
    expect([res.status, await res.text()]).toEqual([404, "Not Found"]);
    expect(t.agents.turns).toEqual([]);
  });

  test("the first match wins; match.source compares the payload's source; no match.path matches any path", async () => {
    const t = withMappings([
      { match: { path: "events", source: "stripe" }, action: "wake", textTemplate: "stripe {{type}}" },
      { match: { path: "events" }, action: "wake", textTemplate: "other {{type}}" },
      { action: "wake", textTemplate: "fallback {{path}}" },
    ]);
    await t.post("/hooks/events", { source: "stripe", type: "paid" });
    await t.post("/hooks/events", { source: "github", type: "push" });
    await t.post("/hooks/anything/else", {});
    expect(t.systemEvents.map((e) => e.text)).toEqual(["stripe paid", "other push", "fallback anything/else"]);
  });

  test("sub-paths with slashes match, slashes trimmed on both sides", async () => {
    const t = withMappings([{ match: { path: "/github/push/" }, action: "wake", textTemplate: "pushed" }]);
    expect((await t.post("/hooks/github/push", {})).status).toBe(200);
    expect((await t.post("/hooks/github/push/", {})).status).toBe(200);
    expect((await t.post("/hooks/github", {})).status).toBe(404);
  });

  test("/hooks/wake and /hooks/agent win over mappings with those names", async () => {
    const t = withMappings([{ match: { path: "wake" }, action: "wake", textTemplate: "mapped" }]);
    await t.post("/hooks/wake", { text: "direct" });
    expect(t.systemEvents.map((e) => e.text)).toEqual(["direct"]);
  });

  test.each([
    [{ messageTemplate: "{{missing}}" }, "hook mapping requires message"],
    [{ action: "wake" as const, textTemplate: " {{missing}} " }, "hook mapping requires text"],
    [{ action: "wake" as const, textTemplate: "t", wakeMode: "next-heartbeat" as const, sessionKey: "hook:static" }, "hook mapping sessionKey requires wakeMode=now"],
    [{ messageTemplate: "m", channel: "signal", to: "1" }, "channel must be last|telegram|whatsapp"],
    [{ messageTemplate: "m", sessionMode: "persistent" as const }, "sessionKey or hooks.defaultSessionKey is required when mapped hook sessionMode is persistent"],
  ])("%j → 400 %s", async (mapping, error) => {
    const t = withMappings([{ match: { path: "x" }, ...mapping }]);
    expect(await json(await t.post("/hooks/x", {}))).toEqual([400, { ok: false, error }]);
    expect(t.agents.turns).toEqual([]);
  });

  test("channel + to deliver the reply through the HookDelivery (to is a template)", async () => {
    const t = withMappings([{ match: { path: "github" }, messageTemplate: "GitHub {{action}}", channel: "telegram", to: "{{chat}}" }]);
    t.agents.script.push({ text: "Looked at it." });
    await t.post("/hooks/github", { action: "opened", chat: "424242" });
    const { waitUntil } = await import("../../fixtures/wait.ts");
    await waitUntil(() => t.delivery!.sent.length === 1, "the delivery");
    expect(t.delivery!.sent).toEqual([{ channel: "telegram", to: "424242", text: "Looked at it." }]);
  });

  test('channel "last" (the default) has no resolver: the reply is reported to the main session', async () => {
    const t = withMappings([{ match: { path: "x" }, messageTemplate: "m", to: "1" }]);
    t.agents.script.push({ text: "reported" });
    await t.post("/hooks/x", {});
    const { waitUntil } = await import("../../fixtures/wait.ts");
    await waitUntil(() => t.systemEvents.length === 1, "the completion event");
    expect(t.systemEvents[0]!.text).toContain("reported");
    expect(t.delivery!.sent).toEqual([]);
  });

  test("an unknown mapping agentId falls back to the default agent; allowedAgentIds still applies", async () => {
    const t = withMappings([{ match: { path: "x" }, messageTemplate: "m", agentId: "ghost" }, { match: { path: "r" }, messageTemplate: "m", agentId: "research" }]);
    await t.post("/hooks/x", {});
    expect(t.agents.lastTurn.agentId).toBe("main");
    await t.post("/hooks/r", {});
    expect(t.agents.lastTurn.agentId).toBe("research");
    const u = withMappings([{ match: { path: "x" }, messageTemplate: "m", agentId: "ghost" }], { allowedAgentIds: ["research"] });
    expect(await json(await u.post("/hooks/x", {}))).toEqual([400, { ok: false, error: "agentId is not allowed by hooks.allowedAgentIds" }]);
  });

  test("a static mapping sessionKey needs no opt-in; a templated one needs allowRequestSessionKey", async () => {
    const t = withMappings([{ match: { path: "s" }, messageTemplate: "m", sessionKey: "hook:static", sessionMode: "persistent" }]);
    await t.post("/hooks/s", {});
    expect(t.agents.lastTurn.sessionKey).toBe("agent:main:hook:static");
    const mapping: HookMappingConfig = { match: { path: "t" }, messageTemplate: "m", sessionKey: "hook:gh:{{id}}", sessionMode: "persistent" };
    const off = withMappings([mapping], { allowedSessionKeyPrefixes: ["hook:"] });
    expect((await json(await off.post("/hooks/t", { id: "7" })))[1].error).toMatch(/^sessionKey is disabled/);
    const on = withMappings([mapping], { allowedSessionKeyPrefixes: ["hook:"], allowRequestSessionKey: true });
    await on.post("/hooks/t", { id: "7" });
    expect(on.agents.lastTurn.sessionKey).toBe("agent:main:hook:gh:7");
    const empty = withMappings([{ ...mapping, sessionKey: "{{key}}" }], { allowedSessionKeyPrefixes: ["hook:"], allowRequestSessionKey: true });
    expect(await json(await empty.post("/hooks/t", {}))).toEqual([400, { ok: false, error: "hook mapping sessionKey template rendered empty" }]);
  });

  test("allowUnsafeExternalContent hands the message over unframed", async () => {
    const t = withMappings([{ match: { path: "x" }, messageTemplate: "raw {{a}}", allowUnsafeExternalContent: true }]);
    await t.post("/hooks/x", { a: 1 });
    expect(t.agents.lastTurn.message).toBe("raw 1");
  });

  test("templates never see the hook token", async () => {
    const t = withMappings([{ match: { path: "x" }, messageTemplate: "[{{headers.authorization}}][{{headers.x-openclaw-token}}][{{headers.x-source}}]" }]);
    await t.post("/hooks/x", {}, { "x-source": "ci" });
    expect(content(t.agents.lastTurn.message)).toBe("[][][ci]");
  });

  test("idempotency keys replay mapped agent runs too", async () => {
    const t = withMappings([{ match: { path: "x" }, messageTemplate: "m {{n}}" }]);
    const a = await json(await t.post("/hooks/x", { n: 1 }, { "Idempotency-Key": "k" }));
    expect(await json(await t.post("/hooks/x", { n: 1 }, { "Idempotency-Key": "k" }))).toEqual(a);
    expect(t.agents.turns).toHaveLength(1);
  });
});

describe("forEach fan-out", () => {
  const mapping: HookMappingConfig = { match: { path: "batch" }, forEach: "items", messageTemplate: "item {{items[0].id}}" };

  test("one run per item: {ok, runId, runIds, dispatched}", async () => {
    const t = withMappings([mapping]);
    const [status, body] = await json(await t.post("/hooks/batch", { items: [{ id: 1 }, { id: 2 }, { id: 3 }] }));
    expect(status).toBe(200);
    expect(body).toEqual({ ok: true, runId: body.runIds[0], runIds: body.runIds, dispatched: 3 });
    expect(t.agents.turns.map((turn) => content(turn.message)).sort()).toEqual(["item 1", "item 2", "item 3"]);
  });

  test("a single item keeps the {ok, runId} shape; an empty, missing or non-array value is 204", async () => {
    const t = withMappings([mapping]);
    expect(Object.keys((await json(await t.post("/hooks/batch", { items: [{ id: 1 }] })))[1])).toEqual(["ok", "runId"]);
    for (const payload of [{ items: [] }, {}, { items: "x" }]) {
      const res = await t.post("/hooks/batch", payload);
      expect([res.status, await res.text()]).toEqual([204, ""]);
    }
  });

  test("at most 200 items; the rest are dropped with a warning", async () => {
    const t = withMappings([{ match: { path: "batch" }, forEach: "items", action: "wake", textTemplate: "w {{items[0]}}" }]);
    const items = Array.from({ length: 205 }, (_, i) => i);
    expect((await t.post("/hooks/batch", { items })).status).toBe(200);
    expect(t.systemEvents).toHaveLength(200);
    expect(t.logs.some((l) => l.level === "warn" && l.msg.includes("dropped 5"))).toBe(true);
  });

  test("identical items are separate runs; a retried batch replays them", async () => {
    const t = withMappings([mapping]);
    const first = await json(await t.post("/hooks/batch", { items: [{ id: 1 }, { id: 1 }] }));
    expect(new Set(first[1].runIds).size).toBe(2);
    expect(await json(await t.post("/hooks/batch", { items: [{ id: 1 }, { id: 1 }] }))).toEqual(first);
    expect(t.agents.turns).toHaveLength(2);
  });

  test("items not admitted in time: non-2xx with what was dispatched", async () => {
    const u = hookApp({ hooks: { mappings: [{ ...mapping, sessionKey: "hook:serial" }] }, limits: { fanOutDeadlineMs: 50, admissionTimeoutMs: 300 } });
    u.agents.script.push({ hang: true });
    const [status, body] = await json(await u.post("/hooks/batch", { items: [{ id: 1 }, { id: 2 }] }));
    expect(status).toBe(503);
    expect(body).toEqual({ ok: false, error: "hook fan-out incomplete: 1/2 dispatched, 0 failed, 1 pending", runIds: [expect.stringMatching(UUID)] });
    // The second item still waits behind the first (same logical key): only one turn has started.
    expect(u.agents.turns).toHaveLength(1);
  });
});
