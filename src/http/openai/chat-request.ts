/**
 * Turns a chat completions body into one agent turn, or the 400 message the published gateway
 * gives. Order: schema → agent → session → messages → sampling → tools.
 */
import type { AgentService, TurnInput } from "../../agents/types.ts";
import { modelOverride, resolveAgent, resolveSession } from "../agent-target.ts";
import { formatZodIssue } from "../errors.ts";
import { ChatCompletionRequestSchema } from "./chat-schema.ts";
import { joinSystem, turnMessage, type ConversationEntry } from "./prompt.ts";
import { chatSampling, chatTools, type Checked } from "./sampling.ts";

export interface ChatPlan {
  /** The request's `model`, echoed back verbatim. */
  model: string;
  stream: boolean;
  includeUsage: boolean;
  turn: Omit<TurnInput, "runId" | "signal" | "onEvent">;
}

const MISSING_USER = "Missing user message in `messages`.";
const INVALID_IMAGE = "Invalid image_url content in `messages`.";
/** TurnInput carries text only, so an image would be dropped silently; refusing is more honest. */
const IMAGES_UNSUPPORTED = "Image inputs are not supported by this gateway yet.";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function imageUrl(part: Record<string, unknown>): string {
  const img = part.image_url;
  if (typeof img === "string") return img;
  return isRecord(img) && typeof img.url === "string" ? img.url : "";
}

/** Text of a message's content: a string, or its text parts joined by newlines. */
function contentText(content: unknown): Checked<string> {
  if (typeof content === "string") return { ok: true, value: content };
  if (!Array.isArray(content)) return { ok: true, value: "" };
  const texts: string[] = [];
  for (const part of content) {
    if (!isRecord(part)) continue;
    if ((part.type === "text" || part.type === "input_text") && typeof part.text === "string") texts.push(part.text);
    else if (part.type === "image_url") {
      const url = imageUrl(part);
      // URL fetching of images is off by default on the published gateway too.
      return { ok: false, message: url.startsWith("data:") ? IMAGES_UNSUPPORTED : INVALID_IMAGE };
    }
  }
  return { ok: true, value: texts.join("\n") };
}

function mapMessages(messages: unknown[]): Checked<{ message: string; system?: string }> {
  const system: string[] = [];
  const entries: ConversationEntry[] = [];
  for (const m of messages) {
    if (!isRecord(m)) continue;
    const text = contentText(m.content);
    if (!text.ok) return text;
    const body = text.value;
    switch (m.role) {
      case "system":
      case "developer":
        system.push(body);
        break;
      case "user":
      case "assistant":
        entries.push({ role: m.role, body });
        break;
      case "tool":
        entries.push({ role: "tool", body, toolCallId: typeof m.tool_call_id === "string" ? m.tool_call_id : "" });
        break;
    }
  }
  const message = turnMessage(entries);
  if (message === undefined) return { ok: false, message: MISSING_USER };
  const joined = joinSystem(system);
  return { ok: true, value: joined === undefined ? { message } : { message, system: joined } };
}

export function planChatTurn(body: unknown, agents: AgentService, headers: Headers): Checked<ChatPlan> {
  const parsed = ChatCompletionRequestSchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: formatZodIssue(parsed.error) };
  const req = parsed.data;

  const agent = resolveAgent(agents, headers, req.model);
  if (!agent.ok) return agent;
  const session = resolveSession(agents, headers, agent.agentId, { prefix: "openai", user: req.user });
  if (!session.ok) return session;

  const mapped = mapMessages(req.messages ?? []);
  if (!mapped.ok) return mapped;
  const sampling = chatSampling(req);
  if (!sampling.ok) return sampling;
  const tools = chatTools(req.tools, req.tool_choice);
  if (!tools.ok) return tools;

  const turn: ChatPlan["turn"] = {
    agentId: session.agentId,
    sessionKey: session.sessionKey,
    message: mapped.value.message,
    channel: headers.get("x-openclaw-message-channel")?.trim() || "webchat",
    ...tools.value,
  };
  if (mapped.value.system !== undefined) turn.extraSystemPrompt = mapped.value.system;
  if (Object.keys(sampling.value).length) turn.sampling = sampling.value;
  const override = modelOverride(headers);
  if (override) turn.modelOverride = override;
  return {
    ok: true,
    value: { model: req.model ?? "openclaw", stream: req.stream === true, includeUsage: req.stream_options?.include_usage === true, turn },
  };
}
