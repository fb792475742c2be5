// Builds an HTTP app over FakeAgents with an explicit config, and reads its SSE streams back.
import type { OpenClawConfig } from "../../src/config/schema.ts";
import type { AuthConfig } from "../../src/gateway/auth.ts";
import type { AgentService } from "../../src/agents/types.ts";
import { createHttpApp, type HttpDeps } from "../../src/http/app.ts";
import { FakeAgents } from "./fake-agents.ts";

export const TOKEN = "http-test-token";

export interface TestAppOptions {
  config?: OpenClawConfig;
  auth?: AuthConfig;
  agents?: AgentService;
  draining?: boolean;
  /** What the gateway hands the hook routes. */
  hooks?: HttpDeps["hooks"];
  /** The bearer token requests carry unless they bring their own credentials. */
  bearer?: string;
  /** The peer address requests come from unless they say. */
  ip?: string;
}

/** Both OpenAI endpoints on and token auth, unless the test says otherwise. */
export const OPEN_CONFIG: OpenClawConfig = {
  gateway: { mode: "local", http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: true } } } },
  agents: { defaults: { memorySearch: { provider: "stub", model: "embed" } } },
};

export function testApp(opts: TestAppOptions = {}) {
  // Typed as the fake: a test that injects its own agents reads only what it injected.
  const agents = (opts.agents ?? new FakeAgents()) as FakeAgents;
  const state = { config: opts.config ?? OPEN_CONFIG, auth: opts.auth ?? ({ mode: "token", token: TOKEN } as AuthConfig), draining: !!opts.draining };
  const errors: unknown[] = [];
  const app = createHttpApp({
    config: () => state.config,
    auth: () => state.auth,
    agents,
    uptimeMs: () => 5,
    isDraining: () => state.draining,
    onError: (err) => errors.push(err),
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
  });
  const bearer = opts.bearer ?? TOKEN;
  /** Sends with the bearer token unless the request brings credentials (`authorization: "none"` drops it). */
  const request = (path: string, init: RequestInit & { ip?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has("authorization") && !headers.has("x-openclaw-token")) headers.set("authorization", `Bearer ${bearer}`);
    if (headers.get("authorization") === "none") headers.delete("authorization");
    const ip = init.ip ?? opts.ip ?? "203.0.113.9";
    return app.request(path, { ...init, headers }, { server: { requestIP: () => ({ address: ip }) } });
  };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}, ip?: string) =>
    request(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers, ...(ip ? { ip } : {}) });
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
