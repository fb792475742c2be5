/** What the model reads after a command ran (gateway or node), and the status the events show. */
import { textResult, type ToolResult } from "../types.ts";

export interface RunFacts {
  output: string;
  exitCode: number | null;
  exitSignal: string | null;
  timedOut: boolean;
  timeoutSeconds: number;
  /** Characters dropped from the front of the output (0: none). */
  droppedChars: number;
  durationMs: number;
  cwd: string;
}

export type RunStatus = "completed" | "failed" | "timeout";

export function runStatus(f: Pick<RunFacts, "exitCode" | "timedOut">): RunStatus {
  if (f.timedOut) return "timeout";
  return f.exitCode === 0 ? "completed" : "failed";
}

function exitReason(f: RunFacts): string {
  if (f.timedOut) return "timeout";
  return f.exitCode === null && f.exitSignal ? "signal" : "exit";
}

function body(f: RunFacts): string {
  const text = f.output.trimEnd();
  if (f.droppedChars === 0) return text;
  return `[output truncated: the first ${f.droppedChars} characters were dropped; showing the last ${f.output.length}]\n${text}`;
}

function withNote(text: string, note: string): string {
  return text === "" ? note : `${text}\n\n${note}`;
}

/** A non-zero exit or a timeout is a failed call whose output the model still reads. */
export function runResult(f: RunFacts, prefix = "", extra: Record<string, unknown> = {}): ToolResult {
  const status = runStatus(f);
  let text = body(f);
  if (status === "timeout") {
    text = withNote(text, `Command timed out after ${f.timeoutSeconds} seconds. If it needs longer, run it again with a larger timeoutSeconds (0 means no limit).`);
  } else if (f.exitCode === null) {
    text = withNote(text, f.exitSignal ? `(Command was killed by ${f.exitSignal})` : "(Command ended without an exit code)");
  } else if (f.exitCode !== 0) {
    text = withNote(text, `(Command exited with code ${f.exitCode})`);
  } else if (text === "") {
    text = "(no output)";
  }
  const details = {
    status, exitCode: f.exitCode, exitSignal: f.exitSignal, exitReason: exitReason(f), durationMs: f.durationMs,
    aggregated: f.output, cwd: f.cwd, ...(f.droppedChars > 0 ? { truncated: true, droppedChars: f.droppedChars } : {}), ...extra,
  };
  return textResult(prefix + text, details, status !== "completed");
}
