import { describe, expect, test } from "bun:test";
import { BindModeSchema, configJsonSchema, LogLevelSchema, SECRET_KEY_PATTERN } from "../../src/config/schema.ts";

describe("configJsonSchema", () => {
  test("has the title, is strict, and is deterministic", () => {
    const schema = configJsonSchema();
    expect(schema.title).toBe("OpenClaw Gateway configuration");
    expect(schema.type).toBe("object");
    expect(schema.additionalProperties).toBe(false);
    expect(JSON.stringify(configJsonSchema())).toBe(JSON.stringify(schema));
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(props)).toEqual(["$schema", "meta", "gateway", "logging", "commands", "models", "agents", "secrets", "channels", "session", "hooks", "tools", "cron", "plugins", "discovery"]);
    const gateway = props.gateway as { properties: Record<string, Record<string, unknown>>; additionalProperties: boolean };
    expect(gateway.additionalProperties).toBe(false);
    expect(gateway.properties.port).toMatchObject({ type: "integer", minimum: 1, maximum: 65535 });
    expect(gateway.properties.bind!.enum).toEqual(["auto", "lan", "loopback", "custom", "tailnet"]);
  });

  test("every leaf property has a description", () => {
    const missing: string[] = [];
    const visit = (node: Record<string, unknown>, path: string) => {
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      if (!props) return;
      for (const [key, child] of Object.entries(props)) {
        if (typeof child.description !== "string" || child.description === "") missing.push(`${path}${key}`);
        visit(child, `${path}${key}.`);
      }
    };
    visit(configJsonSchema(), "");
    expect(missing).toEqual([]);
  });
});

test("enums", () => {
  expect(BindModeSchema.options).toEqual(["auto", "lan", "loopback", "custom", "tailnet"]);
  expect(LogLevelSchema.options).toEqual(["silent", "fatal", "error", "warn", "info", "debug", "trace"]);
});

describe("SECRET_KEY_PATTERN", () => {
  test.each([
    "token", "password", "apiKey", "api_key", "secret", "privateKey", "botToken", "clientSecret",
    "OPENAI_API_KEY", "GITHUB_TOKEN", "TOKEN", "accessKey", "passphrase",
  ])("matches %s", (key) => {
    expect(SECRET_KEY_PATTERN.test(key)).toBe(true);
  });
  test.each(["maxTokens", "mode", "url", "secrets", "tokenizer", "keyboard", "port", "contextTokens"])(
    "does not match %s",
    (key) => {
      expect(SECRET_KEY_PATTERN.test(key)).toBe(false);
    },
  );
});
