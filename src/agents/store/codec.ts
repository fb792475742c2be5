/**
 * Validation of what callers hand in, and conversion between rows and the public shapes. Input is
 * checked before any write; JSON read back is parsed defensively, so a damaged cell never throws.
 */
import type { ToolCall } from "../providers/types.ts";
import { MESSAGE_ROLES, RUN_STATUSES, type MessageRole, type NewMessage, type RunRecord, type RunStatus, type SessionInfo, type StoredMessage } from "./types.ts";

export interface SessionRow {
  key: string;
  agent_id: string;
  session_id: string;
  created_at: number;
  updated_at: number;
  message_count: number;
  last_preview: string | null;
}

export interface MessageRow {
  session_key: string;
  seq: number;
  id: string;
  role: string;
  content: string;
  tool_calls: string | null;
  tool_call_id: string | null;
  run_id: string | null;
  ts: number;
  meta: string | null;
}

export interface RunRow {
  run_id: string;
  idempotency_key: string | null;
  session_key: string;
  agent_id: string;
  status: string;
  result: string | null;
  error: string | null;
  created_at: number;
  finished_at: number | null;
}

/** A message checked and serialized, ready to insert. */
export interface EncodedMessage {
  role: MessageRole;
  content: string;
  toolCalls?: ToolCall[];
  toolCallsJson: string | null;
  toolCallId?: string;
  runId?: string;
  timestamp?: number;
  meta?: Record<string, unknown>;
  metaJson: string | null;
}

const ROLE_SET: ReadonlySet<string> = new Set(MESSAGE_ROLES);
const STATUS_SET: ReadonlySet<string> = new Set(RUN_STATUSES);
export const PREVIEW_CHARS = 120;

export function requireKey(what: string, v: unknown): string {
  if (typeof v !== "string" || v.length === 0) throw new Error(`${what} must be a non-empty string`);
  return v;
}

export function optionalInt(what: string, v: unknown, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) throw new Error(`${what} must be an integer >= ${min}`);
  return v;
}

