/**
 * The commands our node host serves: `system.which`, `system.run` (argv form), `system.run.prepare`
 * (the plan an approval is shown, running nothing) and `system.notify`. Each validates its own
 * params and answers with the payload shapes the published node host uses.
 */
import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { commandEnv, inheritedEnv } from "./env.ts";
import { runArgv, type ExecResult } from "./exec.ts";

export const SYSTEM_COMMANDS = ["system.run", "system.run.prepare", "system.which", "system.notify"] as const;

export interface InvokeContext {
  invokeId: string;
  /** The gateway's remaining budget for this call; 0 means none. */
  timeoutMs: number;
  signal: AbortSignal;
  hostEnv: Record<string, string | undefined>;
  /** Reports a node event (exec.finished) to the gateway; never throws. */
  sendEvent(event: string, payload: Record<string, unknown>): Promise<void>;
}

export type InvokeOutcome =
  | { ok: true; payload: unknown }
  | { ok: false; error: { code: string; message: string } }
  | { cancelled: true };

const MAX_BINS = 64;

function invalid(message: string): InvokeOutcome {
  return { ok: false, error: { code: "INVALID_REQUEST", message } };
}

function record(params: unknown): Record<string, unknown> {
  return params !== null && typeof params === "object" && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
}

function which(bin: string, env: Record<string, string | undefined>): string | null {
  if (bin.includes("/") || bin.includes("\\")) {
    try {
      return statSync(bin).isFile() ? resolve(bin) : null;
    } catch {
      return null;
    }
  }
  return Bun.which(bin, { PATH: env.PATH ?? "" });
}

function systemWhich(params: unknown, ctx: InvokeContext): InvokeOutcome {
  const bins = record(params).bins;
  if (!Array.isArray(bins) || bins.length === 0) return invalid("bins required");
  if (bins.length > MAX_BINS) return invalid(`at most ${MAX_BINS} bins`);
  const found: Record<string, string> = {};
  for (const bin of bins) {
    if (typeof bin !== "string" || bin.trim() === "") return invalid("bins must be non-empty strings");
    const path = which(bin.trim(), ctx.hostEnv);
    if (path) found[bin] = path;
  }
  return { ok: true, payload: { bins: found } };
}

function argvOf(p: Record<string, unknown>): string[] | string {
  const command = p.command;
  if (command === undefined || command === null || (Array.isArray(command) && command.length === 0)) return "command required";
  if (!Array.isArray(command) || !command.every((a) => typeof a === "string")) return "command must be an array of strings (argv)";
  if (command[0] === "") return "command required";
  return command as string[];
}

function cwdOf(p: Record<string, unknown>): string | { error: string } {
  if (p.cwd === undefined || p.cwd === null || p.cwd === "") return process.cwd();
  if (typeof p.cwd !== "string") return { error: "cwd must be a string" };
  const cwd = isAbsolute(p.cwd) ? p.cwd : resolve(process.cwd(), p.cwd);
  try {
    if (statSync(cwd).isDirectory()) return cwd;
  } catch {
    // Falls through to the error below.
  }
  return { error: `cwd is not a directory: ${p.cwd}` };
}

