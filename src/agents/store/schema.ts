/**
 * Schema and migrations. `PRAGMA user_version` holds how many migrations have run; each later schema
 * change appends one function to MIGRATIONS and never edits an earlier one.
 */
import type { Database } from "bun:sqlite";
import { storageError } from "./errors.ts";

const V1 = `
CREATE TABLE sessions (
  key           TEXT    PRIMARY KEY NOT NULL CHECK (length(key) > 0),
  agent_id      TEXT    NOT NULL CHECK (length(agent_id) > 0),
  session_id    TEXT    NOT NULL UNIQUE,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  message_count INTEGER NOT NULL DEFAULT 0 CHECK (message_count >= 0),
  last_preview  TEXT,
  -- bumped to max+1 on every change: "most recently updated" without relying on clock resolution
  rev           INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_rev ON sessions (rev);
CREATE INDEX sessions_by_agent_rev ON sessions (agent_id, rev);

CREATE TABLE messages (
  session_key  TEXT    NOT NULL REFERENCES sessions (key) ON DELETE CASCADE,
  seq          INTEGER NOT NULL CHECK (seq >= 1),
  id           TEXT    NOT NULL UNIQUE,
  role         TEXT    NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'system')),
  content      TEXT    NOT NULL,
  tool_calls   TEXT    CHECK (tool_calls IS NULL OR json_valid(tool_calls)),
  tool_call_id TEXT,
  run_id       TEXT,
  ts           INTEGER NOT NULL,
  meta         TEXT    CHECK (meta IS NULL OR json_valid(meta)),
  PRIMARY KEY (session_key, seq)
) STRICT;
CREATE INDEX messages_by_run ON messages (run_id) WHERE run_id IS NOT NULL;

CREATE TABLE runs (
  run_id          TEXT    PRIMARY KEY NOT NULL CHECK (length(run_id) > 0),
  idempotency_key TEXT    UNIQUE,
  session_key     TEXT    NOT NULL,
  agent_id        TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('running', 'ok', 'error', 'aborted', 'timeout', 'interrupted')),
  result          TEXT    CHECK (result IS NULL OR json_valid(result)),
  error           TEXT    CHECK (error IS NULL OR json_valid(error)),
  created_at      INTEGER NOT NULL,
  finished_at     INTEGER,
  CHECK ((status = 'running') = (finished_at IS NULL))
) STRICT;
CREATE INDEX runs_by_session ON runs (session_key, created_at);
CREATE INDEX runs_running ON runs (status) WHERE status = 'running';
`;

/** Index i takes the schema from version i to version i + 1. */
const MIGRATIONS: ReadonlyArray<(db: Database) => void> = [(db) => db.run(V1)];

export const SCHEMA_VERSION = MIGRATIONS.length;

function userVersion(db: Database): number {
  return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
}

/** Brings the schema up to SCHEMA_VERSION in one transaction; refuses a database from a newer build. */
export function migrate(db: Database, path: string): void {
  db.transaction(() => {
    const from = userVersion(db);
    if (from > SCHEMA_VERSION) {
      throw storageError(path, "incompatible", `has schema version ${from}, newer than this gateway supports (${SCHEMA_VERSION})`, "open");
    }
    for (let v = from; v < SCHEMA_VERSION; v++) {
      MIGRATIONS[v]!(db);
      db.run(`PRAGMA user_version = ${v + 1}`);
    }
  }).immediate();
}
