/** Public shapes of the session/transcript store. */
import type { ToolCall } from "../providers/types.ts";
import type { StorageError } from "./errors.ts";

export type { ToolCall };

export const MESSAGE_ROLES = ["user", "assistant", "tool", "system"] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

export const RUN_STATUSES = ["running", "ok", "error", "aborted", "timeout", "interrupted"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface StoredMessage {
  /** Unique across the store (UUIDv7). */
  id: string;
  /** Per session, from 1, gapless. */
  seq: number;
  role: MessageRole;
  content: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
  runId?: string;
  /** Epoch milliseconds. */
  timestamp: number;
  meta?: Record<string, unknown>;
}

/** What a caller hands to `append`: the store assigns id and seq, and the timestamp when absent. */
export type NewMessage = Omit<StoredMessage, "id" | "seq" | "timestamp"> & { timestamp?: number };

export interface SessionInfo {
  key: string;
  agentId: string;
  /** A UUID fixed when the session row is created; a deleted and recreated key gets a new one. */
  sessionId: string;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
  /** The start (~120 chars, whitespace collapsed) of the text of the last message that had any. */
  lastPreview?: string;
}

export interface RunRecord {
  runId: string;
  idempotencyKey?: string;
  sessionKey: string;
  agentId: string;
  status: RunStatus;
  result?: unknown;
  error?: unknown;
  createdAt: number;
  finishedAt?: number;
}

export interface HistoryOptions {
  /** The last N messages (before `beforeSeq` when given). */
  limit?: number;
  /** Only messages with seq < beforeSeq: pass the first seq of a page to get the page before it. */
  beforeSeq?: number;
}

export interface HistoryPage {
  /** Oldest → newest. */
  messages: StoredMessage[];
  /** Older messages exist before the first one returned. */
  hasMore: boolean;
  /** Messages in the whole session. */
  total: number;
}

export interface ListSessionsOptions {
  agentId?: string;
  limit?: number;
  offset?: number;
}

export type StartRunResult = { created: true; run: RunRecord } | { created: false; run: RunRecord };

export interface SessionStoreOptions {
  /** FULL (default) fsyncs the WAL on every commit, so an acknowledged append survives power loss too; NORMAL survives a process crash only. */
  synchronous?: "FULL" | "NORMAL";
  /** How long a write waits for another connection's lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

/** Connection settings as SQLite reports them, for tests and diagnostics. */
export interface StorePragmas {
  journalMode: string;
  synchronous: "OFF" | "NORMAL" | "FULL" | "EXTRA";
  foreignKeys: boolean;
  busyTimeoutMs: number;
  userVersion: number;
}

/** What the store tells its owner about its storage: failing, working again, or a removed file written back. */
export type StoreEvent =
  | { type: "fault"; error: StorageError }
  | { type: "recovered"; after: StorageError }
  | { type: "restored"; path: string };
