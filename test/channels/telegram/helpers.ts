// Shared set-up for the Telegram adapter tests: a state dir, an account pointed at the double, and a
// run context that records status patches, log lines and what the gateway "committed".
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveAccounts, type TelegramAccount } from "../../../src/channels/telegram/account.ts";
import type { TelegramAdapterOptions } from "../../../src/channels/telegram/index.ts";
import type { AccountRunContext, AccountStatusPatch, InboundMessage } from "../../../src/channels/types.ts";

/** Shaped like a real BotFather token, so the redaction checks mean something. */
export const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ";

export function tmpState(): string {
  return mkdtempSync(join(process.env.OPENCLAW_TEST_TMP ?? tmpdir(), "tg-state-"));
}

export function accountFor(apiRoot: string, extra: Record<string, unknown> = {}, token = TOKEN): TelegramAccount {
  const [account] = resolveAccounts({ botToken: token, apiRoot, ...extra }, {}, "/unused");
  return account!;
}

/** Short timeouts and backoff so failure paths finish in milliseconds. */
export const FAST: TelegramAdapterOptions = {
  timeouts: { getUpdates: 1500, getMe: 1000, deleteWebhook: 1000 },
  pollTimeoutSeconds: 1,
  backoff: { initialMs: 20, maxMs: 200 },
  idleSpacing: { initialMs: 5, maxMs: 20 },
  sendRetry: { attempts: 3, minDelayMs: 20, maxDelayMs: 2000, jitter: 0 },
};

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  line: string;
}

export interface TestCtx {
  ctx: AccountRunContext;
  controller: AbortController;
  status: AccountStatusPatch;
  patches: AccountStatusPatch[];
  logs: LogLine[];
  /** Every message receive() was called with, in call order (failed attempts too). */
  attempts: InboundMessage[];
  /** Messages whose receive() resolved. */
  committed: InboundMessage[];
}

export function makeCtx(
  account: TelegramAccount,
  stateDir: string,
  receive?: (m: InboundMessage) => Promise<void>,
): TestCtx {
  const controller = new AbortController();
  const t: TestCtx = { ctx: undefined as never, controller, status: {}, patches: [], logs: [], attempts: [], committed: [] };
  const log = (level: LogLine["level"]) => (line: string) => void t.logs.push({ level, line });
  t.ctx = {
    account,
    signal: controller.signal,
    stateDir,
    log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    setStatus(patch) {
      t.patches.push(patch);
      Object.assign(t.status, patch);
    },
    receive(m) {
      t.attempts.push(m);
      const taken = receive ? receive(m) : Promise.resolve();
      // Like the gateway's: a message that could not be committed is an already-rejected promise.
      return Bun.peek.status(taken) === "rejected" ? taken : taken.then(() => void t.committed.push(m));
    },
  };
  return t;
}

/** Every text a test can see: thrown messages, log lines, status patches. */
export function visibleText(t: TestCtx, errors: unknown[] = []): string {
  return [
    ...errors.map((e) => (e instanceof Error ? `${e.name}: ${e.message} ${e.stack ?? ""}` : String(e))),
    ...t.logs.map((l) => l.line),
    JSON.stringify(t.patches),
  ].join("\n");
}
