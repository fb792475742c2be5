/**
 * The gateway's side of the tool services: paired nodes and chat channels as agent tools see
 * them, built on the same functions the node.* and send/poll/message.action methods use. Both
 * read the gateway live (a node connecting, a channel added by a reload) rather than a snapshot.
 * Exec approvals and cron belong to their own services and are passed in by their owners.
 */
import type { ChannelToolService, NodeToolService, ToolServices } from "../agents/tools/types.ts";
import { ToolInputError } from "../agents/tools/types.ts";
import { ChannelInputError, ChannelNotLinkedError } from "../channels/types.ts";
import { resolveNode } from "../cli/nodes/resolve.ts";
import type { NodeEntry } from "../cli/nodes/types.ts";
import { GatewayError } from "../protocol/index.ts";
import { describeNode, listNodes } from "./nodes.ts";
import type { GatewayRuntime } from "./runtime.ts";
import type { ConnState } from "./ws/conn.ts";

/**
 * Agents act as an operator with read and write: node commands that need operator.admin
 * (browser.proxy, fs.listDir, terminal.upload) stay out of a model's reach, and pairing
 * details (pending request ids) are not shown to it.
 */
export const AGENT_TOOL_SCOPES: readonly string[] = ["operator.read", "operator.write"];

function agentCaller(): ConnState {
  return {
    connId: "agent-tools", remoteAddress: "internal", localPeer: true, admitted: false, openedAt: Date.now(), phase: "ready",
    nonce: "", role: "operator", scopes: [...AGENT_TOOL_SCOPES], seq: 0,
  };
}

/** Protocol errors keep their message (it is written for callers); anything else passes through. */
function asToolError(err: unknown): unknown {
  if (err instanceof GatewayError && err.code === "INVALID_REQUEST") return new ToolInputError(err.message);
  return err;
}

export function nodeToolService(gw: GatewayRuntime): NodeToolService {
  const caller = agentCaller();
  const list = () => listNodes(gw, caller);
  return {
    list,
    describe(nodeId) {
      try {
        return describeNode(gw, nodeId, caller);
      } catch (err) {
        throw asToolError(err);
      }
    },
    resolve(query) {
      const q = query.trim();
      if (q === "") throw new ToolInputError("node required: an id, display name or id prefix");
      try {
        return resolveNode(list() as unknown as NodeEntry[], q).nodeId;
      } catch (err) {
        throw new ToolInputError((err as Error).message);
      }
    },
    async invoke(req) {
      const payload = await gw.invocations.invoke(
        gw, caller,
        {
          nodeId: req.nodeId, command: req.command, idempotencyKey: crypto.randomUUID(),
          ...(req.params !== undefined ? { params: req.params } : {}), ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
        },
        req.signal ? { signal: req.signal } : {},
      ).catch((err: unknown) => {
        throw asToolError(err);
      });
      const r = payload as { ok: boolean; payload?: unknown; payloadJSON?: string | null };
      return { ok: r.ok, payload: r.payload ?? null, payloadJSON: r.payloadJSON ?? null };
    },
  };
}

/** Channel failures as the RPCs classify them: bad input and a missing link are the caller's to fix. */
async function channelCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ChannelInputError || err instanceof ChannelNotLinkedError) throw new ToolInputError(err.message);
    throw err;
  }
}

const NO_CHANNELS = "no channel is configured (add channels.telegram or channels.whatsapp to the config)";

export function channelToolService(gw: GatewayRuntime): ChannelToolService {
  const active = () => {
    const svc = gw.channels?.active;
    if (!svc || svc.configuredChannels().length === 0) throw new ToolInputError(NO_CHANNELS);
    return svc;
  };
  const where = (r: { channel?: string; accountId?: string }) => ({ ...(r.channel ? { channel: r.channel } : {}), ...(r.accountId ? { accountId: r.accountId } : {}) });
  const sent = (r: Record<string, unknown>) => ({ channel: String(r.channel), chatId: String(r.chatId), messageId: String(r.messageId) });
  return {
    configuredChannels: () => gw.channels?.active?.configuredChannels() ?? [],
    send: (req) => channelCall(async () => {
      const message = req.message ?? "";
      if (message.trim() === "" && !req.mediaUrl) throw new ChannelInputError("text or media is required");
      return sent(await active().send({
        ...where(req), to: req.to, message, idempotencyKey: req.idempotencyKey,
        ...(req.mediaUrl ? { media: [{ url: req.mediaUrl }] } : {}), ...(req.replyTo ? { replyToId: req.replyTo } : {}),
        ...(req.threadId ? { threadId: req.threadId } : {}),
      }));
    }),
    poll: (req) => channelCall(async () => sent(await active().poll({
      ...where(req), to: req.to, question: req.question, options: req.options, idempotencyKey: req.idempotencyKey,
      ...(req.maxSelections ? { maxSelections: req.maxSelections } : {}),
    }))),
    react: (req) => channelCall(async () => {
      await active().react({ ...where(req), to: req.to, messageId: req.messageId, emoji: req.emoji });
      return { ok: true as const };
    }),
  };
}

/** The services an agent's tools get on this gateway; `extra` adds (or replaces) approvals and cron. */
export function createToolServices(gw: GatewayRuntime, extra: Partial<ToolServices> = {}): ToolServices {
  return { nodes: nodeToolService(gw), channels: channelToolService(gw), ...extra };
}
