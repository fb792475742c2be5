// `gateway run --ws-log auto|compact|full` (and --compact, --verbose) as seen on the console.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const TOKEN = "wslog-token-0123456789abcdef";
const running: Spawned[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

/**
 * Runs a gateway with `args`, makes one good and one failing call, closes, and returns stdout once it
 * shows the last of `expected` (lines come out in order, so everything before them is there too).
 */
async function gatewayWith(args: string[], expected: RegExp[]) {
  const s = spawnCli(["gateway", "run", "--port", "0", "--token", TOKEN, ...args], { home: makeHome({ gateway: { mode: "local" } }) });
  running.push(s);
  const url = await s.ready;
  const c = await RawClient.connect(url, { token: TOKEN, scopes: ["operator.admin"] });
  await c.request("health", undefined, "h-1");
  await c.request("nope", {}, "x-1");
  c.close();
  await waitUntil(() => expected.every((re) => re.test(s.stdout())), `${expected.join(", ")} on stdout`, { detail: () => s.stdout() });
  return s.stdout();
}

const FAILED = /\[ws\] ⇄ res ✗ nope \d+ms errorCode=INVALID_REQUEST errorMessage=unknown method: nope conn=[0-9a-f]{8}…[0-9a-f]{4} id=x-1\n/;

test("auto (default): only the failed call is printed", async () => {
  const out = await gatewayWith([], [FAILED]);
  expect(out).toMatch(FAILED);
  expect(out).not.toMatch(/\[ws\].*health/);
  expect(out).not.toContain("← open");
});

test("auto with --verbose: every call in one line, plus the connection lines", async () => {
  const out = await gatewayWith(["--verbose"], [FAILED, /\[ws\] → close code=\d+/]);
  expect(out).toMatch(FAILED);
  expect(out).toMatch(/\[ws\] ⇄ res ✓ health \d+ms conn=\S+ id=h-1\n/);
  expect(out).toMatch(/\[ws\] ← open remoteAddr=127\.0\.0\.1 conn=/);
  expect(out).toMatch(/\[ws\] → hello-ok methods=\d+/);
  expect(out).toMatch(/\[ws\] → close code=\d+/);
});

test("--compact (= --ws-log compact): every call in one line without --verbose", async () => {
  const out = await gatewayWith(["--compact"], [FAILED]);
  expect(out).toMatch(/\[ws\] ⇄ res ✓ health \d+ms conn=\S+ id=h-1\n/);
  expect(out).toMatch(FAILED);
});

test("--ws-log full: requests and responses apart", async () => {
  const out = await gatewayWith(["--ws-log", "full"], [/\[ws\] → res ✗ nope \d+ms/]);
  expect(out).toMatch(/\[ws\] ← req health conn=\S+ id=h-1\n/);
  expect(out).toMatch(/\[ws\] → res ✓ health \d+ms conn=\S+ id=h-1\n/);
  expect(out).toMatch(/\[ws\] → res ✗ nope \d+ms errorCode=INVALID_REQUEST/);
  expect(out).not.toContain("⇄ res");
});

test("an unknown --ws-log is refused before anything starts", async () => {
  const s = spawnCli(["gateway", "run", "--port", "0", "--ws-log", "loud"], { home: makeHome({ gateway: { mode: "local" } }) });
  running.push(s);
  expect(await s.exited).toBe(1);
  expect(s.stderr()).toContain('Invalid --ws-log. Use "auto", "full", or "compact".');
});
