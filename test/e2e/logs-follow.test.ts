// `openclaw logs --follow` across a size rotation: a gateway with a tiny logging.maxFileBytes,
// enough traffic to rotate its file, and the follower keeps printing through a `reset` notice.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync } from "node:fs";
import { makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { RawClient } from "../fixtures/ws-client.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const TOKEN = "follow-token-0123456789abcdef";
const running: Spawned[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

async function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

interface Record {
  type: string;
  message?: string;
  file?: string;
}

test("logs --follow --json prints lines from before and after a rotation, with a reset notice between", async () => {
  const home = makeHome({ gateway: { mode: "local" }, logging: { maxFileBytes: 32_768, maxFiles: 2 } });
  // compact: one info line per call, so every request below lands in the file log.
  const gw = spawnCli(["gateway", "run", "--port", "0", "--token", TOKEN, "--ws-log", "compact"], { home });
  running.push(gw);
  const url = await gw.ready;
  const file = /log file: (\S+)/.exec(gw.stdout())![1]!;
  const archive = file.replace(/\.log$/, ".1.log");

  const follow = spawnCli(["logs", "--follow", "--json", "--url", url, "--token", TOKEN, "--interval", "200"], { home });
  running.push(follow);
  const records = (): Record[] =>
    follow.stdout().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record);
  const printed = (id: string) => records().some((r) => r.type === "log" && r.message?.endsWith(` id=${id}`));
  await waitFor(() => records().some((r) => r.type === "meta"), "the meta line");
  expect(records()[0]).toMatchObject({ type: "meta", file });

  const c = await RawClient.connect(url, { token: TOKEN, scopes: ["operator.admin"] });
  for (let i = 0; i < 5; i++) await c.request("system-event", { text: `before ${i}` }, `before-${i}`);
  await waitFor(() => printed("before-4"), "the lines before the rotation");

  // Fill the file until it rotates (the archive appears), then stop at once.
  let n = 0;
  while (!existsSync(archive)) {
    await c.request("system-event", { text: `fill ${n}` }, `fill-${n}`);
    if (++n > 5000) throw new Error("the log never rotated");
  }
  for (let i = 0; i < 5; i++) await c.request("system-event", { text: `after ${i}` }, `after-${i}`);
  await waitFor(() => printed("after-4"), "the lines after the rotation");
  c.close();

  const all = records();
  const notice = all.findIndex((r) => r.type === "notice" && /rotated or truncated/.test(r.message ?? ""));
  expect(notice).toBeGreaterThan(0);
  const at = (id: string) => all.findIndex((r) => r.type === "log" && r.message?.endsWith(` id=${id}`));
  for (let i = 0; i < 5; i++) {
    expect(at(`before-${i}`)).toBeGreaterThan(0);
    expect(at(`before-${i}`)).toBeLessThan(notice);
    expect(at(`after-${i}`)).toBeGreaterThan(notice);
  }
  // Still one file as far as the reader is concerned: no second meta line, no error.
  expect(all.filter((r) => r.type === "meta")).toHaveLength(1);
  expect(follow.stderr()).toBe("");

  follow.proc.kill("SIGINT");
  expect(await follow.exited).toBe(0);
});
