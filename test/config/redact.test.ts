import { describe, expect, test } from "bun:test";
import { collectSecrets, REDACTED, redactConfig, redactText } from "../../src/config/redact.ts";

const config = {
  gateway: {
    mode: "local",
    port: 18789,
    auth: { mode: "token", token: "tok-123", password: "" },
    remote: { url: "ws://h", password: 'pa"ss' },
  },
  models: {
    providers: {
      a: { apiKey: "sk-aaa", baseUrl: "http://x", maxTokens: 100, headers: { "X-Api-Key": "hdr-key" } },
      b: { apiKey: { source: "env", provider: "default", id: "B_KEY" } },
    },
  },
  env: { vars: { OPENAI_API_KEY: "sk-openai", PLAIN: "visible" } },
  list: [{ secret: "s1" }, { name: "n" }],
  botTokens: ["x"],
  privateKey: ["k1", "k2"],
};

describe("redactConfig", () => {
  test("replaces secret strings deeply and leaves everything else", () => {
    expect(redactConfig(config)).toEqual({
      gateway: {
        mode: "local",
        port: 18789,
        auth: { mode: "token", token: REDACTED, password: "" },
        remote: { url: "ws://h", password: REDACTED },
      },
      models: {
        providers: {
          a: { apiKey: REDACTED, baseUrl: "http://x", maxTokens: 100, headers: { "X-Api-Key": REDACTED } },
          b: { apiKey: { source: "env", provider: "default", id: "B_KEY" } },
        },
      },
      env: { vars: { OPENAI_API_KEY: REDACTED, PLAIN: "visible" } },
      list: [{ secret: REDACTED }, { name: "n" }],
      botTokens: ["x"],
      privateKey: [REDACTED, REDACTED],
    });
    expect(REDACTED).toBe("__OPENCLAW_REDACTED__");
  });

  test("does not mutate its input", () => {
    const copy = structuredClone(config);
    redactConfig(config);
    expect(config).toEqual(copy);
  });

  test("non-objects pass through", () => {
    expect(redactConfig("x")).toBe("x");
    expect(redactConfig(null)).toBeNull();
    expect(redactConfig(5)).toBe(5);
  });
});

describe("collectSecrets / redactText", () => {
  test("collects distinct non-empty secrets", () => {
    expect(collectSecrets(config).sort()).toEqual(
      ["hdr-key", "k1", "k2", 'pa"ss', "s1", "sk-aaa", "sk-openai", "tok-123"].sort(),
    );
    expect(collectSecrets({ a: { token: "t" }, b: { token: "t" } })).toEqual(["t"]);
  });

  test("redacts the raw file text, including JSON-escaped secrets", () => {
    const raw = `{
  // comment
  gateway: { auth: { token: "tok-123" }, remote: { password: "pa\\"ss" } },
  note: "tok-123 appears twice",
}`;
    const secrets = collectSecrets(Bun.JSON5.parse(raw));
    expect(secrets.sort()).toEqual(['pa"ss', "tok-123"]);
    expect(redactText(raw, secrets)).toBe(`{
  // comment
  gateway: { auth: { token: "${REDACTED}" }, remote: { password: "${REDACTED}" } },
  note: "${REDACTED} appears twice",
}`);
  });

  test("longer secrets win over secrets they contain; empty secrets are ignored", () => {
    expect(redactText("abc abcdef", ["abc", "abcdef", ""])).toBe(`${REDACTED} ${REDACTED}`);
    expect(redactText("plain", [])).toBe("plain");
  });
});
