/**
 * The files a service consists of (unit, plist, task script, secrets file) and the one way they are
 * written: all of them, with an undo. Shared by the plan that renders them, the install that writes
 * them and the platform managers that rewrite one; imports nothing from the rest of src/service.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface ServiceFile {
  path: string;
  content: string;
  mode: number;
  encoding: "utf8" | "utf16le";
  /** Holds secrets: never printed as is. */
  secret?: boolean;
}

/**
 * Writes the files and returns an undo: each file back to its previous bytes and mode, or removed
 * if it did not exist, so a failed activation leaves the machine as it was.
 */
export function writeServiceFiles(files: readonly ServiceFile[]): () => void {
  const previous = files.map((f) => {
    try {
      return { path: f.path, data: readFileSync(f.path), mode: statSync(f.path).mode & 0o777 };
    } catch {
      return { path: f.path, data: null, mode: 0 };
    }
  });
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true, mode: f.secret ? 0o700 : 0o755 });
    const data = f.encoding === "utf16le" ? Buffer.from(`\uFEFF${f.content}`, "utf16le") : f.content;
    writeFileSync(f.path, data, { mode: f.mode });
    // The mode given to writeFileSync only applies to a new file.
    chmodSync(f.path, f.mode);
  }
  return () => {
    for (const p of previous) {
      if (p.data === null) rmSync(p.path, { force: true });
      else {
        writeFileSync(p.path, p.data);
        chmodSync(p.path, p.mode);
      }
    }
  };
}
