/**
 * Channel RPCs. Channel errors become the protocol's: a bad target or channel is INVALID_REQUEST,
 * WhatsApp without a link is NOT_LINKED (with how to link), a failed delivery is UNAVAILABLE.
 */
import type { ChannelService } from "../../channels/service.ts";
import { ChannelInputError, ChannelNotLinkedError, type ChannelId } from "../../channels/types.ts";
import { channelMethods, ErrorCodes, GatewayError } from "../../protocol/index.ts";
import type { GatewayRuntime } from "../runtime.ts";
import { implement } from "./registry.ts";

function service(gw: GatewayRuntime): ChannelService {
  const svc = gw.channels.active;
  if (!svc || svc.configuredChannels().length === 0) {
    throw new GatewayError(ErrorCodes.INVALID_REQUEST, "no channel is configured (add channels.telegram or channels.whatsapp to the config)");
  }
  return svc;
}

/** Runs a channel operation and maps its failures to protocol errors. */
async function guarded<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    if (err instanceof ChannelInputError) throw new GatewayError(ErrorCodes.INVALID_REQUEST, err.message);
    if (err instanceof ChannelNotLinkedError) throw new GatewayError(ErrorCodes.NOT_LINKED, err.message);
    throw new GatewayError(ErrorCodes.UNAVAILABLE, err instanceof Error ? `${err.name === "Error" ? "" : `${err.name}: `}${err.message}` : String(err), { retryable: false });
  }
}

function channelOf(gw: GatewayRuntime, channel: string, method: string): ChannelId {
  const svc = service(gw);
  const id = channel.toLowerCase() as ChannelId;
  if (!svc.configuredChannels().includes(id)) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `invalid ${method} channel`);
  return id;
}

function accountOf(gw: GatewayRuntime, id: ChannelId, accountId: string | undefined): string {
  const accounts = service(gw).manager.accounts(id).map((a) => a.accountId);
  const chosen = accountId ?? (accounts.includes("default") ? "default" : accounts[0]);
  if (!chosen || !accounts.includes(chosen)) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `Unknown account "${accountId ?? ""}" for channel ${id}.`);
  return chosen;
}

export const channelSendMethod = implement(channelMethods.send, (p, { gw }) => guarded(() => {
  if (p.buffer) throw new ChannelInputError("buffer uploads are not supported by this gateway; give the media as mediaUrl");
  const urls = [...(p.mediaUrl ? [p.mediaUrl] : []), ...(p.mediaUrls ?? [])];
  if ((p.message === undefined || p.message.trim() === "") && urls.length === 0) throw new ChannelInputError("invalid send params: text or media is required");
  const media = urls.map((url) => ({
    url, ...(p.contentType ? { contentType: p.contentType } : {}), ...(p.filename ? { filename: p.filename } : {}),
    ...(p.asVoice ? { asVoice: true } : {}), ...(p.forceDocument ? { forceDocument: true } : {}),
  }));
  return service(gw).send({
    to: p.to, message: p.message ?? "", idempotencyKey: p.idempotencyKey, ...(media.length > 0 ? { media } : {}),
    ...(p.channel ? { channel: p.channel } : {}), ...(p.accountId ? { accountId: p.accountId } : {}),
    ...(p.threadId ? { threadId: p.threadId } : {}), ...(p.replyToId ? { replyToId: p.replyToId } : {}), ...(p.silent ? { silent: true } : {}),
  }) as never;
}));

export const pollMethod = implement(channelMethods.poll, (p, { gw }) => guarded(() => {
  const durationSeconds = p.durationSeconds ?? (p.durationHours !== undefined ? Math.round(p.durationHours * 3600) : undefined);
  return service(gw).poll({
    to: p.to, question: p.question, options: p.options, idempotencyKey: p.idempotencyKey,
    ...(p.channel ? { channel: p.channel } : {}), ...(p.accountId ? { accountId: p.accountId } : {}),
    ...(p.maxSelections ? { maxSelections: p.maxSelections } : {}), ...(durationSeconds ? { durationSeconds } : {}),
    ...(p.isAnonymous !== undefined ? { isAnonymous: p.isAnonymous } : {}), ...(p.silent ? { silent: true } : {}), ...(p.threadId ? { threadId: p.threadId } : {}),
  }) as never;
}));

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : undefined);

