/**
 * `approvals get`, `set` and `allowlist add|remove`: the gateway host's approvals document. Every
 * write sends the hash it read, so an edit made meanwhile (another operator, an allow-always) is
 * refused instead of overwritten.
 */
import { readFileSync } from "node:fs";
import { parseJson5 } from "../../config/json5.ts";
import { verb } from "../args.ts";
import type { CliContext } from "../context.ts";
import { CliError, UsageError } from "../errors.ts";
import type { ClientCallArgs } from "../rpc.ts";
import { approvalsCall, common, DOCUMENT_EDITOR, type ApprovalsFile, type DocumentSnapshot } from "./call.ts";
import { documentLines } from "./format.ts";

/** Only the gateway's document is reachable from here; the flag is accepted so published-CLI scripts run. */
const gatewayArg = { gateway: { type: "boolean", description: "Target the gateway host's document (the only target; accepted for compatibility)" } } as const;

const load = (ctx: CliContext, a: ClientCallArgs) => approvalsCall<DocumentSnapshot>(ctx, a, "exec.approvals.get", {}, DOCUMENT_EDITOR);
const save = (ctx: CliContext, a: ClientCallArgs, file: ApprovalsFile, baseHash: string) =>
  approvalsCall<DocumentSnapshot>(ctx, a, "exec.approvals.set", { file, baseHash }, DOCUMENT_EDITOR);

export function getCommand(ctx: CliContext) {
  return verb("get", "The gateway's exec approvals document: defaults, per-agent policy, allowlists", { ...common, ...gatewayArg }, async (a) => {
    const snapshot = await load(ctx, a);
    if (a.json) ctx.io.json(snapshot);
    else for (const line of documentLines(snapshot)) ctx.io.out(line);
  });
}

/** Parses an uploaded document (JSON5, like the config file); it must be an object. */
export function parseDocumentText(text: string, source: string): ApprovalsFile {
  const parsed = parseJson5(text);
  if (!parsed.ok) throw new CliError(`${source}: not valid JSON5 at line ${parsed.line}, column ${parsed.column}: ${parsed.message}`);
  const value = parsed.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new CliError(`${source}: the exec approvals document must be a JSON object`);
  return { ...(value as Record<string, unknown>), version: 1 } as ApprovalsFile;
}

async function readInput(a: { file?: string; stdin?: boolean }): Promise<{ text: string; source: string }> {
  if (a.file && a.stdin) throw new UsageError("Use either --file or --stdin, not both");
  if (a.stdin) return { text: await Bun.stdin.text(), source: "stdin" };
  if (!a.file?.trim()) throw new UsageError("Provide --file <path> or --stdin");
  try {
    return { text: readFileSync(a.file, "utf8"), source: a.file };
  } catch (err) {
    throw new CliError(`cannot read ${a.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function setCommand(ctx: CliContext) {
  const args = {
    ...common, ...gatewayArg,
    file: { type: "string", description: "Read the document (JSON5) from this file", valueHint: "path" },
    stdin: { type: "boolean", description: "Read the document (JSON5) from standard input" },
  } as const;
  return verb("set", "Replace the gateway's exec approvals document with one from a file or stdin", args, async (a) => {
    const input = await readInput(a);
    const file = parseDocumentText(input.text, input.source);
    const current = await load(ctx, a);
    const next = await save(ctx, a, file, current.hash);
    if (a.json) ctx.io.json(next);
    else ctx.io.out(`Exec approvals updated (hash ${next.hash.slice(0, 12)}).`);
  });
}

const allowlistArgs = {
  ...common, ...gatewayArg,
  agent: { type: "string", description: "The agent whose allowlist to edit (default \"*\": every agent)", valueHint: "id" },
  pattern: { type: "positional", required: false, description: "Command name glob (rg) or binary path glob (/usr/bin/*, ~/bin/**)" },
} as const;

function target(a: { agent?: string; pattern?: string }, verbName: string): { agent: string; pattern: string } {
  const pattern = a.pattern?.trim();
  if (!pattern) throw new UsageError(`Missing <pattern>: openclaw approvals allowlist ${verbName} [--agent <id>] <pattern>`);
  if (a.agent !== undefined && !a.agent.trim()) throw new UsageError("--agent must not be empty (use \"*\" for every agent)");
  return { agent: a.agent?.trim() ?? "*", pattern };
}

/**
 * Adding a pattern that is there already, or removing one that is not, writes nothing: the
 * answer is the unchanged document (with --json) or a one-line note.
 */
function allowlistVerb(ctx: CliContext, name: "add" | "remove", description: string, change: (list: NonNullable<ApprovalsFile["agents"]>[string]["allowlist"] & object, pattern: string) => boolean) {
  return verb(name, description, allowlistArgs, async (a) => {
    const { agent, pattern } = target(a, name);
    const current = await load(ctx, a);
    const file = structuredClone(current.file);
    const agents = (file.agents ??= {});
    const policy = (agents[agent] ??= {});
    const list = (policy.allowlist ??= []);
    if (!change(list, pattern)) {
      if (a.json) ctx.io.json(current);
      else ctx.io.out(name === "add" ? `Already allowlisted for ${agent}: ${pattern}` : `Not in the allowlist of ${agent}: ${pattern}`);
      return;
    }
    if (list.length === 0) delete policy.allowlist;
    if (Object.keys(policy).length === 0) delete agents[agent];
    const next = await save(ctx, a, file, current.hash);
    if (a.json) ctx.io.json(next);
    else ctx.io.out(name === "add" ? `Allowlisted for ${agent}: ${pattern}` : `Removed from the allowlist of ${agent}: ${pattern}`);
  });
}

export function allowlistAddCommand(ctx: CliContext) {
  return allowlistVerb(ctx, "add", "Allow a command pattern without asking", (list, pattern) => {
    if (list.some((e) => e.pattern.trim() === pattern)) return false;
    list.push({ pattern });
    return true;
  });
}

export function allowlistRemoveCommand(ctx: CliContext) {
  return allowlistVerb(ctx, "remove", "Remove a command pattern from an allowlist", (list, pattern) => {
    const before = list.length;
    list.splice(0, list.length, ...list.filter((e) => e.pattern.trim() !== pattern));
    return list.length !== before;
  });
}
