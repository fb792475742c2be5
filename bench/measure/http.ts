// bench/measure/http.ts: OpenAI-style chat completions over HTTP/1.1, one request in flight on a
// keep-alive connection (Bun's fetch pools connections per origin; every body is read to the end so
// the connection goes back to the pool). Latency is that of the whole JSON answer, or for a stream
// the time to the first chunk carrying text and to the end of the stream.

import { cpuSeconds } from "./proc.ts";
import { countError, summarize, type ErrorCounts, type Summary } from "./stats.ts";

export interface ChatTarget {
  /** The chat completions endpoint, e.g. http://127.0.0.1:1234/v1/chat/completions. */
  url: string;
  model: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
}

export interface ChatRoundOptions {
  stream: boolean;
  /** Length of the measured window. */
  seconds: number;
  /** Unmeasured requests are sent for this long first. */
  warmupSeconds: number;
  /** Processes whose CPU time (with their descendants) is reported per request. */
  pids?: number[];
  /** Text of the user message (default "ping"). */
  prompt?: string;
}

export interface ChatRound {
  stream: boolean;
  /** Request start → whole JSON body read, or → end of the stream, ms; one sample per successful request. */
  total: number[];
  /** Request start → first SSE chunk with a non-empty `delta.content`, ms (streams only). */
  ttfb: number[];
  ok: number;
  err: number;
  /** Length of the measured window, s. */
  seconds: number;
  /** CPU of `pids` during the window per request (successful or not), µs (NaN without pids). */
  serverCpuUsPerReq: number;
  errors: ErrorCounts;
}

/** Summary of a round for the JSON report: raw samples would swamp it. */
export interface ChatRoundSummary {
  stream: boolean;
  total: Summary;
  ttfb: Summary | null;
  ok: number;
  err: number;
  seconds: number;
  serverCpuUsPerReq: number;
  errors: ErrorCounts;
}

const REQUEST_TIMEOUT_MS = 10_000;
/** A dead server fails each request at once: stop the round rather than count thousands of errors. */
const MAX_CONSECUTIVE_ERRORS = 20;

const decoder = new TextDecoder();

/** True when an SSE event holds a chunk whose first choice has non-empty `delta.content`. */
function carriesContent(event: string): boolean {
  for (const line of event.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const payload = line.slice(5).trim();
    if (payload === "[DONE]") continue;
    try {
      const content = JSON.parse(payload)?.choices?.[0]?.delta?.content;
      if (typeof content === "string" && content.length > 0) return true;
    } catch {
      // not JSON: not a content chunk
    }
  }
  return false;
}

async function failure(res: Response): Promise<Error> {
  const text = await res.text().catch(() => "");
  let message = text.slice(0, 120);
  try {
    message = JSON.parse(text)?.error?.message ?? message;
  } catch {
    // not JSON
  }
  return new Error(`HTTP ${res.status} ${message}`.trim());
}

/** One request; resolves with its timings (ttfb NaN for non-streaming) or rejects with what went wrong. */
export async function chatOnce(target: ChatTarget, headers: Record<string, string>, body: string, stream: boolean): Promise<{ total: number; ttfb: number }> {
  const t0 = performance.now();
  const res = await fetch(target.url, { method: "POST", headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!res.ok) throw await failure(res);
  if (!stream) {
    const json: any = await res.json();
    const total = performance.now() - t0;
    if (typeof json?.choices?.[0]?.message?.content !== "string") throw new Error("answer without choices[0].message.content");
    return { total, ttfb: Number.NaN };
  }
  if (res.body === null) throw new Error("stream without a body");
  const reader = res.body.getReader();
  let ttfb = Number.NaN;
  let pending = "";
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const arrived = performance.now();
    const chunk = decoder.decode(value, { stream: true });
    text += chunk;
    if (!Number.isNaN(ttfb)) continue;
    pending += chunk.replaceAll("\r\n", "\n");
    for (let end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
      const event = pending.slice(0, end);
      pending = pending.slice(end + 2);
      if (carriesContent(event)) {
        ttfb = arrived - t0;
        break;
      }
    }
  }
  const total = performance.now() - t0;
  if (Number.isNaN(ttfb)) throw new Error("stream without a content chunk");
  if (!text.includes("data: [DONE]")) throw new Error("stream without data: [DONE]");
  return { total, ttfb };
}

function cpuOf(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += cpuSeconds(pid);
  return total;
}

/**
 * Sequential requests (the next one starts when the previous body is read to the end): first for
 * `warmupSeconds` unmeasured, then for `seconds` measured.
 */
export async function chatRound(target: ChatTarget, opts: ChatRoundOptions): Promise<ChatRound> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
  const body = JSON.stringify({
    model: target.model,
    messages: [{ role: "user", content: opts.prompt ?? "ping" }],
    ...(opts.stream ? { stream: true } : {}),
  });
  const errors: ErrorCounts = {};
  const total: number[] = [];
  const ttfb: number[] = [];
  let ok = 0;
  let err = 0;
  let consecutive = 0;
  let lastError = "";
  const loop = async (seconds: number, measured: boolean) => {
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until && consecutive < MAX_CONSECUTIVE_ERRORS) {
      try {
        const t = await chatOnce(target, headers, body, opts.stream);
        consecutive = 0;
        if (!measured) continue;
        ok++;
        total.push(t.total);
        if (opts.stream) ttfb.push(t.ttfb);
      } catch (e) {
        consecutive++;
        lastError = (e as Error).message;
        if (!measured) continue;
        err++;
        countError(errors, lastError);
      }
    }
  };

  await loop(opts.warmupSeconds, false);
  const pids = opts.pids ?? [];
  const cpu0 = pids.length > 0 ? cpuOf(pids) : Number.NaN;
  const t0 = performance.now();
  await loop(opts.seconds, true);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = pids.length > 0 ? cpuOf(pids) - cpu0 : Number.NaN;
  if (consecutive >= MAX_CONSECUTIVE_ERRORS) countError(errors, `gave up after ${MAX_CONSECUTIVE_ERRORS} failures in a row (last: ${lastError})`);
  return {
    stream: opts.stream,
    total,
    ttfb,
    ok,
    err,
    seconds,
    serverCpuUsPerReq: ok + err > 0 ? (cpu * 1e6) / (ok + err) : Number.NaN,
    errors,
  };
}

export function summarizeRound(r: ChatRound): ChatRoundSummary {
  return {
    stream: r.stream,
    total: summarize(r.total),
    ttfb: r.stream ? summarize(r.ttfb) : null,
    ok: r.ok,
    err: r.err,
    seconds: r.seconds,
    serverCpuUsPerReq: r.serverCpuUsPerReq,
    errors: r.errors,
  };
}
