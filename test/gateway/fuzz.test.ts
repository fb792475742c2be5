// Property/fuzz tests of the WebSocket door: the handshake, the frame parser after hello, and the
// params of every method in the registry (new methods are covered as soon as they are registered).
// Seeded and bounded; see test/fixtures/fuzz.ts for FUZZ_SEED and FUZZ_SCALE.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { createMethodRegistry } from "../../src/gateway/methods/index.ts";
import {
  ConnectParamsSchema, ErrorCodes, ErrorShapeSchema, HelloOkSchema, KNOWN_METHOD_SCOPES, OPERATOR_SCOPES,
  RequestFrameSchema, ResponseFrameSchema, scopeSatisfied,
} from "../../src/protocol/index.ts";
import { MIN_PROBE_PROTOCOL, PROTOCOL_VERSION } from "../../src/version.ts";
import { startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import {
  anyValue, assertPrototypesClean, clip, DANGEROUS_KEYS, deepNesting, edgeString, Entries, fromSchema, fuzz, mutate,
  pollutionPayload, render, runs, schemaWords, watchProcessErrors, type JsonSchema, type Rng,
} from "../fixtures/fuzz.ts";
import { TEST_TOKEN } from "../fixtures/gateway.ts";
import { connectParams, RawClient, type Frame } from "../fixtures/ws-client.ts";

const registry = createMethodRegistry();
const METHODS = registry.names();
const MAX_PREAUTH_BYTES = 65_536;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const jsonSchemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as JsonSchema;

let gw: AgentTestGateway;
let processErrors: ReturnType<typeof watchProcessErrors>;
/** Errors the gateway logger saw since the last check: the dispatcher logs every non-GatewayError a handler threw. */
const handlerErrors: string[] = [];
beforeAll(async () => {
  processErrors = watchProcessErrors();
  gw = await startAgentGateway({ fileLevel: "info" });
  const log = gw.runtime.log;
  const error = log.error.bind(log);
  log.error = (msg, fields) => {
    handlerErrors.push(clip(`${msg} ${JSON.stringify(fields)}`, 800));
    error(msg, fields);
  };
});

/** Fails at the case that made a handler throw something the protocol does not know. */
function expectNoHandlerErrors(): void {
  expect(handlerErrors.splice(0)).toEqual([]);
}
afterAll(async () => {
  await gw.stop();
  processErrors.stop();
});

/** Errors the gateway logged: a handler that threw something other than a GatewayError, or worse. */
function loggedErrors(): string[] {
  gw.runtime.options.logger.flush();
  if (!existsSync(gw.logFile)) return [];
  return readFileSync(gw.logFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { message?: string; _meta?: { logLevelName?: string }; [k: string]: unknown })
    .filter((r) => r._meta?.logLevelName === "ERROR" || r._meta?.logLevelName === "FATAL")
    .map((r) => clip(`${r.message ?? ""} ${JSON.stringify(r)}`, 800));
}

/** The gateway keeps answering health on an existing socket and on a new one, and nothing escaped. */
async function assertGatewayHealthy(existing?: RawClient): Promise<void> {
  if (existing) expect((await existing.request("health")).ok).toBe(true);
  const fresh = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
  expect((await fresh.request("health")).ok).toBe(true);
  fresh.close();
  expectNoHandlerErrors();
  expect(loggedErrors()).toEqual([]);
  expect(processErrors.stop()).toEqual([]);
  processErrors = watchProcessErrors();
  assertPrototypesClean();
}

function expectErrorFrame(f: Frame, id: string): NonNullable<Frame["error"]> {
  const parsed = ResponseFrameSchema.safeParse(f);
  if (!parsed.success) throw new Error(`malformed res frame: ${clip(JSON.stringify(f))}: ${parsed.error.message}`);
  expect(f.id).toBe(id);
  expect(f.ok).toBe(false);
  expect(ErrorShapeSchema.safeParse(f.error).success).toBe(true);
  expect(Object.values(ErrorCodes)).toContain(f.error!.code as never);
  return f.error!;
}

// ---------------------------------------------------------------------------------------------
// Handshake

type HandshakeExpectation =
  | { kind: "close"; code: number }
  | { kind: "reject"; id: string; code: string; message: string | RegExp; close: number }
  | { kind: "hello"; id: string };

/** The text the server receives: a text frame carries UTF-8, so a lone surrogate arrives as U+FFFD. */
const onTheWire = (text: string) => new TextDecoder().decode(new TextEncoder().encode(text));

/** What protocol.md §4.1 says the first frame should get. */
function handshakeOracle(data: string | Uint8Array): HandshakeExpectation[] {
  const bytes = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
  if (bytes > MAX_PREAUTH_BYTES) return [{ kind: "close", code: 1009 }];
  return [parsedOracle(data)];
}

function parsedOracle(data: string | Uint8Array): HandshakeExpectation {
  let text: string;
  try {
    text = typeof data === "string" ? onTheWire(data) : utf8.decode(data);
  } catch {
    return { kind: "close", code: 1000 };
  }
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { kind: "close", code: 1000 };
  }
  const req = RequestFrameSchema.safeParse(frame);
  if (!req.success) return { kind: "close", code: 1008 };
  const { id, method, params } = req.data;
  if (method !== "connect") {
    return { kind: "reject", id, code: "INVALID_REQUEST", message: "invalid handshake: first request must be connect", close: 1008 };
  }
  const p = ConnectParamsSchema.safeParse(params ?? {});
  if (!p.success) return { kind: "reject", id, code: "INVALID_REQUEST", message: /^invalid connect params: /, close: 1008 };
  const { minProtocol: min, maxProtocol: max, client, role = "operator", device, auth } = p.data;
  const lenient = client.mode === "probe" || role === "node";
  const speaks = (v: number) => min <= v && v <= max;
  if (!speaks(PROTOCOL_VERSION) && !(lenient && speaks(MIN_PROBE_PROTOCOL))) {
    return { kind: "reject", id, code: "INVALID_REQUEST", message: "protocol mismatch", close: 1002 };
  }
  if (role === "node" && !device) return { kind: "reject", id, code: "NOT_PAIRED", message: "device identity required", close: 1008 };
  if (!auth?.token && !auth?.password) return { kind: "reject", id, code: "NOT_PAIRED", message: "device identity required", close: 1008 };
  if (auth.token !== TEST_TOKEN) return { kind: "reject", id, code: "INVALID_REQUEST", message: /^unauthorized: gateway token mismatch/, close: 1008 };
  return { kind: "hello", id };
}

