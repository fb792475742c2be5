/**
 * Storage faults of the session store as one domain error: which file, what went wrong, and
 * whether waiting can help. SQLite and file-system errors are classified here, in one place, so the
 * doors only ever see a StorageError (or a plain Error for a caller's mistake).
 */
import { accessSync, constants } from "node:fs";
import { dirname } from "node:path";

export type StorageProblem =
  | "corrupt" // not a database, or damaged (garbage bytes, truncated)
  | "disk_full"
  | "not_writable" // read-only file system, permissions
  | "locked" // another process holds a lock past the busy timeout
  | "io" // the disk or file system reported an I/O error
  | "removed" // the file went away while the gateway ran, and could not be put back
  | "replaced" // another file now sits at the path
  | "incompatible" // written by a newer gateway
  | "unavailable"; // anything else the file system or SQLite refused

/** Exit code of a start-up that cannot use its storage (EX_IOERR from sysexits.h). */
export const STORAGE_EXIT_CODE = 74;

const WHAT: Record<StorageProblem, string> = {
  corrupt: "the file is damaged or not a SQLite database",
  disk_full: "the disk is full",
  not_writable: "the file or its directory is not writable",
  locked: "the database is locked by another process",
  io: "the file system reported an I/O error",
  removed: "the file was removed while the gateway was running",
  replaced: "the file was replaced by another one while the gateway was running",
  incompatible: "the file was written by a newer gateway",
  unavailable: "the file cannot be used",
};

const HINT: Partial<Record<StorageProblem, string>> = {
  corrupt: "move it aside (a new, empty store is created on the next start) or restore it from a backup",
  disk_full: "free some disk space",
  not_writable: "make the state directory writable by the gateway's user",
  locked: "stop the other process that has it open",
  replaced: "restart the gateway to use the new file",
  incompatible: "run the newer gateway, or restore a backup made by this version",
};

/** Problems that can clear up on their own (space freed, directory back), so a client may retry. */
const TRANSIENT: ReadonlySet<StorageProblem> = new Set(["disk_full", "locked", "io", "removed"]);

export class StorageError extends Error {
  override name = "StorageError";
  readonly exitCode = STORAGE_EXIT_CODE;

  constructor(
    /** The file the problem is about. */
    readonly path: string,
    readonly problem: StorageProblem,
    /** What went wrong, for a person: the classified problem and the system's own words. */
    readonly reason: string,
    /** Start-up ("cannot open …") or an operation on an open store. */
    readonly phase: "open" | "use" = "use",
    options?: { cause?: unknown },
  ) {
    super(
      phase === "open"
        ? `cannot open session store ${path}: ${reason}${HINT[problem] ? `; ${HINT[problem]}` : ""}`
        : `session store ${path} unavailable: ${reason}`,
      options,
    );
  }

  get retryable(): boolean {
    return TRANSIENT.has(this.problem);
  }

  /** The message for clients of the doors: no file-system path, just what is wrong. */
  get publicMessage(): string {
    return `session store unavailable: ${this.reason}`;
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The problem an error from SQLite or node:fs stands for; undefined for everything else (bugs, bad input). */
export function storageProblemOf(err: unknown): StorageProblem | undefined {
  const code = codeOf(err);
  if (code.startsWith("SQLITE_")) {
    const base = code.replace(/^SQLITE_([A-Z]+).*$/, "$1");
    switch (base) {
      case "CORRUPT":
      case "NOTADB":
        return "corrupt";
      case "FULL":
        return "disk_full";
      case "READONLY":
      case "PERM":
      case "AUTH":
        return "not_writable";
      case "BUSY":
      case "LOCKED":
        return "locked";
      case "IOERR":
      case "PROTOCOL":
      case "NOLFS":
        return "io";
      case "CANTOPEN":
        return "unavailable";
      default:
        return undefined; // CONSTRAINT, MISMATCH, ERROR …: our own mistakes, not the disk's
    }
  }
  switch (code) {
    case "ENOSPC":
    case "EDQUOT":
      return "disk_full";
    case "EROFS":
    case "EACCES":
    case "EPERM":
      return "not_writable";
    case "EIO":
      return "io";
    case "ENOENT":
    case "ENOTDIR":
    case "EEXIST":
    case "EISDIR":
    case "ELOOP":
    case "ENAMETOOLONG":
      return "unavailable";
    default:
      return undefined;
  }
}

/** SQLite says only "unable to open database file"; the directory and the file say why. */
function diagnoseCantOpen(path: string): { problem: StorageProblem; detail: string } | undefined {
  for (const [target, mode] of [[dirname(path), constants.W_OK | constants.X_OK], [path, constants.R_OK | constants.W_OK]] as const) {
    try {
      accessSync(target, mode);
    } catch (err) {
      if (codeOf(err) === "ENOENT") continue;
      return { problem: storageProblemOf(err) ?? "unavailable", detail: messageOf(err) };
    }
  }
  return undefined;
}

/**
 * The StorageError for a failure on `path`, or undefined when `err` is not a storage failure
 * (it is then rethrown as it is). An existing StorageError passes through.
 */
export function toStorageError(err: unknown, path: string, phase: "open" | "use" = "use"): StorageError | undefined {
  if (err instanceof StorageError) return err;
  let problem = storageProblemOf(err);
  if (problem === undefined) return undefined;
  let detail = messageOf(err);
  if (codeOf(err).startsWith("SQLITE_CANTOPEN")) {
    const why = diagnoseCantOpen(path);
    if (why) {
      problem = why.problem;
      detail = `${detail}: ${why.detail}`;
    }
  }
  return new StorageError(path, problem, `${WHAT[problem]} (${detail})`, phase, { cause: err });
}

/** A failure the store itself detected (removed, replaced, newer schema), with its own details. */
export function storageError(path: string, problem: StorageProblem, detail: string | undefined, phase: "open" | "use" = "use", cause?: unknown): StorageError {
  return new StorageError(path, problem, detail ? `${WHAT[problem]} (${detail})` : WHAT[problem], phase, { cause });
}
