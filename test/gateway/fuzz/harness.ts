// The fuzz tests' shared harness: one agent gateway per test file (started in beforeAll), the checks
// every fuzz test ends with (health on old and new sockets, no escaped errors, clean prototypes), and
// the oracles' small helpers. Seeded and bounded; see test/fixtures/fuzz.ts for FUZZ_SEED and FUZZ_SCALE.
import { afterAll, beforeAll, expect } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { createMethodRegistry } from "../../../src/gateway/methods/index.ts";
import { ErrorCodes, ErrorShapeSchema, ResponseFrameSchema } from "../../../src/protocol/index.ts";
import { startAgentGateway, type AgentTestGateway } from "../../fixtures/agent-gateway.ts";
import { assertPrototypesClean, clip, watchProcessErrors, type JsonSchema } from "../../fixtures/fuzz.ts";
import { TEST_TOKEN } from "../../fixtures/gateway.ts";
import { RawClient, type Frame } from "../../fixtures/ws-client.ts";

export const registry = createMethodRegistry();
export const METHODS = registry.names();
export const MAX_PREAUTH_BYTES = 65_536;
export const utf8 = new TextDecoder("utf-8", { fatal: true });
export const jsonSchemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as JsonSchema;
/** The text the server receives: a text frame carries UTF-8, so a lone surrogate arrives as U+FFFD. */
export const onTheWire = (text: string) => new TextDecoder().decode(new TextEncoder().encode(text));
export const isFinal = (f: Frame, id: string) => f.type === "res" && f.id === id && !(f.ok && f.payload?.status === "accepted");

export function expectErrorFrame(f: Frame, id: string): NonNullable<Frame["error"]> {
  const parsed = ResponseFrameSchema.safeParse(f);
  if (!parsed.success) throw new Error(`malformed res frame: ${clip(JSON.stringify(f))}: ${parsed.error.message}`);
  expect(f.id).toBe(id);
  expect(f.ok).toBe(false);
  expect(ErrorShapeSchema.safeParse(f.error).success).toBe(true);
  expect(Object.values(ErrorCodes)).toContain(f.error!.code as never);
  return f.error!;
}

export interface FuzzHarness {
  /** Fails at the case that made a handler throw something the protocol does not know. */
  expectNoHandlerErrors(): void;
  /** The gateway keeps answering health on an existing socket and on a new one, and nothing escaped. */
  assertGatewayHealthy(existing?: RawClient): Promise<void>;
}

/** Starts this file's gateway before its tests (handing it to `ready`) and stops it after them. */
export function useFuzzGateway(ready: (gw: AgentTestGateway) => void): FuzzHarness {
  let gw: AgentTestGateway;
  let processErrors: ReturnType<typeof watchProcessErrors>;
  // Errors the gateway logger saw since the last check: the dispatcher logs every non-GatewayError a handler threw.
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
    ready(gw);
  });
  afterAll(async () => {
    await gw.stop();
    processErrors.stop();
  });

  /** Errors the gateway logged: a handler that threw something other than a GatewayError, or worse. */
  const loggedErrors = (): string[] => {
    gw.runtime.options.logger.flush();
    if (!existsSync(gw.logFile)) return [];
    return readFileSync(gw.logFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { message?: string; _meta?: { logLevelName?: string }; [k: string]: unknown })
      .filter((r) => r._meta?.logLevelName === "ERROR" || r._meta?.logLevelName === "FATAL")
      .map((r) => clip(`${r.message ?? ""} ${JSON.stringify(r)}`, 800));
  };

  const harness: FuzzHarness = {
    expectNoHandlerErrors() {
      expect(handlerErrors.splice(0)).toEqual([]);
    },
    async assertGatewayHealthy(existing) {
      if (existing) expect((await existing.request("health")).ok).toBe(true);
      const fresh = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
      expect((await fresh.request("health")).ok).toBe(true);
      fresh.close();
      harness.expectNoHandlerErrors();
      expect(loggedErrors()).toEqual([]);
      expect(processErrors.stop()).toEqual([]);
      processErrors = watchProcessErrors();
      assertPrototypesClean();
    },
  };
  return harness;
}