interface HandshakeOutcome {
  frames: Frame[];
  closed: { code: number } | null;
  client: RawClient;
}

/** Why the outcome does not match the expectation, or undefined when it does. */
function handshakeMismatch(want: HandshakeExpectation, got: HandshakeOutcome): string | undefined {
  const responses = got.frames.filter((f) => f.type === "res");
  if (want.kind === "close") {
    if (responses.length) return "expected no response";
    return got.closed?.code === want.code ? undefined : `expected close ${want.code}`;
  }
  if (want.kind === "hello") {
    if (got.closed) return "expected the socket to stay open";
    if (responses.length !== 1 || responses[0]!.id !== want.id || !responses[0]!.ok) return "expected one hello-ok with the request's id";
    return HelloOkSchema.safeParse(responses[0]!.payload).success ? undefined : "hello-ok payload fails HelloOkSchema";
  }
  if (responses.length !== 1) return "expected exactly one error response";
  const f = responses[0]!;
  if (!ResponseFrameSchema.safeParse(f).success || f.id !== want.id || f.ok !== false) return "malformed error response";
  const msg = f.error!.message;
  if (f.error!.code !== want.code) return `expected code ${want.code}`;
  if (typeof want.message === "string" ? msg !== want.message : !want.message.test(msg)) return `expected message ${want.message}`;
  return got.closed?.code === want.close ? undefined : `expected close ${want.close}`;
}

