// Spawns the real CLI (`bun src/main.ts …`) against a gateway running in this process.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { VERSION } from "../../src/version.ts";
import { closedPort } from "../client/fake-gateway.ts";
import { startTestGateway, tempDir, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const ROOT = resolve(import.meta.dir, "../..");
const MAIN = join(ROOT, "src/main.ts");

let gw: TestGateway;
let home: string;
beforeAll(async () => {
  gw = await startTestGateway();
  home = tempDir("cli-home-");
});
afterAll(async () => {
  await gw.stop();
});

function spawnCli(args: string[], env: Record<string, string> = {}) {
  return Bun.spawn([process.execPath, MAIN, ...args], {
    cwd: ROOT,
    // A clean env: no developer config, no stray OPENCLAW_* credentials.
    env: { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
}

async function cli(args: string[], env: Record<string, string> = {}) {
  const proc = spawnCli(args, env);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const auth = () => ["--url", gw.url, "--token", TEST_TOKEN];

test("--version prints the version", async () => {
  const r = await cli(["--version"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`${VERSION}\n`);
});

describe("gateway call", () => {
  test("health --json prints the payload and exits 0", async () => {
    const r = await cli(["gateway", "call", "health", "--json", ...auth()]);
    expect(r.code).toBe(0);
    const payload = JSON.parse(r.stdout);
    expect(payload.ok).toBe(true);
    expect(payload.defaultAgentId).toBe("main");
    expect(r.stdout).toStartWith('{\n  "ok": true');
  });

  test("system-event gets admin scope (least privilege for it) and lands in presence", async () => {
    const text = `Node: e2e-${crypto.randomUUID()}`;
    const r = await cli(["gateway", "call", "system-event", "--params", JSON.stringify({ text }), ...auth()]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true });
    const presence = await cli(["gateway", "call", "system-presence", ...auth()]);
    expect(presence.code).toBe(0);
    expect(presence.stdout).toContain(text);
  });

  test("unknown method: exit 1 with the error code (JSON and human)", async () => {
    const json = await cli(["gateway", "call", "nope.nope", "--json", ...auth()]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      error: { type: "gateway_request_error", code: "INVALID_REQUEST", message: "unknown method: nope.nope", retryable: false },
    });
    const human = await cli(["gateway", "call", "nope.nope", ...auth()]);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain("Gateway call failed: INVALID_REQUEST: unknown method: nope.nope");
  });

  test("bad --params JSON is a usage error (exit 2)", async () => {
    const r = await cli(["gateway", "call", "health", "--params", "{not json", ...auth()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--params must be valid JSON");
  });

  test("wrong token: exit 1 with AUTH_TOKEN_MISMATCH", async () => {
    const r = await cli(["gateway", "call", "health", "--json", "--url", gw.url, "--token", "not-the-token"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.error.type).toBe("gateway_request_error");
    expect(out.error.details.code).toBe("AUTH_TOKEN_MISMATCH");
  });

  test("unreachable URL: exit 1 quickly with a transport error", async () => {
    const url = `ws://127.0.0.1:${closedPort()}`;
    const r = await cli(["gateway", "call", "health", "--json", "--url", url, "--token", TEST_TOKEN]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.error.type).toBe("gateway_transport_error");
    // "refused", not "timeout", is what shows it did not wait out the connect budget (no stopwatch:
    // starting the CLI itself can take seconds on a busy machine).
    expect(out.error.kind).toBe("refused");
    expect(out.gateway).toEqual({ url, urlSource: "flag" });
  });

  test("without --url the port and token come from the config file", async () => {
    const cfgHome = tempDir("cli-cfg-home-");
    mkdirSync(join(cfgHome, ".openclaw"), { recursive: true });
    writeFileSync(
      join(cfgHome, ".openclaw", "openclaw.json"),
      `// JSON5, as users write it\n{ gateway: { port: ${gw.port}, auth: { token: "${TEST_TOKEN}" } } }\n`,
    );
    const r = await cli(["gateway", "call", "status", "--json"], { HOME: cfgHome });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).gateway.port).toBe(gw.port);
  });
});

test("gateway health prints OK", async () => {
  const r = await cli(["gateway", "health", ...auth()]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^OK \(\d+ms\)\n$/);
});

describe("health", () => {
  const env = () => ({ OPENCLAW_GATEWAY_URL: gw.url, OPENCLAW_GATEWAY_TOKEN: TEST_TOKEN });

  test("--json prints the health payload, target from env", async () => {
    const r = await cli(["health", "--json"], env());
    expect(r.code).toBe(0);
    const payload = JSON.parse(r.stdout);
    expect(payload.ok).toBe(true);
    expect(payload.agents[0].agentId).toBe("main");
  });

  test("human output follows the runbook", async () => {
    const r = await cli(["health"], env());
    expect(r.code).toBe(0);
    // A loaded test machine can legitimately see a degraded loop; the line's form is what is checked.
    expect(r.stdout).toMatch(/^Gateway event loop: (ok|degraded( for \d+[smh])?( reasons=[a-z_,]+)?) max=\d+ms p99=\d+ms util=[\d.]+ cpu=[\d.]+$/m);
    expect(r.stdout).toMatch(/^Gateway probe duration: \d+ms$/m);
    expect(r.stdout).toContain("Agents: main (default)");
    expect(r.stdout).toContain("Heartbeat interval: disabled (main)");
    expect(r.stdout).toMatch(/^Session store \(main\): \S+ \(\d+ entries\)$/m);
    expect(r.stdout).toMatch(/^Connections: \d+/m);
  });

  test("unreachable gateway: exit 1 with the hint", async () => {
    const r = await cli(["health"], { OPENCLAW_GATEWAY_URL: `ws://127.0.0.1:${closedPort()}`, OPENCLAW_GATEWAY_TOKEN: TEST_TOKEN });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Gateway not reachable:");
    expect(r.stderr).toContain("Run openclaw gateway status --deep to diagnose.");
  });
});

describe("logs", () => {
  test("--limit 5 --plain: header, then at most 5 parsed lines", async () => {
    gw.runtime.log.info("e2e plain marker");
    const r = await cli(["logs", "--limit", "5", "--plain", ...auth()]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`Log file: ${gw.logFile}`);
    const entries = lines.slice(1).filter((l) => !l.startsWith("Log tail truncated"));
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.length).toBeLessThanOrEqual(5);
    for (const line of entries) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\S+ (trace|debug|info|warn|error|fatal) /);
    expect(r.stdout).toContain("Log tail truncated (increase --limit or --max-bytes).");
  });

  test("--json: a meta line, then log records", async () => {
    gw.runtime.log.info("e2e json marker");
    const r = await cli(["logs", "--limit", "5", "--json", ...auth()]);
    expect(r.code).toBe(0);
    const records = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(records[0]).toMatchObject({ type: "meta", file: gw.logFile, sourceKind: "file" });
    expect(typeof records[0].cursor).toBe("number");
    const logs = records.filter((x) => x.type === "log");
    expect(logs.length).toBeGreaterThan(0);
    for (const rec of logs) expect(Object.keys(rec)).toEqual(["type", "time", "level", "subsystem", "message", "raw"]);
  });

  test("--follow prints new lines as they are written and exits 0 on SIGINT", async () => {
    const proc = spawnCli(["logs", "--follow", "--plain", "--interval", "50", ...auth()]);
    const out = readAll(proc.stdout);
    try {
      await out.waitFor((s) => s.includes("Log file:"));
      const marker = `follow-marker-${crypto.randomUUID()}`;
      gw.runtime.log.info(marker);
      await out.waitFor((s) => s.includes(marker));
      proc.kill("SIGINT");
      expect(await proc.exited).toBe(0);
    } finally {
      proc.kill();
    }
  });

  test("--follow survives a gateway restart and says so", async () => {
    const first = await startTestGateway();
    const port = first.port;
    const proc = spawnCli(["logs", "--follow", "--plain", "--interval", "50", "--url", first.url, "--token", TEST_TOKEN]);
    const out = readAll(proc.stdout);
    const err = readAll(proc.stderr);
    let second: TestGateway | undefined;
    try {
      await out.waitFor((s) => s.includes("Log file:"));
      await first.stop();
      await err.waitFor((s) => s.includes("[logs] gateway unreachable"));
      second = await startTestGateway({ port });
      await err.waitFor((s) => s.includes("[logs] gateway reconnected"));
      const marker = `after-restart-${crypto.randomUUID()}`;
      second.runtime.log.info(marker);
      await out.waitFor((s) => s.includes(marker));
      // A new gateway writes a new file; the header says which.
      await out.waitFor((s) => s.includes(`Log file: ${second!.logFile}`));
      proc.kill("SIGINT");
      expect(await proc.exited).toBe(0);
    } finally {
      proc.kill();
      await second?.stop();
    }
  });
});

/** Collects a stream as it arrives, so a test can wait for specific output instead of sleeping. */
function readAll(stream: ReadableStream<Uint8Array>) {
  let text = "";
  const waiters: Array<() => void> = [];
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      for (const w of waiters.splice(0)) w();
    }
  })();
  return {
    async waitFor(pred: (s: string) => boolean, timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!pred(text)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for output; got:\n${text}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => (clearTimeout(t), resolve()));
        });
      }
    },
  };
}
