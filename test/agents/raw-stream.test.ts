// --raw-stream at the agent runtime: every provider event of a turn reaches onRawEvent, and the
// file written from it never holds the gateway token or a provider API key.
import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AgentRuntime } from "../../src/agents/runtime.ts";
import { SessionStore } from "../../src/agents/sessions.ts";
import { collectSecrets } from "../../src/config/redact.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createRawStreamWriter } from "../../src/logging/raw-stream.ts";
import { createRedactor } from "../../src/logging/redact.ts";
import { fakeProvider } from "../fixtures/fake-provider.ts";
import { tempDir } from "../fixtures/gateway.ts";

const TOKEN = "gateway-token-abcdef0123456789";
const API_KEY = "sk-live-provider-0123456789abcdef";
const config: OpenClawConfig = {
  gateway: { mode: "local", auth: { token: TOKEN } },
  models: { providers: { fake: { baseUrl: "http://127.0.0.1:9/v1", apiKey: API_KEY, api: "openai-completions", models: [{ id: "echo", name: "Echo" }] } } },
  agents: { defaults: { model: "fake/echo" } },
};

const stores: SessionStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function runtime(onRawEvent?: ConstructorParameters<typeof AgentRuntime>[0]["onRawEvent"]) {
  const provider = fakeProvider("fake");
  const store = SessionStore.open(join(tempDir("raw-agent-"), "sessions.sqlite"));
  stores.push(store);
  const agents = new AgentRuntime({
    config, store, logger: createLogger({ file: null, consoleLevel: "silent" }),
    providerFactory: (id) => (id === "fake" ? provider : undefined), onRawEvent,
  });
  return agents;
}

test("onRawEvent sees every provider event of the turn, in order, with runId, provider and model", async () => {
  const seen: unknown[] = [];
  const agents = runtime((e) => seen.push(e));
  const r = await agents.runTurn({ agentId: "main", sessionKey: "agent:main:raw", message: "one two [tool:lookup]", runId: "run-1" });
  expect(r.text).toBe("echo: one two [tool:lookup]");
  expect(seen).toEqual([
    { runId: "run-1", provider: "fake", model: "echo", event: { type: "text", delta: "echo:" } },
    { runId: "run-1", provider: "fake", model: "echo", event: { type: "text", delta: " one" } },
    { runId: "run-1", provider: "fake", model: "echo", event: { type: "text", delta: " two" } },
    { runId: "run-1", provider: "fake", model: "echo", event: { type: "text", delta: " [tool:lookup]" } },
    { runId: "run-1", provider: "fake", model: "echo", event: { type: "tool_call", call: { id: "call_1", name: "lookup", arguments: "{}" } } },
    { runId: "run-1", provider: "fake", model: "echo", event: { type: "finish", reason: "tool_calls", usage: expect.any(Object) } },
  ]);
});

test("a raw-stream line never contains the gateway token or a provider apiKey, even when the model echoes them", async () => {
  const path = join(tempDir("raw-agent-"), "logs/raw-stream.jsonl");
  // The same secret set the gateway's logger masks: its own token plus every secret-bearing config value.
  const secrets = [TOKEN, ...collectSecrets(config)];
  const writer = createRawStreamWriter({ path, redactor: createRedactor({ secrets: () => secrets }) });
  const agents = runtime((e) => writer.write(e));
  await agents.runTurn({ agentId: "main", sessionKey: "agent:main:raw", message: `token=${TOKEN} key ${API_KEY}`, runId: "run-2" });
  const text = readFileSync(path, "utf8");
  const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
  expect(lines.length).toBe(5);
  expect(lines.every((l) => l.runId === "run-2" && l.provider === "fake" && l.model === "echo" && typeof l.ts === "number")).toBe(true);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(API_KEY);
  expect(lines.map((l) => l.event.delta ?? "").join("")).toContain("gatewa…6789");
});