const CONNECT_SCHEMA = jsonSchemaOf(ConnectParamsSchema);
const CONNECT_WORDS = [...schemaWords(CONNECT_SCHEMA), ...OPERATOR_SCOPES, TEST_TOKEN];
const CONNECT_HINTS = { token: [TEST_TOKEN, TEST_TOKEN, TEST_TOKEN, "wrong-token", ""], minProtocol: [1, 3, 4], maxProtocol: [4, 5], scopes: [["operator.read"], ["operator.admin"], []] };

function connectFrameText(rng: Rng, params: unknown, id: unknown = `hs-${rng.int(1e9)}`): string {
  return render(params === undefined ? { type: "req", id, method: "connect" } : { type: "req", id, method: "connect", params });
}

/** A first frame: mostly connect requests near the valid one, plus junk of every kind. */
function firstFrame(rng: Rng): string | Uint8Array {
  const opts = { words: CONNECT_WORDS };
  const valid = () => connectParams({ token: TEST_TOKEN, scopes: ["operator.read"], mode: rng.pick(["cli", "ui", "backend", "probe", "test"]), clientId: rng.pick(["cli", "test", "gateway-client", "openclaw-tui"]) });
  return rng.oneOf<string | Uint8Array>([
    [4, () => connectFrameText(rng, mutate(rng, valid(), opts))],
    [3, () => connectFrameText(rng, fromSchema(rng, CONNECT_SCHEMA, { ...opts, wrong: 0.08, hints: CONNECT_HINTS }))],
    [1, () => connectFrameText(rng, pollutionPayload(rng, valid()))],
    [1, () => connectFrameText(rng, valid(), rng.pick(["", 7, null, edgeString(rng)]))],
    [0.5, () => new TextEncoder().encode(connectFrameText(rng, valid()))],
    [1, () => render(mutate(rng, { type: "req", id: "x1", method: rng.pick([...METHODS, "connect", "nope"]), params: {} }, opts))],
    [1, () => render(anyValue(rng, opts))],
    [1, () => rng.pick(["", "{", "not json", "[1,", "\u0000", "{\"type\":\"req\"", "1e999e", "nul"]) + edgeString(rng)],
    [0.5, () => Uint8Array.from({ length: rng.range(1, 64) }, () => rng.int(256))],
    [0.5, () => connectFrameText(rng, { ...valid(), userAgent: "u".repeat(rng.range(MAX_PREAUTH_BYTES - 200, MAX_PREAUTH_BYTES + 4000)) })],
    [0.3, () => render(new Entries([["type", "req"], ["id", "dup"], ["method", "health"], ["method", "connect"], ["params", valid()]]))],
  ]);
}

/**
 * Runs one first frame on a fresh socket and returns what happened: the frames after the
 * challenge and the close (or null if the socket stayed open).
 */
async function handshakeCase(data: string | Uint8Array): Promise<HandshakeOutcome> {
  const c = await RawClient.open(gw.url);
  await c.waitFor((f) => f.event === "connect.challenge");
  const skip = c.frames.length;
  c.ws.send(data);
  const res = c.waitFor((f) => f.type === "res", 4000).then(() => "res" as const, () => "none" as const);
  const closed = c.waitClose(4000).then(() => "closed" as const, () => "open" as const);
  // A refused connect sends its res then closes; an accepted one sends hello-ok and stays open.
  const first = await Promise.race([res, closed]);
  if (first === "res" && c.frames.some((f) => f.type === "res" && f.ok)) {
    return { frames: c.frames.slice(skip), closed: null, client: c };
  }
  await closed;
  return { frames: c.frames.slice(skip), closed: c.closed, client: c };
}

