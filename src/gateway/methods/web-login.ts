/**
 * Linking and unlinking: `web.login.start` / `web.login.wait` (WhatsApp's QR flow, as the Control UI
 * and `openclaw channels login` drive it) and `channels.logout`. A successful link starts the
 * account; a logout stops it and removes its credentials.
 */
import type { ChannelService } from "../../channels/service.ts";
import type { ChannelAccount } from "../../channels/types.ts";
import type { WhatsAppAdapter } from "../../channels/whatsapp/index.ts";
import { channelMethods, ErrorCodes, GatewayError } from "../../protocol/index.ts";
import type { GatewayRuntime } from "../runtime.ts";
import { implement } from "./registry.ts";

const NOT_CONFIGURED =
  "web login provider is not available: WhatsApp is not configured. Add channels.whatsapp to the config (for example channels: { whatsapp: {} }), then link it with: openclaw channels login --channel whatsapp";

async function whatsapp(gw: GatewayRuntime, channel: string | undefined, accountId: string | undefined): Promise<{ svc: ChannelService; adapter: WhatsAppAdapter; account: ChannelAccount }> {
  if (channel !== undefined && channel.toLowerCase() !== "whatsapp") {
    throw new GatewayError(ErrorCodes.INVALID_REQUEST, `web login is not supported by provider ${channel}`);
  }
  const svc = gw.channels.active;
  if (!svc || !svc.configuredChannels().includes("whatsapp")) throw new GatewayError(ErrorCodes.INVALID_REQUEST, NOT_CONFIGURED);
  const adapter = (await svc.manager.adapter("whatsapp")) as WhatsAppAdapter;
  const accounts = svc.manager.accounts("whatsapp");
  const id = accountId ?? (accounts.some((a) => a.accountId === "default") ? "default" : accounts[0]?.accountId);
  const account = accounts.find((a) => a.accountId === id);
  if (!account) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `Unknown account "${accountId ?? ""}" for channel whatsapp.`);
  return { svc, adapter, account };
}

function unavailable(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError(ErrorCodes.UNAVAILABLE, err instanceof Error ? err.message : String(err));
}

/** After a link, the account counts as configured: re-applying the config starts it. */
async function restart(gw: GatewayRuntime, svc: ChannelService): Promise<void> {
  await svc.apply(gw.config);
}

export const webLoginStartMethod = implement(channelMethods.webLoginStart, async (p, { gw }) => {
  const { svc, adapter, account } = await whatsapp(gw, p.channel, p.accountId);
  try {
    const running = svc.manager.snapshot("whatsapp", account.accountId)?.running ?? false;
    // A fresh QR needs the account's socket out of the way; an already linked one is just reported.
    if (p.force && running) await svc.manager.stop("whatsapp", account.accountId);
    const authDir = typeof account.config.authDir === "string" ? account.config.authDir : undefined;
    const result = await adapter.login.start({
      accountId: account.accountId, ...(p.force ? { force: true } : {}), ...(p.timeoutMs !== undefined ? { timeoutMs: p.timeoutMs } : {}),
      ...(authDir ? { authDir } : {}),
    });
    if (result.connected || (p.force && running && !result.qrDataUrl)) {
      svc.manager.start("whatsapp", account.accountId);
      await restart(gw, svc);
    }
    return result;
  } catch (err) {
    throw unavailable(err);
  }
});

export const webLoginWaitMethod = implement(channelMethods.webLoginWait, async (p, { gw }) => {
  const { svc, adapter, account } = await whatsapp(gw, p.channel, p.accountId);
  try {
    const result = await adapter.login.wait({
      accountId: account.accountId, ...(p.timeoutMs !== undefined ? { timeoutMs: p.timeoutMs } : {}),
      ...(p.currentQrDataUrl ? { currentQrDataUrl: p.currentQrDataUrl } : {}),
    });
    if (result.connected) {
      svc.manager.start("whatsapp", account.accountId);
      await restart(gw, svc);
    }
    return result;
  } catch (err) {
    throw unavailable(err);
  }
});

export const channelsLogoutMethod = implement(channelMethods.channelsLogout, async (p, { gw }) => {
  const svc = gw.channels.active;
  const channel = p.channel.toLowerCase();
  if (!svc || !svc.configuredChannels().includes(channel as never)) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "invalid channels.logout channel");
  if (channel === "telegram") return telegramLogout(gw, svc, p.accountId);
  if (channel !== "whatsapp") throw new GatewayError(ErrorCodes.INVALID_REQUEST, `channel ${channel} does not support logout`);
  const { adapter, account } = await whatsapp(gw, "whatsapp", p.accountId);
  try {
    // The live socket (if any) unlinks the device on the phone too; then the account stops for good.
    const out = await adapter.logout(account);
    await svc.manager.stop("whatsapp", account.accountId);
    await restart(gw, svc);
    return { channel: "whatsapp", accountId: account.accountId, ...out };
  } catch (err) {
    throw unavailable(err);
  }
});

async function telegramLogout(gw: GatewayRuntime, svc: ChannelService, accountId: string | undefined) {
  const accounts = svc.manager.accounts("telegram");
  const id = accountId ?? (accounts.some((a) => a.accountId === "default") ? "default" : accounts[0]?.accountId);
  const account = accounts.find((a) => a.accountId === id);
  if (!account) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `Unknown account "${accountId ?? ""}" for channel telegram.`);
  await svc.manager.stop("telegram", account.accountId);
  const { removeTelegramToken } = await import("../../channels/telegram/logout.ts");
  let cleared: boolean;
  try {
    ({ cleared } = removeTelegramToken(gw.loaded.path, account.accountId));
  } catch (err) {
    throw new GatewayError(ErrorCodes.INVALID_REQUEST, err instanceof Error ? err.message : String(err));
  }
  const envToken = account.tokenSource === "env";
  // Stays stopped (and says why) until channels.start, even after a token is added back.
  svc.manager.setStatus("telegram", account.accountId, { lastError: "logged out", tokenSource: envToken ? "env" : "none", configured: envToken });
  return { channel: "telegram", accountId: account.accountId, cleared, envToken, loggedOut: true };
}
