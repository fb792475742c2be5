// The channels config section: Telegram's webhook keys, and what is refused about them.
import { describe, expect, test } from "bun:test";
import { ConfigError, validateConfig } from "../../../src/config/load.ts";

function issues(telegram: unknown): string[] {
  try {
    validateConfig({ channels: { telegram } }, "openclaw.json");
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe("telegram webhook keys", () => {
  test("a full webhook account is accepted, at the root and per account", () => {
    const webhook = {
      webhookUrl: "https://bot.example.com/tg", webhookSecret: "A-z_09", webhookPath: "/tg/in", webhookHost: "0.0.0.0", webhookPort: 8443,
      webhookCertPath: "/etc/tg/public.pem",
    };
    expect(issues({ botToken: "1:x", ...webhook, accounts: { work: { botToken: "2:y", ...webhook, webhookPort: 0 } } })).toEqual([]);
  });

  test("webhookUrl needs webhookSecret, in the same account (root and accounts.default are one)", () => {
    expect(issues({ webhookUrl: "https://bot.example.com/tg" })).toEqual(["channels.telegram.webhookSecret: webhookUrl requires webhookSecret"]);
    expect(issues({ webhookUrl: "https://bot.example.com/tg", accounts: { default: { webhookSecret: "s" } } })).toEqual([]);
    expect(issues({ accounts: { default: { webhookUrl: "https://bot.example.com/tg" } } })).toEqual([
      "channels.telegram.accounts.default.webhookSecret: webhookUrl requires webhookSecret",
    ]);
    // A named account does not inherit the root's secret.
    expect(issues({ webhookSecret: "s", accounts: { work: { webhookUrl: "https://bot.example.com/w" } } })).toEqual([
      "channels.telegram.accounts.work.webhookSecret: webhookUrl requires webhookSecret",
    ]);
  });

  test("bad values name the key and the rule", () => {
    expect(issues({ webhookUrl: "ftp://bot.example.com/tg", webhookSecret: "has space", webhookPath: "/healthz", webhookPort: 70000 })).toEqual([
      "channels.telegram.webhookUrl: webhookUrl must be an http(s) URL (Telegram itself calls only https)",
      "channels.telegram.webhookSecret: webhookSecret must be 1-256 characters of A-Z, a-z, 0-9, _ and -",
      "channels.telegram.webhookPath: webhookPath /healthz is reserved for the listener's health check",
      "channels.telegram.webhookPort: Too big: expected number to be <=65535",
    ]);
    expect(issues({ webhookPath: "tg" })).toEqual(['channels.telegram.webhookPath: webhookPath must start with "/" (no spaces, query or fragment)']);
    expect(issues({ webhookUrl: "https://b.example/x", webhookSecret: "x".repeat(257) })).toHaveLength(1);
    expect(issues({ webhookCertPath: "" })).toHaveLength(1);
  });
});
