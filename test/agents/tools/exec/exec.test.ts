// exec on the gateway host with real commands: output order, exit codes, deadlines that kill the
// whole process group, abort, cwd/workdir, the environment a command gets, and the output cap.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { execTool } from "../../../../src/agents/tools/exec/index.ts";
import { gatewayExecEnv, isSecretEnvName } from "../../../../src/agents/tools/exec/env.ts";
import { runShell } from "../../../../src/agents/tools/exec/run.ts";
import { ToolInputError, type ToolContext, type ToolResult } from "../../../../src/agents/tools/types.ts";
import { toolContext, workspaceDir } from "../../../fixtures/tool-fakes.ts";
import { waitUntil } from "../../../fixtures/wait.ts";

const workspace = workspaceDir();
const ctx = (over: Partial<ToolContext> = {}) => toolContext({ workspaceDir: workspace, ...over });
const run = (args: Record<string, unknown>, c: ToolContext = ctx()) => execTool.execute(args, c);
const text = (r: ToolResult) => r.content[0]!.text;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the tool", () => {
  test("title is the command, cut at 120 characters; exec is command-bearing", () => {
    expect(execTool.title!({ command: "echo hi" })).toBe("echo hi");
    const long = `echo ${"x".repeat(200)}`;
    expect(execTool.title!({ command: long })).toHaveLength(120);
    expect(execTool.title!({ command: long }).endsWith("…")).toBe(true);
    expect(execTool.commandBearing).toBe(true);
    expect(execTool.parameters.required).toEqual(["command"]);
  });

  test.each([
    [{}, "command required"],
    [{ command: "true", timeoutSeconds: -1 }, "timeoutSeconds must be a number >= 0"],
    [{ command: "true", host: "moon" }, "host must be one of auto, sandbox, gateway, node"],
    [{ command: "true", env: ["A"] }, "env must be an object of strings"],
    [{ command: "true", env: { LD_PRELOAD: "/x.so" } }, "environment variable LD_PRELOAD may not be set by a caller"],
    [{ command: "true", env: { NODE_OPTIONS: "--require x" } }, "environment variable NODE_OPTIONS may not be set by a caller"],
    [{ command: "true", env: { BASH_ENV: "/x" } }, "environment variable BASH_ENV may not be set by a caller"],
    [{ command: "true", env: { DYLD_INSERT_LIBRARIES: "/x" } }, "environment variable DYLD_INSERT_LIBRARIES may not be set by a caller"],
    [{ command: "true", host: "sandbox" }, "exec host=sandbox is not available: this gateway has no sandbox (use host=gateway or host=node)"],
    [{ command: "true", workdir: "no/such/dir" }, "workdir is not a directory: "],
  ])("%j is refused: %s", async (args, message) => {
    const err = await run(args).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolInputError);
    expect((err as Error).message).toStartWith(message);
  });
});

describe("running", () => {
  test("stdout and stderr interleave in arrival order; details describe the run", async () => {
    const r = await run({ command: "echo one; sleep 0.05; echo two >&2; sleep 0.05; echo three" });
    expect(text(r)).toBe("one\ntwo\nthree");
    expect(r.isError).toBeUndefined();
    expect(r.details).toMatchObject({ status: "completed", exitCode: 0, exitSignal: null, exitReason: "exit", aggregated: "one\ntwo\nthree\n", cwd: workspace });
    expect(r.details.durationMs).toBeGreaterThanOrEqual(90);
  });

  test("a non-zero exit appends the code and marks the call failed", async () => {
    const r = await run({ command: "echo partial; exit 3" });
    expect(text(r)).toBe("partial\n\n(Command exited with code 3)");
    expect(r.isError).toBe(true);
    expect(r.details).toMatchObject({ status: "failed", exitCode: 3, exitReason: "exit" });
    expect(text(await run({ command: "exit 4" }))).toBe("(Command exited with code 4)");
  });

  test("no output says so", async () => {
    expect(text(await run({ command: "true" }))).toBe("(no output)");
  });

  test("it is a shell: pipes, quotes and variables work", async () => {
    expect(text(await run({ command: "printf 'a b\\nc\\n' | wc -l; X=5; echo \"x=$X\"" }))).toBe("2\nx=5");
  });

  test("cwd is the workspace; workdir is relative to it, or absolute", async () => {
    mkdirSync(join(workspace, "sub"), { recursive: true });
    expect(text(await run({ command: "pwd" }))).toBe(workspace);
    const sub = await run({ command: "pwd", workdir: "sub" });
    expect(text(sub)).toBe(join(workspace, "sub"));
    expect(sub.details.cwd).toBe(join(workspace, "sub"));
    expect(text(await run({ command: "pwd", workdir: "/tmp" }))).toBe(realpathSync("/tmp"));
  });

  test("output streams through onProgress while the command runs", async () => {
    const c = ctx();
    let seenBeforeEnd = false;
    const done = run({ command: "echo first; sleep 0.6; echo second" }, c);
    await waitUntil(() => c.progress.some((p) => p.kind === "output" && p.output.includes("first")), "the first line to stream", { timeoutMs: 5_000 });
    seenBeforeEnd = !c.progress.some((p) => p.kind === "output" && p.output.includes("second"));
    await done;
    expect(seenBeforeEnd).toBe(true);
    const streamed = c.progress.map((p) => (p.kind === "output" ? p.output : "")).join("");
    expect(streamed).toBe("first\nsecond\n");
  }, 10_000);
});