describe("fuzz: handshake", () => {
  test("every first frame gets the response and close code of protocol.md §4.1, and the gateway keeps serving", async () => {
    await fuzz("ws-handshake", async (rng, note) => {
      const cases = Array.from({ length: runs(160) }, () => firstFrame(rng));
      let next = 0;
      const worker = async () => {
        while (next < cases.length) {
          const i = next++;
          const data = cases[i]!;
          const shown = typeof data === "string" ? data : `binary ${Buffer.from(data).toString("hex")}`;
          note(`#${i} ${clip(shown, 400)}`);
          const wants = handshakeOracle(data);
          const got = await handshakeCase(data);
          try {
            const why = wants.map((w) => handshakeMismatch(w, got));
            if (why.every(Boolean)) {
              throw new Error(`case #${i}: ${why.join(" / ")}\n${clip(shown, 400)}\nexpected ${JSON.stringify(wants)}; got ${clip(JSON.stringify(got.frames), 600)} close ${JSON.stringify(got.closed)}`);
            }
            if (got.closed === null) expect((await got.client.request("health")).ok).toBe(true);
          } finally {
            got.client.close();
          }
        }
      };
      await Promise.all(Array.from({ length: 12 }, worker));
      await assertGatewayHealthy();
    });
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------
// After hello: the frame parser

/** What §4.2 says a frame after hello should get: nothing, an invalid-frame error, or a method response. */
function frameOracle(data: string | Uint8Array): { kind: "ignored" } | { kind: "invalid"; id: string } | { kind: "request"; id: string } {
  let text: string;
  try {
    text = typeof data === "string" ? onTheWire(data) : utf8.decode(data);
  } catch {
    return { kind: "ignored" };
  }
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { kind: "ignored" };
  }
  const parsed = RequestFrameSchema.safeParse(frame);
  if (parsed.success) return { kind: "request", id: parsed.data.id };
  const raw = frame as { id?: unknown } | null;
  return { kind: "invalid", id: raw && typeof raw === "object" && typeof raw.id === "string" && raw.id ? raw.id : "invalid" };
}

const isFinal = (f: Frame, id: string) => f.type === "res" && f.id === id && !(f.ok && f.payload?.status === "accepted");

function anyFrame(rng: Rng): string | Uint8Array {
  const words = ["type", "req", "res", "event", "id", "method", "params", "traceparent", "expectedProfileId", ...METHODS];
  const base = () => ({ type: "req", id: `f-${rng.int(1e9)}`, method: rng.pick(METHODS), params: {} });
  return rng.oneOf<string | Uint8Array>([
    [4, () => render(mutate(rng, base(), { words }))],
    [2, () => render(anyValue(rng, { words }))],
    [1, () => render({ ...base(), id: rng.pick([edgeString(rng), "", 0, null, [], {}, "x".repeat(rng.range(1, 5000))]) })],
    [1, () => render({ ...base(), traceparent: "t".repeat(rng.range(100, 200)) })],
    [1, () => render({ ...base(), params: deepNesting(rng) })],
    [1, () => render(pollutionPayload(rng, base()))],
    [1, () => rng.pick(["", " ", "{", "]", "{\"type\":\"req\",", "NaN", "undefined", "'x'", "{'a':1}"]) + edgeString(rng, { maxLongString: 2000 })],
    [0.7, () => Uint8Array.from({ length: rng.range(1, 200) }, () => rng.int(256))],
    [0.7, () => new TextEncoder().encode(render(base()))],
  ]);
}

describe("fuzz: frames after hello", () => {
  test("junk is ignored, bad frames get INVALID_REQUEST with their own id (or 'invalid'), and the socket stays open", async () => {
    await fuzz("ws-frames", async (rng, note) => {
      const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
      for (let i = 0; i < runs(500); i++) {
        const data = anyFrame(rng);
        const shown = typeof data === "string" ? data : `binary ${Buffer.from(data).toString("hex")}`;
        note(`#${i} ${clip(shown, 400)}`);
        const want = frameOracle(data);
        const skip = c.frames.length;
        c.ws.send(data);
        // Frames are handled in order and a bad frame is answered at once, so a health request sent
        // next is a barrier: whatever the bad frame causes arrives before the barrier's response.
        const barrier = `barrier-${i}`;
        await c.request("health", undefined, barrier);
        if (want.kind === "request") await c.waitFor((f) => isFinal(f, want.id) && c.frames.indexOf(f) >= skip, 10_000);
        const got = c.frames.slice(skip).filter((f) => f.type === "res" && f.id !== barrier);
        try {
          if (want.kind === "ignored") expect(got).toEqual([]);
          else if (want.kind === "invalid") {
            expect(got).toHaveLength(1);
            const err = expectErrorFrame(got[0]!, want.id);
            expect(err.code).toBe("INVALID_REQUEST");
            expect(err.message).toStartWith("invalid request frame: ");
          } else {
            for (const f of got) expect(ResponseFrameSchema.safeParse(f).success).toBe(true);
          }
          expect(c.closed).toBeNull();
          expectNoHandlerErrors();
        } catch (err) {
          (err as Error).message += `\nframe #${i}: ${clip(shown, 400)}\nexpected ${JSON.stringify(want)}; got ${clip(JSON.stringify(got), 600)}`;
          throw err;
        }
      }
      await assertGatewayHealthy(c);
      c.close();
    });
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------
// After hello: every registered method's params

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
      expectNoHandlerErrors();
      note("state after the rejected requests");
      expect(snapshot(true)).toBe(before);
      await assertGatewayHealthy(clients[0]);
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
      const firstPass = METHODS.map((method) => {
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
        const final = await c.waitFor((f) => isFinal(f, call.id) && c.frames.indexOf(f) >= skip, 10_000);
        checkAgainstOracle(call, want, final);
        expectNoHandlerErrors();
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
      expect(METHODS.filter((m) => !reached.has(m))).toEqual([]);
      await assertGatewayHealthy(clients[0]);
      for (const c of clients) c.close();
    });
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------
// What the fuzzing found, pinned so every seed keeps checking it

describe("fuzz findings", () => {
  test("method names that are Object.prototype keys are unknown methods, not scopes", async () => {
    const read = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    const admin = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
    for (const method of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect((await read.request(method, {})).error).toEqual({
        code: "FORBIDDEN",
        message: "missing scope: operator.admin",
        details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
      });
      expect((await admin.request(method, {})).error).toEqual({ code: "INVALID_REQUEST", message: `unknown method: ${method}` });
    }
    read.close();
    admin.close();
  }, 15_000);

  test("params the store cannot take are INVALID_REQUEST, not a handler failure", async () => {
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    const history = await c.request("chat.history", { sessionKey: "main", cursor: "99999999999999999999" });
    expect(history.error?.code).toBe("INVALID_REQUEST");
    expect(history.error?.message).toStartWith("invalid chat.history params: at /cursor");
    expect((await c.request("chat.history", { sessionKey: "main", cursor: "9007199254740991" })).ok).toBe(true);
    const list = await c.request("sessions.list", { agentId: "" });
    expect(list.error).toEqual({ code: "INVALID_REQUEST", message: "invalid sessions.list params: at /agentId: must be at least 1 characters" });
    expectNoHandlerErrors();
    c.close();
  }, 15_000);

  test("an idempotencyKey with a NUL is INVALID_REQUEST, not a store failure", async () => {
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
    for (const idempotencyKey of ["\u0000", "\u0000abc", "a\u0000"]) {
      const agent = await c.request("agent", { message: "hello", idempotencyKey, sessionKey: "nul" });
      expect(agent.error).toMatchObject({ code: "INVALID_REQUEST", message: "idempotencyKey must not contain NUL characters" });
      const chat = await c.request("chat.send", { message: "hello", idempotencyKey, sessionKey: "nul" });
      expect(chat.error).toMatchObject({ code: "INVALID_REQUEST", message: "idempotencyKey must not contain NUL characters" });
    }
    expectNoHandlerErrors();
    c.close();
  }, 15_000);

  test("a timeout past setTimeout's 2^31-1 ms limit does not fire at once", async () => {
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
    const id = "huge-timeout";
    c.send({ type: "req", id, method: "agent", params: { message: "[slow:3] hello", idempotencyKey: crypto.randomUUID(), timeout: 1e308 } });
    const final = await c.waitFor((f) => isFinal(f, id), 10_000);
    expect(final.ok).toBe(true);
    expect(final.payload.status).toBe("ok");
    c.close();
  }, 15_000);
});
