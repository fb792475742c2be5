/**
 * `channels.*`: Telegram and WhatsApp accounts and who may talk to the assistant through them.
 * The root of a channel section is its `default` account; `accounts.<id>` add more, each
 * inheriting the root's keys.
 */
import { z } from "zod";
import { secretInput } from "./secrets.ts";

/**
 * Built on first use (z.lazy in the root schema): a gateway whose config names no channel never
 * constructs these schemas, which keeps its idle memory where it was before channels existed.
 */
function build() {
  const AllowEntry = z.union([z.string().min(1), z.number()]);

  const GroupEntrySchema = z
    .object({
      requireMention: z.boolean().optional().describe("Answer only when mentioned or replied to (default true)"),
      allowFrom: z.array(AllowEntry).optional().describe("Who may trigger a turn in this group"),
      groupPolicy: z.enum(["allowlist", "open", "disabled"]).optional().describe("Overrides the account's groupPolicy here"),
      systemPrompt: z.string().optional().describe("Added to the system prompt of turns in this group"),
      enabled: z.boolean().optional().describe("false ignores this group"),
    })
    .strict();

  /** Keys every channel (and every account of it) shares. */
  const commonAccountFields = {
    enabled: z.boolean().optional().describe("Start this account (default true when the section exists)"),
    name: z.string().optional().describe("Display name of the account"),
    dmPolicy: z
      .enum(["pairing", "allowlist", "open", "disabled"])
      .optional()
      .describe('Direct messages: "pairing" (default: strangers get a code to approve), "allowlist", "open" (needs "*" in allowFrom), "disabled"'),
    allowFrom: z.array(AllowEntry).optional().describe("Senders allowed in direct messages (merged with approved pairings)"),
    groupPolicy: z.enum(["allowlist", "open", "disabled"]).optional().describe('Groups: "allowlist" (default), "open", "disabled"'),
    groupAllowFrom: z.array(AllowEntry).optional().describe("Senders allowed in groups (falls back to allowFrom, never to pairings)"),
    groups: z.record(z.string(), GroupEntrySchema).optional().describe('Per-group settings by chat id, or "*" for every group'),
    textChunkLimit: z.int().min(100).max(100_000).optional().describe("Replies longer than this are split (default 4000)"),
    ackReaction: z.string().optional().describe("Emoji reaction acknowledging a group mention (default 👀; empty for none)"),
    defaultTo: z.string().optional().describe("Target used when a send names none"),
  };

  /**
   * Webhook mode (on when webhookUrl is set). These keys belong to one bot, like its token, so
   * accounts.<id> do not inherit them: two bots cannot share a listener port or a secret.
   */
  const telegramWebhookFields = {
    webhookUrl: z
      .url({ protocol: /^https?$/, error: "webhookUrl must be an http(s) URL (Telegram itself calls only https)" })
      .optional()
      .describe("Public URL Telegram POSTs updates to (setWebhook); when set the account answers webhooks instead of long polling"),
    webhookSecret: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, "webhookSecret must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
      .optional()
      .describe("secret_token given to setWebhook; requests without it in X-Telegram-Bot-Api-Secret-Token are refused (required with webhookUrl)"),
    webhookPath: z
      .string()
      .regex(/^\/[^\s?#]*$/, 'webhookPath must start with "/" (no spaces, query or fragment)')
      .refine((p) => p !== "/healthz", "webhookPath /healthz is reserved for the listener's health check")
      .optional()
      .describe("Path the local listener accepts updates on (default /telegram-webhook)"),
    webhookHost: z.string().min(1).optional().describe("Address the local webhook listener binds (default 127.0.0.1; put a TLS proxy in front)"),
    webhookPort: z.int().min(0).max(65535).optional().describe("Port of the local webhook listener (default 8787; 0 picks a free one)"),
    webhookCertPath: z.string().min(1).optional().describe("Self-signed public certificate (PEM) uploaded to setWebhook as certificate"),
  };

  const telegramAccountFields = {
    ...commonAccountFields,
    botToken: secretInput("BotFather token (or a SecretRef); TELEGRAM_BOT_TOKEN applies to the default account").optional(),
    tokenFile: z.string().optional().describe("File holding the token (a regular file; symlinks are refused)"),
    apiRoot: z.url().optional().describe("Bot API root (default https://api.telegram.org); point tests at a local double"),
    ...telegramWebhookFields,
    actions: z
      .object({
        sendMessage: z.boolean().optional().describe("Allow message.action send (default true)"),
        poll: z.boolean().optional().describe("Allow polls (default true)"),
        reactions: z.boolean().optional().describe("Allow reactions (default true)"),
      })
      .strict()
      .optional()
      .describe("Which message actions operators and agents may use on this account"),
  };

  const TelegramAccountSchema = z.object(telegramAccountFields).strict();

  const TelegramSchema = z
    .object({
      ...telegramAccountFields,
      accounts: z
        .record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/), TelegramAccountSchema)
        .optional()
        .describe("More bots by account id; each inherits the keys above except the token and webhook* keys"),
      defaultAccount: z.string().optional().describe("Account used when a send names none (default: default, else the first id)"),
    })
    .strict()
    .superRefine((tg, ctx) => {
      // Without the secret anyone who learns the URL could post updates as any user.
      const needSecret = (own: { webhookUrl?: string; webhookSecret?: string }, under: { webhookUrl?: string; webhookSecret?: string } | undefined, path: PropertyKey[]) => {
        if ((under?.webhookUrl ?? own.webhookUrl) && !(under?.webhookSecret ?? own.webhookSecret)) {
          ctx.addIssue({ code: "custom", path: [...path, "webhookSecret"], message: "webhookUrl requires webhookSecret" });
        }
      };
      // The root and accounts.default are one account (default); named accounts stand alone.
      needSecret(tg, tg.accounts?.default, tg.accounts?.default?.webhookUrl ? ["accounts", "default"] : []);
      for (const [id, account] of Object.entries(tg.accounts ?? {})) if (id !== "default") needSecret(account, undefined, ["accounts", id]);
    })
    .describe("Telegram bot accounts (Bot API long polling, or webhooks when webhookUrl is set)");

  const whatsappAccountFields = {
    ...commonAccountFields,
    authDir: z.string().optional().describe("Where the linked-device credentials live (default <state>/credentials/whatsapp/<account>)"),
    sendReadReceipts: z.boolean().optional().describe("Mark answered messages as read (default true)"),
    actions: z
      .object({
        reactions: z.boolean().optional().describe("Allow reactions (default true)"),
        polls: z.boolean().optional().describe("Allow polls (default true)"),
      })
      .strict()
      .optional()
      .describe("Which message actions operators and agents may use on this account"),
  };

  const WhatsAppAccountSchema = z.object(whatsappAccountFields).strict();

  const WhatsAppSchema = z
    .object({
      ...whatsappAccountFields,
      accounts: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/), WhatsAppAccountSchema).optional().describe("More linked numbers by account id; each inherits the keys above"),
      defaultAccount: z.string().optional().describe("Account used when a send names none (default: default, else the first id)"),
    })
    .strict()
    .describe("WhatsApp accounts (a linked device through Baileys; link with openclaw channels login --channel whatsapp)");

  const ChannelsSchema = z
    .object({
      telegram: TelegramSchema.optional(),
      whatsapp: WhatsAppSchema.optional(),
      defaults: z
        .object({ groupPolicy: z.enum(["allowlist", "open", "disabled"]).optional().describe("groupPolicy of channels that set none") })
        .strict()
        .optional()
        .describe("Defaults for every channel"),
    })
    .strict()
    .describe("Chat channels the assistant is reachable on");

  const SessionSchema = z
    .object({
      dmScope: z
        .enum(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"])
        .optional()
        .describe('Which session a direct message joins: "main" (default: the agent\'s main session) or one per sender'),
      groupScope: z.enum(["per-group", "main"]).optional().describe('"per-group" (default) or "main"'),
    })
    .strict()
    .describe("How chat messages map to sessions");
  return { channels: ChannelsSchema, session: SessionSchema };
}

let built: ReturnType<typeof build> | undefined;
export function channelSchemas(): ReturnType<typeof build> {
  return (built ??= build());
}
