// The port an in-process restart just released is taken before it can bind again: it retries with
// backoff for its budget, then exits non-zero (never 0, never a hang) so a supervisor restarts it.
import { expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Booted } from "../../src/gateway/boot.ts";
import { serve, type ServeControls } from "../../src/gateway/serve.ts";
import { tempDir } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";

const TOKEN = "rebind-token-0123456789";

/**
 * `gateway run` in this process on a fresh state dir; `takePort` runs between the old listener's
 * close and the new bind, with the port that was just released.
 */
async function serveWith(rebindBudgetMs: number, takePort: (port: number) => void) {
  const dir = tempDir("rebind-");
  const sink = { text: "", write(s: string) { this.text += s; } };
  mkdirSync(join(dir, "state"), { recursive: true });
  const configPath = join(dir, "openclaw.json");
  writeFileSync(configPath, JSON.stringify({ gateway: { mode: "local", reload: { mode: "off" }, auth: { token: TOKEN } } }));
  const state: { booted?: Booted; controls?: ServeControls; boots: number } = { boots: 0 };
  const exit = serve(
    {
      env: { OPENCLAW_LOG_DIR: join(dir, "logs") },
      paths: { home: dir, profile: null, isDev: false, stateDir: join(dir, "state"), configPath, configPathSource: "default" },
      flags: { port: "0" },
      allowUnconfigured: false,
      logLevel: "silent",
      stdout: sink,
      stderr: sink,
    },
    undefined,
    {
      out: sink,
      rebindBudgetMs,
      onBooted: (b, c) => {
        state.booted = b;
        state.controls = c;
        state.boots++;
      },
      beforeRebind: () => takePort(state.booted!.gateway.port),
    },
  );
  await waitUntil(() => state.boots === 1, "the first boot");
  return { exit, sink, state, port: state.booted!.gateway.port };
}

test("a port taken between close and re-bind: bounded retries, then a non-zero exit that says why", async () => {
  let holder: { stop(force?: boolean): void } | undefined;
  const { exit, sink, state, port } = await serveWith(700, (p) => {
    holder = Bun.listen({ hostname: "127.0.0.1", port: p, socket: { data() {} } });
  });
  try {
    state.controls!.restart("test");
    const code = await Promise.race([exit, Bun.sleep(20_000).then(() => "hung")]);
    expect(code).toBe(1);
    expect(state.boots).toBe(1);
    expect(sink.text).toContain(`port ${port} is still taken by another process`);
    expect(sink.text).toContain("exiting so the supervisor can start the gateway again");
  } finally {
    holder?.stop(true);
  }
}, 30_000);

test("a port freed again within the budget: the restart completes on it", async () => {
  const { exit, state, port } = await serveWith(20_000, (p) => {
    const holder = Bun.listen({ hostname: "127.0.0.1", port: p, socket: { data() {} } });
    setTimeout(() => holder.stop(true), 300);
  });
  state.controls!.restart("test");
  await waitUntil(() => state.boots === 2, "the restarted boot", { timeoutMs: 20_000 });
  expect(state.booted!.gateway.port).toBe(port);
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  process.emit("SIGTERM" as never);
  expect(await exit).toBe(0);
}, 30_000);
