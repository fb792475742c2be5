// The system.* commands of our node host, called the way InvokeServer calls them.
import { describe, expect, test } from "bun:test";
import { commandText, runSystemCommand, type InvokeContext } from "../../../src/nodes/host/system.ts";

function ctx(over: Partial<InvokeContext> = {}): InvokeContext & { events: Array<[string, Record<string, unknown>]> } {
  const events: Array<[string, Record<string, unknown>]> = [];
  return {
    invokeId: "i1", timeoutMs: 30_000, signal: new AbortController().signal,
    hostEnv: { PATH: process.env.PATH, HOME: "/tmp", OPENCLAW_GATEWAY_TOKEN: "secret" },
    sendEvent: async (event, payload) => {
      events.push([event, payload]);
    },
    events,
    ...over,
  };
}

describe("system.which", () => {
  test("found bins only, with their paths", async () => {
    const r = await runSystemCommand("system.which", { bins: ["sh", "no-such-bin-xyz"] }, ctx());
    expect(r).toEqual({ ok: true, payload: { bins: { sh: Bun.which("sh")! } } });
  });

  test.each([
    [undefined, "bins required"], [{}, "bins required"], [{ bins: [] }, "bins required"], [{ bins: "sh" }, "bins required"],
    [{ bins: [""] }, "bins must be non-empty strings"], [{ bins: [3] }, "bins must be non-empty strings"],
    [{ bins: Array(65).fill("sh") }, "at most 64 bins"],
  ])("%j → %s", async (params, message) => {
    expect(await runSystemCommand("system.which", params, ctx())).toEqual({ ok: false, error: { code: "INVALID_REQUEST", message } });
  });
});

describe("system.run", () => {
  test("runs argv, reports exec.finished first, and answers the published payload shape", async () => {
    const c = ctx();
    const r = await runSystemCommand("system.run", { command: ["echo", "hi"], runId: "run-1" }, c);
    expect(r).toEqual({ ok: true, payload: { exitCode: 0, timedOut: false, success: true, stdout: "hi\n", stderr: "", error: null } });
    expect(c.events).toEqual([["exec.finished", {
      sessionKey: "node", runId: "run-1", host: "node", command: "echo hi", exitCode: 0, timedOut: false, success: true,
      output: "hi", suppressNotifyOnExit: false,
    }]]);
  });

  test("the node's own secrets are not in the command's environment", async () => {
    const r = await runSystemCommand("system.run", { command: ["sh", "-c", "env"] }, ctx());
    const stdout = (r as { payload: { stdout: string } }).payload.stdout;
    expect(stdout).toContain("HOME=/tmp");
    expect(stdout).not.toContain("OPENCLAW_GATEWAY_TOKEN");
  });

  test("the caller's timeoutMs and the invoke budget both bound the run", async () => {
    const own = await runSystemCommand("system.run", { command: ["sleep", "5"], timeoutMs: 100 }, ctx());
    expect(own).toMatchObject({ ok: true, payload: { timedOut: true, success: false } });
    const budget = await runSystemCommand("system.run", { command: ["sleep", "5"] }, ctx({ timeoutMs: 100 }));
    expect(budget).toMatchObject({ ok: true, payload: { timedOut: true } });
  }, 15_000);

  test("a cancelled run sends neither an event nor a result", async () => {
    const ac = new AbortController();
    const c = ctx({ signal: ac.signal });
    const run = runSystemCommand("system.run", { command: ["sleep", "5"] }, c);
    setTimeout(() => ac.abort(), 50);
    expect(await run).toEqual({ cancelled: true });
    expect(c.events).toEqual([]);
  }, 15_000);

  test.each([
    [{}, "command required"], [{ command: [] }, "command required"], [{ command: [""] }, "command required"],
    [{ command: "echo hi" }, "command must be an array of strings (argv)"], [{ command: ["echo", 1] }, "command must be an array of strings (argv)"],
    [{ command: ["echo"], cwd: "/no/such/dir" }, "cwd is not a directory: /no/such/dir"],
    [{ command: ["echo"], env: { LD_PRELOAD: "/x.so" } }, "environment variable LD_PRELOAD may not be set by a caller"],
    [{ command: ["echo", "b"], systemRunPlan: { argv: ["/bin/echo", "a"] } }, "system.run does not match the approved plan"],
  ])("%j is refused: %s", async (params, message) => {
    const c = ctx();
    expect(await runSystemCommand("system.run", params, c)).toEqual({ ok: false, error: { code: "INVALID_REQUEST", message } });
    expect(c.events).toEqual([]);
  });

  test("a run matching its approved plan goes ahead", async () => {
    const echo = Bun.which("echo")!;
    const r = await runSystemCommand("system.run", { command: ["echo", "a"], systemRunPlan: { argv: [echo, "a"] } }, ctx());
    expect(r).toMatchObject({ ok: true, payload: { stdout: "a\n" } });
  });
});

describe("system.run.prepare", () => {
  test("resolves the program and describes the plan without running anything", async () => {
    const r = await runSystemCommand("system.run.prepare", { command: ["echo", "hi there"], cwd: "/tmp", sessionKey: "s" }, ctx());
    const echo = Bun.which("echo")!;
    expect(r).toEqual({
      ok: true,
      payload: {
        plan: { argv: [echo, "hi there"], cwd: "/tmp", commandText: `${echo} "hi there"`, commandPreview: 'echo "hi there"', sessionKey: "s" },
        execPolicy: { security: "full", ask: "off" },
        allowAlwaysCoverage: { pattern: echo },
      },
    });
  });

  test("an unknown program is refused", async () => {
    expect(await runSystemCommand("system.run.prepare", { command: ["no-such-bin-xyz"] }, ctx()))
      .toEqual({ ok: false, error: { code: "INVALID_REQUEST", message: "command not found: no-such-bin-xyz" } });
  });
});

describe("system.notify and the rest", () => {
  test("notify needs a title or body; without a desktop it answers delivered:false", async () => {
    expect(await runSystemCommand("system.notify", {}, ctx())).toEqual({ ok: false, error: { code: "INVALID_REQUEST", message: "title or body required" } });
    const r = await runSystemCommand("system.notify", { title: "t", body: "b" }, ctx({ hostEnv: { PATH: "/nonexistent" } }));
    expect(r).toEqual({ ok: true, payload: { delivered: false, method: "none" } });
  });

  test("an unknown command is the node error the gateway passes on", async () => {
    expect(await runSystemCommand("camera.snap", {}, ctx())).toEqual({ ok: false, error: { code: "UNAVAILABLE", message: "command not supported" } });
  });

  test("commandText quotes only what needs it", () => {
    expect(commandText(["/bin/sh", "-lc", "echo hi"])).toBe('/bin/sh -lc "echo hi"');
    expect(commandText(["ls", "-la", "/a_b.c"])).toBe("ls -la /a_b.c");
  });
});
