// The lines of `channels status` against a pinned clock: each snapshot field in its place, probe
// words only with a probe, the warnings block, and the config-only summary.
import { describe, expect, test } from "bun:test";
import { accountLine, configAccountLine, configOnlyLines, statusLines } from "../../../src/cli/channels/format.ts";
import { statusParams, channelFlag } from "../../../src/cli/channels/status.ts";
import { accountFlag, startLine } from "../../../src/cli/channels/lifecycle.ts";
import { UsageError } from "../../../src/cli/errors.ts";

const NOW = 1_800_000_000_000;
const ready = {
  accountId: "default", enabled: true, configured: true, running: true, connected: true, lifecycle: "ready", lastError: null,
  lastTransportActivityAt: NOW - 5_000, mode: "polling", tokenSource: "config",
};

describe("accountLine", () => {
  test("a running account, as the published CLI prints it (spec §5)", () => {
    expect(accountLine("Telegram", ready, NOW)).toBe("- Telegram default: enabled, configured, running, connected, transport:just now, mode:polling, token:***");
  });

  test("with a probe: the bot's name and works", () => {
    const s = { ...ready, probe: { ok: true, bot: { username: "double_bot" }, elapsedMs: 5 } };
    expect(accountLine("Telegram", s, NOW)).toBe("- Telegram default: enabled, configured, running, connected, transport:just now, mode:polling, bot:@double_bot, token:***, works");
  });

  test("the bot's name the account already reports shows without a probe too (as the published CLI renders it)", () => {
    expect(accountLine("Telegram", { ...ready, bot: { id: 7, username: "double_bot" } }, NOW)).toBe("- Telegram default: enabled, configured, running, connected, transport:just now, mode:polling, bot:@double_bot, token:***");
    expect(accountLine("Telegram", { ...ready, botUsername: "b2" }, NOW)).toContain("bot:@b2, token:***");
  });

  test("a failed account: error, stopped, activity ages, health, probe failed", () => {
    const s = {
      ...ready, running: false, connected: false, lastError: "logged out", lastInboundAt: NOW - 120_000, lastOutboundAt: NOW - 60_000,
      healthState: "not-running", probe: { ok: false, status: 401, error: "Unauthorized", elapsedMs: 3 },
    };
    expect(accountLine("Telegram", s, NOW)).toBe(
      "- Telegram default: enabled, configured, error:logged out, stopped, disconnected, in:2m ago, out:1m ago, transport:just now, mode:polling, token:***, health:not-running, probe failed",
    );
  });

  test("disabled, unconfigured, WhatsApp's link state; a missing token is named, never a present one", () => {
    expect(accountLine("Telegram", { accountId: "work", enabled: false, configured: false, tokenSource: "none" }, NOW)).toBe("- Telegram work: disabled, not configured, stopped, disconnected, token:missing");
    expect(accountLine("WhatsApp", { accountId: "default", enabled: true, configured: true, linked: true, running: true, connected: false }, NOW)).toBe("- WhatsApp default: enabled, configured, linked, running, disconnected");
  });
});

describe("statusLines", () => {
  test("accounts in channel order, then issues with their fix, probe warnings, and the doctor hint", () => {
    const lines = statusLines({
      channelOrder: ["telegram", "whatsapp"], channelLabels: { telegram: "Telegram", whatsapp: "WhatsApp" },
      channelAccounts: { telegram: [ready], whatsapp: [{ accountId: "default", enabled: true, configured: false, linked: false }] },
      statusIssues: [{ channel: "whatsapp", accountId: "default", kind: "config", message: "Not configured: not linked.", fix: "run openclaw channels login --channel whatsapp" }],
      warnings: ["telegram:default probe timed out after 30000ms"],
    }, NOW);
    expect(lines).toEqual([
      "- Telegram default: enabled, configured, running, connected, transport:just now, mode:polling, token:***",
      "- WhatsApp default: enabled, not configured, not linked, stopped, disconnected",
      "Warnings:",
      "- whatsapp default: Not configured: not linked. (run openclaw channels login --channel whatsapp)",
      "- telegram:default probe timed out after 30000ms",
      "- Run: openclaw doctor",
    ]);
  });

  test("no channel at all says so; no issues means no Warnings block", () => {
    expect(statusLines({ channelOrder: [], statusIssues: [] }, NOW)).toEqual(["No chat channels configured (add channels.telegram or channels.whatsapp to the config)."]);
    expect(statusLines({ channelOrder: ["telegram"], channelAccounts: { telegram: [ready] }, statusIssues: [] }, NOW)).toHaveLength(1);
  });
});

describe("config-only", () => {
  test("the published summary lines", () => {
    expect(configOnlyLines({
      configPath: "/h/.openclaw/openclaw.json", mode: "local",
      channels: [{ label: "Telegram", accounts: [{ accountId: "default", enabled: true, configured: true, mode: "polling", tokenSource: "env" }] }],
    })).toEqual([
      "Gateway not reachable; showing config-only status.",
      "Config: /h/.openclaw/openclaw.json",
      "Mode: local",
      "",
      "- Telegram default: enabled, configured, mode:polling, token:***",
    ]);
    expect(configAccountLine("WhatsApp", { accountId: "spare", enabled: true, configured: false, linked: false })).toBe("- WhatsApp spare: enabled, not configured, not linked");
    expect(configOnlyLines({ configPath: "/x", mode: undefined, channels: [] }).slice(2)).toEqual(["Mode: unset", "", "No chat channels configured."]);
  });
});

describe("flags and params", () => {
  test("channels.status params: the whole --timeout as the budget, probe or not (as the published CLI sends; the gateway clamps it)", () => {
    expect(statusParams(true, 60_000, undefined)).toEqual({ probe: true, timeoutMs: 60_000 });
    expect(statusParams(false, 60_000, "telegram")).toEqual({ probe: false, timeoutMs: 60_000, channel: "telegram" });
  });

  test("--channel and --account: trimmed; blank refused instead of meaning the default", () => {
    expect(channelFlag(" Telegram ")).toBe("telegram");
    expect(channelFlag(undefined)).toBeUndefined();
    expect(() => channelFlag("  ")).toThrow(UsageError);
    expect(accountFlag(" work ")).toBe("work");
    expect(() => accountFlag("")).toThrow(UsageError);
  });

  test("start's one-liner names the outcome", () => {
    expect(startLine({ channel: "telegram", accountId: "default", started: true, outcome: { status: "handed-off" } })).toBe("Started telegram default (handed-off).");
    expect(startLine({ channel: "telegram", accountId: "work", started: false, outcome: { status: "skipped", reason: "unconfigured" } })).toBe("Did not start telegram work (skipped: unconfigured).");
  });
});
