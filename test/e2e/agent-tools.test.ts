// The tool loop end to end: a gateway in this process that builds its own agent runtime (workspace,
// tool services, approvals) over the real OpenAI-compatible adapter pointed at the stub. Scripted
// turns write and read workspace files, run exec on the gateway host, wait for an operator's
// approval (allow-once, allow-always, deny, no approval client), and the CLI shows the activity.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { startTestGateway, tempDir, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { scriptDirective, type ScriptStep } from "../fixtures/model-script.ts";
import { startOpenAIStub, type OpenAIStub } from "../fixtures/openai-stub.ts";
import { RawClient, type Frame } from "../fixtures/ws-client.ts";

setDefaultTimeout(30_000);

let stub: OpenAIStub;
let full: TestGateway;
let ask: TestGateway;
let fullWorkspace: string;
let n = 0;

function config(workspace: string, extra: Partial<OpenClawConfig> = {}): OpenClawConfig {
  return {
    gateway: { mode: "local" },
    models: { providers: { stub: { baseUrl: stub.baseUrl, apiKey: "sk-stub", api: "openai-completions", timeoutSeconds: 10, maxRetries: 0, models: [{ id: "echo", name: "Echo" }] } } },
    agents: { defaults: { model: { primary: "stub/echo" }, workspace } },
    ...extra,
  };
}

beforeAll(async () => {
  stub = await startOpenAIStub();
  fullWorkspace = join(tempDir("tools-ws-"), "workspace");
  full = await startTestGateway({ config: config(fullWorkspace) });
  ask = await startTestGateway({ config: config(join(tempDir("tools-ws-ask-"), "workspace"), { tools: { exec: { mode: "ask" } } }) });
});

afterAll(async () => {
  await full.stop();
  await ask.stop();
  stub.stop();
});

/** Runs one scripted `agent` turn and returns its final res. */
async function turn(gw: TestGateway, steps: ScriptStep[], client?: RawClient): Promise<Frame> {
  const c = client ?? (await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.write"] }));
  try {
    const key = `e2e-tools-${++n}`;
    const first = await c.request("agent", { message: `task ${scriptDirective(steps)}`, idempotencyKey: key, sessionKey: key });
    if (!first.ok || first.payload?.status !== "accepted") return first;
    return await c.next((f) => f.type === "res" && f.id === first.id, 25_000);
  } finally {
    if (!client) c.close();
  }
}

/** The text the model got back for each tool call of the last request, in call order. */
async function lastToolResults(): Promise<string[]> {
  const reqs = await stub.requests();
  const body = reqs.filter((r) => r.path === "/v1/chat/completions").at(-1)!.body;
  return body.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);
}

