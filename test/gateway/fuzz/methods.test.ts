// Fuzz of the WebSocket door: the params of every method in the registry (new methods are covered as soon as they are registered).
// Seeded and bounded; see test/fixtures/fuzz.ts for FUZZ_SEED and FUZZ_SCALE.
import { describe, expect, test } from "bun:test";
import { KNOWN_METHOD_SCOPES, OPERATOR_SCOPES, RequestFrameSchema, ResponseFrameSchema, scopeSatisfied } from "../../../src/protocol/index.ts";
import type { AgentTestGateway } from "../../fixtures/agent-gateway.ts";
import { anyValue, clip, DANGEROUS_KEYS, edgeString, fromSchema, fuzz, mutate, render, runs, schemaWords, type Rng } from "../../fixtures/fuzz.ts";
import { TEST_TOKEN } from "../../fixtures/gateway.ts";
import { waitUntil } from "../../fixtures/wait.ts";
import { RawClient, type Frame } from "../../fixtures/ws-client.ts";
import { registry, METHODS, jsonSchemaOf, onTheWire, isFinal, expectErrorFrame, useFuzzGateway } from "./harness.ts";

let gw!: AgentTestGateway;
const h = useFuzzGateway((g) => (gw = g));

type MethodExpectation = { kind: "error"; code: string; message: string | RegExp } | { kind: "handler" };

/** The dispatcher's order (protocol.md §4.2, §5.1): frame, connect, role and scope, method lookup, params, handler. */
function methodOracle(call: MethodCall, scopes: readonly string[]): MethodExpectation {
  const { method, params } = call;
  if (!RequestFrameSchema.safeParse(JSON.parse(onTheWire(call.text))).success) {
    return { kind: "error", code: "INVALID_REQUEST", message: /^invalid request frame: / };
  }
  if (method === "connect") return { kind: "error", code: "INVALID_REQUEST", message: "connect is only valid as the first request" };
  const registered = registry.get(method);
  const known = Object.hasOwn(KNOWN_METHOD_SCOPES, method) ? KNOWN_METHOD_SCOPES[method] : undefined;
  const scope = registered?.spec.scope ?? known ?? "operator.admin";
  if (scope === "node") return { kind: "error", code: "INVALID_REQUEST", message: "unauthorized role: operator" };
  if (scope !== "always" && !scopeSatisfied(scopes, scope)) return { kind: "error", code: "FORBIDDEN", message: `missing scope: ${scope}` };
  if (!registered) return { kind: "error", code: "INVALID_REQUEST", message: `unknown method: ${method}` };
  let p = params;
  if (p === undefined) p = {};
  else if (registered.spec.lenientParams && (p === null || typeof p !== "object" || Array.isArray(p))) p = {};
  if (!registered.spec.params.safeParse(p).success) return { kind: "error", code: "INVALID_REQUEST", message: new RegExp(`^invalid ${RegExp.escape(method)} params: `) };
  return { kind: "handler" };
}

const PARAM_SCHEMAS = new Map(METHODS.map((m) => [m, jsonSchemaOf(registry.get(m)!.spec.params)]));
const PARAM_WORDS = [...new Set(METHODS.flatMap((m) => [...schemaWords(PARAM_SCHEMAS.get(m))]))];
/** Values that get past validation into the handlers: the agent that exists, sessions that have history. */
const PARAM_HINTS = {
  agentId: ["main", "MAIN", "nobody", "", "__proto__"],
  sessionKey: ["main", "agent:main:main", "agent:main:fuzz", "fuzz", "agent:other:x", "agent:", "constructor"],
  message: ["hello", "/new", "/reset", "echo [fail:upstream]", "[fail:timeout] x", "[tool:sessions_list]", " "],
  idempotencyKey: ["fuzz-1", "fuzz-2", "fuzz-3"],
};

interface MethodCall {
  method: string;
  params: unknown;
  /** The frame as sent. */
  text: string;
  id: string;
}

function methodName(rng: Rng): string {
  return rng.oneOf<string>([
    [12, () => rng.pick(METHODS)],
    [2, () => rng.pick(Object.keys(KNOWN_METHOD_SCOPES))],
    [1, () => rng.pick([...DANGEROUS_KEYS, "connect", "node.invoke.result", "nope.nope", "health ", "HEALTH"])],
    [1, () => edgeString(rng, { maxLongString: 3000 })],
  ]);
}

/** Frames past this are drawn again: megabytes of params exercise the socket, not the validators. */
const MAX_CALL_CHARS = 400_000;

