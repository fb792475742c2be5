// Smoke test for `bun run bench`: a --quick run with the bare server standing in for the gateway
// must produce a finite, positive figure on both sides of every metric. The http group needs a real
// gateway (the bare server speaks WebSocket only), so it gets a --quick run of its own. The flood
// (thousands of sockets, /metrics) and the soak (minutes) are left to real runs; their command line is
// checked here.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DEFAULT_GROUPS, parseOptions } from "../../bench/options.ts";

const ROOT = resolve(import.meta.dir, "../..");

/** Runs `bun bench/run.ts --quick --json ...args` and returns the parsed report. */
async function quickBench(args: string[]): Promise<any> {
  const dir = mkdtempSync(join(tmpdir(), "bench-smoke-"));
  try {
    const proc = Bun.spawn([process.execPath, "bench/run.ts", "--quick", "--json", "--out", join(dir, "last.json"), ...args], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
      stdin: "ignore",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) throw new Error(`bench exited ${code}\n${stderr}\n${stdout}`);
    return JSON.parse(stdout.trim().split("\n").at(-1)!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectPositiveFigures(report: any): void {
  for (const [key, m] of Object.entries<any>(report.metrics)) {
    for (const side of ["gateway", "bare"]) {
      const v = m[side];
      if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) throw new Error(`${key}.${side} = ${v}`);
    }
  }
}

test(
  "bench --quick --json measures every metric (bare server as the gateway)",
  async () => {
    const report = await quickBench([
      "--only",
      "rss,conns,hello,rpc,startup,burst",
      "--gateway-cmd",
      `${process.execPath} bench/bare.ts --port {port} --token {token}`,
    ]);
    const expected = [
      "idleRssMB",
      "perConnKiB",
      "helloP50Ms",
      "helloP99Ms",
      "health1x1Rps",
      "health50x4Rps",
      "presence1x1Rps",
      "presence50x4Rps",
      "startupSrcMs",
      "burstOk",
      "burstP50Ms",
      "burstP99Ms",
    ];
    expect(Object.keys(report.metrics)).toEqual(expect.arrayContaining(expected));
    expectPositiveFigures(report);
    expect(report.metrics.burstOk.gateway).toBe(200); // --quick: 200 simultaneous handshakes, all answered
  },
  120_000, // starts servers and measures them for real
);

test("bench: the soak runs only when asked, --soak alone runs only the soak", () => {
  expect(DEFAULT_GROUPS).not.toContain("soak");
  expect([...parseOptions([]).only].sort()).toEqual([...DEFAULT_GROUPS].sort());
  const soak = parseOptions(["--soak", "120"]);
  expect([...soak.only]).toEqual(["soak"]);
  expect(soak.soakSeconds).toBe(120);
  expect([...parseOptions(["--soak", "30", "--only", "flood"]).only].sort()).toEqual(["flood", "soak"]);
  expect(parseOptions(["--only", "soak"]).soakSeconds).toBe(600);
  expect(parseOptions(["--quick", "--only", "soak"]).soakSeconds).toBe(20);
});

test(
  "bench --quick --json --only http measures the gateway's chat completions against the upstream stub",
  async () => {
    const report = await quickBench(["--only", "http"]);
    const expected = ["httpChatVsUpstreamStreamP50Ms", "httpChatP50Ms", "httpChatP99Ms", "httpStreamTtfbP50Ms", "httpStreamTotalP50Ms"];
    expect(Object.keys(report.metrics).sort()).toEqual([...expected].sort());
    expectPositiveFigures(report);
    for (const key of expected) {
      const m = report.metrics[key];
      expect(m.unit).toBe("ms");
      expect(m.addedMs).toBeCloseTo(m.gateway - m.bare, 9);
    }
    for (const key of ["httpChatVsUpstreamStreamP50Ms", "httpStreamTtfbP50Ms"]) {
      expect(report.metrics[key].goal).toBe("added < 2 ms");
      expect(typeof report.metrics[key].pass).toBe("boolean");
    }
    expect(report.problems).toEqual([]);
    const http = report.details.http;
    expect(typeof http.jsonAddedOverDirectStreamP50Ms).toBe("number");
    for (const kind of ["json", "stream"]) {
      for (const side of ["gateway", "bare"]) {
        const rounds = http.rounds[kind][side];
        expect(rounds.length).toBe(1);
        expect(rounds[0].ok).toBeGreaterThan(0);
        expect(rounds[0].err).toBe(0);
      }
    }
  },
  120_000, // starts servers and measures them for real
);

test(
  "bench --quick --json --only tools times scripted tool turns against their model calls made directly",
  async () => {
    const report = await quickBench(["--only", "tools", "--turns", "6"]);
    const expected = ["toolsTurnP50Ms", "toolsTurnP99Ms", "toolsShareP50Ms", "toolsPlainShareP50Ms", "toolsRoundsAddedP50Ms"];
    expect(Object.keys(report.metrics).sort()).toEqual([...expected].sort());
    expect(report.problems).toEqual([]);
    for (const key of ["toolsTurnP50Ms", "toolsTurnP99Ms"]) {
      const m = report.metrics[key];
      expect(m.gateway).toBeGreaterThan(0);
      expect(m.bare).toBeGreaterThan(0);
    }
    // Only the medians are compared: with 6 turns a p99 is one sample, and one slow direct call can exceed a turn.
    expect(report.metrics.toolsTurnP50Ms.gateway).toBeGreaterThan(report.metrics.toolsTurnP50Ms.bare);
    expect(report.metrics.toolsShareP50Ms.goal).toBe("< 3 ms");
    expect(typeof report.metrics.toolsShareP50Ms.pass).toBe("boolean");
    const { tools, plain, settings } = report.details.tools;
    expect(settings.turns).toBe(6);
    // Every measured turn counted: its final res had the scripted reply, 4 (or 1) model calls and 3 clean tool calls.
    expect(tools.n).toBe(6);
    expect(plain.n).toBe(6);
    expect(tools.directCallP50Ms).toHaveLength(4);
    expect(plain.directCallP50Ms).toHaveLength(1);
    // The replayed bodies are the gateway's: later rounds carry the earlier ones, so they are longer.
    expect(tools.requestBytes).toBeGreaterThan(4 * plain.requestBytes);
  },
  120_000, // starts a gateway and the stub and runs real turns
);

test(
  "bench --quick --json --only ui loads the Control UI in headless Chromium (or says why it could not)",
  async () => {
    const report = await quickBench(["--only", "ui"]);
    expect(report.problems).toEqual([]);
    if (report.details.ui.skipped) {
      console.warn(`bench ui group skipped: ${report.details.ui.skipped}`);
      expect(Object.keys(report.metrics)).toEqual([]);
      return;
    }
    expect(Object.keys(report.metrics).sort()).toEqual(["uiFirstLoadKiB", "uiLoadFreshP50Ms", "uiLoadReturningP50Ms"]);
    for (const m of Object.values<any>(report.metrics)) {
      expect(m.gateway).toBeGreaterThan(0);
      expect(m.bare).toBeNull();
      expect(typeof m.pass).toBe("boolean");
    }
    expect(report.metrics.uiFirstLoadKiB.pass).toBe(true);
    const ui = report.details.ui;
    expect(ui.loads).toEqual({ fresh: 5, returning: 5 });
    // The page's phases come in order.
    for (const p of [ui.freshP50Ms, ui.returningP50Ms]) {
      expect(p.challenge).toBeLessThanOrEqual(p["connect-sent"]);
      expect(p["connect-sent"]).toBeLessThanOrEqual(p.hello);
      expect(p.hello).toBeLessThanOrEqual(p["chat-ready"]);
    }
  },
  180_000, // starts a gateway and the stub and drives a browser through 11 loads
);
