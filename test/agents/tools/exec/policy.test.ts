// exec policy with a fake approvals service: the requested policy from config, deny, allowlist hits
// and misses, asking an operator (once, always, deny, nobody) with askFallback, and an abort while waiting.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { execTool } from "../../../../src/agents/tools/exec/index.ts";
import { requestedExecPolicy } from "../../../../src/agents/tools/exec/policy.ts";
import { ToolInputError, type ToolContext, type ToolResult } from "../../../../src/agents/tools/types.ts";
import type { OpenClawConfig } from "../../../../src/config/schema.ts";
import { fakeApprovals, toolContext, untilAborted, workspaceDir, type FakeApprovals } from "../../../fixtures/tool-fakes.ts";
import { waitUntil } from "../../../fixtures/wait.ts";

const workspace = workspaceDir();
const mode = (m: "deny" | "allowlist" | "ask" | "auto" | "full"): OpenClawConfig => ({ tools: { exec: { mode: m } } });
const text = (r: ToolResult) => r.content[0]!.text;

function setup(config: OpenClawConfig, approvals?: FakeApprovals, over: Partial<ToolContext> = {}) {
  const c = toolContext({ workspaceDir: workspace, config, ...(approvals ? { services: { approvals } } : {}), ...over });
  return { c, run: (command: string, extra: Record<string, unknown> = {}) => execTool.execute({ command, ...extra }, c) };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolInputError);
  return (err as Error).message;
}

describe("requested policy", () => {
  test("mode maps to security/ask; the agent's entry wins over defaults and tools.exec; legacy pairs when mode is unset", () => {
    expect(requestedExecPolicy(undefined, "main")).toEqual({ security: "full", ask: "off" });
    expect(requestedExecPolicy(mode("deny"), "main")).toEqual({ security: "deny", ask: "off" });
    expect(requestedExecPolicy(mode("allowlist"), "main")).toEqual({ security: "allowlist", ask: "off" });
    expect(requestedExecPolicy(mode("ask"), "main")).toEqual({ security: "allowlist", ask: "on-miss" });
    expect(requestedExecPolicy(mode("auto"), "main")).toEqual({ security: "allowlist", ask: "on-miss" });
    expect(requestedExecPolicy(mode("full"), "main")).toEqual({ security: "full", ask: "off" });
    expect(requestedExecPolicy({ tools: { exec: { security: "allowlist", ask: "always" } } }, "main")).toEqual({ security: "allowlist", ask: "always" });
    const layered: OpenClawConfig = {
      tools: { exec: { mode: "full" } },
      agents: { defaults: { tools: { exec: { mode: "ask" } } }, entries: { ops: { tools: { exec: { mode: "deny" } } } } },
    };
    expect(requestedExecPolicy(layered, "ops")).toEqual({ security: "deny", ask: "off" });
    expect(requestedExecPolicy(layered, "main")).toEqual({ security: "allowlist", ask: "on-miss" });
  });
});

describe("without asking", () => {
  test("security=deny refuses before anything runs", async () => {
    const marker = join(workspace, "denied-marker");
    const { run } = setup(mode("deny"), fakeApprovals());
    expect(await refusal(run(`touch ${marker}`))).toBe("exec denied: host=gateway security=deny");
    expect(await Bun.file(marker).exists()).toBe(false);
  });

  test("the host document can only make it stricter: full requested, deny on the host", async () => {
    const { run } = setup(mode("full"), fakeApprovals({ host: { security: "deny" } }));
    expect(await refusal(run("echo hi"))).toBe("exec denied: host=gateway security=deny");
  });

  test("full/off runs without consulting the allowlist or an operator", async () => {
    const a = fakeApprovals();
    const { run } = setup(mode("full"), a);
    expect(text(await run("echo hi"))).toBe("hi");
    expect(a.requests).toHaveLength(0);
    expect(a.allowlistedCalls).toHaveLength(0);
  });

  test("allowlist: every command of the line must be allowlisted; argv and the resolved path are checked", async () => {
    const a = fakeApprovals();
    a.allow.add("echo").add("tr");
    const { run } = setup(mode("allowlist"), a);
    expect(text(await run("echo hello | tr a-z A-Z && echo 'two words'"))).toBe("HELLO\ntwo words");
    expect(a.allowlistedCalls.map((c) => c.argv)).toEqual([["echo", "hello"], ["tr", "a-z", "A-Z"], ["echo", "two words"]]);
    expect(a.allowlistedCalls[0]!.resolvedPath).toBe(Bun.which("echo"));
    expect(a.requests).toHaveLength(0);
  });

  test("allowlist miss with ask off is denied, naming the command", async () => {
    const a = fakeApprovals();
    a.allow.add("echo");
    const { run } = setup(mode("allowlist"), a);
    const msg = await refusal(run("echo hi; uname"));
    expect(msg).toStartWith("exec denied: allowlist miss (uname is not allowlisted).\nEffective host exec policy: security=allowlist ask=off askFallback=deny\n");
  });

  test.each([
    ["echo hi > out.txt", "redirection"],
    ["echo $(id)", "command substitution"],
    ["echo `id`", "command substitution"],
    ["echo $HOME", "variable expansion"],
    ["sleep 1 &", "background or redirection with &"],
  ])("allowlist mode does not allow %s (%s)", async (command, reason) => {
    const a = fakeApprovals();
    a.allow.add("echo").add("sleep");
    const { run } = setup(mode("allowlist"), a);
    expect(await refusal(run(command))).toStartWith(`exec denied: allowlist miss (${reason} is not allowed in allowlist mode)`);
  });

  test("no approvals service: allowlist mode has nothing allowlisted", async () => {
    const { run } = setup(mode("allowlist"));
    expect(await refusal(run("echo hi"))).toStartWith("exec denied: allowlist miss (echo is not allowlisted)");
  });
});