function methodCall(rng: Rng, id: string, wrong: number, method = methodName(rng)): MethodCall {
  for (;;) {
    const call = drawCall(rng, id, wrong, method);
    if (call.text.length <= MAX_CALL_CHARS) return call;
  }
}

function drawCall(rng: Rng, id: string, wrong: number, method: string): MethodCall {
  const schema = PARAM_SCHEMAS.get(method);
  const opts = { words: PARAM_WORDS, wrong, hints: PARAM_HINTS };
  const params = rng.oneOf<unknown>([
    [6, () => fromSchema(rng, schema ?? {}, opts)],
    [2, () => mutate(rng, fromSchema(rng, schema ?? {}, { ...opts, wrong: 0 }), opts)],
    [1, () => anyValue(rng, opts)],
    [0.5, () => undefined],
  ]);
  const text = render(params === undefined ? { type: "req", id, method } : { type: "req", id, method, params });
  // What the server will see: our own parse of the exact text it gets.
  const seen = (JSON.parse(onTheWire(text)) as { params?: unknown }).params;
  return { method, params: seen, text, id };
}

/**
 * The state a rejected request must not touch. `full` reads every session; the quick form reads
 * the session count and the most recently updated one, which any write or delete changes.
 */
function snapshot(full = false): string {
  const rt = gw.runtime;
  const page = gw.store.listSessions(full ? {} : { limit: 1 });
  return JSON.stringify({
    sessions: page.sessions,
    total: page.total,
    presence: full ? rt.presence.list() : rt.presence.size,
    presenceVersion: rt.presence.version,
    systemEvents: full ? rt.systemEvents : [rt.systemEvents.length, rt.systemEvents.at(-1)],
    config: rt.config,
    loaded: rt.loaded.hash,
    runs: gw.agents.activeRuns(),
  });
}

async function idle(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (gw.agents.activeRuns().length > 0 && Date.now() < deadline) await Bun.sleep(2);
  expect(gw.agents.activeRuns()).toEqual([]);
}

function checkAgainstOracle(call: MethodCall, want: MethodExpectation, final: Frame): void {
  const parsed = ResponseFrameSchema.safeParse(final);
  if (!parsed.success) throw new Error(`malformed res frame: ${clip(JSON.stringify(final))}`);
  expect(final.id).toBe(call.id);
  if (want.kind === "error") {
    const err = expectErrorFrame(final, call.id);
    expect(err.code).toBe(want.code);
    if (typeof want.message === "string") expect(err.message).toBe(want.message);
    else expect(err.message).toMatch(want.message);
    if (err.code === "FORBIDDEN") {
      expect(OPERATOR_SCOPES).toContain(err.details?.missingScope);
      expect(err.details?.requiredScopes).toEqual([err.details?.missingScope]);
    }
  } else if (!final.ok) {
    expectErrorFrame(final, call.id);
  }
}

