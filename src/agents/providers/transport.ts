/**
 * HTTP plumbing shared by the adapters: one attempt with a header/idle timeout and the caller's
 * abort signal, error classification into ProviderError, API-key redaction, and the retry loop
 * (429/5xx/unreachable/timeouts, only while nothing has been yielded to the caller).
 */
import { ProviderError, type ProviderConfig, type ProviderErrorKind } from "./types.ts";
import { SseParser, type SseEvent } from "./sse.ts";

/** The part of `fetch` the adapters use; the global `fetch` fits. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ProviderDeps {
  fetch?: FetchLike;
  /** Backoff sleep; tests inject an instant one. The adapter cuts it short when the caller aborts. */
  sleep?: (ms: number) => Promise<void>;
  /** Sees every HTTP response of a model call as its headers arrive (rate-limit headers). Must be cheap; may throw (ignored). */
  onResponse?: (r: ProviderResponseInfo) => void;
}

export interface ProviderResponseInfo {
  provider: string;
  model: string;
  status: number;
  headers: Headers;
}

/** Tells deps.onResponse about a response; an observer's failure never fails the call. */
export function observeResponse(deps: ProviderDeps, provider: string, model: string, res: Response): void {
  if (!deps.onResponse) return;
  try {
    deps.onResponse({ provider, model, status: res.status, headers: res.headers });
  } catch {
    // observation only
  }
}

export const BACKOFF_BASE_MS = 250;
export const BACKOFF_MAX_MS = 4_000;
/** Longest wait a server's Retry-After can impose on one retry. */
export const RETRY_AFTER_MAX_MS = 10_000;
/** How much of an upstream error text goes into a message. */
const MAX_UPSTREAM_MESSAGE = 500;

/** Statuses worth another attempt. */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504, 529]);

interface ErrorMeta {
  transient: boolean;
  retryAfterMs?: number;
}
const meta = new WeakMap<ProviderError, ErrorMeta>();

export function statusKind(status: number): ProviderErrorKind {
  if (status === 401) return "auth";
  if (status === 403) return "permission";
  if (status === 404) return "not_found";
  if (status === 408) return "timeout";
  if (status === 429) return "rate_limit";
  if (status === 503 || status === 529) return "overloaded";
  if (status >= 500) return "upstream";
  return "bad_request";
}

/** The context every error of one provider is built in: its id, and the key to keep out of messages. */
export class ErrorFactory {
  constructor(
    readonly providerId: string,
    private readonly apiKey: string | undefined,
  ) {}

  redact(text: string): string {
    const key = this.apiKey;
    if (!key || key.length < 4) return text;
    return text.split(key).join("[redacted]");
  }

  make(kind: ProviderErrorKind, detail: string, opts: { status?: number; code?: string; transient?: boolean; retryAfterMs?: number } = {}): ProviderError {
    const err = new ProviderError(kind, this.redact(`provider ${this.providerId}: ${detail}`), opts.status, opts.code === undefined ? undefined : this.redact(opts.code));
    err.name = "ProviderError";
    meta.set(err, { transient: opts.transient ?? false, retryAfterMs: opts.retryAfterMs });
    return err;
  }

  timeout(ms: number, phase: "headers" | "idle"): ProviderError {
    const what = phase === "headers" ? "no response" : "no data";
    return this.make("timeout", `upstream provider timeout (${what} within ${ms} ms)`, { transient: true });
  }

  aborted(): ProviderError {
    return this.make("aborted", "request aborted");
  }

  /** A non-2xx response, with the upstream's own error message when its body has one. */
  http(status: number, statusText: string, bodyText: string, headers: Headers, extract: (body: unknown) => { message?: string; code?: string }): ProviderError {
    let parsed: unknown;
    try {
      parsed = JSON.parse(bodyText);
    } catch {
      parsed = undefined;
    }
    const found = parsed === undefined ? {} : extract(parsed);
    let message = found.message ?? (bodyText.trim() && !bodyText.trimStart().startsWith("<") ? bodyText.trim() : statusText || "request failed");
    if (message.length > MAX_UPSTREAM_MESSAGE) message = `${message.slice(0, MAX_UPSTREAM_MESSAGE)}…`;
    return this.make(statusKind(status), `HTTP ${status}: ${message}`, {
      status,
      code: found.code,
      transient: RETRY_STATUSES.has(status),
      retryAfterMs: retryAfterMs(headers),
    });
  }

