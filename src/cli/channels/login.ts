/**
 * `openclaw channels login --channel whatsapp`: the QR flow in a terminal. The gateway owns the
 * link (web.login.start / web.login.wait); this draws each QR it returns and waits until the phone
 * has scanned it, the QR expired, or the overall time ran out. `channels logout` unlinks.
 */
import { jsonArg, parseIntArg, timeoutArg, urlArgs, verb } from "../args.ts";
import type { CliContext } from "../context.ts";
import { ExitError } from "../errors.ts";
import { ADMIN, asCli } from "../nodes/call.ts";
import { callOrExit } from "../rpc.ts";
import { accountFlag } from "./lifecycle.ts";
import { channelFlag } from "./status.ts";

interface LoginResult {
  message: string;
  qrDataUrl?: string;
  connected?: boolean;
}

/** One web.login.wait asks the gateway to hold on this long; the loop asks again until the deadline. */
const WAIT_SLICE_MS = 60_000;

const loginArgs = {
  channel: { type: "string", description: "Channel to link (default whatsapp)", valueHint: "whatsapp" },
  account: { type: "string", description: "Account id (default: the channel's default account)" },
  force: { type: "boolean", description: "A fresh QR even when already linked (relink)" },
  ...jsonArg,
  ...urlArgs,
  ...timeoutArg(180_000),
} as const;

async function draw(ctx: CliContext, dataUrl: string): Promise<void> {
  const { renderQrForTerminal } = await import("../../channels/whatsapp/qr.ts");
  ctx.io.out(await renderQrForTerminal(dataUrl));
}

/** Messages of the wait that end the login without a link. */
function failed(message: string): boolean {
  return /expired|logged out|failed|No active/i.test(message);
}

export function loginCommand(ctx: CliContext) {
  return verb("login", "Link WhatsApp to this gateway: scan the QR in WhatsApp → Linked Devices", loginArgs, async (a) => {
    const channel = channelFlag(a.channel) ?? "whatsapp";
    const accountId = accountFlag(a.account);
    const deadline = Date.now() + parseIntArg(a.timeout, "timeout", 1_000);
    const base = { channel, ...(accountId ? { accountId } : {}) };
    const call = <T>(method: string, params: unknown, timeoutMs: number) =>
      callOrExit<T>(ctx, a, method, params, [asCli(ADMIN)], { timeoutMs });
    const start = await call<LoginResult>("web.login.start", { ...base, timeoutMs: 30_000, ...(a.force ? { force: true } : {}) }, 45_000);
    if (!start.qrDataUrl) {
      if (a.json) ctx.io.json(start);
      else ctx.io.out(start.message);
      if (/^Failed/.test(start.message)) throw new ExitError(1);
      return;
    }
    if (!a.json) {
      await draw(ctx, start.qrDataUrl);
      ctx.io.out(start.message);
    }
    let qr = start.qrDataUrl;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        if (a.json) ctx.io.json({ connected: false, message: "Timed out waiting for the QR scan." });
        else ctx.io.err("Timed out waiting for the QR scan. Run openclaw channels login --channel whatsapp again.");
        throw new ExitError(1);
      }
      const slice = Math.min(WAIT_SLICE_MS, left);
      const res = await call<LoginResult>("web.login.wait", { ...base, timeoutMs: slice, currentQrDataUrl: qr }, slice + 15_000);
      if (res.connected) {
        if (a.json) ctx.io.json(res);
        else ctx.io.out(res.message);
        return;
      }
      if (res.qrDataUrl && res.qrDataUrl !== qr) {
        qr = res.qrDataUrl;
        if (!a.json) {
          await draw(ctx, qr);
          ctx.io.out(res.message);
        }
        continue;
      }
      if (failed(res.message)) {
        if (a.json) ctx.io.json(res);
        else ctx.io.err(res.message);
        throw new ExitError(1);
      }
    }
  });
}

const logoutArgs = {
  channel: { type: "string", description: "Channel to unlink (default whatsapp)", valueHint: "whatsapp" },
  account: { type: "string", description: "Account id (default: the channel's default account)" },
  ...jsonArg,
  ...urlArgs,
  ...timeoutArg(30_000),
} as const;

export function logoutCommand(ctx: CliContext) {
  return verb("logout", "Log a channel account out (WhatsApp: removes its credentials; Telegram: its token leaves the config) and stop it", logoutArgs, async (a) => {
    const channel = channelFlag(a.channel) ?? "whatsapp";
    const accountId = accountFlag(a.account);
    const res = await callOrExit<{ channel: string; accountId: string; cleared: boolean; envToken?: boolean }>(
      ctx, a, "channels.logout", { channel, ...(accountId ? { accountId } : {}) }, [asCli(ADMIN)],
    );
    if (a.json) {
      ctx.io.json(res);
      return;
    }
    const what = res.channel === "telegram" ? "its token removed from the config" : "credentials removed";
    ctx.io.out(res.cleared ? `Logged out ${res.channel} ${res.accountId}: ${what}; stopped until openclaw channels start.` : `Logged out ${res.channel} ${res.accountId}: stopped until openclaw channels start.`);
    if (res.envToken) ctx.io.out("The token also comes from TELEGRAM_BOT_TOKEN: unset it too, or the account can be started again with it.");
  });
}