/** Shell-like display form: plain words as they are, anything else double-quoted. */
export function commandText(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

function prepare(params: unknown, ctx: InvokeContext): InvokeOutcome {
  const p = record(params);
  const argv = argvOf(p);
  if (typeof argv === "string") return invalid(argv);
  const cwd = cwdOf(p);
  if (typeof cwd !== "string") return invalid(cwd.error);
  const resolved = which(argv[0]!, ctx.hostEnv);
  if (!resolved) return invalid(`command not found: ${argv[0]}`);
  const planArgv = [resolved, ...argv.slice(1)];
  const text = commandText(planArgv);
  const plan: Record<string, unknown> = {
    argv: planArgv, cwd, commandText: text,
    commandPreview: typeof p.rawCommand === "string" && p.rawCommand !== "" ? p.rawCommand : commandText(argv),
  };
  if (typeof p.agentId === "string") plan.agentId = p.agentId;
  if (typeof p.sessionKey === "string") plan.sessionKey = p.sessionKey;
  // This host runs what it is asked (security full, ask off): approval, when wanted, is the gateway's.
  return { ok: true, payload: { plan, execPolicy: { security: "full", ask: "off" }, allowAlwaysCoverage: { pattern: resolved } } };
}

/** A run forwarded with an approved plan must be that plan. */
function planMismatch(p: Record<string, unknown>, argv: string[], ctx: InvokeContext): boolean {
  const plan = record(p.systemRunPlan);
  if (!Array.isArray(plan.argv)) return false;
  const wanted = plan.argv as unknown[];
  const actual = [which(argv[0]!, ctx.hostEnv) ?? argv[0]!, ...argv.slice(1)];
  return wanted.length !== actual.length || wanted.some((a, i) => a !== actual[i] && !(i === 0 && a === argv[0]));
}

function effectiveTimeout(p: Record<string, unknown>, budget: number): number {
  const own = typeof p.timeoutMs === "number" && Number.isFinite(p.timeoutMs) && p.timeoutMs > 0 ? p.timeoutMs : 0;
  if (own > 0 && budget > 0) return Math.min(own, budget);
  return own || budget;
}

function combinedOutput(r: ExecResult): string {
  const text = [r.stdout, r.stderr].filter((s) => s !== "").join("\n").trimEnd();
  return text.length > 4000 ? `…${text.slice(-4000)}` : text;
}

async function systemRun(params: unknown, ctx: InvokeContext): Promise<InvokeOutcome> {
  const p = record(params);
  const argv = argvOf(p);
  if (typeof argv === "string") return invalid(argv);
  const cwd = cwdOf(p);
  if (typeof cwd !== "string") return invalid(cwd.error);
  const env = commandEnv(ctx.hostEnv, p.env);
  if (!env.ok) return invalid(env.message);
  if (planMismatch(p, argv, ctx)) return invalid("system.run does not match the approved plan");
  const runId = typeof p.runId === "string" && p.runId !== "" ? p.runId : crypto.randomUUID();
  const r = await runArgv({ argv, cwd, env: env.env, timeoutMs: effectiveTimeout(p, ctx.timeoutMs), signal: ctx.signal });
  if (r.cancelled) return { cancelled: true };
  const text = typeof p.rawCommand === "string" && p.rawCommand !== "" ? p.rawCommand : commandText(argv);
  await ctx.sendEvent("exec.finished", {
    sessionKey: typeof p.sessionKey === "string" ? p.sessionKey : "node", runId, host: "node", command: text,
    exitCode: r.exitCode, timedOut: r.timedOut, success: r.success, output: combinedOutput(r),
    suppressNotifyOnExit: p.suppressNotifyOnExit === true,
  });
  const payload: Record<string, unknown> = {
    exitCode: r.exitCode, timedOut: r.timedOut, success: r.success, stdout: r.stdout, stderr: r.stderr, error: r.error,
  };
  if (r.truncated) payload.truncated = true;
  return { ok: true, payload };
}

async function notify(params: unknown, ctx: InvokeContext): Promise<InvokeOutcome> {
  const p = record(params);
  const title = typeof p.title === "string" ? p.title.trim() : "";
  const body = typeof p.body === "string" ? p.body.trim() : "";
  if (title === "" && body === "") return invalid("title or body required");
  const env = inheritedEnv(ctx.hostEnv);
  let argv: string[] | undefined;
  if (process.platform === "darwin") {
    argv = ["osascript", "-e", `display notification ${JSON.stringify(body)} with title ${JSON.stringify(title || "OpenClaw")}`];
  } else if (process.platform !== "win32" && Bun.which("notify-send", { PATH: env.PATH ?? "" })) {
    argv = ["notify-send", title || "OpenClaw", body];
  }
  // Best effort: a headless host has no desktop to notify, which is an answer, not an error.
  if (!argv) return { ok: true, payload: { delivered: false, method: "none" } };
  const r = await runArgv({ argv, env, timeoutMs: 5_000, signal: ctx.signal });
  return { ok: true, payload: { delivered: r.success, method: argv[0] } };
}

export async function runSystemCommand(command: string, params: unknown, ctx: InvokeContext): Promise<InvokeOutcome> {
  switch (command) {
    case "system.which": return systemWhich(params, ctx);
    case "system.run.prepare": return prepare(params, ctx);
    case "system.run": return systemRun(params, ctx);
    case "system.notify": return notify(params, ctx);
    default: return { ok: false, error: { code: "UNAVAILABLE", message: "command not supported" } };
  }
}
