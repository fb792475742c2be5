// A real HTTP listener over the app with the canvas host wired as the gateway wires it.
import { connect } from "node:net";
import { join } from "node:path";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import type { AuthConfig } from "../../../src/gateway/auth.ts";
import { createHttpApp } from "../../../src/http/app.ts";
import { SurfaceCapabilities } from "../../../src/http/canvas/surface.ts";
import { tempDir } from "../../fixtures/gateway.ts";
import { FakeAgents } from "../fake-agents.ts";

export const TOKEN = "canvas-test-token";

export interface CanvasServer {
  dir: string;
  /** The default canvas root under the state dir. */
  root: string;
  url: string;
  caps: SurfaceCapabilities;
  state: { config: OpenClawConfig; auth: AuthConfig };
  /** Fetches with the bearer token unless `auth: false`. */
  get(path: string, init?: RequestInit & { auth?: boolean }): Promise<Response>;
  /** Sends the request line exactly as given (no client-side normalisation) and returns status and body. */
  raw(path: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  stop(): void;
}

export function startCanvasServer(opts: { config?: OpenClawConfig; auth?: AuthConfig; skippedByEnv?: boolean } = {}): CanvasServer {
  const dir = tempDir("canvas-");
  const caps = new SurfaceCapabilities();
  // The Control UI is off: a traversal the URL parser normalises to /secret.txt would get its app shell.
  const state = { config: opts.config ?? { gateway: { mode: "local", controlUi: { enabled: false } } }, auth: opts.auth ?? ({ mode: "token", token: TOKEN } as AuthConfig) };
  const app = createHttpApp({
    config: () => state.config,
    auth: () => state.auth,
    agents: new FakeAgents(),
    uptimeMs: () => 1,
    isDraining: () => false,
    canvas: { stateDir: dir, home: dir, skippedByEnv: opts.skippedByEnv === true, capabilities: caps },
  });
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req, srv) => app.fetch(req, { server: srv }) });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    dir,
    root: join(dir, "canvas", "documents"),
    url,
    caps,
    state,
    get(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.auth !== false && !headers.has("authorization")) headers.set("authorization", `Bearer ${TOKEN}`);
      return fetch(url + path, { ...init, headers, redirect: "manual" });
    },
    raw(path, headers = {}) {
      const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, `Authorization: Bearer ${TOKEN}`, "Connection: close"];
      for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
      return new Promise((resolve, reject) => {
        const sock = connect(server.port!, "127.0.0.1", () => sock.write(lines.join("\r\n") + "\r\n\r\n"));
        let buf = "";
        sock.setEncoding("latin1");
        sock.on("data", (d) => (buf += d));
        sock.on("error", reject);
        sock.on("close", () => {
          const status = Number(buf.slice(9, 12));
          resolve({ status, body: buf.slice(buf.indexOf("\r\n\r\n") + 4) });
        });
      });
    },
    stop: () => server.stop(true),
  };
}
