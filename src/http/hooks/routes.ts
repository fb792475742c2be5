/**
 * POST <hooks.path>/wake, /agent and /<mapping>. The hook door answers everything before the
 * handler, in the published order: disabled (404) → `?token=` (400) → method (405, before the
 * token) → draining (503) → token, with its own failed-attempt limiter (401/429) → bare base
 * path (404) → body (413/408/400). Errors before the handler are plain text; hook failures are
 * `{ok:false,error:"<string>"}`. Everything is read from the live config per request.
 */
import type { Context, MiddlewareHandler } from "hono";
import { mainSessionKey } from "../../agents/types.ts";
import { secretEquals } from "../../auth/secret.ts";
import { DEFAULT_HOOKS_PATH } from "../../config/sections/hooks.ts";
import type { HttpApp, HttpDeps, HttpEnv } from "../env.ts";
import { gatewayUnavailable, jsonResponse, methodNotAllowed, notFound, textResponse } from "../errors.ts";
import { bearerToken } from "../middleware/auth.ts";
import { clientIp } from "../middleware/gate.ts";
import { readHookBody, HOOK_MAX_BODY_BYTES } from "./body.ts";
import { hookTokenReuseWarning, hooksUnchanged, normalizeSubPath, resolveHooks, type ResolvedHooks } from "./config.ts";
import { HookRunner, type AgentRun } from "./dispatch.ts";
import { HookAuthLimiter } from "./limiter.ts";
import { applyMappings, type AgentAction } from "./mappings.ts";
import {
  channelError, checkAgent, checkChannel, checkWake, logicalSessionKey, scopedSessionKey, targetAgent, type KeySource,
} from "./payload.ts";
import { idempotencyKeyOf, replayKey, ReplayCache, type AgentDispatch } from "./replay.ts";
import { agentRoute, HookAgentRequestSchema, HookMappedRequestSchema, HookWakeRequestSchema, mappedRoute, wakeRoute } from "./schemas.ts";
import type { TemplateContext } from "./template.ts";
import { DEFAULT_HOOK_LIMITS, localEventQueue, NO_CHANNELS, type HookDeps } from "./types.ts";

export const QUERY_TOKEN_MESSAGE =
  "Hook token must be provided via Authorization: Bearer <token> or X-OpenClaw-Token header (query parameters are not allowed).";
export const CONFIG_CHANGED_ERROR = "hook configuration changed; retry request";

type Extra = Record<string, unknown>;

const hookError = (status: number, error: string, extra: Extra = {}, headers: Record<string, string> = {}) =>
  jsonResponse({ ok: false, error, ...extra }, status, headers);

/** A non-empty Bearer token wins over x-openclaw-token. */
export function hookToken(headers: Headers): string | undefined {
  return bearerToken(headers.get("authorization") ?? undefined) ?? (headers.get("x-openclaw-token")?.trim() || undefined);
}

/** Request headers as templates see them, without the credentials. */
function templateHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name === "authorization" || name === "x-openclaw-token" || name === "proxy-authorization" || name === "cookie") continue;
    out[name] = value;
  }
  return out;
}

const asRecord = (v: unknown): Record<string, unknown> => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** What the door settled for the handler. */
interface HookRequest {
  hooks: ResolvedHooks;
  /** After the base path, leading slashes removed; never empty. */
  subPath: string;
  token: string;
  payload: Record<string, unknown>;
  url: URL;
}

type Settled = AgentDispatch | "pending";

