/**
 * A small incremental parser for Server-Sent Events (the `text/event-stream` format), following the
 * WHATWG dispatch rules closely enough for model APIs: lines end in LF, CRLF or CR (even when the CR
 * and LF arrive in different chunks); lines starting with ":" are comments; `data:` lines of one
 * event are joined with "\n"; one leading space after the colon is dropped; a blank line dispatches
 * the event; an event with no data lines is dropped. `[DONE]` is not special here: it is returned
 * as an event's data like any other, and the adapter decides that it ends the stream.
 */

export interface SseEvent {
  /** The `event:` field, when the stream named one. */
  event?: string;
  data: string;
  id?: string;
  /** The `retry:` field, in ms, when present. */
  retry?: number;
}

export class SseParser {
  private readonly decoder = new TextDecoder("utf-8");
  private buf = "";
  /** The previous chunk ended in CR: a LF at the start of the next one belongs to that line end. */
  private pendingCr = false;
  private sawFirstChunk = false;
  private event: string | undefined;
  private id: string | undefined;
  private retry: number | undefined;
  private data: string[] = [];
  private hasData = false;

  /** Feeds one chunk (bytes are decoded as UTF-8, split code points included) and returns the events it completed. */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    if (!this.sawFirstChunk && text.length > 0) {
      this.sawFirstChunk = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.pendingCr && text.startsWith("\n")) text = text.slice(1);
    this.pendingCr = false;
    this.buf += text;
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const lf = this.buf.indexOf("\n", start);
      const cr = this.buf.indexOf("\r", start);
      if (lf === -1 && cr === -1) break;
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 < this.buf.length) next = this.buf[cr + 1] === "\n" ? cr + 2 : cr + 1;
        else {
          // CR at the very end of what we have: the line is complete, but a LF may follow in the next chunk.
          next = cr + 1;
          this.pendingCr = true;
        }
      } else {
        end = lf;
        next = lf + 1;
      }
      this.line(this.buf.slice(start, end), out);
      start = next;
    }
    this.buf = this.buf.slice(start);
    return out;
  }

  /**
   * Ends the stream. Per the spec an event not closed by a blank line is discarded; many servers
   * omit the final blank line, though, so a complete trailing `data:` event is returned here.
   */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    const rest = this.buf + this.decoder.decode();
    this.buf = "";
    if (rest.length > 0) this.line(rest, out);
    this.line("", out);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === "") {
      if (this.hasData) {
        const ev: SseEvent = { data: this.data.join("\n") };
        if (this.event !== undefined) ev.event = this.event;
        if (this.id !== undefined) ev.id = this.id;
        if (this.retry !== undefined) ev.retry = this.retry;
        out.push(ev);
      }
      this.data = [];
      this.hasData = false;
      this.event = undefined;
      this.retry = undefined;
      // `id` persists across events per the spec (it is the last event id).
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        this.hasData = true;
        break;
      case "event":
        this.event = value;
        break;
      case "id":
        if (!value.includes("\0")) this.id = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }
}

/** Parses a whole SSE document at once (handy in tests and for non-streamed bodies). */
export function parseSse(text: string): SseEvent[] {
  const p = new SseParser();
  return [...p.push(text), ...p.end()];
}
