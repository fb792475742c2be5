import { describe, expect, test } from "bun:test";
import { GatewayRequestError, GatewayTransportError } from "../../src/client/errors.ts";
import { CliError } from "../../src/cli/errors.ts";
import { errorJson } from "../../src/cli/rpc.ts";
import { run } from "./helpers.ts";

describe("exit codes and error output", () => {
  test("no arguments prints usage", async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("USAGE openclaw");
    expect(r.stdout).not.toContain("\x1b[");
  });

  test("--help on a subcommand shows that command", async () => {
    const r = await run(["logs", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--max-bytes");
  });

  test("unknown command is a usage error", async () => {
    const r = await run(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Error: Unknown command frobnicate");
    expect(r.stderr).not.toContain("\x1b[");
  });

  test("missing method is a usage error", async () => {
    const r = await run(["gateway", "call"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("METHOD");
  });

  test("bad --params JSON is a usage error, before any connection", async () => {
    const r = await run(["gateway", "call", "health", "--params", "{oops", "--url", "ws://127.0.0.1:1", "--token", "t"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--params must be valid JSON");
  });

  test("with --json a usage error is the JSON error shape", async () => {
    const r = await run(["gateway", "call", "health", "--json", "--params", "[]"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, error: { type: "usage_error", message: expect.stringContaining("JSON object") } });
  });

  test("unknown options are rejected", async () => {
    const r = await run(["logs", "--limt", "5"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--limt'");
  });

  test("out-of-range numbers are rejected", async () => {
    expect((await run(["logs", "--limit", "0"])).code).toBe(2);
    expect((await run(["gateway", "call", "health", "--timeout", "soon"])).code).toBe(2);
  });

  test("--url without a secret fails locally, and the env token is not used", async () => {
    const r = await run(["gateway", "call", "health", "--url", "ws://127.0.0.1:1", "--json"], { OPENCLAW_GATEWAY_TOKEN: "env-tok" });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.type).toBe("gateway_credentials_required");
  });

  test("a malformed --url is a usage error", async () => {
    const r = await run(["gateway", "health", "--url", "http//nope", "--token", "t"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Invalid --url");
  });
});

describe("errorJson", () => {
  test("request errors carry code, details and retryable", () => {
    const err = new GatewayRequestError({ code: "FORBIDDEN", message: "missing scope: operator.admin", details: { code: "MISSING_SCOPE" } });
    expect(errorJson(err)).toEqual({
      ok: false,
      error: { type: "gateway_request_error", code: "FORBIDDEN", message: "missing scope: operator.admin", details: { code: "MISSING_SCOPE" }, retryable: false },
    });
    expect("details" in (errorJson(new GatewayRequestError({ code: "X", message: "y" })).error as object)).toBe(false);
  });

  test("transport errors name the gateway target", () => {
    const err = new GatewayTransportError("timeout", "gateway timeout after 10000ms");
    expect(errorJson(err, { url: "ws://127.0.0.1:18789", urlSource: "local loopback" })).toEqual({
      ok: false,
      error: { type: "gateway_transport_error", kind: "timeout", message: "gateway timeout after 10000ms" },
      gateway: { url: "ws://127.0.0.1:18789", urlSource: "local loopback" },
    });
  });

  test("CLI errors keep their type", () => {
    expect(errorJson(new CliError("bad config", "config_invalid"))).toEqual({ ok: false, error: { type: "config_invalid", message: "bad config" } });
  });
});
