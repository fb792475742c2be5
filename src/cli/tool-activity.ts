/**
 * What `openclaw agent` shows of a run's tool use: one stderr line when a tool starts, ends or
 * waits for an approval, and the same record under `toolActivity` in --json output.
 */
export interface ToolActivityEntry {
  toolCallId: string;
  name: string;
  title: string;
  status: "running" | "completed" | "failed";
  error?: string;
  durationMs?: number;
}

export class ToolActivity {
  private entries = new Map<string, ToolActivityEntry>();

  /** Returns the line to print for this agent event, if any. */
  see(stream: string, data: Record<string, unknown> | undefined): string | undefined {
    if (!data) return undefined;
    if (stream === "lifecycle") {
      if (data.phase === "waiting-approval") {
        const id = String(data.approvalId ?? "");
        return `… waiting for approval ${id} (openclaw approvals approve ${id} | deny ${id})`;
      }
      if (data.phase === "approval-resolved") return `… approval ${String(data.approvalId ?? "")}: ${String(data.decision ?? "no decision")}`;
      return undefined;
    }
    if (data.kind !== "tool" || typeof data.toolCallId !== "string") return undefined;
    const name = String(data.name ?? "tool");
    const title = String(data.title ?? name);
    if (data.phase === "start") {
      this.entries.set(data.toolCallId, { toolCallId: data.toolCallId, name, title, status: "running" });
      return `⚙ ${title}`;
    }
    if (data.phase !== "end") return undefined;
    const failed = data.status === "failed";
    const entry: ToolActivityEntry = { toolCallId: data.toolCallId, name, title, status: failed ? "failed" : "completed" };
    if (typeof data.startedAt === "number" && typeof data.endedAt === "number") entry.durationMs = data.endedAt - data.startedAt;
    if (failed && typeof data.error === "string") entry.error = data.error;
    this.entries.set(data.toolCallId, entry);
    return failed ? `✗ ${title}${entry.error ? `: ${firstLine(entry.error)}` : ""}` : `✓ ${title}`;
  }

  list(): ToolActivityEntry[] {
    return [...this.entries.values()];
  }

  /** The final payload with `toolActivity` added when tools ran. */
  withActivity<T extends object>(final: T): T & { toolActivity?: ToolActivityEntry[] } {
    return this.entries.size ? { ...final, toolActivity: this.list() } : final;
  }
}

function firstLine(s: string): string {
  const line = s.split("\n")[0] ?? "";
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}