describe("fuzz: method params", () => {
  const SESSIONS = [["operator.admin"], ["operator.read"], ["operator.write"], []] as const;

  test("requests the dispatcher must refuse get the protocol error and change no state", async () => {
    await fuzz("ws-methods-rejected", async (rng, note) => {
      const clients = await Promise.all(SESSIONS.map((scopes) => RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: [...scopes] })));
      // Some history first, so a rejected request has something it could wrongly change.
      const seed = await clients[0]!.request("agent", { message: "seed", idempotencyKey: "fuzz-seed", sessionKey: "main" });
      expect(seed.ok).toBe(true);
      await idle();
      const before = snapshot(true);
      const calls: Array<{ call: MethodCall; want: MethodExpectation; client: RawClient }> = [];
      for (let n = 0; calls.length < runs(500) && n < runs(500) * 20; n++) {
        const ci = rng.int(clients.length);
        const call = methodCall(rng, `r-${n}`, 0.35);
        const want = methodOracle(call, SESSIONS[ci]!);
        if (want.kind === "error") calls.push({ call, want, client: clients[ci]! });
      }
      expect(calls.length).toBeGreaterThan(runs(400));
      for (const { call, client } of calls) client.send(call.text);
      for (const { call, want, client } of calls) {
        note(`${call.method} ${clip(call.text, 500)}`);
        const final = await client.waitFor((f) => isFinal(f, call.id), 10_000);
        checkAgainstOracle(call, want, final);
      }
      h.expectNoHandlerErrors();
      note("state after the rejected requests");
      expect(snapshot(true)).toBe(before);
      await h.assertGatewayHealthy(clients[0]);
      for (const c of clients) c.close();
    });
  }, 30_000);

  // "[slow:3]" makes the fake model take a few ms, so a timer that fires at once is seen.
  test("a generous timeout (any size the schema accepts) never ends a short run early", async () => {
    await fuzz("ws-methods-timeouts", async (rng, note) => {
      const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
      for (let n = 0; n < runs(24); n++) {
        const key = `timeout-${n}-${crypto.randomUUID()}`;
        if (rng.chance(0.5)) {
          const timeout = rng.pick([60, 3600, 2 ** 21, 2 ** 31, 1e12, Number.MAX_SAFE_INTEGER, 1e308, 60 + rng.next() * 1e9]);
          note(`agent timeout ${timeout}`);
          const id = `t-${n}`;
          c.send({ type: "req", id, method: "agent", params: { message: "[slow:3] hello", idempotencyKey: key, sessionKey: `t-${n}`, timeout } });
          const final = await c.waitFor((f) => isFinal(f, id), 10_000);
          expect(final.error).toBeUndefined();
          expect(final.payload.status).toBe("ok");
        } else {
          const timeoutMs = rng.pick([60_000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 1e15, Number.MAX_SAFE_INTEGER, rng.range(60_000, 2 ** 40)]);
          note(`chat.send timeoutMs ${timeoutMs}`);
          const r = await c.request("chat.send", { sessionKey: `t-${n}`, message: "[slow:3] hello", idempotencyKey: key, timeoutMs });
          expect(r.ok).toBe(true);
          const end = await c.waitFor((f) => f.event === "chat" && f.payload?.runId === key && f.payload.state !== "delta", 10_000);
          expect(end.payload.state).toBe("final");
        }
      }
      c.close();
    });
  }, 30_000);

  test("schema-guided params reach every handler: well-formed answers, no escaped errors, refusals change nothing", async () => {
    await fuzz("ws-methods-handlers", async (rng, note) => {
      const clients = await Promise.all(SESSIONS.map((scopes) => RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: [...scopes] })));
      const reached = new Map<string, number>();
      // First a call past validation for every registered method (drawn until the oracle accepts
      // one), then calls of any method, near-valid and not.
      // Node-role methods cannot reach their handler from operator sockets (the role check refuses
      // them first, which the refusal test covers); test/gateway/node-invoke.test.ts drives them.
      const operatorMethods = METHODS.filter((m) => registry.get(m)!.spec.scope !== "node");
      const firstPass = operatorMethods.map((method) => {
        for (let tries = 0; tries < 500; tries++) {
          const call = methodCall(rng, `first-${method}-${tries}`, 0, method);
          if (methodOracle(call, SESSIONS[0]).kind === "handler") return call;
        }
        throw new Error(`the generator found no valid params for ${method} in 500 tries`);
      });
      for (let n = 0; n < firstPass.length + runs(400); n++) {
        const ci = n < firstPass.length || rng.chance(0.7) ? 0 : rng.int(clients.length);
        const c = clients[ci]!;
        const call = firstPass[n] ?? methodCall(rng, `h-${n}`, 0.05);
        const want = methodOracle(call, SESSIONS[ci]!);
        note(`${call.method} as ${JSON.stringify(SESSIONS[ci])}: ${clip(call.text, 500)}`);
        const before = snapshot();
        const skip = c.frames.length;
        c.send(call.text);
        const answered = (f: Frame) => isFinal(f, call.id) && c.frames.indexOf(f) >= skip;
        // An exec approval request may rightly wait for an operator (up to its expiry): once its
        // record is pending, it is closed as the gateway would on stop, so the call answers.
        if (call.method === "exec.approval.request" && want.kind === "handler") {
          await waitUntil(() => c.frames.some(answered) || gw.runtime.approvals.records.pendingCount > 0, "the approval request to answer or wait");
          gw.runtime.approvals.closePending();
        }
        const final = await c.waitFor(answered, 10_000);
        checkAgainstOracle(call, want, final);
        h.expectNoHandlerErrors();
        if (want.kind === "handler") reached.set(call.method, (reached.get(call.method) ?? 0) + 1);
        // A refusal before the run was accepted (an unknown agent, a foreign session key) stores nothing.
        const acked = c.frames.slice(skip).some((f) => f.type === "res" && f.id === call.id && f.ok);
        if (!final.ok && !acked) {
          await idle();
          expect(snapshot()).toBe(before);
        }
        await idle();
      }
      // Every registered method got at least one call past validation into its handler.
      expect(operatorMethods.filter((m) => !reached.has(m))).toEqual([]);
      await h.assertGatewayHealthy(clients[0]);
      for (const c of clients) c.close();
    });
  }, 30_000);
});

