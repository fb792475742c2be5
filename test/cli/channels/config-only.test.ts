// Accounts read from the config file alone (the gateway-down view): the default/named account rules
// shared with the gateway, token sources without reading secrets, WhatsApp's link by creds.json.
import { describe, expect, test } from "bun:test";
import { configOnlyChannels, telegramAccounts, whatsappAccounts } from "../../../src/cli/channels/config-only.ts";

const files = (...paths: string[]) => ({ env: {}, stateDir: "/state", isFile: (p: string) => paths.includes(p) });

describe("telegram", () => {
  test("root = default; named accounts never inherit the root's token", () => {
    expect(telegramAccounts({ botToken: "t", accounts: { work: { name: "Work" } } }, files())).toEqual([
      { accountId: "default", enabled: true, configured: true, mode: "polling", tokenSource: "config" },
      { accountId: "work", enabled: true, configured: false, mode: "polling", tokenSource: "none" },
    ]);
  });

  test("tokenFile wins and must exist; TELEGRAM_BOT_TOKEN only for the default account; a SecretRef counts", () => {
    expect(telegramAccounts({ tokenFile: "/run/tg", botToken: "t" }, files())[0]).toMatchObject({ configured: false, tokenSource: "none" });
    expect(telegramAccounts({ tokenFile: "/run/tg" }, files("/run/tg"))[0]).toMatchObject({ configured: true, tokenSource: "tokenFile" });
    const env = { env: { TELEGRAM_BOT_TOKEN: "e" }, stateDir: "/state", isFile: () => false };
    expect(telegramAccounts({}, env)).toEqual([{ accountId: "default", enabled: true, configured: true, mode: "polling", tokenSource: "env" }]);
    expect(telegramAccounts({ botToken: { source: "env", provider: "default", id: "TG" } }, files())[0]).toMatchObject({ tokenSource: "config" });
  });

  test("default is left out when only named accounts exist and it has no token of its own", () => {
    expect(telegramAccounts({ accounts: { b: { botToken: "2" }, a: { botToken: "1" } } }, files()).map((a) => a.accountId)).toEqual(["a", "b"]);
    expect(telegramAccounts({ accounts: { default: {}, b: { botToken: "2" } } }, files()).map((a) => a.accountId)).toEqual(["default", "b"]);
  });

  test("mode is webhook for an account with its own webhookUrl (named accounts do not inherit it)", () => {
    const section = { botToken: "t", webhookUrl: "https://a.example/tg", webhookSecret: "s", accounts: { default: {}, w: { botToken: "w" }, x: { botToken: "x", webhookUrl: "https://a.example/x" } } };
    expect(telegramAccounts(section, files()).map((a) => [a.accountId, a.mode])).toEqual([
      ["default", "webhook"],
      ["w", "polling"],
      ["x", "webhook"],
    ]);
  });

  test("enabled: false on the section disables every account, on an account only that one", () => {
    expect(telegramAccounts({ enabled: false, botToken: "t", accounts: { default: {}, w: { botToken: "w" } } }, files()).map((a) => a.enabled)).toEqual([false, false]);
    expect(telegramAccounts({ botToken: "t", accounts: { default: {}, w: { botToken: "w", enabled: false } } }, files()).map((a) => a.enabled)).toEqual([true, false]);
  });
});

describe("whatsapp", () => {
  test("linked = <stateDir>/credentials/whatsapp/<account>/creds.json exists (or under authDir)", () => {
    expect(whatsappAccounts({}, files("/state/credentials/whatsapp/default/creds.json"))).toEqual([{ accountId: "default", enabled: true, configured: true, linked: true }]);
    expect(whatsappAccounts({ accounts: { default: {}, spare: { authDir: "/wa/spare" } } }, files("/wa/spare/creds.json"))).toEqual([
      { accountId: "default", enabled: true, configured: false, linked: false },
      { accountId: "spare", enabled: true, configured: true, linked: true },
    ]);
  });
});

test("channels in display order; --channel narrows; absent sections are not listed", () => {
  const channels = { whatsapp: {}, telegram: { botToken: "t" } };
  expect(configOnlyChannels(channels, files()).map((c) => c.label)).toEqual(["Telegram", "WhatsApp"]);
  expect(configOnlyChannels(channels, files(), "whatsapp").map((c) => c.id)).toEqual(["whatsapp"]);
  expect(configOnlyChannels(undefined, files())).toEqual([]);
});