  /** Anything else thrown inside an attempt, as a ProviderError. */
  wrap(e: unknown): ProviderError {
    if (e instanceof ProviderError) return e;
    const msg = e instanceof Error ? e.message : String(e);
    return this.make("upstream", `unexpected error: ${msg}`);
  }
}

export function isTransient(err: ProviderError): boolean {
  return meta.get(err)?.transient ?? false;
}

/** `retry-after-ms` (OpenAI), else `retry-after` as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const ra = headers.get("retry-after");
  if (ra === null || ra.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Number(ra) * 1000;
  const at = Date.parse(ra);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Delay before retry number `retry` (0 = first retry). */
export function backoffMs(retry: number, err?: ProviderError): number {
  const ra = err ? meta.get(err)?.retryAfterMs : undefined;
  if (ra !== undefined) return Math.min(ra, RETRY_AFTER_MAX_MS);
  return Math.min(BACKOFF_BASE_MS * 2 ** retry, BACKOFF_MAX_MS);
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sleeps, but rejects with `aborted` as soon as the caller's signal fires. */
async function sleepUnlessAborted(sleep: (ms: number) => Promise<void>, ms: number, signal: AbortSignal | undefined, errors: ErrorFactory): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) throw errors.aborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(errors.aborted());
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}

/**
 * Runs `attempt` and retries it on transient errors while it has yielded nothing, at most
 * `maxRetries` times, with exponential backoff or the server's Retry-After.
 */
export async function* withRetries<T>(
  cfg: ProviderConfig,
  deps: ProviderDeps,
  errors: ErrorFactory,
  signal: AbortSignal | undefined,
  attempt: () => AsyncGenerator<T>,
): AsyncGenerator<T> {
  const sleep = deps.sleep ?? defaultSleep;
  const maxRetries = Number.isFinite(cfg.maxRetries) ? Math.max(0, Math.floor(cfg.maxRetries)) : 0;
  for (let retry = 0; ; retry++) {
    let yielded = false;
    try {
      for await (const item of attempt()) {
        yielded = true;
        yield item;
      }
      return;
    } catch (e) {
      const err = errors.wrap(e);
      if (yielded || retry >= maxRetries || !isTransient(err) || signal?.aborted) throw err;
      await sleepUnlessAborted(sleep, backoffMs(retry, err), signal, errors);
    }
  }
}

/** The retry loop for one-shot requests (embeddings). */
export async function retryOnce<T>(cfg: ProviderConfig, deps: ProviderDeps, errors: ErrorFactory, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  for await (const v of withRetries(cfg, deps, errors, signal, async function* () {
    yield await fn();
  })) {
    return v;
  }
  throw errors.make("upstream", "no result");
}

/**
 * One HTTP attempt: owns an AbortController tied to the caller's signal and to a timer that
 * bounds the wait for headers and every gap between body chunks. The timer runs only while the
 * attempt waits on the upstream, so a consumer that takes its time with an event never trips it.
 */
export class Attempt {
  private readonly ctl = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly abortedPromise: Promise<never>;
  private readonly onCallerAbort = () => this.ctl.abort(this.errors.aborted());
  /** The response body was read to its end or cancelled: the request is over, nothing is left to cut off. */
  private consumed = false;