export function registerHookRoutes(app: HttpApp, deps: HttpDeps): void {
  const hd: HookDeps = deps.hooks ?? {};
  const limits = { ...DEFAULT_HOOK_LIMITS, ...hd.limits };
  const delivery = () => hd.delivery ?? NO_CHANNELS;
  const limiter = new HookAuthLimiter();
  const replay = new ReplayCache();
  const runner = new HookRunner(deps.agents, hd.events ?? localEventQueue(), delivery, hd.log, limits);
  const requests = new WeakMap<Request, HookRequest>();
  const warned = new WeakSet<ResolvedHooks>();

  const door: MiddlewareHandler<HttpEnv> = async (c, next) => {
    const hooks = resolveHooks(deps.config());
    if (!hooks) return notFound();
    const url = new URL(c.req.url);
    if (url.pathname !== hooks.basePath && !url.pathname.startsWith(`${hooks.basePath}/`)) return notFound();
    if (url.searchParams.has("token")) return textResponse(QUERY_TOKEN_MESSAGE, 400);
    if (c.req.method !== "POST") return methodNotAllowed(["POST"]);
    if (deps.isDraining()) return gatewayUnavailable();
    if (!warned.has(hooks)) {
      warned.add(hooks);
      const warning = hookTokenReuseWarning(hooks, deps.auth());
      if (warning) hd.log?.warn(warning);
    }

    const ip = clientIp(c);
    const token = hookToken(c.req.raw.headers);
    if (token === undefined || !secretEquals(token, hooks.token)) {
      const locked = limiter.retryAfterMs(ip);
      if (locked > 0) {
        const seconds = Math.max(1, Math.ceil(locked / 1000));
        hd.log?.warn(`hook auth throttled for ${ip}; retry-after=${seconds}s`);
        return textResponse("Too Many Requests", 429, { "Retry-After": String(seconds) });
      }
      limiter.recordFailure(ip);
      return textResponse("Unauthorized", 401);
    }
    limiter.clear(ip);

    const subPath = url.pathname.slice(hooks.basePath.length).replace(/^\/+/, "");
    if (!subPath) return notFound();
    const body = await readHookBody(c.req.raw, HOOK_MAX_BODY_BYTES, limits.bodyTimeoutMs);
    if (!body.ok) return hookError(body.status, body.error, {}, body.status === 400 ? {} : { Connection: "close" });
    requests.set(c.req.raw, { hooks, subPath, token, payload: asRecord(body.value), url });
    await next();
  };

  /** 200 `{ok,runId}` (with `completion` when waiting), or the refusal with its status. */
  const agentAnswer = async (result: AgentDispatch, wait: boolean, extra: Extra = {}): Promise<Response> => {
    if (!result.ok) return hookError(result.status, result.error, { ...(result.runId ? { runId: result.runId } : {}), ...extra });
    if (!wait) return jsonResponse({ ok: true, runId: result.runId, ...extra });
    const completion = await result.completion;
    return jsonResponse({ ok: true, runId: result.runId, ...extra, completion });
  };

  const idempotencyKey = (c: Context<HttpEnv>, payload: Record<string, unknown>) =>
    idempotencyKeyOf(c.req.header("idempotency-key")) ?? idempotencyKeyOf(c.req.header("x-openclaw-idempotency-key")) ?? idempotencyKeyOf(payload.idempotencyKey);

  const wake = (r: HookRequest): Response => {
    const p = checkWake(r.payload);
    if (!p.ok) return hookError(400, p.error);
    const agent = targetAgent(r.hooks, deps.agents, p.value.agentId, "request");
    if (!agent.ok) return hookError(400, agent.error);
    let sessionKey = mainSessionKey(agent.value);
    if (p.value.sessionKey) {
      const key = logicalSessionKey(r.hooks, p.value.sessionKey, "request", agent.value, "");
      if (!key.ok) return hookError(400, key.error);
      sessionKey = scopedSessionKey(agent.value, key.value.key);
    }
    const eventOutcome = runner.wake(p.value.text, sessionKey, p.value.mode);
    return jsonResponse({ ok: true, mode: p.value.mode, eventOutcome });
  };

  const agent = async (c: Context<HttpEnv>, r: HookRequest): Promise<Response> => {
    const p = checkAgent(r.payload, delivery().channels());
    if (!p.ok) return hookError(400, p.error);
    const req = p.value;
    const target = targetAgent(r.hooks, deps.agents, req.agentId, "request");
    if (!target.ok) return hookError(400, target.error);
    if (req.sessionMode === "persistent" && !req.sessionKey) return hookError(400, "sessionKey is required when sessionMode is persistent");
    const runId = crypto.randomUUID();
    const key = logicalSessionKey(r.hooks, req.sessionKey, "request", target.value, runId);
    if (!key.ok) return hookError(400, key.error);
    if (req.sessionMode === "persistent" && !r.hooks.allowedSessionKeyPrefixes) {
      return hookError(400, "hooks.allowedSessionKeyPrefixes is required when direct hook sessionMode is persistent");
    }
    const { delivery: plan } = req;
    const scope = {
      agentId: target.value, sessionKey: req.sessionKey ?? r.hooks.defaultSessionKey ?? null, message: req.message, name: req.name,
      wakeMode: req.wakeMode, sessionMode: req.sessionMode, deliver: plan.deliver, target: plan.target ?? null,
      model: req.model ?? null, timeoutSeconds: req.timeoutSeconds ?? null,
    };
    const run: AgentRun = {
      runId, agentId: target.value, sessionKey: key.value.key, generatedKey: key.value.generated, sessionMode: req.sessionMode,
      message: req.message, name: req.name, wakeMode: req.wakeMode, deliver: plan.deliver, target: plan.target,
      model: req.model, timeoutSeconds: req.timeoutSeconds, wrap: true, path: r.url.pathname,
    };
    const result = await replay.run(replayKey(r.token, "agent", scope, idempotencyKey(c, r.payload)), () => runner.dispatch(run));
    return agentAnswer(result, req.waitForCompletion);
  };

  const mapped = async (c: Context<HttpEnv>, r: HookRequest): Promise<Response> => {
    if (r.hooks.mappings.length === 0) return notFound();
    const subPath = normalizeSubPath(r.subPath);
    const ctx: TemplateContext = {
      payload: r.payload,
      headers: templateHeaders(c.req.raw.headers),
      query: Object.fromEntries(r.url.searchParams),
      path: subPath ?? "",
    };
    let result: ReturnType<typeof applyMappings>;
    try {
      result = applyMappings(r.hooks.mappings, subPath, ctx);
    } catch (err) {
      hd.log?.warn(`hook mapping failed: ${(err as Error)?.message ?? String(err)}`);
      return hookError(500, "hook mapping failed");
    }
    if (!result) return notFound();
    if (!result.ok) return hookError(400, result.error);
    if (result.dropped > 0) hd.log?.warn(`hook mapping ${result.mapping.id}: forEach dropped ${result.dropped} items beyond the first 200`);
    if (result.actions.length === 0) return new Response(null, { status: 204 });

    const channels = delivery().channels();
    const idem = idempotencyKey(c, r.payload);
    let wakeResult: Extra = {};
    let wakeMode: string | undefined;
    const dispatches: Array<() => Promise<AgentDispatch>> = [];
    const occurrences = new Map<string, number>();
    const refuse = (error: string) => hookError(400, error, wakeResult);
    const keySource = (a: { sessionKeyTemplated: boolean }): KeySource => (a.sessionKeyTemplated ? "mapping-templated" : "mapping-static");

    for (const action of result.actions) {
      if (action.kind === "wake") {
        const target = targetAgent(r.hooks, deps.agents, action.agentId, "mapping");
        if (!target.ok) return refuse(target.error);
        let sessionKey = mainSessionKey(target.value);
        if (action.sessionKey) {
          const key = logicalSessionKey(r.hooks, action.sessionKey, keySource(action), target.value, "");
          if (!key.ok) return refuse(key.error);
          sessionKey = scopedSessionKey(target.value, key.value.key);
        }
        const outcome = runner.wake(action.text, sessionKey, action.mode);
        if (wakeResult.eventOutcome === undefined || outcome === "queued") wakeResult = { eventOutcome: outcome };
        wakeMode = action.mode;
        continue;
      }
      const prepared = prepare(action, r, result.mapping.id, channels, result.fanOut, idem, occurrences);
      if (!prepared.ok) return refuse(prepared.error);
      dispatches.push(prepared.start);
    }
    if (dispatches.length === 0) return jsonResponse({ ok: true, mode: wakeMode ?? "now", ...wakeResult });
    if (!result.fanOut) return agentAnswer(await dispatches[0]!(), false, wakeResult);
    return fanOutAnswer(await settleWithin(dispatches, limits.fanOutDeadlineMs), wakeResult);
  };

  /** Checks one mapped agent action against the policy; `start` admits it (through the replay cache). */
  const prepare = (
    action: AgentAction, r: HookRequest, mappingId: string, channels: readonly string[],
    fanOut: boolean, idem: string | undefined, occurrences: Map<string, number>,
  ): { ok: true; start: () => Promise<AgentDispatch> } | { ok: false; error: string } => {
    const channel = checkChannel(action.channel, channels);
    if (!channel) return { ok: false, error: channelError(channels) };
    const target = targetAgent(r.hooks, deps.agents, action.agentId, "mapping");
    if (!target.ok) return target;
    const agentId = target.value;
    if (action.sessionMode === "persistent" && !action.sessionKey && !r.hooks.defaultSessionKey) {
      return { ok: false, error: "sessionKey or hooks.defaultSessionKey is required when mapped hook sessionMode is persistent" };
    }
    const runId = crypto.randomUUID();
    const key = logicalSessionKey(r.hooks, action.sessionKey, action.sessionKeyTemplated ? "mapping-templated" : "mapping-static", agentId, runId);
    if (!key.ok) return key;
    // channel "last" has no resolver yet: such a run reports to the main session instead.
    const destination = action.deliver && channel !== "last" && action.to ? { channel, to: action.to } : undefined;
    const name = action.name ?? "Hook";
    const scope: Record<string, unknown> = {
      agentId, sessionKey: action.sessionKey ?? r.hooks.defaultSessionKey ?? null, message: action.message, name,
      wakeMode: action.wakeMode, sessionMode: action.sessionMode, deliver: action.deliver, channel, to: action.to ?? null,
      model: action.model ?? null, timeoutSeconds: action.timeoutSeconds ?? null,
    };
    if (fanOut) {
      // Identical items of one batch stay distinct runs; a retried batch finds each of them again.
      const fingerprint = JSON.stringify(scope);
      const seen = occurrences.get(fingerprint) ?? 0;
      occurrences.set(fingerprint, seen + 1);
      scope.occurrence = seen;
    }
    const run: AgentRun = {
      runId, agentId, sessionKey: key.value.key, generatedKey: key.value.generated, sessionMode: action.sessionMode,
      message: action.message, name, wakeMode: action.wakeMode, deliver: action.deliver, target: destination, model: action.model,
      timeoutSeconds: action.timeoutSeconds, wrap: action.wrap, path: `${r.url.pathname} (${mappingId})`,
    };
    const rk = replayKey(r.token, r.subPath, scope, fanOut ? (idem ?? "hook-fanout-item") : idem);
    return { ok: true, start: () => replay.run(rk, () => runner.dispatch(run)) };
  };

  const handle = async (c: Context<HttpEnv>): Promise<Response> => {
    const r = requests.get(c.req.raw);
    // The door always runs first; without its record the request never passed it.
    if (!r) return notFound();
    if (!hooksUnchanged(deps.config(), r.hooks)) return hookError(409, CONFIG_CHANGED_ERROR);
    if (r.subPath === "wake") return wake(r);
    if (r.subPath === "agent") return agent(c, r);
    return mapped(c, r);
  };

  app.openAPIRegistry.register("HookWakeRequest", HookWakeRequestSchema);
  app.openAPIRegistry.register("HookAgentRequest", HookAgentRequestSchema);
  app.openAPIRegistry.register("HookMappedRequest", HookMappedRequestSchema);
  // "/hooks/*" also matches the bare "/hooks".
  app.use(`${DEFAULT_HOOKS_PATH}/*`, door);
  app.openapi(wakeRoute, handle);
  app.openapi(agentRoute, handle);
  app.openapi(mappedRoute, handle);
  // Sub-paths with slashes (match.path "github/push") do not match {name}: same handler, not a second documented route.
  app.post(`${DEFAULT_HOOKS_PATH}/*`, handle);
}