describe("gateway tools end to end", () => {
  test("write then read in the seeded workspace; the workspace files are in the system prompt", async () => {
    const res = await turn(full, [
      { calls: [{ name: "write", args: { path: "notes/todo.md", content: "buy milk\n" } }] },
      { calls: [{ name: "read", args: { path: "notes/todo.md" } }, { name: "ls", args: {} }] },
      { text: "noted" },
    ]);
    expect(res.ok).toBe(true);
    expect(res.payload.result.payloads[0].text).toBe("noted");
    expect(readFileSync(join(fullWorkspace, "notes/todo.md"), "utf8")).toBe("buy milk\n");
    for (const f of ["AGENTS.md", "SOUL.md", "IDENTITY.md", "USER.md", "BOOTSTRAP.md"]) expect(existsSync(join(fullWorkspace, f))).toBe(true);
    const results = await lastToolResults();
    expect(results[0]).toBe("Successfully wrote 9 bytes to notes/todo.md");
    expect(results[1]).toContain("buy milk");
    expect(results[2]).toContain('"notes/"');
    const reqs = await stub.requests();
    const sent = reqs.filter((r) => r.path === "/v1/chat/completions").at(-1)!.body;
    expect(sent.messages[0].role).toBe("system");
    expect(sent.messages[0].content).toContain(join(fullWorkspace, "IDENTITY.md"));
    expect(sent.tools.map((t: any) => t.function.name)).toEqual(expect.arrayContaining(["read", "write", "exec", "sessions_list", "message", "web_fetch", "automations"]));
  });

  test("exec runs on the gateway host in the workspace; a non-zero exit is reported", async () => {
    const res = await turn(full, [{ calls: [{ name: "exec", args: { command: "pwd; echo out; exit 3" } }] }, { text: "ran" }]);
    expect(res.payload.result.meta.toolSummary).toMatchObject({ calls: 1, tools: ["exec"], failures: 1 });
    const [text] = await lastToolResults();
    expect(text).toContain(fullWorkspace);
    expect(text).toContain("out");
    expect(text).toContain("(Command exited with code 3)");
  });

  test("ask mode with no approval client: denied at once with the headless text", async () => {
    const res = await turn(ask, [{ calls: [{ name: "exec", args: { command: "echo should-not-run" } }] }, { text: "ok" }]);
    expect(res.ok).toBe(true);
    const [text] = await lastToolResults();
    expect(text).toContain("Headless runs cannot wait for interactive exec approval");
    expect(text).not.toContain("should-not-run\n");
  });

  test("ask mode with an approval client: allow-once runs, deny refuses, allow-always is remembered", async () => {
    const approver = await RawClient.connect(ask.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.approvals"], extra: { caps: ["approvals"] } });
    const runner = await RawClient.connect(ask.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
    try {
      const decide = async (decision: string) => {
        const req = await approver.next((f) => f.event === "exec.approval.requested");
        expect(req.payload.request).toMatchObject({ host: "gateway", security: "allowlist", ask: "on-miss", agentId: "main" });
        const r = await approver.request("exec.approval.resolve", { id: req.payload.id, decision });
        expect(r.ok).toBe(true);
        return req.payload.id as string;
      };
      // allow-once
      let pending = turn(ask, [{ calls: [{ name: "exec", args: { command: "echo approved-once" } }] }, { text: "done" }], runner);
      await decide("allow-once");
      expect((await pending).ok).toBe(true);
      expect((await lastToolResults())[0]).toContain("approved-once");
      expect(runner.events("agent").some((f) => f.payload.stream === "lifecycle" && f.payload.data.phase === "waiting-approval")).toBe(true);
      // deny
      pending = turn(ask, [{ calls: [{ name: "exec", args: { command: "echo denied-cmd" } }] }, { text: "done" }], runner);
      const deniedId = await decide("deny");
      await pending;
      expect((await lastToolResults())[0]).toBe(`Exec denied (gateway id=${deniedId}, user-denied): echo denied-cmd`);
      // allow-always, then the same command runs without asking
      pending = turn(ask, [{ calls: [{ name: "exec", args: { command: "echo always" } }] }, { text: "done" }], runner);
      await decide("allow-always");
      await pending;
      const before = approver.events("exec.approval.requested").length;
      const again = await turn(ask, [{ calls: [{ name: "exec", args: { command: "echo always" } }] }, { text: "done" }], runner);
      expect(again.ok).toBe(true);
      expect((await lastToolResults())[0]).toContain("always");
      expect(approver.events("exec.approval.requested").length).toBe(before);
    } finally {
      approver.close();
      runner.close();
    }
  });

  test("chat.abort while a tool waits for approval: the run ends aborted and the approval closes as deny", async () => {
    const approver = await RawClient.connect(ask.url, { token: TEST_TOKEN, scopes: ["operator.admin"], extra: { caps: ["approvals"] } });
    const runner = await RawClient.connect(ask.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
    try {
      const key = "e2e-abort-approval";
      const first = await runner.request("agent", { message: `x ${scriptDirective([{ calls: [{ name: "exec", args: { command: "echo never" } }] }, { text: "no" }])}`, idempotencyKey: key, sessionKey: key });
      expect(first.payload.status).toBe("accepted");
      const req = await approver.next((f) => f.event === "exec.approval.requested");
      const abort = await runner.request("chat.abort", { sessionKey: key });
      expect(abort.payload).toMatchObject({ ok: true, aborted: true });
      const resolved = await approver.waitFor((f) => f.event === "exec.approval.resolved" && f.payload.id === req.payload.id);
      expect(resolved.payload).toMatchObject({ decision: "deny", resolvedBy: null });
      const final = await runner.waitFor((f) => f.type === "res" && f.id === first.id && f.payload?.status !== "accepted");
      expect(final.ok).toBe(false);
      const list = await approver.request("exec.approval.list", {});
      expect(list.payload).toEqual([]);
    } finally {
      approver.close();
      runner.close();
    }
  });

  test("openclaw agent shows tool activity on stderr and toolActivity in --json", async () => {
    const main = join(resolve(import.meta.dir, "../.."), "src/main.ts");
    const message = `list please ${scriptDirective([{ calls: [{ name: "agents_list" }] }, { text: "listed" }])}`;
    const run = async (extra: string[]) => {
      const proc = Bun.spawn([process.execPath, main, "agent", "-m", message, "--session", `cli-${++n}`, "--url", full.url, "--token", TEST_TOKEN, ...extra], {
        env: { PATH: process.env.PATH ?? "", HOME: tempDir("tools-cli-home-"), NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe",
      });
      const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      return { stdout, stderr, code };
    };
    const human = await run([]);
    expect(human.code).toBe(0);
    expect(human.stdout.trim()).toBe("listed");
    expect(human.stderr).toContain("⚙ agents_list");
    expect(human.stderr).toContain("✓ agents_list");
    const json = await run(["--json"]);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.toolActivity).toEqual([expect.objectContaining({ name: "agents_list", status: "completed" })]);
    expect(out.result.meta.toolSummary).toEqual({ calls: 1, tools: ["agents_list"], failures: 0 });
  });
});
