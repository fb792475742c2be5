// bench/measure/tools.ts: agent turns over WebSocket against the scripted upstream stub, each beside
// the same model calls made straight to the stub. The stub records every request it receives
// (GET /_requests?from=N); the bodies the gateway sent for one turn are replayed as they are, so the
// direct side does exactly the model's part of that turn and nothing else.

import { scriptDirective, type ScriptStep } from "../../test/fixtures/model-script.ts";
import { cpuSecondsFine } from "./proc.ts";
import { parseFrame, type Session } from "./session.ts";
import { countError, type ErrorCounts } from "./stats.ts";

const TURN_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Marks the bench's own calls, so they are never mistaken for the gateway's in the stub's record. */
const DIRECT_HEADER = "x-bench-direct";

/** One kind of turn: its script, and how many model calls and tool calls it must come to. */
export interface TurnKind {
  name: string;
  /** The user message: a script the stub answers round by round, [fast] so it never paces its words. */
  message: string;
  modelCalls: number;
  toolCalls: number;
  /** The closing text the script ends with (the turn's reply). */
  reply: string;
}

export function turnKind(name: string, steps: ScriptStep[]): TurnKind {
  const reply = steps.at(-1)?.text;
  if (reply === undefined || /\s/.test(reply)) throw new Error(`${name}: the script must end with a one-word text`);
  return {
    name,
    message: `bench ${name} [fast] ${scriptDirective(steps)}`,
    modelCalls: steps.length,
    toolCalls: steps.reduce((n, s) => n + (s.calls?.length ?? 0), 0),
    reply,
  };
}

/** Sample of one pair: the turn through the gateway and the same model calls made directly. */
export interface Pair {
  kind: string;
  /** `agent` sent → its final res, ms. */
  turnMs: number;
  /** `agent` sent → the `accepted` res, ms. */
  acceptedMs: number;
  /** Sum of the direct calls, each start → end of its stream, ms. */
  directMs: number;
  /** Each direct call, ms, in the order of the turn. */
  directCallsMs: number[];
  /** Gateway CPU (all threads) from `agent` sent to its final res, ms (NaN without a pid). */
  cpuMs: number;
  /** Request bytes the gateway sent to the model over the turn. */
  requestBytes: number;
  measured: boolean;
}

interface Pending {
  resolveAccepted(at: number): void;
  resolveFinal(frame: any, at: number): void;
}

/** An operator.write connection that runs `agent` turns one at a time and times them. */
export class TurnClient {
  private pending = new Map<string, Pending>();
  private serial = 0;

  constructor(private session: Session) {
    session.onFrame = (text) => {
      if (!text.startsWith('{"type":"res"')) return; // agent/chat events of the turn
      const at = performance.now();
      const frame = parseFrame(text);
      const p = typeof frame?.id === "string" ? this.pending.get(frame.id) : undefined;
      if (!p) return;
      if (frame.ok === true && frame.payload?.status === "accepted") p.resolveAccepted(at);
      else p.resolveFinal(frame, at);
    };
    session.onClose = (code, reason) => {
      for (const p of this.pending.values()) p.resolveFinal({ ok: false, error: { message: `closed ${code} ${reason}`.trim() } }, Number.NaN);
    };
  }

  /** Runs one turn; resolves with its timings and the final res frame, or rejects with why it failed. */
  async turn(message: string, sessionKey: string): Promise<{ ms: number; acceptedMs: number; frame: any }> {
    const id = `turn-${++this.serial}`;
    let acceptedAt = Number.NaN;
    const done = new Promise<{ frame: any; at: number }>((resolve) => {
      const timer = setTimeout(() => resolve({ frame: { ok: false, error: { message: `no final res within ${TURN_TIMEOUT_MS} ms` } }, at: Number.NaN }), TURN_TIMEOUT_MS);
      this.pending.set(id, {
        resolveAccepted: (at) => (acceptedAt = at),
        resolveFinal: (frame, at) => {
          clearTimeout(timer);
          resolve({ frame, at });
        },
      });
    });
    const params = { message, sessionKey, idempotencyKey: crypto.randomUUID() };
    const t0 = performance.now();
    this.session.ws.send(JSON.stringify({ type: "req", id, method: "agent", params }));
    const { frame, at } = await done;
    this.pending.delete(id);
    if (frame.ok !== true) throw new Error(`agent: ${frame.error?.code ?? "error"} ${frame.error?.message ?? ""}`.trim());
    return { ms: at - t0, acceptedMs: acceptedAt - t0, frame };
  }
}

