/**
 * Loop detection (`tools.loopDetection`, off by default as on the published gateway): the same
 * batch of calls, with the same arguments, asked for round after round. First a warning is added
 * to the results; at the critical count the batch is not run (the model gets one more answer);
 * a second critical count ends the run with a short explanation instead of burning the budget.
 */
import type { ToolCall } from "../providers/types.ts";

export interface LoopDetectionConfig {
  enabled?: boolean;
  warningThreshold?: number;
  criticalThreshold?: number;
}

export interface LoopVerdict {
  warning?: string;
  /** Results text for a batch that is not run. */
  block?: string;
  /** The run's closing text: the loop ends here. */
  stop?: string;
}

export class LoopGuard {
  private last = "";
  private repeats = 0;
  private criticals = 0;
  private readonly warnAt: number;
  private readonly criticalAt: number;

  constructor(private cfg: LoopDetectionConfig | undefined) {
    this.warnAt = cfg?.warningThreshold ?? 10;
    this.criticalAt = Math.max(cfg?.criticalThreshold ?? 20, this.warnAt + 1);
  }

  check(calls: ToolCall[]): LoopVerdict {
    if (!this.cfg?.enabled) return {};
    const signature = calls.map((c) => `${c.name}\u0000${normalize(c.arguments)}`).sort().join("\u0001");
    this.repeats = signature === this.last ? this.repeats + 1 : 1;
    this.last = signature;
    const names = [...new Set(calls.map((c) => c.name))].join(", ");
    if (this.repeats >= this.criticalAt) {
      this.criticals++;
      this.repeats = 0;
      if (this.criticals >= 2) {
        return { stop: `Stopped: the same tool call (${names}) was repeated ${this.criticalAt} times without progress.` };
      }
      return { block: `Not run: this exact call (${names}) was made ${this.criticalAt} times in a row. Change approach or answer with what you have.` };
    }
    if (this.repeats >= this.warnAt) {
      return { warning: `[loop warning] this exact call (${names}) has now been made ${this.repeats} times in a row with the same arguments.` };
    }
    return {};
  }
}

function normalize(args: string): string {
  try {
    return JSON.stringify(JSON.parse(args || "{}"));
  } catch {
    return args;
  }
}