export const messageActionMethod = implement(channelMethods.messageAction, (p, { gw }) => guarded(async () => {
  const svc = service(gw);
  const q = p.params;
  const to = str(q.to) ?? str(q.target);
  const base = { channel: p.channel, ...(p.accountId ? { accountId: p.accountId } : {}) };
  switch (p.action) {
    case "send": {
      const message = str(q.message);
      if (!to) throw new ChannelInputError("target is required");
      if (!message) throw new ChannelInputError("message is required");
      const replyToId = str(q.replyTo) ?? str(q.replyToId) ?? (typeof p.reply?.replyToId === "string" ? p.reply.replyToId : undefined);
      const threadId = str(q.threadId);
      const r = await svc.send({
        ...base, to, message, idempotencyKey: `message.action:${p.idempotencyKey}`,
        ...(replyToId ? { replyToId } : {}), ...(threadId ? { threadId } : {}), ...(q.silent === true ? { silent: true } : {}),
      });
      return { ok: true, messageId: r.messageId, chatId: r.chatId, receipt: {} };
    }
    case "poll": {
      const question = str(q.pollQuestion) ?? str(q.question);
      const options = (Array.isArray(q.pollOption) ? q.pollOption : Array.isArray(q.options) ? q.options : []).map(String).filter((o) => o.trim() !== "");
      if (!to || !question || options.length < 2) throw new ChannelInputError("poll needs a target, a question and at least 2 options");
      const r = await svc.poll({ ...base, to, question, options, idempotencyKey: `message.action:${p.idempotencyKey}`, maxSelections: q.pollMulti === true ? options.length : 1, isAnonymous: q.pollAnonymous === true || q.pollPublic !== true });
      return { ok: true, messageId: r.messageId, chatId: r.chatId, pollId: r.pollId };
    }
    case "react": {
      const messageId = str(q.messageId);
      const emoji = str(q.emoji);
      if (!to || !messageId || !emoji) throw new ChannelInputError("react needs a target, messageId and emoji");
      return { ok: true, ...(await svc.react({ ...base, to, messageId, emoji, remove: q.remove === true })) };
    }
    default:
      throw new ChannelInputError(`Message action ${p.action} not supported for channel ${p.channel}.`);
  }
}) as never);

export const channelsStatusMethod = implement(channelMethods.channelsStatus, async (p, { gw }) => {
  const svc = gw.channels.active;
  if (!svc || svc.configuredChannels().length === 0) {
    if (p.channel !== undefined) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `unknown channel: ${p.channel}`);
    return {
      ts: Date.now(), channelOrder: [], channelLabels: {}, channelDetailLabels: {}, channelSystemImages: {}, channelMeta: [], channels: {},
      channelAccounts: {}, channelDefaultAccountId: {}, statusIssues: [],
    };
  }
  const { channelsStatus } = await import("../../channels/status.ts");
  return guarded(() => channelsStatus(svc.manager, p)) as never;
});

export const channelsStartMethod = implement(channelMethods.channelsStart, (p, { gw }) => {
  const id = channelOf(gw, p.channel, "channels.start");
  const accountId = accountOf(gw, id, p.accountId);
  return { channel: id, accountId, ...service(gw).manager.start(id, accountId) };
});

export const channelsStopMethod = implement(channelMethods.channelsStop, async (p, { gw }) => {
  const id = channelOf(gw, p.channel, "channels.stop");
  const accountId = accountOf(gw, id, p.accountId);
  return { channel: id, accountId, stopped: await service(gw).manager.stop(id, accountId) };
});

export const channelsPairingListMethod = implement(channelMethods.channelsPairingList, (p, { gw }) => {
  const svc = gw.channels.active;
  if (!svc) return { accounts: [], requests: [], commandOwnerConfigured: false, limits: { pendingPerAccount: 3, ttlMs: 3_600_000 } };
  return svc.pairingList(p) as never;
});

export const channelsPairingApproveMethod = implement(channelMethods.channelsPairingApprove, (p, { gw }) =>
  guarded(() => service(gw).pairingApprove({ channel: p.channel, requestId: p.requestId, ...(p.accountId ? { accountId: p.accountId } : {}), ...(p.notify ? { notify: true } : {}) })) as never,
);

export const channelsPairingDismissMethod = implement(channelMethods.channelsPairingDismiss, (p, { gw }) =>
  guarded(() => service(gw).pairingDismiss({ channel: p.channel, requestId: p.requestId })) as never,
);
