/**
 * From a request path to a file under the canvas root, refusing anything that could reach outside
 * it: dot segments and dotfiles, encoded slashes and backslashes, NUL and control characters, and
 * symlinks whose target resolves outside the root. Every refusal looks like a missing file.
 */
import { mkdir, realpath, stat, writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve, sep } from "node:path";
import { expandHome } from "../../config/paths.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import { DEFAULT_INDEX_HTML } from "./assets.ts";

export type Lookup =
  | { kind: "file"; path: string; size: number; mtimeMs: number }
  /** A directory asked for without its trailing slash: relative links need the slash. */
  | { kind: "directory" }
  | { kind: "missing" };

export function canvasRoot(config: OpenClawConfig, stateDir: string, home: string): string {
  const configured = config.plugins?.entries?.canvas?.config?.host?.root?.trim();
  if (!configured) return join(stateDir, "canvas", "documents");
  const expanded = expandHome(configured, home);
  return isAbsolute(expanded) ? expanded : resolve(stateDir, expanded);
}

/**
 * The decoded path segments of `rest` (the raw, still percent-encoded path after the canvas
 * prefix), or undefined when any segment is refused. A trailing slash leaves a final "".
 */
export function documentSegments(rest: string): string[] | undefined {
  if (rest === "") return [""];
  if (!rest.startsWith("/")) return undefined;
  const raw = rest.slice(1).split("/");
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const last = i === raw.length - 1;
    let seg: string;
    try {
      seg = decodeURIComponent(raw[i]!);
    } catch {
      return undefined;
    }
    if (seg === "") {
      if (last) {
        out.push("");
        continue;
      }
      return undefined;
    }
    // "." and ".." are dot segments; other dot names (.git, .env) are never served either.
    if (seg.startsWith(".") || seg.includes("/") || seg.includes("\\") || /[\u0000-\u001f\u007f]/.test(seg)) return undefined;
    out.push(seg);
  }
  return out;
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function realInside(path: string, realRoot: string): Promise<string | undefined> {
  try {
    const real = await realpath(path);
    return isInside(real, realRoot) ? real : undefined;
  } catch {
    return undefined;
  }
}

async function fileAt(real: string): Promise<Lookup> {
  try {
    const st = await stat(real);
    if (st.isFile()) return { kind: "file", path: real, size: st.size, mtimeMs: st.mtimeMs };
    return st.isDirectory() ? { kind: "directory" } : { kind: "missing" };
  } catch {
    return { kind: "missing" };
  }
}

/** Finds the file for the segments; a directory serves its index.html (itself inside the root). */
export async function lookupDocument(realRoot: string, segments: readonly string[]): Promise<Lookup> {
  const trailingSlash = segments[segments.length - 1] === "";
  const names = trailingSlash ? segments.slice(0, -1) : segments;
  const real = await realInside(join(realRoot, ...names), realRoot);
  if (!real) return { kind: "missing" };
  const found = await fileAt(real);
  if (found.kind !== "directory") return trailingSlash ? { kind: "missing" } : found;
  if (!trailingSlash) return found;
  const index = await realInside(join(real, "index.html"), realRoot);
  if (!index) return { kind: "missing" };
  const file = await fileAt(index);
  return file.kind === "file" ? file : { kind: "missing" };
}

/**
 * The root's real path, creating it (0700, with our starter index.html) the first time it is
 * missing; an existing directory is never written to.
 */
export async function ensureRoot(root: string): Promise<string> {
  try {
    return await realpath(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const created = await mkdir(root, { recursive: true, mode: 0o700 });
  if (created !== undefined) await writeFile(join(root, "index.html"), DEFAULT_INDEX_HTML, { mode: 0o600, flag: "wx" }).catch(() => {});
  return realpath(root);
}
