// What the verbs decide before any connection: the invoke plan (reserved commands, params,
// timeouts, scopes), the approve scopes, and usage errors. The CLI runs in-process against a port
// nothing listens on, so a request that should not be made would show up as a transport error.
import { describe, expect, test } from "bun:test";
import { CliError, UsageError } from "../../../src/cli/errors.ts";
import { planInvoke } from "../../../src/cli/nodes/invoke.ts";
import { approveScopes } from "../../../src/cli/nodes/pairing.ts";
import { run } from "../helpers.ts";

const NOWHERE = ["--url", "ws://127.0.0.1:1", "--token", "t"];

describe("planInvoke", () => {
  test("defaults: params {}, node deadline 15 s, transport budget past it, a fresh key, write scope", () => {
    const plan = planInvoke({ command: "system.which" });
    expect(plan).toMatchObject({ command: "system.which", params: {}, invokeTimeoutMs: 15_000, transportTimeoutMs: 30_000, scopes: ["operator.write"] });
    expect(plan.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(planInvoke({ command: "system.which" }).idempotencyKey).not.toBe(plan.idempotencyKey);
  });

  test("a long node deadline widens the transport budget so the gateway's TIMEOUT arrives first", () => {
    expect(planInvoke({ command: "x", invokeTimeout: "60000", timeout: "5000" }).transportTimeoutMs).toBe(70_000);
    expect(planInvoke({ command: "x", invokeTimeout: "1000", timeout: "45000" }).transportTimeoutMs).toBe(45_000);
  });

  test("admin-only commands ask for admin", () => {
    for (const c of ["browser.proxy", "browser.proxy.upload.v1", "fs.listDir", "terminal.upload"]) {
      expect(planInvoke({ command: c }).scopes).toEqual(["operator.write", "operator.admin"]);
    }
  });

  test("system.run and system.run.prepare are refused with the exec-tool pointer", () => {
    for (const c of ["system.run", "system.run.prepare"]) {
      expect(() => planInvoke({ command: c })).toThrow(new CliError(`command "${c}" is reserved for shell execution; use the exec tool with host=node instead`));
    }
  });

  test("bad params, timeouts and keys are usage errors", () => {
    expect(() => planInvoke({ command: "x", params: "{bad" })).toThrow(/--params must be valid JSON/);
    expect(() => planInvoke({ command: "x", params: "[1]" })).toThrow(UsageError);
    expect(() => planInvoke({ command: "x", invokeTimeout: "0" })).toThrow(/--invoke-timeout/);
    expect(() => planInvoke({ command: "x", idempotencyKey: "" })).toThrow(UsageError);
    expect(planInvoke({ command: "x", idempotencyKey: " k " }).idempotencyKey).toBe(" k ");
  });
});

test("approve asks for pairing plus exactly what the request requires", () => {
  expect(approveScopes(undefined)).toEqual(["operator.pairing"]);
  expect(approveScopes(["operator.pairing", "operator.write", "operator.admin"])).toEqual(["operator.pairing", "operator.write", "operator.admin"]);
  expect(approveScopes(["operator.write", "bogus"])).toEqual(["operator.pairing", "operator.write"]);
});

describe("refused before any request", () => {
  test("nodes invoke system.run: exit 1, the exact message, as JSON with --json", async () => {
    const human = await run(["nodes", "invoke", "--node", "x", "--command", "system.run", ...NOWHERE]);
    expect(human.code).toBe(1);
    expect(human.stderr.trim()).toBe('Error: command "system.run" is reserved for shell execution; use the exec tool with host=node instead');
    const json = await run(["nodes", "invoke", "--node", "x", "--command", "system.run.prepare", "--json", ...NOWHERE]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      error: { type: "cli_error", message: 'command "system.run.prepare" is reserved for shell execution; use the exec tool with host=node instead' },
    });
  });

  test("bad --params, missing ids and unknown flags are usage errors (exit 2)", async () => {
    const cases = [
      [["invoke", "--node", "x", "--command", "system.which", "--params", "{bad"], "--params must be valid JSON"],
      [["approve"], "Missing <requestId>"],
      [["reject", " "], "Missing <requestId>"],
      [["rename", "--node", "x", "--name", "  "], "--name must not be empty"],
      [["describe", "--node", " "], "--node needs a value"],
      [["status", "--bogus"], "unknown option '--bogus'"],
      [["list", "--last-connected", "soon"], "Invalid --last-connected"],
    ] as const;
    for (const [args, message] of cases) {
      const r = await run(["nodes", ...args, ...NOWHERE]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toContain("could not connect");
    }
  });

  test("a request that is made reports the transport error the shared way", async () => {
    const r = await run(["nodes", "status", "--json", ...NOWHERE]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { type: "gateway_transport_error", kind: "refused" } });
  });
});
