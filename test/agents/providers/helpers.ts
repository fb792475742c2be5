// Shared bits for the provider tests: draining a stream, catching its error, scripted fetch doubles.
import { ProviderError, type StreamEvent } from "../../../src/agents/providers/types.ts";
import type { FetchLike } from "../../../src/agents/providers/transport.ts";

export async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of stream) out.push(ev);
  return out;
}

/** Drains the stream and returns the ProviderError it throws (fails the test if it does not throw one). */
export async function failure(stream: AsyncIterable<StreamEvent>, seen: StreamEvent[] = []): Promise<ProviderError> {
  try {
    for await (const ev of stream) seen.push(ev);
  } catch (e) {
    if (e instanceof ProviderError) return e;
    throw new Error(`expected a ProviderError, got ${String(e)}`);
  }
  throw new Error(`expected the stream to fail; it yielded ${JSON.stringify(seen)}`);
}

export const textOf = (events: StreamEvent[]) => events.flatMap((e) => (e.type === "text" ? [e.delta] : [])).join("");

export interface FetchCall {
  url: string;
  init: RequestInit;
  body: any;
}

/**
 * A fetch double answering call N with responders[N] (the last one repeats). It records every call
 * and, like real fetch, rejects when the request's signal aborts before a responder settles.
 */
export function scriptedFetch(...responders: Array<(call: FetchCall) => Response | Promise<Response>>): FetchLike & { calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  const f = (url: string, init: RequestInit) => {
    const call: FetchCall = { url, init, body: typeof init.body === "string" ? JSON.parse(init.body) : undefined };
    calls.push(call);
    const responder = responders[Math.min(calls.length - 1, responders.length - 1)]!;
    return Promise.resolve(responder(call));
  };
  return Object.assign(f, { calls });
}

/** A streamed response made of the given chunks; `then: "hang"` leaves it open forever, `then: Error` breaks it. */
export function sseResponse(chunks: string[], opts: { then?: "close" | "hang" | Error; status?: number; headers?: Record<string, string> } = {}): Response {
  const enc = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) {
        c.enqueue(enc.encode(chunks[i++]!));
        return;
      }
      const then = opts.then ?? "close";
      if (then === "close") c.close();
      else if (then instanceof Error) c.error(then);
      else return new Promise<void>(() => {}); // never delivers more
    },
  });
  return new Response(body, { status: opts.status ?? 200, headers: { "content-type": "text/event-stream", ...opts.headers } });
}

/** OpenAI-shaped SSE lines for a text reply split into the given pieces. */
export function openAIChunks(pieces: string[], opts: { finish?: string | null; usage?: { prompt_tokens: number; completion_tokens: number }; done?: boolean } = {}): string[] {
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const out = [chunk({ role: "assistant", content: "" }), ...pieces.map((p) => chunk({ content: p }))];
  if (opts.finish !== null) out.push(chunk({}, opts.finish ?? "stop"));
  if (opts.usage) out.push(`data: ${JSON.stringify({ id: "x", choices: [], usage: opts.usage })}\n\n`);
  if (opts.done !== false) out.push("data: [DONE]\n\n");
  return out;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** A sleep double: records the requested delays and returns at once. */
export function instantSleep(): ((ms: number) => Promise<void>) & { delays: number[] } {
  const delays: number[] = [];
  return Object.assign(async (ms: number) => {
    delays.push(ms);
  }, { delays });
}

/** A loopback port nothing listens on. */
export function closedPort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}
