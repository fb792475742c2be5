/**
 * Webhook mode: instead of long polling, the account tells Telegram where to POST updates
 * (setWebhook with a secret) and runs a small listener for them. Each update goes through the same
 * durable ingress as a polled one and is answered 200 only after the commit, so an update the
 * gateway could not keep gets a non-2xx and Telegram delivers it again; a redelivery of one already
 * committed is deduped by its update id, as a replayed poll is.
 *
 * The listener speaks plain HTTP on webhookHost:webhookPort (loopback by default): Telegram only
 * calls HTTPS URLs, so webhookUrl is a TLS proxy or tunnel in front of it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import { TerminalChannelError, type AccountRunContext } from "../types.ts";
import { DEFAULT_ACCOUNT_ID, type WebhookConfig } from "./account.ts";
import { convertUpdate, type BotIdentity } from "./inbound.ts";

/** Telegram's updates are a few KiB; anything near this is not one. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;
/** Telegram echoes setWebhook's secret_token in this header on every delivery. */
export const SECRET_HEADER = "x-telegram-bot-api-secret-token";
/** Tells the sender the update is committed (as the published gateway answers). */
export const ACCEPTED_HEADER = "x-openclaw-delivery-accepted";
/** Certificates are a few KiB of PEM; the cap keeps a wrong path (a disk image) from being read whole. */
const CERT_LIMIT = 64 * 1024;
/** A public listener draws scanners: a refused request is logged at most this often. */
const REFUSAL_LOG_EVERY_MS = 60_000;

export interface WebhookRunDeps {
  webhook: WebhookConfig;
  bot: BotIdentity;
  allowedUpdates: readonly string[];
  /** The account's start-up call (transient failures waited out; 401 terminal; others thrown); undefined once aborted. */
  startCall<T>(method: string, params: Record<string, unknown>): Promise<T | undefined>;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

function configKey(accountId: string, key: string): string {
  return accountId === DEFAULT_ACCOUNT_ID ? `channels.telegram.${key}` : `channels.telegram.accounts.${accountId}.${key}`;
}

/** Hashing first makes the comparison constant-time whatever the lengths. */
export function secretMatches(given: string | null, secret: string): boolean {
  if (given === null || !secret) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/** A certificate that cannot be read will not become readable by restarting: stop with the key to fix. */
function readCertificate(path: string, accountId: string): File {
  const fail = (why: string) =>
    new TerminalChannelError(`webhookCertPath ${path} ${why}; fix ${configKey(accountId, "webhookCertPath")}`, "config");
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw fail("is not a regular file");
    size = st.size;
  } catch (err) {
    if (err instanceof TerminalChannelError) throw err;
    throw fail(`does not exist or cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (size === 0) throw fail("is empty");
  if (size > CERT_LIMIT) throw fail(`is ${size} bytes, too large for a certificate`);
  try {
    return new File([readFileSync(path)], basename(path), { type: "application/x-pem-file" });
  } catch (err) {
    throw fail(`is unreadable (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** Runs the account in webhook mode until `ctx.signal` aborts; the listener is closed (its port free) when this settles. */
export async function runWebhook(ctx: AccountRunContext, deps: WebhookRunDeps): Promise<void> {
  const { account, signal, log } = ctx;
  const { webhook } = deps;
  // The schema refuses this already; a listener that would accept anything is never started.
  if (!webhook.secret) throw new TerminalChannelError(`webhookUrl requires webhookSecret; set ${configKey(account.accountId, "webhookSecret")}`, "config");
  const certificate = webhook.certPath ? readCertificate(webhook.certPath, account.accountId) : undefined;

  // Listen before setWebhook, so the first delivery Telegram attempts finds us.
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: webhook.host,
      port: webhook.port,
      maxRequestBodySize: WEBHOOK_BODY_LIMIT,
      fetch: webhookHandler(ctx, deps),
    });
  } catch (err) {
    throw new Error(`Telegram webhook listener could not listen on ${webhook.host}:${webhook.port}: ${errText(err)}`);
  }
  const listener = `http://${webhook.host.includes(":") ? `[${webhook.host}]` : webhook.host}:${server.port}${webhook.path}`;
  try {
    ctx.setStatus({ mode: "webhook", webhookUrl: webhook.url, webhookListener: listener });
    const params: Record<string, unknown> = {
      url: webhook.url,
      secret_token: webhook.secret,
      allowed_updates: deps.allowedUpdates,
      drop_pending_updates: false,
    };
    if (certificate) params.certificate = certificate;
    if ((await deps.startCall("setWebhook", params)) === undefined) return;
    const now = Date.now();
    ctx.setStatus({ connected: true, lifecycle: "ready", lastConnectedAt: now, lastTransportActivityAt: now, lastError: null });
    log.info(`webhook set (${webhook.url}); listening on ${listener}`);
    await untilAborted(signal);
  } finally {
    // Forced: a delivery cut off here was not answered 200, so Telegram sends it again.
    await server.stop(true);
    ctx.setStatus({ connected: false });
  }
}

function webhookHandler(ctx: AccountRunContext, deps: WebhookRunDeps): (req: Request) => Promise<Response> {
  const { account, log } = ctx;
  const { webhook, bot } = deps;
  let refused = 0;
  let refusalLoggedAt = -Infinity;
  const refuse = (status: number, why: string) => {
    refused++;
    if (Date.now() - refusalLoggedAt >= REFUSAL_LOG_EVERY_MS) {
      log.warn(`webhook request refused (${status}, ${why})${refused > 1 ? `; ${refused} refused since the last report` : ""}`);
      refusalLoggedAt = Date.now();
      refused = 0;
    }
    return new Response(null, { status });
  };

  return async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/healthz") return req.method === "GET" || req.method === "HEAD" ? Response.json({ ok: true }) : new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
    if (path !== webhook.path) return new Response(null, { status: 404 });
    if (req.method !== "POST") return new Response(null, { status: 405, headers: { allow: "POST" } });
    if (!secretMatches(req.headers.get(SECRET_HEADER), webhook.secret)) return refuse(401, "missing or wrong secret token");
    let raw: unknown;
    try {
      raw = await req.json();
    } catch {
      return refuse(400, "body is not JSON");
    }
    const conv = convertUpdate(raw, account.accountId, bot);
    if (!conv) return refuse(400, "not a Telegram update");
    const now = Date.now();
    ctx.setStatus({ lastTransportActivityAt: now });
    if (conv.kind === "message") {
      const m = conv.message;
      log.debug(`update ${conv.updateId} received by webhook (${m.chatType} ${m.chatId}, ${m.text.length} chars)`);
      try {
        await ctx.receive(m);
      } catch (err) {
        // Not committed: a non-2xx makes Telegram deliver it again.
        log.warn(`the gateway did not take update ${conv.updateId} (${errText(err)}); answering 500 so Telegram redelivers it`);
        return new Response(null, { status: 500 });
      }
      ctx.setStatus({ lastInboundAt: now, lastEventAt: now });
    } else {
      // Updates the assistant does not act on are settled here, as the poller moves past them.
      log.debug(`skipping update ${conv.updateId}: ${conv.reason}`);
    }
    return new Response(null, { status: 200, headers: { [ACCEPTED_HEADER]: "durable" } });
  };
}