describe("deadlines and aborts", () => {
  test("timeoutSeconds kills the process group, grandchildren included", async () => {
    const r = await run({ command: "sleep 30 & echo $!; wait", timeoutSeconds: 0.5 });
    expect(r.isError).toBe(true);
    expect(r.details).toMatchObject({ status: "timeout", exitReason: "timeout" });
    const lines = text(r).split("\n");
    const grandchild = Number(lines[0]);
    expect(grandchild).toBeGreaterThan(0);
    expect(text(r)).toContain("\n\nCommand timed out after 0.5 seconds.");
    await waitUntil(() => !alive(grandchild), "the backgrounded sleep to be killed", { timeoutMs: 5_000 });
  }, 15_000);

  test("the config's tools.exec.timeoutSeconds is the default deadline; a SIGTERM-proof command is killed after the grace", async () => {
    const started = Date.now();
    const r = await run({ command: "trap '' TERM; echo ready; sleep 30" }, ctx({ config: { tools: { exec: { timeoutSeconds: 0.3 } } } }));
    expect(text(r)).toStartWith("ready\n\nCommand timed out after 0.3 seconds.");
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 15_000);

  test("timeoutSeconds 0 means no deadline", async () => {
    const r = await run({ command: "sleep 0.3; echo done", timeoutSeconds: 0 }, ctx({ config: { tools: { exec: { timeoutSeconds: 0.1 } } } }));
    expect(text(r)).toBe("done");
  }, 10_000);

  test("aborting the run kills the command and rejects with Aborted", async () => {
    const ac = new AbortController();
    const c = ctx({ signal: ac.signal });
    const pending = run({ command: "sleep 30 & echo $!; wait" }, c);
    const out = await waitUntil(() => c.progress.find((p) => p.kind === "output"), "the pid to stream", { timeoutMs: 5_000 });
    const grandchild = Number((out as { output: string }).output.trim());
    ac.abort();
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe("Aborted");
    await waitUntil(() => !alive(grandchild), "the backgrounded sleep to be killed", { timeoutMs: 5_000 });
  }, 15_000);

  test("an already aborted signal never starts the command", async () => {
    const ac = new AbortController();
    ac.abort();
    const marker = join(workspace, "should-not-exist");
    await expect(run({ command: `touch ${marker}` }, ctx({ signal: ac.signal }))).rejects.toThrow("Aborted");
    expect(await Bun.file(marker).exists()).toBe(false);
  });

  test("a shell that exits while a background child holds its output still ends the call", async () => {
    const started = Date.now();
    const r = await run({ command: "sleep 5 & echo started" });
    expect(text(r)).toBe("started");
    expect(Date.now() - started).toBeLessThan(4_000);
  }, 10_000);
});

describe("environment", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  test("the gateway's secrets are withheld; ordinary variables and env overrides pass", async () => {
    Object.assign(process.env, {
      OPENCLAW_GATEWAY_TOKEN: "gw-secret", OPENCLAW_GATEWAY_PASSWORD: "pw", OPENAI_API_KEY: "sk-1", TELEGRAM_BOT_TOKEN: "123:abc",
      AWS_SECRET_ACCESS_KEY: "aws", EXEC_TEST_PLAIN: "visible",
    });
    const r = await run({ command: "env", env: { EXTRA_VAR: "given" } });
    const t = text(r);
    for (const secret of ["gw-secret", "sk-1", "123:abc", "aws", "OPENCLAW_GATEWAY_PASSWORD"]) expect(t).not.toContain(secret);
    expect(t).toContain("EXEC_TEST_PLAIN=visible");
    expect(t).toContain("EXTRA_VAR=given");
  });

  test("which names count as secrets", () => {
    for (const n of ["OPENCLAW_GATEWAY_TOKEN", "ANTHROPIC_API_KEY", "GITHUB_TOKEN", "DB_PASSWORD", "MY_SECRET", "openai_api_key"]) expect(isSecretEnvName(n)).toBe(true);
    for (const n of ["PATH", "HOME", "MAX_TOKENS_X", "LANG", "OPENCLAW_STATE_DIR"]) expect(isSecretEnvName(n)).toBe(false);
    expect(gatewayExecEnv({ PATH: "/bin", SLACK_TOKEN: "x", A: undefined }, { B: "1" })).toEqual({ PATH: "/bin", B: "1" });
  });
});

describe("output cap", () => {
  test("only the tail is kept, and the text says what was cut", async () => {
    const o = await runShell({ command: "seq 1 20000", cwd: workspace, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, timeoutMs: 0, maxOutputChars: 1000 });
    expect(o.truncated).toBe(true);
    expect(o.output.length).toBe(1000);
    expect(o.output.endsWith("19999\n20000\n")).toBe(true);
    expect(o.droppedChars).toBeGreaterThan(100_000);
  });

  test("the tool keeps the end of a large output, within the loop's result cap (tools.maxResultChars, default 100 000)", async () => {
    const r = await run({ command: "seq 1 100000; echo END" });
    const t = text(r);
    expect(t).toStartWith("[output truncated: the first ");
    expect(t.endsWith("99999\n100000\nEND")).toBe(true);
    expect(t.length).toBeLessThan(100_000);
    expect(t.length).toBeGreaterThan(90_000);
    expect(r.details).toMatchObject({ truncated: true, status: "completed" });
    const small = text(await run({ command: "seq 1 100000" }, ctx({ config: { tools: { maxResultChars: 5_000 } } })));
    expect(small.length).toBeLessThan(5_000);
    expect(small.endsWith("100000")).toBe(true);
  }, 15_000);
});
