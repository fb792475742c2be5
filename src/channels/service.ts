/**
 * The channels of one running gateway: the manager keeping accounts alive, the router answering
 * people, the store, and the operations the RPCs and hooks need (send, poll, react, pairing,
 * start/stop/logout, status). Built only when the config names a channel.
 */
import { join } from "node:path";
import type { AgentService } from "../agents/types.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import type { Logger } from "../logging/logger.ts";
import { ChannelManager, CHANNEL_IDS, type ManagerDeps } from "./manager.ts";
import { deliverText, once, resolveTarget } from "./outbound.ts";
import { ChannelRouter } from "./router.ts";
import { ChannelStoreHandle, PAIRING_LIMITS, type PairingRequest, type SyncFile } from "./store.ts";
import type { MediaInput } from "./media.ts";
import { ChannelInputError, type ChannelAdapter, type ChannelId, type PollInput } from "./types.ts";

export interface ChannelServiceDeps {
  stateDir: string;
  env: Record<string, string | undefined>;
  agents: AgentService;
  logger: Logger;
  config: () => OpenClawConfig;
  /** Where adapters come from; tests give fakes. */
  loadAdapter(id: ChannelId): Promise<ChannelAdapter>;
  storePath?: string;
  /** How the channel store flushes its WAL (tests hold it back); an fsync by default. */
  syncFile?: SyncFile;
  /** Tests shorten the restart ladder. */
  restart?: ManagerDeps["restart"];
}

export function channelStorePath(stateDir: string): string {
  return join(stateDir, "state", "channels.sqlite");
}

export interface SendInput {
  to: string;
  /** Text; with media, the caption of the first item. */
  message: string;
  /** URLs the channel fetches; sent in order. */
  media?: Array<Omit<MediaInput, "caption">>;
  channel?: string;
  accountId?: string;
  threadId?: string;
  replyToId?: string;
  silent?: boolean;
  idempotencyKey: string;
}

export class ChannelService {
  readonly manager: ChannelManager;
  readonly router: ChannelRouter;
  private readonly store: ChannelStoreHandle;
  private recovered = false;

  constructor(private readonly deps: ChannelServiceDeps) {
    this.store = new ChannelStoreHandle(deps.storePath ?? channelStorePath(deps.stateDir), deps.syncFile);
    const log = deps.logger.child("channels");
    this.manager = new ChannelManager({
      loadAdapter: deps.loadAdapter, stateDir: deps.stateDir, env: deps.env,
      log: (channel, accountId) => {
        const l = deps.logger.child(channel);
        const p = `[${accountId}] `;
        return { debug: (m) => l.debug(p + m), info: (m) => l.info(p + m), warn: (m) => l.warn(p + m), error: (m) => l.error(p + m) };
      },
      receive: (m) => this.router.receive(m),
      ...(deps.restart ? { restart: deps.restart } : {}),
    });
    this.router = new ChannelRouter({
      store: () => this.store.get(), agents: deps.agents, manager: this.manager, log,
      session: () => deps.config().session ?? {},
      defaultGroupPolicy: () => deps.config().channels?.defaults?.groupPolicy,
    });
  }

  /** Starts, restarts or stops accounts to match the config; the first call also resumes unanswered messages. */
  async apply(config: OpenClawConfig): Promise<void> {
    await this.manager.apply(config.channels as Record<string, unknown> | undefined);
    if (!this.recovered && this.manager.channels().length > 0) {
      this.recovered = true;
      this.store.get().prune();
      this.router.recover();
    }
  }

  async close(): Promise<void> {
    this.router.stop();
    await this.manager.close();
    // Aborted turns unwind quickly; the store must outlive them so nothing half-written is left.
    await Promise.race([this.router.idle(), Bun.sleep(5_000)]);
    this.store.close();
  }

  /** For tests and shutdown: every received message handled. */
  idle(): Promise<void> {
    return this.router.idle();
  }

  async send(input: SendInput): Promise<Record<string, unknown>> {
    const media = input.media ?? [];
    if (input.message.trim() === "" && media.length === 0) throw new ChannelInputError("text or media is required");
    return once(this.store.get(), input.idempotencyKey, "send", async () => {
      const r = await resolveTarget(this.manager, input);
      const opts = { ...(input.threadId ? { threadId: input.threadId } : {}), ...(input.replyToId ? { replyToId: input.replyToId } : {}), ...(input.silent ? { silent: true } : {}) };
      let sent: { messageId: string; chatId: string };
      if (media.length > 0) {
        const sendMedia = r.adapter.outbound.sendMedia;
        if (!sendMedia) throw new ChannelInputError(`channel ${r.adapter.id} does not support media`);
        sent = { messageId: "", chatId: r.to };
        for (const [i, item] of media.entries()) {
          const caption = i === 0 && input.message.trim() !== "" ? input.message : undefined;
          const res = await sendMedia.call(r.adapter.outbound, r.account, r.to, { ...item, ...(caption ? { caption } : {}) }, opts);
          sent = { messageId: String(res.messageId), chatId: String(res.chatId) };
        }
      } else {
        sent = await deliverText(r, input.message, opts);
      }
      this.manager.setStatus(r.adapter.id, r.account.accountId, { lastOutboundAt: Date.now() });
      return { runId: input.idempotencyKey, messageId: sent.messageId, channel: r.adapter.id, chatId: sent.chatId };
    });
  }

