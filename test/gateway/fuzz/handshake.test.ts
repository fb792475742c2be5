// Fuzz of the WebSocket door: the first frame on a fresh socket, against protocol.md §4.1.
// Seeded and bounded; see test/fixtures/fuzz.ts for FUZZ_SEED and FUZZ_SCALE.
import { describe, expect, test } from "bun:test";
import { ConnectParamsSchema, HelloOkSchema, OPERATOR_SCOPES, RequestFrameSchema, ResponseFrameSchema } from "../../../src/protocol/index.ts";
import { MIN_PROBE_PROTOCOL, PROTOCOL_VERSION } from "../../../src/version.ts";
import type { AgentTestGateway } from "../../fixtures/agent-gateway.ts";
import { anyValue, clip, edgeString, Entries, fromSchema, fuzz, mutate, pollutionPayload, render, runs, schemaWords, type Rng } from "../../fixtures/fuzz.ts";
import { TEST_TOKEN } from "../../fixtures/gateway.ts";
import { connectParams, RawClient, type Frame } from "../../fixtures/ws-client.ts";
import { MAX_PREAUTH_BYTES, METHODS, utf8, jsonSchemaOf, onTheWire, useFuzzGateway } from "./harness.ts";

let gw!: AgentTestGateway;
const h = useFuzzGateway((g) => (gw = g));

type HandshakeExpectation =
  | { kind: "close"; code: number }
  | { kind: "reject"; id: string; code: string; message: string | RegExp; close: number }
  | { kind: "hello"; id: string };


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
  // A fuzzed device block never carries a valid Ed25519 proof over this socket's nonce.
  if (device) return { kind: "reject", id, code: "INVALID_REQUEST", message: /^device (identity mismatch|signature expired|nonce required|nonce mismatch|signature invalid)$/, close: 1008 };
  if (role === "node") return { kind: "reject", id, code: "NOT_PAIRED", message: "device identity required", close: 1008 };
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
      await h.assertGatewayHealthy();
    });
  }, 30_000);
});

