/**
 * A small Bot API client over `fetch` (no grammY): `POST {apiRoot}/bot<TOKEN>/<method>` with a JSON
 * body (multipart when a parameter is a file), a timeout per method, and one typed error for
 * everything that is not `{ok:true, result}`.
 * We keep it ourselves because the poller needs exact control of offsets, timeouts and
 * `retry_after`, and the compiled binary should not carry a framework for a dozen HTTP calls.
 */

export const DEFAULT_API_ROOT = "https://api.telegram.org";

/**
 * Request timeouts (ms) as the published gateway uses them (spec channels §3.2). getUpdates must
 * outlast the long-poll `timeout` parameter, which the poller keeps below it.
 */
export const METHOD_TIMEOUTS_MS: Readonly<Record<string, number>> = {
  getUpdates: 45_000,
  getMe: 15_000,
  deleteWebhook: 15_000,
  setWebhook: 15_000,
  setMyCommands: 15_000,
  deleteMyCommands: 15_000,
  editMessageText: 15_000,
  getChat: 15_000,
  setMessageReaction: 10_000,
  sendMessage: 60_000,
  sendChatAction: 60_000,
  sendPoll: 60_000,
  sendPhoto: 30_000,
  sendDocument: 30_000,
  sendVoice: 30_000,
  sendAudio: 30_000,
  sendVideo: 30_000,
};
const FALLBACK_TIMEOUT_MS = 15_000;

/** How a call failed: Telegram said no (`api`), nobody answered in time, the socket failed, or the answer was not Bot API JSON. */
export type TelegramErrorKind = "api" | "timeout" | "network" | "bad-response";

export class TelegramApiError extends Error {
  override name = "TelegramApiError";
  constructor(
    readonly method: string,
    readonly kind: TelegramErrorKind,
    /** The Bot API `error_code` (or HTTP status); null when no response arrived. */
    readonly status: number | null,
    readonly description: string,
    /** Seconds, from `parameters.retry_after` on a 429. */
    readonly retryAfter?: number,
  ) {
    super(describe(method, kind, status, description));
  }
}

function describe(method: string, kind: TelegramErrorKind, status: number | null, description: string): string {
  switch (kind) {
    case "api":
      return `Telegram ${method} failed: ${status ?? "?"} ${description}`;
    case "timeout":
      return `Telegram ${method} timed out: ${description}`;
    case "network":
      return `Telegram ${method} network error: ${description}`;
    case "bad-response":
      return `Telegram ${method} returned an invalid response: ${description}`;
  }
}

/**
 * Removes bot tokens from text that may echo a URL (fetch errors, a proxy's error page). Both the
 * known token and anything shaped like one, so a token we were never told about cannot leak either.
 */
export function redactToken(text: string, token?: string): string {
  let out = token ? text.split(token).join("<redacted>") : text;
  out = out.replace(/bot\d+:[A-Za-z0-9_-]+/g, "bot<redacted>");
  return out.replace(/\b\d{5,}:[A-Za-z0-9_-]{20,}\b/g, "<redacted>");
}

export interface TelegramApiOptions {
  token: string;
  apiRoot?: string;
  /** Per-method overrides of METHOD_TIMEOUTS_MS (tests shorten them). */
  timeouts?: Readonly<Record<string, number>>;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface TelegramApi {
  call<T = unknown>(method: string, params?: Record<string, unknown>, opts?: CallOptions): Promise<T>;
}

export function createTelegramApi(opts: TelegramApiOptions): TelegramApi {
  const root = (opts.apiRoot ?? DEFAULT_API_ROOT).replace(/\/+$/, "");
  const token = opts.token;
  const clean = (text: string) => redactToken(text, token).slice(0, 500);

  async function call<T>(method: string, params: Record<string, unknown> = {}, co: CallOptions = {}): Promise<T> {
    const timeoutMs = co.timeoutMs ?? opts.timeouts?.[method] ?? METHOD_TIMEOUTS_MS[method] ?? FALLBACK_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = co.signal ? AbortSignal.any([co.signal, timeout]) : timeout;
    let res: Response;
    let body: string;
    try {
      const upload = Object.values(params).some((v) => v instanceof Blob);
      res = await fetch(`${root}/bot${token}/${method}`, {
        method: "POST",
        ...(upload ? { body: formOf(params) } : { headers: { "content-type": "application/json" }, body: JSON.stringify(params) }),
        signal,
      });
      body = await res.text();
    } catch (err) {
      // The caller's abort is not a Telegram failure: hand back its reason untouched.
      if (co.signal?.aborted) throw co.signal.reason ?? err;
      if (timeout.aborted) throw new TelegramApiError(method, "timeout", null, `no response within ${timeoutMs}ms`);
      throw new TelegramApiError(method, "network", null, clean(networkReason(err)));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new TelegramApiError(method, "bad-response", res.status, `HTTP ${res.status}, not JSON (${clean(body.slice(0, 80)) || "empty body"})`);
    }
    if (!isRecord(parsed) || typeof parsed.ok !== "boolean") {
      throw new TelegramApiError(method, "bad-response", res.status, `HTTP ${res.status}, JSON without "ok"`);
    }
    if (parsed.ok === true) {
      if (!("result" in parsed)) throw new TelegramApiError(method, "bad-response", res.status, `HTTP ${res.status}, ok without "result"`);
      return parsed.result as T;
    }
    const status = typeof parsed.error_code === "number" ? parsed.error_code : res.status;
    const description = typeof parsed.description === "string" ? clean(parsed.description) : `HTTP ${res.status}`;
    const p = isRecord(parsed.parameters) ? parsed.parameters : {};
    const retryAfter = typeof p.retry_after === "number" && p.retry_after >= 0 ? p.retry_after : undefined;
    throw new TelegramApiError(method, "api", status, description, retryAfter);
  }

  return { call };
}

/**
 * A call that uploads a file (setWebhook's certificate) goes as multipart/form-data, where the Bot
 * API reads every other field as a string and arrays/objects as JSON text.
 */
function formOf(params: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (v instanceof File) form.append(k, v, v.name);
    else if (v instanceof Blob) form.append(k, v, k);
    else form.append(k, typeof v === "string" ? v : JSON.stringify(v));
  }
  return form;
}

function networkReason(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Telegram revoked or never knew the token: retrying cannot help. */
export function isUnauthorized(err: unknown): err is TelegramApiError {
  return err instanceof TelegramApiError && err.kind === "api" && err.status === 401;
}
