import { mkdirSync, mkdtempSync, realpathSync } from "node:fs";
import { join } from "node:path";
import type { OpenClawConfig } from "../../../../src/config/schema.ts";
import type { AgentService } from "../../../../src/agents/types.ts";
import type { AgentTool, ToolContext, ToolResult } from "../../../../src/agents/tools/types.ts";

/** A fresh directory holding `ws/` (the workspace) and room beside it for "outside" files. */
export function sandbox(): { root: string; ws: string } {
  const root = realpathSync(mkdtempSync(join(process.env.OPENCLAW_TEST_TMP ?? "/tmp", "fs-tools-")));
  const ws = join(root, "ws");
  mkdirSync(ws);
  return { root, ws };
}

export function ctxFor(ws: string | undefined, opts: { workspaceOnly?: boolean; signal?: AbortSignal } = {}): ToolContext {
  const ctx: ToolContext = { agents: {} as AgentService, agentId: "main", sessionKey: "agent:main:main", toolCallId: "call_1" };
  if (ws !== undefined) ctx.workspaceDir = ws;
  if (opts.workspaceOnly !== undefined) ctx.config = { tools: { fs: { workspaceOnly: opts.workspaceOnly } } } as OpenClawConfig;
  if (opts.signal) ctx.signal = opts.signal;
  return ctx;
}

export function text(r: ToolResult): string {
  return r.content.map((c) => c.text).join("");
}

/** Runs the tool; resolves with the thrown error (failing the test when it does not throw). */
export async function failure(tool: AgentTool, args: Record<string, unknown>, ctx: ToolContext): Promise<Error> {
  try {
    const r = await tool.execute(args, ctx);
    throw new Error(`expected ${tool.name} to fail, got: ${text(r).slice(0, 200)}`);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`expected ${tool.name} to fail`)) throw e;
    return e as Error;
  }
}
