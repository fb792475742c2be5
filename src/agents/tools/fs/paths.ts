/**
 * Where a file tool's `path` argument points. Relative paths resolve against the agent's workspace;
 * with `tools.fs.workspaceOnly` the result must stay inside it, judged both by the path as written
 * (`..` collapsed) and by where symlinks really lead, so a link to /etc cannot be used as a door.
 */
import { lstat, readlink, realpath } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { ToolInputError, type ToolContext } from "../types.ts";

export interface ToolPath {
  /** Absolute, `..` collapsed (symlinks not followed). */
  abs: string;
  /** The path as the caller wrote it, for result texts. */
  display: string;
}

/** Symlink hops followed by hand before giving up (the kernel's own limit is 40). */
const MAX_LINK_HOPS = 40;

export function workspaceOf(ctx: ToolContext, tool: string): string {
  // The gateway always sets it for agent runs; a missing one is a wiring bug, not the model's fault.
  if (!ctx.workspaceDir) throw new Error(`The ${tool} tool needs the agent's workspace directory, and none was given.`);
  return ctx.workspaceDir;
}

/** The path argument, checked: a non-empty string (whitespace around it is dropped). */
export function pathArg(args: Record<string, unknown>, key = "path"): string {
  const v = args[key];
  if (v === undefined || v === null) throw new ToolInputError(`${key} required`);
  if (typeof v !== "string") throw new ToolInputError(`${key} must be a string`);
  const p = v.trim();
  if (!p) throw new ToolInputError(`${key} must not be empty`);
  if (p.includes("\0")) throw new ToolInputError(`${key} must not contain NUL characters`);
  return p;
}

function expandTilde(p: string): string {
  if (p === "~") return homedir();
  if (p.startsWith("~/")) return join(homedir(), p.slice(2));
  return p;
}

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * realpath for a path that may not exist yet: the deepest existing ancestor is resolved and the
 * missing rest appended. A dangling symlink is followed to where it points, because writing
 * through it would create the file there.
 */
export async function realpathLoose(p: string, hops = 0): Promise<string> {
  try {
    return await realpath(p);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  const parent = dirname(p);
  if (parent === p) return p;
  let link: string | null = null;
  try {
    if ((await lstat(p)).isSymbolicLink()) link = await readlink(p);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  const realParent = await realpathLoose(parent, hops);
  if (link === null) return join(realParent, basename(p));
  if (hops >= MAX_LINK_HOPS) throw new Error(`Too many levels of symbolic links: ${p}`);
  return realpathLoose(resolve(realParent, link), hops + 1);
}

export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export function workspaceOnly(ctx: ToolContext): boolean {
  return ctx.config?.tools?.fs?.workspaceOnly === true;
}

/** Resolves `given` for `tool`; throws ToolInputError when confinement is on and it leaves the workspace. */
export async function resolveToolPath(ctx: ToolContext, tool: string, given: string): Promise<ToolPath> {
  const root = resolve(workspaceOf(ctx, tool));
  const abs = resolve(root, expandTilde(given));
  if (workspaceOnly(ctx)) {
    const escape = () =>
      new ToolInputError(`Path escapes sandbox root (${root}): ${given}. Use a relative path inside the workspace (tools.fs.workspaceOnly is on).`);
    if (!isInside(root, abs)) throw escape();
    const [realRoot, realTarget] = await Promise.all([realpathLoose(root), realpathLoose(abs)]);
    if (!isInside(realRoot, realTarget)) throw escape();
  }
  return { abs, display: given };
}

/** A filesystem failure as a sentence the model can act on (the raw errno text is terse). */
export function describeFsError(e: unknown, action: string, display: string): Error {
  const err = e as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EISDIR: "it is a directory",
    ENOTDIR: "a parent of it is not a directory",
    EROFS: "the file system is read-only",
    ENOSPC: "no space left on the device",
    EDQUOT: "disk quota exceeded",
    ELOOP: "too many levels of symbolic links",
    ENAMETOOLONG: "the name is too long",
    EEXIST: "something else is already there",
  };
  const reason = (err?.code && reasons[err.code]) ?? err?.message ?? String(e);
  return new Error(`Cannot ${action} ${display}: ${reason}${err?.code ? ` (${err.code})` : ""}.`);
}
