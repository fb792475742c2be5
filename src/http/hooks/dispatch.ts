/**
 * What a hook does once it is admitted by policy: a wake becomes a system event; an agent hook
 * becomes one agent turn on the hook's own session, admitted when its message is stored (the
 * caller's answer waits for that, at most 15 s), then completed in the background: the reply is
 * announced on a channel, reported to the main session, or only logged.
 */
import { AgentError, mainSessionKey, type AgentService, type TurnResult } from "../../agents/types.ts";
import type { DeliveryTarget, SessionMode, WakeMode } from "./payload.ts";
import { scopedSessionKey } from "./payload.ts";
import type { AgentDispatch, Completion } from "./replay.ts";
import type { HookDelivery, HookDeps, HookEventQueue, HookLimits } from "./types.ts";
import { wrapUntrustedContent } from "./wrap.ts";

export interface AgentRun {
  runId: string;
  agentId: string;
  /** Logical key, already under the agent when it names one. */
  sessionKey: string;
  /** A fresh `hook:<id>` key: no other run shares it. */
  generatedKey: boolean;
  sessionMode: SessionMode;
  message: string;
  name: string;
  wakeMode: WakeMode;
  deliver: boolean;
  target?: DeliveryTarget;
  model?: string;
  timeoutSeconds?: number;
  /** false only for mappings with allowUnsafeExternalContent. */
  wrap: boolean;
  /** The request path, for logs. */
  path: string;
}

export const ADMISSION_TIMEOUT_ERROR = "hook agent run did not start before admission timeout";
export const SESSION_CONFLICT_ERROR = "hook agent run was rejected because the target session changed";
export const PREPARATION_ERROR = "hook agent run failed before entering the agent runner";

/** The exact reply an agent gives to say nothing. */
const SILENT_REPLIES = new Set(["NO_REPLY", "no_reply"]);
const MAX_EVENT_TEXT = 2000;

const REFUSED: Completion = { status: "error", replyDisposition: "empty", delivered: false, deliveryAttempted: false };

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function dispositionOf(text: string): Completion["replyDisposition"] {
  const trimmed = text.trim();
  if (!trimmed) return "empty";
  return SILENT_REPLIES.has(trimmed) ? "silent" : "visible";
}

export class HookRunner {
  /** Runs sharing a logical key run one after another, through completion (isolated ones too). */
  readonly #lanes = new Map<string, Promise<unknown>>();

  constructor(
    private readonly agents: AgentService,
    private readonly events: HookEventQueue,
    private readonly delivery: () => HookDelivery,
    private readonly log: HookDeps["log"],
    private readonly limits: HookLimits,
  ) {}

  /** Queues the text for the session unless the same text is already the newest queued event. */
  wake(text: string, sessionKey: string, mode: WakeMode): "queued" | "coalesced" {
    const last = this.events.systemEvents.at(-1);
    if (last && last.text === text && last.sessionKey === sessionKey) return "coalesced";
    this.events.queueSystemEvent({ text, ts: Date.now(), sessionKey, source: "hook" });
    // There is no heartbeat runner yet: "now" cannot ask for a run sooner than "next-heartbeat".
    this.log?.info(`hook wake queued for ${sessionKey} (mode ${mode})`);
    return "queued";
  }

