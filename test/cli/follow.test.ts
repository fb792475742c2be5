import { describe, expect, test } from "bun:test";
import { GatewayRequestError, GatewayTransportError } from "../../src/client/errors.ts";
import { backoffDelay, followLogs, RECONNECTED_NOTICE, type TailPage } from "../../src/cli/logs/follow.ts";

function page(cursor: number, lines: string[] = [], extra: Partial<TailPage> = {}): TailPage {
  return { file: "/f.log", cursor, size: cursor, lines, ...extra };
}

type Step = TailPage | Error;

/** Runs the loop over a script of poll outcomes; the loop stops when the script runs out. */
async function runScript(steps: Step[], maxAttempts = 8) {
  const abort = new AbortController();
  const cursors: Array<number | undefined> = [];
  const pages: TailPage[] = [];
  const notices: string[] = [];
  const sleeps: number[] = [];
  let i = 0;
  const outcome = followLogs({
    poll: async (cursor) => {
      cursors.push(cursor);
      const step = steps[i++];
      if (step === undefined) {
        abort.abort();
        return page(0);
      }
      if (step instanceof Error) throw step;
      return step;
    },
    onPage: (p) => pages.push(p),
    onNotice: (m) => notices.push(m),
    intervalMs: 1000,
    signal: abort.signal,
    maxAttempts,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  }).then(
    () => null,
    (err: unknown) => err,
  );
  return { error: await outcome, cursors, pages, notices, sleeps };
}

const down = () => new GatewayTransportError("refused", "could not connect");

describe("followLogs", () => {
  test("polls with the cursor of the previous page", async () => {
    const r = await runScript([page(10, ["a"]), page(20, ["b"])]);
    expect(r.error).toBeNull();
    expect(r.cursors).toEqual([undefined, 10, 20]);
    expect(r.pages.flatMap((p) => p.lines)).toEqual(["a", "b"]);
    expect(r.sleeps).toEqual([1000, 1000]);
  });

  test("rides out a restart with backoff and says when it is back", async () => {
    const r = await runScript([page(10), down(), down(), page(12, ["c"])]);
    expect(r.error).toBeNull();
    expect(r.cursors).toEqual([undefined, 10, 10, 10, 12]);
    expect(r.notices.at(-1)).toBe(RECONNECTED_NOTICE);
    expect(r.notices.filter((n) => n.includes("retry"))).toHaveLength(2);
    expect(r.sleeps).toEqual([1000, 1000, 2000, 1000]);
  });

  test("gives up after maxAttempts consecutive failures", async () => {
    const r = await runScript([page(1), down(), down(), down(), down()], 3);
    expect(r.error).toBeInstanceOf(GatewayTransportError);
    expect(r.cursors).toHaveLength(5);
  });

  test("an RPC error is final", async () => {
    const refused = new GatewayRequestError({ code: "FORBIDDEN", message: "missing scope: operator.read" });
    const r = await runScript([page(1), refused]);
    expect(r.error).toBe(refused);
  });

  test("a reset is announced and followed", async () => {
    const r = await runScript([page(100), page(5, ["x"], { reset: true }), page(9, [], { reset: true, truncated: true, skippedBytes: 42 })]);
    expect(r.notices).toHaveLength(2);
    expect(r.notices[0]).toContain("rotated or truncated");
    expect(r.notices[1]).toContain("skipped 42 bytes");
    expect(r.cursors).toEqual([undefined, 100, 5, 9]);
  });

  test("backoff doubles and is capped", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, 1000, 30_000))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  test("aborting during a slow poll returns at once", async () => {
    const abort = new AbortController();
    const pending = followLogs({
      poll: () => new Promise<TailPage>(() => {}),
      onPage: () => {},
      onNotice: () => {},
      intervalMs: 1000,
      signal: abort.signal,
    });
    abort.abort();
    await expect(pending).resolves.toBeUndefined();
  });
});