export function requireStatus(v: unknown): RunStatus {
  if (typeof v !== "string" || !STATUS_SET.has(v)) throw new Error(`invalid run status ${JSON.stringify(v)}: expected one of ${RUN_STATUSES.join(", ")}`);
  return v as RunStatus;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function optionalString(what: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new Error(`${what} must be a string`);
  return v;
}

/** Checks one message for `append`; throws an Error that names the message index and the field. */
export function encodeMessage(m: NewMessage, i: number): EncodedMessage {
  const at = `message ${i}`;
  if (typeof m !== "object" || m === null || Array.isArray(m)) throw new Error(`${at}: must be an object`);
  if (typeof m.role !== "string" || !ROLE_SET.has(m.role)) {
    throw new Error(`${at}: invalid role ${JSON.stringify(m.role)}: expected one of ${MESSAGE_ROLES.join(", ")}`);
  }
  if (typeof m.content !== "string") throw new Error(`${at}: content must be a string`);
  let toolCalls: ToolCall[] | undefined;
  if (m.toolCalls !== undefined && m.toolCalls !== null) {
    if (!Array.isArray(m.toolCalls)) throw new Error(`${at}: toolCalls must be an array`);
    toolCalls = m.toolCalls.map((c, j) => {
      if (!isPlainObject(c) || typeof c.id !== "string" || typeof c.name !== "string" || typeof c.arguments !== "string") {
        throw new Error(`${at}: toolCalls[${j}] must be { id: string, name: string, arguments: string }`);
      }
      return { id: c.id, name: c.name, arguments: c.arguments };
    });
    if (toolCalls.length === 0) toolCalls = undefined;
  }
  let timestamp: number | undefined;
  if (m.timestamp !== undefined) {
    if (typeof m.timestamp !== "number" || !Number.isFinite(m.timestamp)) throw new Error(`${at}: timestamp must be a finite number (epoch ms)`);
    timestamp = Math.trunc(m.timestamp);
  }
  let meta: Record<string, unknown> | undefined;
  let metaJson: string | null = null;
  if (m.meta !== undefined && m.meta !== null) {
    if (!isPlainObject(m.meta)) throw new Error(`${at}: meta must be a plain object`);
    try {
      metaJson = JSON.stringify(m.meta);
    } catch (e) {
      throw new Error(`${at}: meta is not JSON-serializable: ${(e as Error).message}`);
    }
    meta = JSON.parse(metaJson) as Record<string, unknown>; // what a later read returns
  }
  return {
    role: m.role as MessageRole,
    content: m.content,
    toolCalls,
    toolCallsJson: toolCalls ? JSON.stringify(toolCalls) : null,
    toolCallId: optionalString(`${at}: toolCallId`, m.toolCallId),
    runId: optionalString(`${at}: runId`, m.runId),
    timestamp,
    meta,
    metaJson,
  };
}

/** Serializes a run's result or error; never throws, since a run must always be able to finish. */
export function encodeOutcome(v: unknown): string | null {
  if (v === undefined) return null;
  if (v instanceof Error) {
    const out: Record<string, unknown> = { name: v.name, message: v.message };
    for (const k of ["code", "kind", "status"]) if (k in v) out[k] = (v as unknown as Record<string, unknown>)[k];
    v = out;
  }
  try {
    const s = JSON.stringify(v);
    if (s !== undefined) return s;
  } catch {}
  return JSON.stringify(String(v));
}

function parseJson(text: string | null): { ok: true; value: unknown } | { ok: false } {
  if (text === null) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The start of a message's text, whitespace collapsed; undefined when there is no text. */
export function previewOf(text: string): string | undefined {
  const head = text.length > 4 * PREVIEW_CHARS ? text.slice(0, 4 * PREVIEW_CHARS) : text;
  const flat = head.replace(/\s+/g, " ").trim();
  if (flat.length === 0) return undefined;
  const chars = Array.from(flat); // by code point: never splits a surrogate pair
  if (chars.length > PREVIEW_CHARS) return chars.slice(0, PREVIEW_CHARS).join("") + "…";
  return head.length < text.length ? flat + "…" : flat;
}

export function decodeSession(r: SessionRow): SessionInfo {
  const s: SessionInfo = {
    key: r.key,
    agentId: r.agent_id,
    sessionId: r.session_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    messageCount: r.message_count,
  };
  if (r.last_preview !== null) s.lastPreview = r.last_preview;
  return s;
}

function decodeToolCalls(text: string | null): ToolCall[] | undefined {
  const p = parseJson(text);
  if (!p.ok || !Array.isArray(p.value)) return undefined;
  const calls: ToolCall[] = [];
  for (const c of p.value as unknown[]) {
    if (!isPlainObject(c) || typeof c.id !== "string" || typeof c.name !== "string") continue;
    const args = typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments ?? {});
    calls.push({ id: c.id, name: c.name, arguments: args });
  }
  return calls.length > 0 ? calls : undefined;
}

export function decodeMessage(r: MessageRow): StoredMessage {
  const m: StoredMessage = {
    id: r.id,
    seq: r.seq,
    role: (ROLE_SET.has(r.role) ? r.role : "system") as MessageRole,
    content: r.content,
    timestamp: r.ts,
  };
  const toolCalls = decodeToolCalls(r.tool_calls);
  if (toolCalls) m.toolCalls = toolCalls;
  if (r.tool_call_id !== null) m.toolCallId = r.tool_call_id;
  if (r.run_id !== null) m.runId = r.run_id;
  const meta = parseJson(r.meta);
  if (meta.ok && isPlainObject(meta.value)) m.meta = meta.value;
  return m;
}

export function decodeRun(r: RunRow): RunRecord {
  const run: RunRecord = {
    runId: r.run_id,
    sessionKey: r.session_key,
    agentId: r.agent_id,
    status: (STATUS_SET.has(r.status) ? r.status : "interrupted") as RunStatus,
    createdAt: r.created_at,
  };
  if (r.idempotency_key !== null) run.idempotencyKey = r.idempotency_key;
  if (r.result !== null) {
    const p = parseJson(r.result);
    run.result = p.ok ? p.value : r.result; // unparseable: the raw text rather than nothing
  }
  if (r.error !== null) {
    const p = parseJson(r.error);
    run.error = p.ok ? p.value : r.error;
  }
  if (r.finished_at !== null) run.finishedAt = r.finished_at;
  return run;
}
