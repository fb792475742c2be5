// The port an in-process restart just released is taken before it can bind again: it retries with
// backoff for its budget, then exits non-zero (never 0, never a hang) so a supervisor restarts it.
import { expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BootInput, Booted } from "../../src/gateway/boot.ts";
import { serve, type ServeControls } from "../../src/gateway/serve.ts";
import { tempDir } from "../fixtures/gateway.ts";

const TOKEN = "rebind-token-0123456789";

function inputFor(dir: string, sink: { text: string; write(s: string): void }): BootInput {
  mkdirSync(join(dir, "state"), { recursive: true });
  const configPath = join(dir, "openclaw.json");
  writeFileSync(configPath, JSON.stringify({ gateway: { mode: "local", reload: { mode: "off" }, auth: { token: TOKEN } } }));
  return {
    env: { OPENCLAW_LOG_DIR: join(dir, "logs") },
    paths: { home: dir, profile: null, isDev: false, stateDir: join(dir, "state"), configPath, configPathSource: "default" },
    flags: { port: "0" },
    allowUnconfigured: false,
    logLevel: "silent",
    stdout: sink,
    stderr: sink,
  };
}

test("a port taken between close and re-bind: bounded retries, then a non-zero exit that says why", async () => {
  const dir = tempDir("rebind-");
  const sink = { text: "", write(s: string) { this.text += s; } };
  const input = inputFor(dir, sink);
  let controls!: ServeControls;
  let booted!: Booted;
  let holder: { stop(force?: boolean): void } | undefined;
  let boots = 0;
  const exit = serve(input, undefined, {
    out: sink,
    rebindBudgetMs: 700,
    onBooted: (b, c) => {
      booted = b;
      controls = c;
      boots++;
    },
    beforeRebind: () => {
      holder = Bun.listen({ hostname: "127.0.0.1", port: booted.gateway.port, socket: { data() {} } });
    },
  });
  try {
    await waitFor(() => boots === 1);
    const port = booted.gateway.port;
    controls.restart("test");
    const code = await Promise.race([exit, Bun.sleep(20_000).then(() => "hung")]);
    expect(code).toBe(1);
    expect(boots).toBe(1);
    expect(sink.text).toContain(`port ${port} is still taken by another process`);
    expect(sink.text).toContain("exiting so the supervisor can start the gateway again");
  } finally {
    holder?.stop(true);
  }
}, 30_000);

test("a port freed again within the budget: the restart completes on it", async () => {
  const dir = tempDir("rebind-");
  const sink = { text: "", write(s: string) { this.text += s; } };
  const input = inputFor(dir, sink);
  let controls!: ServeControls;
  let booted!: Booted;
  let boots = 0;
  const exit = serve(input, undefined, {
    out: sink,
    rebindBudgetMs: 20_000,
    onBooted: (b, c) => {
      booted = b;
      controls = c;
      boots++;
    },
    beforeRebind: () => {
      const holder = Bun.listen({ hostname: "127.0.0.1", port: booted.gateway.port, socket: { data() {} } });
      setTimeout(() => holder.stop(true), 300);
    },
  });
  await waitFor(() => boots === 1);
  const port = booted.gateway.port;
  controls.restart("test");
  await waitFor(() => boots === 2, 20_000);
  expect(booted.gateway.port).toBe(port);
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(res.status).toBe(200);
  process.emit("SIGTERM" as never);
  expect(await exit).toBe(0);
}, 30_000);

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
}
