/**
 * From a person's message to the assistant's reply. `receive` commits the message (the adapter may
 * acknowledge it once that resolves) and queues it on its chat's lane: one chat's turns run in
 * order, different chats run side by side. Each message is checked against the access rules
 * (a stranger gets a pairing code), runs a turn in its session, and the reply goes back to the
 * same chat in chunks. Messages committed before a crash are processed on the next start.
 */
import { AgentError, type AgentService, type TurnResult } from "../agents/types.ts";
import { decideAccess, type AccessConfig } from "./access.ts";
import type { ChannelManager } from "./manager.ts";
import { sanitizeReply } from "./sanitize.ts";
import { chunkText, sessionKeyFor, type DmScope, type GroupScope } from "./session-keys.ts";
import type { ChannelStore } from "./store.ts";
import type { ChannelAccount, ChannelAdapter, InboundMessage } from "./types.ts";

/** A chat with a turn running sees "typing…" refreshed this often (Telegram shows it for 5 s). */
const TYPING_EVERY_MS = 4_500;
/** A message that failed this many times is given up (logged, marked failed). */
const MAX_ATTEMPTS = 3;
const RETRY_AFTER_MS = 10_000;

export interface RouterDeps {
  store: () => ChannelStore;
  agents: AgentService;
  manager: ChannelManager;
  session: () => { dmScope?: DmScope; groupScope?: GroupScope };
  defaultGroupPolicy: () => "allowlist" | "open" | "disabled" | undefined;
  log: { info(l: string): void; warn(l: string): void; error(l: string): void; debug(l: string): void };
}

export function laneKeyOf(m: InboundMessage): string {
  return `${m.channel}:${m.accountId}:${m.chatId}`;
}

export class ChannelRouter {
  private readonly lanes = new Map<string, Promise<void>>();
  private stopped = false;
  /** Aborts the turns in flight when the gateway stops; their messages stay pending for the next start. */
  private readonly halt = new AbortController();

  constructor(private readonly deps: RouterDeps) {}

  /**
   * Durable once this resolves (the adapter acknowledges then); a replayed event id is accepted and
   * ignored. The turn starts while the commit is being flushed, and sends nothing before it is on disk.
   */
  async receive(m: InboundMessage): Promise<void> {
    const lane = laneKeyOf(m);
    const store = this.deps.store();
    if (store.ingest(m, lane)) this.enqueue(lane, m);
    else this.deps.log.debug(`${m.channel}:${m.accountId} event ${m.eventId} already received; ignored`);
    // A replay too: its first delivery's commit may still be on its way to disk.
    await store.durable();
  }

  /** Re-queues messages that were committed but not answered before the last stop. */
  recover(): number {
    const pending = this.deps.store().pendingEvents();
    for (const e of pending) this.enqueue(e.laneKey, e.message);
    if (pending.length > 0) this.deps.log.info(`resuming ${pending.length} channel message(s) received before the last stop`);
    return pending.length;
  }