describe("asking an operator (mode ask = allowlist + on-miss)", () => {
  test("an allowlist hit runs with no prompt", async () => {
    const a = fakeApprovals();
    a.allow.add("echo");
    const { run } = setup(mode("ask"), a);
    expect(text(await run("echo allowlisted"))).toBe("allowlisted");
    expect(a.requests).toHaveLength(0);
  });

  test("allow-once: the request carries the command, the call waits, progress shows it, then it runs", async () => {
    const a = fakeApprovals({ answer: { decision: "allow-once" } });
    const { c, run } = setup(mode("ask"), a);
    const r = await run("echo approved");
    expect(text(r)).toBe("approved");
    expect(r.details.approvalId).toBe("appr-1");
    expect(a.requests[0]).toMatchObject({
      command: "echo approved", commandArgv: ["echo", "approved"], resolvedPath: Bun.which("echo"), cwd: workspace, host: "gateway",
      nodeId: null, systemRunPlan: null, security: "allowlist", ask: "on-miss", agentId: "main", sessionKey: "agent:main:main",
      runId: "run-1", toolCallId: "call_1", allowedDecisions: ["allow-once", "allow-always", "deny"],
    });
    expect(c.progress.filter((p) => p.kind !== "output")).toEqual([
      { kind: "waiting-approval", approvalId: "appr-1" },
      { kind: "approval-resolved", approvalId: "appr-1", decision: "allow-once" },
    ]);
    expect(a.remembered).toHaveLength(0);
  });

  test("a compound command cannot be allowed always", async () => {
    const a = fakeApprovals();
    const { run } = setup(mode("ask"), a);
    await run("echo a && echo b");
    expect(a.requests[0]!.allowedDecisions).toEqual(["allow-once", "deny"]);
    expect(a.requests[0]!.commandArgv).toBeUndefined();
  });

  test("allow-always is remembered, and the next run needs no prompt", async () => {
    const a = fakeApprovals({ answer: { decision: "allow-always" } });
    const { run } = setup(mode("ask"), a);
    expect(text(await run("uname -s"))).toBe(process.platform === "linux" ? "Linux" : expect.any(String));
    expect(a.remembered).toEqual([{ agentId: "main", argv: ["uname", "-s"], resolvedPath: Bun.which("uname"), command: "uname -s" }]);
    await run("uname -s");
    expect(a.requests).toHaveLength(1);
  });

  test("ask=always prompts even for an allowlisted command", async () => {
    const a = fakeApprovals({ host: { ask: "always" } });
    a.allow.add("echo");
    const { run } = setup(mode("ask"), a);
    await run("echo hi");
    expect(a.requests).toHaveLength(1);
    expect(a.requests[0]!.ask).toBe("always");
  });

  test("a call's ask can only raise the prompting", async () => {
    const a = fakeApprovals();
    const { run } = setup(mode("full"), a);
    await run("echo hi", { ask: "always" });
    expect(a.requests).toHaveLength(1);
    const b = fakeApprovals();
    const strict = setup(mode("ask"), b);
    await strict.run("echo hi", { ask: "off" });
    expect(b.requests).toHaveLength(1);
  });

  test("deny: a plain-text error result naming the approval, and nothing runs", async () => {
    const marker = join(workspace, "user-denied-marker");
    const a = fakeApprovals({ answer: { decision: "deny" } });
    const { run } = setup(mode("ask"), a);
    const r = await run(`touch ${marker}`);
    expect(r.isError).toBe(true);
    expect(text(r)).toBe(`Exec denied (gateway id=appr-1, user-denied): touch ${marker}`);
    expect(await Bun.file(marker).exists()).toBe(false);
  });

  test("nobody to ask (no-approval-route) with askFallback deny: the headless text", async () => {
    const a = fakeApprovals({ pending: false, answer: { decision: null, reason: "no-approval-route" } });
    const { c, run } = setup(mode("ask"), a);
    const msg = await refusal(run("echo hi"));
    expect(msg).toStartWith("exec denied: Headless runs cannot wait for interactive exec approval.\nEffective host exec policy: security=allowlist ask=on-miss askFallback=deny\n");
    expect(msg.length).toBeGreaterThan(150);
    expect(c.progress).toEqual([]);
  });

  test("no approvals service at all behaves as no approval route", async () => {
    const { run } = setup(mode("ask"));
    expect(await refusal(run("echo hi"))).toStartWith("exec denied: Headless runs cannot wait for interactive exec approval.");
  });

  test("an expired request says so", async () => {
    const a = fakeApprovals({ answer: { decision: null, reason: "expired" } });
    const { c, run } = setup(mode("ask"), a);
    expect(await refusal(run("echo hi"))).toStartWith("exec denied: approval appr-1 expired before an operator answered it.\n");
    expect(c.progress.at(-1)).toEqual({ kind: "approval-resolved", approvalId: "appr-1", decision: null });
    const timedOut = fakeApprovals({ answer: { decision: null, reason: "timeout" } });
    expect(await refusal(setup(mode("ask"), timedOut).run("echo hi"))).toStartWith("exec denied: approval appr-1 expired before an operator answered it.\n");
    const other = fakeApprovals({ answer: { decision: null, reason: "gateway-stopping" } });
    expect(await refusal(setup(mode("ask"), other).run("echo hi"))).toStartWith("exec denied: approval appr-1 expired before an operator answered it (gateway-stopping).\n");
  });

  test("askFallback full runs; askFallback allowlist runs only allowlisted commands", async () => {
    const full = fakeApprovals({ answer: { decision: null, reason: "no-approval-route" }, host: { askFallback: "full" } });
    expect(text(await setup(mode("ask"), full).run("echo fallback"))).toBe("fallback");

    const partial = fakeApprovals({ answer: { decision: null, reason: "no-approval-route" }, host: { askFallback: "allowlist", ask: "always" } });
    partial.allow.add("echo");
    const s = setup(mode("ask"), partial);
    expect(text(await s.run("echo listed"))).toBe("listed");
    expect(await refusal(s.run("uname"))).toStartWith("exec denied: no operator answered and the command is not allowlisted (uname is not allowlisted).");
  });

  test("aborting while waiting rejects with Aborted and runs nothing", async () => {
    const marker = join(workspace, "aborted-marker");
    const ac = new AbortController();
    const a = fakeApprovals({ answer: (_input, signal) => untilAborted(signal) });
    const { c, run } = setup(mode("ask"), a, { signal: ac.signal });
    const pending = run(`touch ${marker}`);
    await waitUntil(() => c.progress.some((p) => p.kind === "waiting-approval"), "the call to wait for an operator");
    ac.abort();
    const err = await pending.catch((e: unknown) => e);
    expect((err as Error).message).toBe("Aborted");
    expect(await Bun.file(marker).exists()).toBe(false);
  });

  test("an approval service that ignores the abort does not keep the call waiting", async () => {
    const ac = new AbortController();
    const a = fakeApprovals({ answer: () => new Promise(() => {}) });
    const { c, run } = setup(mode("ask"), a, { signal: ac.signal });
    const pending = run("echo never");
    await waitUntil(() => c.progress.some((p) => p.kind === "waiting-approval"), "the call to wait for an operator");
    ac.abort();
    await expect(pending).rejects.toThrow("Aborted");
  });
});
