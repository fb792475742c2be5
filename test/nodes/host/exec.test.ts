// runArgv: no shell, exit codes, capped output, deadlines and cancels that kill the whole group.
import { describe, expect, test } from "bun:test";
import { runArgv } from "../../../src/nodes/host/exec.ts";
import { waitUntil } from "../../fixtures/wait.ts";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("runArgv", () => {
  test("argv is not interpreted by a shell", async () => {
    const r = await runArgv({ argv: ["echo", "$HOME", ";", "ls"], env });
    expect(r).toMatchObject({ exitCode: 0, success: true, stdout: "$HOME ; ls\n", stderr: "", error: null, timedOut: false, truncated: false });
  });

  test("non-zero exit and stderr are reported", async () => {
    const r = await runArgv({ argv: ["sh", "-c", "echo out; echo err >&2; exit 7"], env });
    expect(r).toMatchObject({ exitCode: 7, success: false, stdout: "out\n", stderr: "err\n" });
  });

  test("cwd and env reach the command", async () => {
    const r = await runArgv({ argv: ["sh", "-c", 'pwd; echo "$GREETING"'], cwd: "/tmp", env: { ...env, GREETING: "hello" } });
    expect(r.stdout).toBe("/tmp\nhello\n");
  });

  test("a missing program is an error, not a crash", async () => {
    const r = await runArgv({ argv: ["definitely-not-a-program-xyz"], env });
    expect(r).toMatchObject({ exitCode: null, success: false, error: "command not found: definitely-not-a-program-xyz" });
  });

  test("output beyond the cap is dropped and flagged, and the child is not blocked by it", async () => {
    const r = await runArgv({ argv: ["sh", "-c", "head -c 300000 /dev/zero | tr '\\0' a; echo done >&2"], env, maxOutputBytes: 1000 });
    expect(r).toMatchObject({ exitCode: 0, truncated: true, stderr: "done\n" });
    expect(r.stdout).toBe("a".repeat(1000));
  });

  test("the deadline kills the process group, grandchildren included", async () => {
    const r = await runArgv({ argv: ["sh", "-c", "sleep 30 & echo $!; wait"], env, timeoutMs: 300 });
    expect(r).toMatchObject({ timedOut: true, success: false, cancelled: false });
    const grandchild = Number(r.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await waitUntil(() => !alive(grandchild), "the backgrounded sleep to be killed", { timeoutMs: 5_000 });
  }, 15_000);

  test("abort (node.invoke.cancel) kills it and says so", async () => {
    const ac = new AbortController();
    const run = runArgv({ argv: ["sleep", "30"], env, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    expect(await run).toMatchObject({ cancelled: true, timedOut: false, success: false });
  }, 15_000);

  test("a command that ignores SIGTERM is killed after the grace period", async () => {
    const r = await runArgv({ argv: ["sh", "-c", "trap '' TERM; sleep 30"], env, timeoutMs: 200 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe("SIGKILL");
  }, 15_000);
});
