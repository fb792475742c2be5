// Fuzz of the WebSocket door: the frame parser after hello: junk is ignored, bad frames get INVALID_REQUEST.
// Seeded and bounded; see test/fixtures/fuzz.ts for FUZZ_SEED and FUZZ_SCALE.
import { describe, expect, test } from "bun:test";
import { RequestFrameSchema, ResponseFrameSchema } from "../../../src/protocol/index.ts";
import type { AgentTestGateway } from "../../fixtures/agent-gateway.ts";
import { anyValue, clip, deepNesting, edgeString, fuzz, mutate, pollutionPayload, render, runs, type Rng } from "../../fixtures/fuzz.ts";
import { TEST_TOKEN } from "../../fixtures/gateway.ts";
import { RawClient } from "../../fixtures/ws-client.ts";
import { METHODS, utf8, onTheWire, isFinal, expectErrorFrame, useFuzzGateway } from "./harness.ts";

let gw!: AgentTestGateway;
const h = useFuzzGateway((g) => (gw = g));

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
          h.expectNoHandlerErrors();
        } catch (err) {
          (err as Error).message += `\nframe #${i}: ${clip(shown, 400)}\nexpected ${JSON.stringify(want)}; got ${clip(JSON.stringify(got), 600)}`;
          throw err;
        }
      }
      await h.assertGatewayHealthy(c);
      c.close();
    });
  }, 30_000);
});