  constructor(
    private readonly errors: ErrorFactory,
    private readonly timeoutMs: number,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    this.abortedPromise = new Promise<never>((_, reject) => {
      this.ctl.signal.addEventListener("abort", () => reject(this.ctl.signal.reason), { once: true });
    });
    this.abortedPromise.catch(() => {});
    if (callerSignal?.aborted) this.ctl.abort(errors.aborted());
    else callerSignal?.addEventListener("abort", this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  private arm(phase: "headers" | "idle"): void {
    this.disarm();
    if (this.ctl.signal.aborted || !(this.timeoutMs > 0) || !Number.isFinite(this.timeoutMs)) return;
    this.timer = setTimeout(() => this.ctl.abort(this.errors.timeout(this.timeoutMs, phase)), this.timeoutMs);
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Throws the abort/timeout error if this attempt has been cut off. */
  check(): void {
    if (this.ctl.signal.aborted) throw this.reason();
  }

  private reason(): ProviderError {
    const r = this.ctl.signal.reason;
    return r instanceof ProviderError ? r : this.errors.aborted();
  }

  /**
   * Awaits `p` (one wait on the upstream) for at most timeoutMs, and unless the caller aborts
   * first; other rejections go through `onError`.
   */
  async race<T>(p: Promise<T>, onError: (e: unknown) => ProviderError, phase: "headers" | "idle" = "idle"): Promise<T> {
    p.catch(() => {}); // a loser's late rejection is not an unhandled one
    this.check();
    this.arm(phase);
    try {
      return await Promise.race([this.abortedPromise, p]);
    } catch (e) {
      if (this.ctl.signal.aborted) throw this.reason();
      throw onError(e);
    } finally {
      this.disarm();
    }
  }

  /** Sends the request; resolves with the response once headers arrive. */
  async send(fetchImpl: FetchLike, url: string, init: RequestInit, origin: string): Promise<Response> {
    this.check();
    // (async wrapper: a fetch double that throws synchronously counts as a rejected request)
    const res = await this.race((async () => fetchImpl(url, { ...init, signal: this.ctl.signal }))(), (e) => {
      const msg = e instanceof Error ? e.message : String(e);
      return this.errors.make("unreachable", `cannot reach ${origin}: ${msg}`, { transient: true });
    }, "headers");
    return res;
  }

  /** The whole body as text (error bodies, JSON replies), still under the idle timeout. */
  async text(res: Response): Promise<string> {
    const text = await this.race(res.text(), (e) => this.errors.make("upstream", `error reading response: ${e instanceof Error ? e.message : String(e)}`, { transient: true }));
    this.consumed = true;
    return text;
  }

  /** An error response's body, or "" when it cannot be read (an abort or timeout still throws). */
  async errorText(res: Response): Promise<string> {
    try {
      return await this.text(res);
    } catch {
      this.check();
      return "";
    }
  }

  /** The body's SSE events, read chunk by chunk under the idle timeout. */
  async *events(res: Response): AsyncGenerator<SseEvent> {
    if (!res.body) throw this.errors.make("upstream", "empty response body", { transient: true });
    const reader = res.body.getReader();
    const parser = new SseParser();
    let done = false;
    try {
      for (;;) {
        const r = await this.race(reader.read(), (e) =>
          this.errors.make("upstream", `stream interrupted: ${e instanceof Error ? e.message : String(e)}`, { transient: true }),
        );
        if (r.done) {
          done = true;
          break;
        }
        for (const ev of parser.push(r.value)) {
          this.check();
          yield ev;
        }
      }
      for (const ev of parser.end()) {
        this.check();
        yield ev;
      }
    } finally {
      // A consumer that stops early (at [DONE], on a tool call) cancels the body, which ends the request.
      if (!done) reader.cancel().catch(() => {});
      else reader.releaseLock();
      this.consumed = true;
    }
  }

  dispose(): void {
    this.disarm();
    this.callerSignal?.removeEventListener("abort", this.onCallerAbort);
    // Frees the connection if the body was neither read to the end nor cancelled. Otherwise there is
    // nothing to free, and the abort (an error with its stack, listeners run) would be per-call waste.
    if (!this.consumed && !this.ctl.signal.aborted) this.ctl.abort(this.errors.aborted());
  }
}

/** `baseUrl` without trailing slashes, and its origin (safe to print: no path, query or credentials). */
export function endpoint(baseUrl: string, path: string): { url: string; origin: string } {
  const base = baseUrl.replace(/\/+$/, "");
  let origin: string;
  try {
    origin = new URL(base).origin;
  } catch {
    origin = "(invalid base URL)";
  }
  return { url: `${base}${path}`, origin };
}

export function isJsonResponse(res: Response): boolean {
  const ct = res.headers.get("content-type") ?? "";
  return /\bjson\b/i.test(ct) && !/event-stream/i.test(ct);
}

/** One SSE event's data as a JSON object; anything else is a malformed upstream stream. */
export function parseEventJson(ev: SseEvent, errors: ErrorFactory, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(ev.data);
    if (v && typeof v === "object") return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw errors.make("upstream", `malformed stream ${what}: ${ev.data.slice(0, 200)}`);
}
