/**
 * Server-sent events over a ReadableStream. Frames are written exactly as the published gateway
 * writes them (`data: <json>\n\n`, with an `event:` line only when given) and the run is aborted
 * as soon as the client goes away — via the request signal or the stream being cancelled.
 */

export interface SseSink {
  /** JSON-encodes `data` unless it is already a string (the `[DONE]` sentinel). */
  send(data: unknown, event?: string): void;
}

export const SSE_HEADERS: Record<string, string> = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache",
  Connection: "keep-alive",
};

export function sseResponse(requestSignal: AbortSignal, run: (sink: SseSink, signal: AbortSignal) => Promise<void>): Response {
  const abort = new AbortController();
  const onClientGone = () => abort.abort(new DOMException("client disconnected", "AbortError"));
  if (requestSignal.aborted) onClientGone();
  else requestSignal.addEventListener("abort", onClientGone, { once: true });

  const encoder = new TextEncoder();
  let closed = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const sink: SseSink = {
        send(data, event) {
          if (closed) return;
          const payload = typeof data === "string" ? data : JSON.stringify(data);
          controller.enqueue(encoder.encode(`${event ? `event: ${event}\n` : ""}data: ${payload}\n\n`));
        },
      };
      void run(sink, abort.signal)
        .catch(() => {})
        .finally(() => {
          requestSignal.removeEventListener("abort", onClientGone);
          if (closed) return;
          closed = true;
          controller.close();
        });
    },
    cancel() {
      closed = true;
      onClientGone();
    },
  });
  return new Response(stream, { status: 200, headers: SSE_HEADERS });
}
