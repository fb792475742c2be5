/**
 * The durable session/transcript store (bun:sqlite). The implementation lives in ./store/;
 * this module is the entry point the rest of the gateway imports.
 */
export { SessionStore } from "./store/session-store.ts";
export { SCHEMA_VERSION } from "./store/schema.ts";
export { StorageError, STORAGE_EXIT_CODE, type StorageProblem } from "./store/errors.ts";
export { MESSAGE_ROLES, RUN_STATUSES } from "./store/types.ts";
export type {
  HistoryOptions, HistoryPage, ListSessionsOptions, MessageRole, NewMessage, RunRecord, RunStatus, SessionInfo, SessionStoreOptions,
  StartRunResult, StoreEvent, StoredMessage, StorePragmas, ToolCall,
} from "./store/types.ts";
export type { UsageRow } from "./store/usage.ts";