/** What a turn's final res must say for the sample to count. */
function checkFinal(kind: TurnKind, frame: any): void {
  const p = frame.payload;
  const text = p?.result?.payloads?.[0]?.text;
  if (p?.status !== "ok" || text !== kind.reply) throw new Error(`${kind.name}: final res ${p?.status} with text ${JSON.stringify(text)}`);
  const turns = p.result.meta?.agentMeta?.assistantTurns;
  if (turns !== kind.modelCalls) throw new Error(`${kind.name}: ${turns} model calls, expected ${kind.modelCalls}`);
  const summary = p.result.meta?.toolSummary;
  const calls = summary?.calls ?? 0;
  if (calls !== kind.toolCalls || (summary?.failures ?? 0) > 0) throw new Error(`${kind.name}: tool summary ${JSON.stringify(summary ?? null)}`);
}

/** The stub's record of requests, read from where the last read stopped. */
export class StubRecord {
  private next = 0;

  constructor(private origin: string) {}

  /** Chat completion bodies the gateway sent since the last call (the bench's own calls left out). */
  async gatewayBodies(): Promise<string[]> {
    const res = await fetch(`${this.origin}/_requests?from=${this.next}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`GET /_requests: HTTP ${res.status}`);
    const recorded = (await res.json()) as { path: string; headers: Record<string, string>; body: unknown }[];
    this.next += recorded.length;
    return recorded.filter((r) => r.path === "/v1/chat/completions" && r.headers[DIRECT_HEADER] === undefined).map((r) => JSON.stringify(r.body));
  }
}

const decoder = new TextDecoder();

/**
 * One streamed chat completion straight to the stub on a keep-alive connection, timed from the
 * request to the end of the stream. `expect` is a fragment the stream must contain (the answer the
 * script gives at that step), so a replay that went astray is an error, not a fast sample.
 */
export async function directCall(url: string, headers: Record<string, string>, body: string, expect: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!res.ok || res.body === null) throw new Error(`direct call: HTTP ${res.status}`);
  let text = "";
  for await (const chunk of res.body) text += decoder.decode(chunk, { stream: true });
  const ms = performance.now() - t0;
  if (!text.includes("data: [DONE]")) throw new Error("direct call: stream without data: [DONE]");
  if (!text.includes(expect)) throw new Error(`direct call: stream without ${expect}`);
  return ms;
}

export interface PairOptions {
  client: TurnClient;
  record: StubRecord;
  /** The stub's chat completions URL. */
  stubUrl: string;
  /** The gateway's pid, for its CPU per turn. */
  pid?: number;
  errors: ErrorCounts;
}

/** Per kind: the bodies of its latest gateway turn, replayed when the direct side goes first. */
export type LastBodies = Map<string, string[]>;

/**
 * One pair: the turn through the gateway and its model calls made directly, in the order given.
 * A fresh session key per turn keeps every turn's requests identical (history would grow in one
 * session). When the direct side goes first it replays the previous turn of this kind, which
 * differs from this one only in ids inside the prompt.
 */
export async function runPair(o: PairOptions, kind: TurnKind, last: LastBodies, directFirst: boolean, measured: boolean): Promise<Pair | undefined> {
  const headers = { "content-type": "application/json", authorization: "Bearer sk-local", [DIRECT_HEADER]: "1" };
  const expects = (i: number) => (i < kind.modelCalls - 1 ? '"finish_reason":"tool_calls"' : `"content":"${kind.reply}"`);
  const direct = async (bodies: string[]) => {
    const calls: number[] = [];
    for (const [i, body] of bodies.entries()) calls.push(await directCall(o.stubUrl, headers, body, expects(i)));
    return calls;
  };
  const viaGateway = async () => {
    const cpu0 = o.pid === undefined ? Number.NaN : cpuSecondsFine(o.pid);
    const t = await o.client.turn(kind.message, `bench-${kind.name}-${crypto.randomUUID()}`);
    const cpuMs = o.pid === undefined ? Number.NaN : (cpuSecondsFine(o.pid) - cpu0) * 1000;
    checkFinal(kind, t.frame);
    const bodies = await o.record.gatewayBodies();
    if (bodies.length !== kind.modelCalls) throw new Error(`${kind.name}: the stub saw ${bodies.length} gateway calls, expected ${kind.modelCalls}`);
    last.set(kind.name, bodies);
    return { ...t, cpuMs, bodies };
  };
  try {
    let calls: number[];
    let turn: Awaited<ReturnType<typeof viaGateway>>;
    const previous = last.get(kind.name);
    if (directFirst && previous) {
      calls = await direct(previous);
      turn = await viaGateway();
    } else {
      turn = await viaGateway();
      calls = await direct(turn.bodies);
    }
    return {
      kind: kind.name,
      turnMs: turn.ms,
      acceptedMs: turn.acceptedMs,
      directMs: calls.reduce((a, b) => a + b, 0),
      directCallsMs: calls,
      cpuMs: turn.cpuMs,
      requestBytes: turn.bodies.reduce((n, b) => n + b.length, 0),
      measured,
    };
  } catch (err) {
    if (measured) countError(o.errors, (err as Error).message);
    else countError(o.errors, `warm-up: ${(err as Error).message}`);
    return undefined;
  }
}
