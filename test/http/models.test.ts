import { describe, expect, test } from "bun:test";
import { parseAgentModel } from "../../src/http/agent-target.ts";
import { testApp } from "./helpers.ts";

const model = (id: string) => ({ id, object: "model", created: 0, owned_by: "openclaw", permission: [] });
const err = (message: string) => ({ error: { message, type: "invalid_request_error" } });

describe("GET /v1/models", () => {
  test("lists openclaw, openclaw/default, then each agent", async () => {
    const { request } = testApp();
    const res = await request("/v1/models");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toEqual({
      object: "list",
      data: [model("openclaw"), model("openclaw/default"), model("openclaw/main"), model("openclaw/research")],
    });
  });
});

describe("GET /v1/models/{id}", () => {
  const { request } = testApp();
  test.each([
    ["openclaw", 200, model("openclaw")],
    ["openclaw/default", 200, model("openclaw/default")],
    ["openclaw%2Fdefault", 200, model("openclaw/default")],
    ["openclaw%2fmain", 200, model("openclaw/main")],
    ["openclaw/research", 200, model("openclaw/research")],
    ["OpenClaw/Default", 200, model("OpenClaw/Default")],
    ["", 400, err("Missing model id.")],
    ["%E0%A4%A", 400, err("Invalid model id encoding.")],
    ["nope", 400, err("Invalid model id.")],
    ["stub/stub-model", 400, err("Invalid model id.")],
    ["openclaw/bad%20id", 400, err("Invalid model id.")],
    ["openclaw/nope", 404, err("Model 'openclaw/nope' not found.")],
    ["openclaw:main", 404, err("Model 'openclaw:main' not found.")],
    ["agent:main", 404, err("Model 'agent:main' not found.")],
  ])("%p → %d", async (id, status, body) => {
    const res = await request(`/v1/models/${id}`);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual(body);
  });
});

describe("agent model syntax", () => {
  test.each([
    ["openclaw", { kind: "default" }],
    ["OPENCLAW/DEFAULT", { kind: "default" }],
    ["openclaw/Main", { kind: "agent", agentId: "main", form: "slash" }],
    ["openclaw:ops-1", { kind: "agent", agentId: "ops-1", form: "colon" }],
    ["agent:x_y", { kind: "agent", agentId: "x_y", form: "agent" }],
    ["openclaw/", undefined],
    ["openclaw/-x", undefined],
    [`openclaw/${"a".repeat(65)}`, undefined],
    ["gpt-4o", undefined],
  ])("%p", (input, expected) => {
    expect(parseAgentModel(input)).toEqual(expected as never);
  });
});
