import { describe, expect, test } from "bun:test";
import { chmodSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { resolveAccounts, tokenOf, webhookOf } from "../../../src/channels/telegram/account.ts";
import { tmpState } from "./helpers.ts";

const ENV = { TELEGRAM_BOT_TOKEN: "111:env-token" };

describe("resolveAccounts", () => {
  test("no section: no accounts", () => {
    expect(resolveAccounts(undefined, ENV, "/s")).toEqual([]);
  });

  test("root section is the default account, with the Bot API root defaulted", () => {
    const [a, ...rest] = resolveAccounts({ botToken: "111:cfg", dmPolicy: "open" }, {}, "/s");
    expect(rest).toHaveLength(0);
    expect(a).toMatchObject({ channel: "telegram", accountId: "default", enabled: true, configured: true, tokenSource: "config" });
    expect(a!.config).toMatchObject({ dmPolicy: "open", apiRoot: "https://api.telegram.org" });
    expect(tokenOf(a!)).toBe("111:cfg");
  });

  test("TELEGRAM_BOT_TOKEN applies to the default account when the config has none", () => {
    const [a] = resolveAccounts({}, ENV, "/s");
    expect(a).toMatchObject({ accountId: "default", configured: true, tokenSource: "env" });
    expect(tokenOf(a!)).toBe("111:env-token");
  });

  test("botToken beats the environment", () => {
    const [a] = resolveAccounts({ botToken: "111:cfg" }, ENV, "/s");
    expect(a!.tokenSource).toBe("config");
    expect(tokenOf(a!)).toBe("111:cfg");
  });

  test("no token anywhere: present but unconfigured", () => {
    const [a] = resolveAccounts({}, {}, "/s");
    expect(a).toMatchObject({ accountId: "default", configured: false, unconfiguredReason: "missing token", tokenSource: "none" });
    expect(tokenOf(a!)).toBeUndefined();
  });

  test("an unresolved SecretRef is no token", () => {
    const [a] = resolveAccounts({ botToken: { source: "env", id: "NOPE" } }, {}, "/s");
    expect(a).toMatchObject({ configured: false, tokenSource: "none" });
  });

  test("tokenFile beats botToken and the environment; its content is trimmed", () => {
    const dir = tmpState();
    const file = join(dir, "token");
    writeFileSync(file, "222:from-file\n");
    const [a] = resolveAccounts({ tokenFile: file, botToken: "111:cfg" }, ENV, "/s");
    expect(a).toMatchObject({ configured: true, tokenSource: "tokenFile" });
    expect(tokenOf(a!)).toBe("222:from-file");
  });

  test("a symlinked tokenFile is refused, with no fallback to botToken", () => {
    const dir = tmpState();
    writeFileSync(join(dir, "real"), "222:from-file");
    symlinkSync(join(dir, "real"), join(dir, "link"));
    const [a] = resolveAccounts({ tokenFile: join(dir, "link"), botToken: "111:cfg" }, ENV, "/s");
    expect(a).toMatchObject({ configured: false, tokenSource: "none" });
    expect(a!.unconfiguredReason).toContain("symlink");
    expect(tokenOf(a!)).toBeUndefined();
  });

  test("a missing, empty or unreadable tokenFile leaves the account unconfigured with the reason", () => {
    const dir = tmpState();
    writeFileSync(join(dir, "empty"), "  \n");
    expect(resolveAccounts({ tokenFile: join(dir, "none") }, {}, "/s")[0]!.unconfiguredReason).toContain("does not exist");
    expect(resolveAccounts({ tokenFile: join(dir, "empty") }, {}, "/s")[0]!.unconfiguredReason).toContain("is empty");
    expect(resolveAccounts({ tokenFile: dir }, {}, "/s")[0]!.unconfiguredReason).toContain("not a regular file");
    if (process.getuid?.() !== 0) {
      writeFileSync(join(dir, "locked"), "333:x");
      chmodSync(join(dir, "locked"), 0o000);
      expect(resolveAccounts({ tokenFile: join(dir, "locked") }, {}, "/s")[0]!.unconfiguredReason).toContain("unreadable");
    }
  });

  test("named accounts inherit the root's settings but not its token, name or enabled", () => {
    const accounts = resolveAccounts(
      {
        botToken: "111:root",
        name: "Main",
        dmPolicy: "allowlist",
        allowFrom: ["1"],
        apiRoot: "http://127.0.0.1:9",
        accounts: { work: { botToken: "222:work", dmPolicy: "open" }, spare: {} },
      },
      ENV,
      "/s",
    );
    expect(accounts.map((a) => a.accountId)).toEqual(["default", "spare", "work"]);
    const [def, spare, work] = accounts;
    expect(def!.config).toMatchObject({ name: "Main", dmPolicy: "allowlist" });
    expect(def!.config.accounts).toBeUndefined();
    expect(work!.config).toMatchObject({ dmPolicy: "open", allowFrom: ["1"], apiRoot: "http://127.0.0.1:9" });
    expect(work!.config.name).toBeUndefined();
    expect(tokenOf(work!)).toBe("222:work");
    // Neither the root's token nor the environment's reaches a named account: one token, one poller.
    expect(spare).toMatchObject({ configured: false, tokenSource: "none", unconfiguredReason: "missing token" });
  });

  test("accounts.default layers over the root for the default account and under a named one", () => {
    const accounts = resolveAccounts(
      { botToken: "111:root", dmPolicy: "pairing", accounts: { default: { dmPolicy: "open", ackReaction: "✅" }, work: { botToken: "222:w" } } },
      {},
      "/s",
    );
    expect(accounts.map((a) => a.accountId)).toEqual(["default", "work"]);
    expect(accounts[0]!.config).toMatchObject({ dmPolicy: "open", ackReaction: "✅" });
    expect(tokenOf(accounts[0]!)).toBe("111:root");
    expect(accounts[1]!.config).toMatchObject({ dmPolicy: "open", ackReaction: "✅" });
  });

  test("with named accounts, default exists only when it has a token of its own", () => {
    expect(resolveAccounts({ accounts: { work: { botToken: "222:w" } } }, {}, "/s").map((a) => a.accountId)).toEqual(["work"]);
    expect(resolveAccounts({ accounts: { work: { botToken: "222:w" } } }, ENV, "/s").map((a) => a.accountId)).toEqual(["default", "work"]);
  });

  test("enabled:false on the root disables every account; on an account, only that one", () => {
    const off = resolveAccounts({ enabled: false, botToken: "111:r", accounts: { work: { botToken: "222:w" } } }, {}, "/s");
    expect(off.map((a) => a.enabled)).toEqual([false, false]);
    const one = resolveAccounts({ botToken: "111:r", accounts: { work: { botToken: "222:w", enabled: false } } }, {}, "/s");
    expect(one.map((a) => [a.accountId, a.enabled])).toEqual([
      ["default", true],
      ["work", false],
    ]);
  });

  test("a token from the environment is not enumerable (a snapshot of the account never carries it), yet a copy still resolves it", () => {
    const [a] = resolveAccounts({}, { TELEGRAM_BOT_TOKEN: "111:secret-value" }, "/s");
    expect(JSON.stringify(a)).not.toContain("secret-value");
    expect(Object.keys(a!)).not.toContain("token");
    expect(tokenOf(a!)).toBe("111:secret-value");
    // A spread copy loses the hidden property; the token is then resolved again from config + process env.
    const [b] = resolveAccounts({ botToken: "111:cfg" }, {}, "/s");
    expect(tokenOf({ ...b!, enabled: true })).toBe("111:cfg");
  });

  test("webhook keys belong to one account: defaults applied, accounts.default layers over the root, named accounts inherit none", () => {
    const [def, work, hooked] = resolveAccounts(
      {
        botToken: "111:root", webhookUrl: "https://a.example/tg", webhookSecret: "root_secret", webhookPort: 9000,
        accounts: {
          default: { webhookSecret: "default_secret", webhookCertPath: "~/cert.pem" },
          work: { botToken: "222:w" },
          zhooked: { botToken: "333:h", webhookUrl: "https://b.example/h", webhookSecret: "own", webhookHost: "0.0.0.0", webhookPath: "/h" },
        },
      },
      {},
      "/s",
    );
    expect(webhookOf(def!)).toEqual({
      url: "https://a.example/tg", secret: "default_secret", path: "/telegram-webhook", host: "127.0.0.1", port: 9000, certPath: join(homedir(), "cert.pem"),
    });
    // Inheriting them would point two bots at one port with one secret.
    expect(webhookOf(work!)).toBeUndefined();
    expect(Object.keys(work!.config).filter((k) => k.startsWith("webhook"))).toEqual([]);
    expect(webhookOf(hooked!)).toEqual({ url: "https://b.example/h", secret: "own", path: "/h", host: "0.0.0.0", port: 8787 });
  });
});
