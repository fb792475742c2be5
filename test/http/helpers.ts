// Builds an HTTP app over FakeAgents with an explicit config, and reads its SSE streams back.
import type { OpenClawConfig } from "../../src/config/schema.ts";
import type { AuthConfig } from "../../src/gateway/auth.ts";
import { createHttpApp } from "../../src/http/app.ts";
import { FakeAgents } from "./fake-agents.ts";

export const TOKEN = "http-test-token";

export interface TestAppOptions {
  config?: OpenClawConfig;
  auth?: AuthConfig;
  agents?: FakeAgents;
  draining?: boolean;
}

/** Both OpenAI endpoints on and token auth, unless the test says otherwise. */
export const OPEN_CONFIG: OpenClawConfig = {
  gateway: { mode: "local", http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: true } } } },
  agents: { defaults: { memorySearch: { provider: "stub", model: "embed" } } },
};

export function testApp(opts: TestAppOptions = {}) {
  const agents = opts.agents ?? new FakeAgents();
  const state = { config: opts.config ?? OPEN_CONFIG, auth: opts.auth ?? ({ mode: "token", token: TOKEN } as AuthConfig), draining: !!opts.draining };
  const errors: unknown[] = [];
  const app = createHttpApp({
    config: () => state.config,
    auth: () => state.auth,
    agents,
    uptimeMs: () => 5,
    isDraining: () => state.draining,
    onError: (err) => errors.push(err),
  });
  /** Sends with the bearer token unless `headers.authorization` is given (null drops it). */
  const request = (path: string, init: RequestInit & { ip?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has("authorization")) headers.set("authorization", `Bearer ${TOKEN}`);
    if (headers.get("authorization") === "none") headers.delete("authorization");
    const ip = init.ip ?? "203.0.113.9";
    return app.request(path, { ...init, headers }, { server: { requestIP: () => ({ address: ip }) } });
  };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers });
  return { app, agents, state, errors, request, post };
}

export interface SseFrame {
  event?: string;
  data: string;
}

export function parseSse(text: string): SseFrame[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const frame: SseFrame = { data: "" };
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) frame.event = line.slice(7);
        else if (line.startsWith("data: ")) frame.data += line.slice(6);
        else throw new Error(`unexpected SSE line: ${JSON.stringify(line)}`);
      }
      return frame;
    });
}

export const json = (frames: SseFrame[]) => frames.filter((f) => f.data !== "[DONE]").map((f) => JSON.parse(f.data));