/** Every dispatch's outcome, or "pending" for those not admitted within the deadline (they go on). */
async function settleWithin(starts: Array<() => Promise<AgentDispatch>>, deadlineMs: number): Promise<Settled[]> {
  let timer: Timer | undefined;
  const deadline = new Promise<"pending">((resolve) => (timer = setTimeout(() => resolve("pending"), deadlineMs)));
  try {
    return await Promise.all(
      starts.map((start) =>
        Promise.race([start().catch((err: unknown): AgentDispatch => ({ ok: false, status: 502, error: String((err as Error)?.message ?? err) })), deadline]),
      ),
    );
  } finally {
    clearTimeout(timer);
  }
}

function fanOutAnswer(settled: Settled[], wakeResult: Extra): Response {
  const only = settled.length === 1 ? settled[0] : undefined;
  if (only !== undefined && only !== "pending") {
    return only.ok ? jsonResponse({ ok: true, runId: only.runId, ...wakeResult }) : hookError(only.status, only.error, { ...(only.runId ? { runId: only.runId } : {}), ...wakeResult });
  }
  const runIds: string[] = [];
  const failures: Array<{ status: number; error: string }> = [];
  let pending = 0;
  for (const s of settled) {
    if (s === "pending") pending++;
    else if (s.ok) runIds.push(s.runId);
    else failures.push(s);
  }
  if (failures.length === 0 && pending === 0) {
    return jsonResponse({ ok: true, runId: runIds[0], runIds, dispatched: runIds.length, ...wakeResult });
  }
  return hookError(
    failures[0]?.status ?? 503,
    `hook fan-out incomplete: ${runIds.length}/${settled.length} dispatched, ${failures.length} failed, ${pending} pending`,
    { runIds, ...(failures.length ? { errors: failures.slice(0, 5).map((f) => f.error) } : {}), ...wakeResult },
  );
}