  /** Resolves when every queued message has been handled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.lanes.size > 0) await Promise.all([...this.lanes.values()]);
  }

  stop(): void {
    this.stopped = true;
    this.halt.abort();
  }

  private enqueue(lane: string, m: InboundMessage): void {
    const prev = this.lanes.get(lane) ?? Promise.resolve();
    const next = prev.then(() => this.handle(m)).catch((err: unknown) => this.deps.log.error(`channel message failed: ${(err as Error)?.stack ?? String(err)}`));
    this.lanes.set(lane, next);
    void next.then(() => {
      if (this.lanes.get(lane) === next) this.lanes.delete(lane);
    });
  }

  private account(m: InboundMessage): { adapter: ChannelAdapter; account: ChannelAccount } | undefined {
    const adapter = this.deps.manager.loadedAdapter(m.channel);
    const account = this.deps.manager.accounts(m.channel).find((a) => a.accountId === m.accountId);
    return adapter && account ? { adapter, account } : undefined;
  }

  private async handle(m: InboundMessage): Promise<void> {
    if (this.stopped) return;
    const store = this.deps.store();
    const target = this.account(m);
    if (!target) {
      // The account is gone from the config: nobody to answer through.
      store.finish(m, "failed");
      return;
    }
    this.deps.manager.setStatus(m.channel, m.accountId, { lastInboundAt: Date.now() });
    const config = target.account.config as AccessConfig;
    const decision = decideAccess({
      message: m, config, paired: store.allowed(m.channel, m.accountId), groupsOpenByDefault: m.channel === "whatsapp",
      defaultGroupPolicy: this.deps.defaultGroupPolicy(),
    });
    this.deps.log.info(`Inbound message ${m.channel}:${m.sender.id} (${m.chatType}, ${m.text.length} chars): ${decision.kind === "ignore" ? `ignored, ${decision.reason}` : decision.kind}`);
    const attempts = store.attempt(m);
    try {
      if (decision.kind === "pairing") await this.offerPairing(m, target);
      else if (decision.kind === "turn" && !(await this.turn(m, target, attempts))) return;
      store.finish(m, "completed");
    } catch (err) {
      // Stopping mid-turn is not the message's fault: it stays pending and is answered after the next start.
      if (this.stopped) return;
      this.deps.log.warn(`${m.channel}:${m.accountId} message ${m.eventId} not answered: ${(err as Error).message}`);
      // A passing failure (the model was down) is tried again a little later; after 3 tries it is dropped.
      if (attempts >= MAX_ATTEMPTS) store.finish(m, "failed");
      else setTimeout(() => !this.stopped && this.enqueue(laneKeyOf(m), m), RETRY_AFTER_MS * attempts).unref();
    }
  }

  private async offerPairing(m: InboundMessage, t: { adapter: ChannelAdapter; account: ChannelAccount }): Promise<void> {
    const meta: Record<string, unknown> = { accountId: m.accountId };
    if (m.sender.username) meta.username = m.sender.username;
    if (m.sender.name) meta.firstName = m.sender.name;
    const { request, created } = this.deps.store().requestPairing(m.channel, m.accountId, m.sender.id, meta);
    // Only a new request is answered, so a stranger cannot make the bot talk by repeating himself.
    if (!request || !created) return;
    await this.deps.store().durable();
    const label = t.adapter.label;
    const text = [
      "OpenClaw: this chat is not approved yet.",
      "",
      `Your ${label} id: ${m.sender.id}`,
      `Pairing code: ${request.code}`,
      "",
      "Ask the owner of this assistant to approve it with:",
      `openclaw pairing approve ${m.channel} ${request.code}`,
    ].join("\n");
    await t.adapter.outbound.sendText(t.account, m.chatId, text);
  }

  /**
   * The turn of attempt `attempt`. Each attempt has its own idempotency key (an interrupted or
   * failed run cannot be replayed into a success), but first asks for the previous attempt's
   * key: a turn that finished before a crash hit its reply is answered from its stored result,
   * not run a second time.
   */
  private async runTurn(m: InboundMessage, base: Parameters<AgentService["runTurn"]>[0], attempt: number): Promise<TurnResult> {
    const key = `channel-in:${m.channel}:${m.accountId}:${m.eventId}`;
    const keyOf = (n: number) => (n <= 1 ? key : `${key}:${n}`);
    const keys = attempt <= 1 ? [keyOf(1)] : [keyOf(attempt - 1), keyOf(attempt)];
    for (let i = 0; ; i++) {
      try {
        return await this.deps.agents.runTurn({ ...base, idempotencyKey: keys[i]!, signal: this.halt.signal });
      } catch (err) {
        // The previous attempt's key replays its failure (or its interruption): run afresh under this attempt's key.
        if (i < keys.length - 1 && err instanceof AgentError && err.kind !== "storage" && !this.stopped) continue;
        throw err;
      }
    }
  }

  /** False when the gateway began stopping before the reply went out (the message stays pending). */
  private async turn(m: InboundMessage, t: { adapter: ChannelAdapter; account: ChannelAccount }, attempt: number): Promise<boolean> {
    const agentId = this.deps.agents.defaultAgentId();
    const { dmScope, groupScope } = this.deps.session();
    const sessionKey = sessionKeyFor(m, agentId, dmScope, groupScope);
    const typing = this.keepTyping(t, m.chatId);
    let reply: string;
    try {
      const who = m.sender.name ?? (m.sender.username ? `@${m.sender.username}` : m.sender.id);
      const result = await this.runTurn(m, { agentId, sessionKey, channel: m.channel, agentTools: true, message: m.chatType === "group" ? `${who}: ${m.text}` : m.text }, attempt);
      reply = result.text;
    } finally {
      typing.stop();
    }
    if (this.stopped) return false;
    // Never answer a message that a power cut could still take back: its redelivery would be answered again.
    await this.deps.store().durable();
    const clean = sanitizeReply(reply);
    const replyToId = clean.replyTo === "current" ? m.messageId : clean.replyTo;
    const opts = { ...(m.threadId ? { threadId: m.threadId } : {}), ...(replyToId ? { replyToId } : {}) };
    for (const chunk of chunkText(clean.text, t.adapter.textChunkLimit)) {
      await t.adapter.outbound.sendText(t.account, m.chatId, chunk, opts);
    }
    this.deps.manager.setStatus(m.channel, m.accountId, { lastOutboundAt: Date.now() });
    return true;
  }

  private keepTyping(t: { adapter: ChannelAdapter; account: ChannelAccount }, chatId: string): { stop(): void } {
    const send = t.adapter.outbound.sendTyping;
    if (!send) return { stop() {} };
    const once = () => void send.call(t.adapter.outbound, t.account, chatId).catch(() => {});
    once();
    const timer = setInterval(once, TYPING_EVERY_MS);
    return { stop: () => clearInterval(timer) };
  }
}