  /** Admits one agent run; the completion never rejects. */
  async dispatch(run: AgentRun): Promise<AgentDispatch> {
    const { runId } = run;
    if (run.target?.accountId) {
      const accounts = this.delivery().accounts(run.target.channel);
      if (!accounts.includes(run.target.accountId)) {
        return { ok: false, status: 400, error: `Unknown account "${run.target.accountId}" for channel ${run.target.channel}.`, runId };
      }
    }
    const scoped = scopedSessionKey(run.agentId, run.sessionKey);
    const stored = run.sessionMode === "persistent" || run.generatedKey ? scoped : `${scoped}:run:${runId}`;
    const message = run.wrap ? wrapUntrustedContent({ jobId: runId, name: run.name, source: "Webhook", content: run.message }) : run.message;

    const controller = new AbortController();
    let accepted = false;
    let admit!: () => void;
    const admitted = new Promise<"admitted">((resolve) => (admit = () => resolve("admitted")));
    const before = run.generatedKey ? undefined : this.#lanes.get(scoped);
    const turn = (before ?? Promise.resolve()).then(() => {
      if (controller.signal.aborted) throw new AgentError("aborted", "admission timed out");
      return this.agents.runTurn({
        agentId: run.agentId,
        sessionKey: stored,
        message,
        runId,
        channel: "webhook",
        agentTools: true,
        signal: controller.signal,
        ...(run.model ? { modelOverride: run.model } : {}),
        ...(run.timeoutSeconds ? { timeoutMs: run.timeoutSeconds * 1000 } : {}),
        onEvent: (e) => {
          if (e.type !== "accepted") return;
          accepted = true;
          admit();
        },
      });
    });
    const completion = turn
      .then(
        (result) => this.#complete(run, result),
        // A run refused before its message was stored is answered with an error status instead.
        (err: unknown) => (accepted ? this.#failed(run, err) : REFUSED),
      )
      .catch((err: unknown) => this.#failed(run, err));
    if (!run.generatedKey) this.#queueInLane(scoped, completion);

    let timer: Timer | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), this.limits.admissionTimeoutMs)));
    const outcome = await Promise.race([
      admitted,
      // A replayed turn settles without an "accepted" event; one that fails before it was refused.
      turn.then(
        () => "admitted" as const,
        (err: unknown) => ({ err }),
      ),
      timedOut,
    ]);
    clearTimeout(timer);
    if (outcome === "admitted") return { ok: true, runId, completion };
    if (outcome === "timeout") {
      controller.abort(new AgentError("aborted", "admission timed out"));
      this.log?.warn(`hook agent run ${runId} was not admitted within ${this.limits.admissionTimeoutMs} ms; cancelled`, { path: run.path });
      return { ok: false, status: 503, error: ADMISSION_TIMEOUT_ERROR, runId };
    }
    const err = outcome.err;
    this.log?.warn(`hook agent run ${runId} was refused: ${(err as Error)?.message ?? String(err)}`, { path: run.path, agent: run.agentId });
    if (err instanceof AgentError && err.kind === "conflict") return { ok: false, status: 409, error: SESSION_CONFLICT_ERROR, runId };
    return { ok: false, status: 502, error: PREPARATION_ERROR, runId };
  }

  #queueInLane(key: string, done: Promise<unknown>): void {
    this.#lanes.set(key, done);
    void done.then(() => {
      if (this.#lanes.get(key) === done) this.#lanes.delete(key);
    });
  }

  async #complete(run: AgentRun, result: TurnResult): Promise<Completion> {
    const replyDisposition = dispositionOf(result.text);
    const completion: Completion = { status: "ok", replyDisposition, delivered: false, deliveryAttempted: false };
    if (run.deliver && run.target) {
      completion.deliveryAttempted = true;
      if (replyDisposition !== "visible") {
        completion.deliverySuppressionReason = replyDisposition;
      } else {
        const outcome = await this.#deliver(run.target, result.text.trim());
        completion.delivered = outcome.delivered;
        if (!outcome.delivered) {
          completion.deliveryError = "delivery-failed";
          this.log?.warn(`hook run ${run.runId}: delivery to ${run.target.channel} failed: ${outcome.error ?? "not delivered"}`);
        }
      }
    } else if (run.deliver && replyDisposition === "visible") {
      this.#event(run, `Hook "${run.name}" finished (run ${run.runId}): ${clip(result.text.trim(), MAX_EVENT_TEXT)}`);
    }
    this.#logCompletion(run, completion);
    return completion;
  }

  async #deliver(target: DeliveryTarget, text: string): Promise<{ delivered: boolean; error?: string }> {
    try {
      return await this.delivery().deliver({ ...target, text });
    } catch (err) {
      return { delivered: false, error: (err as Error)?.message ?? String(err) };
    }
  }

  #failed(run: AgentRun, err: unknown): Completion {
    const reason = err instanceof AgentError ? err.message : "internal error";
    this.#event(run, `Hook "${run.name}" failed (run ${run.runId}): ${clip(reason, 300)}`);
    const completion: Completion = { status: "error", replyDisposition: "empty", delivered: false, deliveryAttempted: false };
    this.#logCompletion(run, completion, reason);
    return completion;
  }

  /** A completion event for the agent's main session. */
  #event(run: AgentRun, text: string): void {
    this.events.queueSystemEvent({ text, ts: Date.now(), sessionKey: mainSessionKey(run.agentId), source: "hook" });
  }

  #logCompletion(run: AgentRun, c: Completion, error?: string): void {
    const fields = {
      runId: run.runId, agent: run.agentId, name: run.name, path: run.path, sessionKey: run.sessionKey,
      status: c.status, reply: c.replyDisposition, delivered: c.delivered, ...(error ? { error } : {}),
      ...(c.deliveryError ? { deliveryError: c.deliveryError } : {}),
    };
    if (c.status === "ok" && !c.deliveryError) this.log?.info("hook agent run completed", fields);
    else this.log?.warn("hook agent run completed", fields);
  }
}