  async poll(input: { to: string; channel?: string; accountId?: string; idempotencyKey: string } & PollInput): Promise<Record<string, unknown>> {
    return once(this.store.get(), input.idempotencyKey, "poll", async () => {
      const r = await resolveTarget(this.manager, input);
      if (!r.adapter.outbound.sendPoll) throw new ChannelInputError(`channel ${r.adapter.id} does not support polls`);
      const { to: _to, channel: _c, accountId: _a, idempotencyKey, ...poll } = input;
      const sent = await r.adapter.outbound.sendPoll(r.account, r.to, poll);
      return { runId: idempotencyKey, ...sent, channel: r.adapter.id };
    });
  }

  async react(input: { to: string; channel?: string; accountId?: string; messageId: string; emoji: string; remove?: boolean }): Promise<Record<string, unknown>> {
    const r = await resolveTarget(this.manager, input);
    if (!r.adapter.outbound.react) throw new ChannelInputError(`Message action react not supported for channel ${r.adapter.id}.`);
    return r.adapter.outbound.react(r.account, r.to, input.messageId, input.emoji, input.remove);
  }

  /** Hooks and `agent --deliver`: one reply to one target, chunked. */
  async deliver(input: { channel: string; to: string; accountId?: string; text: string }): Promise<{ messageId: string; chatId: string }> {
    const r = await resolveTarget(this.manager, input);
    return deliverText(r, input.text);
  }

  /** What `health` shows: each channel's default account (with all accounts), and the link state of WhatsApp. */
  healthSnapshot(): { channels: Record<string, unknown>; channelOrder: string[]; channelLabels: Record<string, string>; linkChannel?: { id: string; label: string; linked: boolean; accountId: string } } {
    const out: ReturnType<ChannelService["healthSnapshot"]> = { channels: {}, channelOrder: [], channelLabels: {} };
    for (const id of this.manager.channels()) {
      const accounts = this.manager.accounts(id);
      const snapshots = Object.fromEntries(accounts.map((a) => [a.accountId, { ...this.manager.snapshot(id, a.accountId) }]));
      const defaultId = accounts.some((a) => a.accountId === "default") ? "default" : accounts[0]!.accountId;
      out.channels[id] = { ...snapshots[defaultId], accounts: snapshots };
      out.channelOrder.push(id);
      out.channelLabels[id] = this.manager.loadedAdapter(id)?.label ?? id;
      if (id === "whatsapp") {
        const s = snapshots[defaultId] as { configured?: boolean; linked?: boolean } | undefined;
        out.linkChannel = { id, label: out.channelLabels[id]!, linked: s?.linked ?? s?.configured ?? false, accountId: defaultId };
      }
    }
    return out;
  }

  configuredChannels(): ChannelId[] {
    return this.manager.channels();
  }

  // ---- sender pairing -------------------------------------------------------------------------

  pairingList(filter: { channel?: string; accountId?: string }): Record<string, unknown> {
    const requests = this.store.get().pairingRequests(filter);
    const accounts = this.manager.channels().flatMap((id) => this.manager.accounts(id).map((a) => ({
      channel: id, channelLabel: this.manager.loadedAdapter(id)?.label ?? id, accountId: a.accountId, notifySupported: true,
    })));
    return {
      accounts: accounts.filter((a) => (!filter.channel || a.channel === filter.channel) && (!filter.accountId || a.accountId === filter.accountId)),
      requests: requests.map((r) => this.requestEntry(r)),
      commandOwnerConfigured: false,
      limits: { ...PAIRING_LIMITS },
    };
  }

  private requestEntry(r: PairingRequest): Record<string, unknown> {
    const label = this.manager.loadedAdapter(r.channel as ChannelId)?.label ?? r.channel;
    return {
      requestId: r.requestId, code: r.code, channel: r.channel, channelLabel: label, accountId: r.accountId, senderId: r.senderId,
      senderLabel: `${r.channel}UserId`, metadata: r.meta, createdAt: new Date(r.createdAt).toISOString(),
      lastSeenAt: new Date(r.lastSeenAt).toISOString(), expiresAt: new Date(r.createdAt + PAIRING_LIMITS.ttlMs).toISOString(), notifySupported: true,
    };
  }

  private findRequest(channel: string, requestId: string): PairingRequest {
    if (!(CHANNEL_IDS as readonly string[]).includes(channel)) throw new ChannelInputError(`unsupported channel: ${channel}`);
    const r = this.store.get().findRequest(channel, requestId);
    if (!r) throw new ChannelInputError(`No pending pairing request found for code: ${requestId}`);
    return r;
  }

  async pairingApprove(input: { channel: string; requestId: string; accountId?: string; notify?: boolean }): Promise<Record<string, unknown>> {
    const r = this.findRequest(input.channel, input.requestId);
    if (input.accountId && input.accountId !== r.accountId) throw new ChannelInputError(`No pending pairing request found for code: ${input.requestId}`);
    this.store.get().approve(r);
    let notification = "not-requested";
    if (input.notify) {
      try {
        await this.deliver({ channel: r.channel, accountId: r.accountId, to: r.senderId, text: "OpenClaw: access approved. Send a message to start chatting." });
        notification = "sent";
      } catch {
        notification = "failed";
      }
    }
    return { requestId: r.requestId, senderId: r.senderId, notification, commandOwnerBootstrap: "not-requested" };
  }

  pairingDismiss(input: { channel: string; requestId: string }): Record<string, unknown> {
    const r = this.findRequest(input.channel, input.requestId);
    this.store.get().dismiss(r);
    return { requestId: r.requestId, senderId: r.senderId };
  }
}
