// `openclaw agent` spawned for real against an in-process gateway whose agent runs on the fake provider.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { join, resolve } from "node:path";
import { startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { tempDir, TEST_TOKEN } from "../fixtures/gateway.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const MAIN = join(resolve(import.meta.dir, "../.."), "src/main.ts");
let gw: AgentTestGateway;
beforeAll(async () => {
  gw = await startAgentGateway();
});
afterAll(() => gw.stop());

async function agentCli(args: string[]) {
  const proc = Bun.spawn([process.execPath, MAIN, "agent", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: tempDir("agent-home-"), NO_COLOR: "1", OPENCLAW_GATEWAY_URL: gw.url, OPENCLAW_GATEWAY_TOKEN: TEST_TOKEN },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

test("prints the streamed reply and exits 0; the turn lands in the named session", async () => {
  const r = await agentCli(["--message", "hello from the cli", "--session", "cli-demo"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe("echo: hello from the cli\n");
  const h = gw.store.history("agent:main:cli-demo");
  expect(h.messages.map((m) => m.content)).toEqual(["hello from the cli", "echo: hello from the cli"]);
});

test("--json prints the final result", async () => {
  const r = await agentCli(["-m", "as json", "--json"]);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out).toMatchObject({ status: "ok", result: { payloads: [{ text: "echo: as json" }] } });
});

test("a provider failure prints the code and message and exits 1", async () => {
  const r = await agentCli(["-m", "no [fail:upstream]"]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("Agent failed: UNAVAILABLE: provider fake: scripted upstream");
});

test("an unknown agent is refused", async () => {
  const r = await agentCli(["-m", "x", "--agent", "ghost"]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("unknown agent: ghost");
});
