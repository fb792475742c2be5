// The human views of `nodes status|list|pending|describe` against a pinned clock, and the small
// renderers they are built from (ages, sizes, host stats, filters).
import { describe, expect, test } from "bun:test";
import { UsageError } from "../../../src/cli/errors.ts";
import { matchesFilter, parseDuration } from "../../../src/cli/nodes/filters.ts";
import { describeLines, listLines, mergePaired, pendingLines, statusLabel, statusLines } from "../../../src/cli/nodes/format.ts";
import { bytes, connectionReminder, hostStatsSummary, shortPath, table, timeAgo, versionLabel } from "../../../src/cli/nodes/text.ts";
import type { NodeEntry, PendingNode } from "../../../src/cli/nodes/types.ts";

const NOW = 1_800_000_000_000;
const ID = "9eb1fecd".padEnd(64, "0");
const stats = {
  cpuCount: 2, loadAverage: [2.73, 1.16, 0.44], memoryTotalBytes: 25_276_166_144, memoryFreeBytes: 24_219_508_736,
  diskTotalBytes: 270_553_174_016, diskAvailableBytes: 77_540_274_176, updatedAtMs: NOW - 90_000,
};

const pendingNode: NodeEntry = {
  nodeId: ID, displayName: "Test Node", platform: "linux", version: "2026.9.6", clientId: "node-host", clientMode: "node",
  deviceFamily: "Linux", caps: [], commands: [], approvalState: "pending-approval", pendingRequestId: "req-1",
  pendingDeclaredCaps: ["system", "browser"], pendingDeclaredCommands: ["system.which", "fs.listDir"],
  connectedAtMs: NOW - 120_000, lastConnectedAtMs: NOW - 120_000, paired: true, connected: true,
};

describe("renderers", () => {
  test("ages round like the published CLI's", () => {
    expect(timeAgo(NOW - 29_000, NOW)).toBe("just now");
    expect(timeAgo(NOW - 31_000, NOW)).toBe("1m ago");
    expect(timeAgo(NOW - 59 * 60_000, NOW)).toBe("59m ago");
    expect(timeAgo(NOW - 47 * 3_600_000, NOW)).toBe("47h ago");
    expect(timeAgo(NOW - 27 * 86_400_000, NOW)).toBe("27d ago");
    expect(timeAgo(undefined, NOW)).toBe("unknown");
    expect(timeAgo(NOW + 5_000, NOW)).toBe("just now");
  });

  test("sizes are binary with one decimal only below 10", () => {
    expect(bytes(512)).toBe("512 B");
    expect(bytes(1_056_657_408)).toBe("1008 MB");
    expect(bytes(1.5 * 1024 ** 4)).toBe("1.5 TB");
    expect(bytes(25_276_166_144)).toBe("24 GB");
  });

  test("host stats: load, memory used/total (one unit when shared), free disk; aged when offline", () => {
    expect(hostStatsSummary(stats, true, NOW)).toBe("load 2.7/2 · mem 1008 MB/24 GB · disk 72 GB free");
    const sameUnit = { ...stats, memoryFreeBytes: 10 * 1024 ** 3 };
    expect(hostStatsSummary(sameUnit, true, NOW)).toBe("load 2.7/2 · mem 14/24 GB · disk 72 GB free");
    const windows = { ...stats, loadAverage: undefined, diskAvailableBytes: undefined };
    expect(hostStatsSummary(windows, false, NOW)).toBe("mem 1008 MB/24 GB (last known 2m ago)");
    expect(hostStatsSummary(undefined, true, NOW)).toBeUndefined();
  });

  test("versions, PATH and the connection reminder", () => {
    expect(versionLabel("2026.9.6", "linux")).toBe("core v2026.9.6");
    expect(versionLabel("beta", "ios")).toBe("ui beta");
    expect(versionLabel(" ", "linux")).toBeUndefined();
    expect(shortPath("/a:/b:/c:/d", "linux")).toBe("/a:/b:…:/d");
    expect(shortPath("/a:/b", "linux")).toBe("/a:/b");
    expect(connectionReminder({ url: "ws://x", token: "t" })).toBe("Reuse the same connection options when rerunning: --url, --token.");
    expect(connectionReminder({ password: "p" })).toBe("Reuse the same connection option when rerunning: --password.");
    expect(connectionReminder({})).toBeUndefined();
  });

  test("tables align columns and trim trailing space", () => {
    expect(table(["A", "Bee"], [["long", ""], ["x", "y"]])).toEqual(["A     Bee", "long", "x     y"]);
  });
});

describe("nodes status", () => {
  test("counts, a row per node, and the approve hint with the flags to reuse", () => {
    const offline: NodeEntry = { nodeId: "f".repeat(64), displayName: "Old", caps: ["system"], approvalState: "approved", paired: true, connected: false, hostStats: stats };
    const lines = statusLines([pendingNode, offline], { now: NOW, flags: { url: "ws://h", token: "t" } });
    expect(lines[0]).toBe("Known: 2 · Paired: 2 · Connected: 1");
    expect(lines[1]).toMatch(/^Node\s+ID\s+IP\s+Detail\s+Status\s+Caps$/);
    expect(lines[2]).toContain("client: node-host/node · device: Linux · core v2026.9.6");
    expect(lines[2]).toContain("paired · connected (2m ago) · approval pending");
    expect(lines[3]).toContain("paired · disconnected · approved");
    expect(lines[3]).toContain("(last known 2m ago)");
    expect(lines[3]).toMatch(/system$/);
    expect(lines.slice(4)).toEqual([
      "Approval pending for Test Node. Run openclaw nodes approve req-1",
      "Reuse the same connection options when rerunning: --url, --token.",
    ]);
  });

  test("a filtered view says of how many; an empty one prints only the counts", () => {
    expect(statusLines([], { now: NOW, total: 3 })).toEqual(["Known: 0 (of 3) · Paired: 0 · Connected: 0"]);
  });

  test("reapproval and unapproved states", () => {
    expect(statusLabel({ ...pendingNode, approvalState: "pending-reapproval", connected: false }, NOW)).toBe("paired · disconnected · reapproval pending");
    expect(statusLabel({ nodeId: "x", approvalState: "unapproved" }, NOW)).toBe("unpaired · disconnected · unapproved");
    const lines = statusLines([{ ...pendingNode, approvalState: "pending-reapproval" }], { now: NOW });
    expect(lines.at(-1)).toBe("Reapproval pending for Test Node. Run openclaw nodes approve req-1");
  });
});

describe("nodes list / pending", () => {
  const request: PendingNode = { requestId: "req-1", nodeId: ID, displayName: "Test Node", ts: NOW - 5 * 60_000 };

  test("pending: a table, or a sentence when there is none", () => {
    expect(pendingLines([], NOW)).toEqual(["No pending pairing requests."]);
    const lines = pendingLines([request, { requestId: "req-2", nodeId: "abc", remoteIp: "10.1.1.1" }], NOW);
    expect(lines[0]).toBe("Pending");
    expect(lines[1]).toMatch(/^Request\s+Node\s+IP\s+Requested$/);
    expect(lines[2]).toMatch(/^req-1\s+Test Node\s+5m ago$/);
    expect(lines[3]).toMatch(/^req-2\s+abc\s+10\.1\.1\.1\s+unknown$/);
  });

  test("paired rows merge the stored approval with the live entry, and keep approvals node.list lacks", () => {
    const rows = mergePaired(
      [{ nodeId: ID, displayName: "stored", createdAtMs: 1 }, { nodeId: "gone", displayName: "Gone", createdAtMs: 2 }],
      [pendingNode, { nodeId: "stranger", paired: false }],
    );
    expect(rows.map((r) => r.nodeId)).toEqual([ID, "gone"]);
    expect(rows[0]).toMatchObject({ displayName: "Test Node", createdAtMs: 1, connected: true });
    const lines = listLines([request], rows, { now: NOW });
    expect(lines[0]).toBe("Pending: 1 · Paired: 2");
    expect(lines).toContain("Paired");
    expect(lines.find((l) => l.startsWith("Test Node"))).toMatch(/2m ago$/);
    expect(lines.find((l) => l.startsWith("Gone"))).toMatch(/unknown$/);
  });
});

describe("nodes describe", () => {
  test("fields, the approve hint, effective and pending commands", () => {
    const lines = describeLines(pendingNode, { now: NOW, flags: { token: "t" } });
    expect(lines[0]).toBe("Node");
    const field = (name: string) => lines.find((l) => l.startsWith(`${name}  `))?.slice(name.length).trim();
    expect(field("ID")).toBe(ID);
    expect(field("Status")).toBe("paired · connected");
    expect(field("Approval")).toBe("approval pending");
    expect(field("Pending caps")).toBe("browser, system");
    expect(field("Approve")).toBe("openclaw nodes approve req-1");
    expect(field("Connection reminder")).toBe("Reuse the same connection option when rerunning: --token.");
    expect(lines).toContain("Caps");
    expect(lines.slice(lines.indexOf("Commands"))).toEqual(["Commands", "- (none effective)", "", "Pending commands", "- fs.listDir", "- system.which"]);
  });

  test("an approved node: no pending section, commands sorted", () => {
    const lines = describeLines({ ...pendingNode, approvalState: "approved", pendingRequestId: undefined, pendingDeclaredCommands: undefined, commands: ["system.which", "fs.listDir"] }, { now: NOW });
    expect(lines.some((l) => l.startsWith("Approve"))).toBe(false);
    expect(lines.slice(lines.indexOf("Commands"))).toEqual(["Commands", "- fs.listDir", "- system.which"]);
  });
});

describe("--connected / --last-connected", () => {
  test("durations", () => {
    expect(parseDuration("24h", "last-connected")).toBe(86_400_000);
    expect(parseDuration("1h30m", "last-connected")).toBe(5_400_000);
    expect(parseDuration("250", "last-connected")).toBe(250);
    expect(parseDuration("7D", "last-connected")).toBe(604_800_000);
    for (const bad of ["", "h", "5x", "1h 30m", "-5m"]) expect(() => parseDuration(bad, "last-connected")).toThrow(UsageError);
  });

  test("filters", () => {
    const recent = { connected: false, lastConnectedAtMs: NOW - 60_000 };
    expect(matchesFilter(recent, { connectedOnly: true }, NOW)).toBe(false);
    expect(matchesFilter(recent, { connectedOnly: false, withinMs: 120_000 }, NOW)).toBe(true);
    expect(matchesFilter(recent, { connectedOnly: false, withinMs: 30_000 }, NOW)).toBe(false);
    expect(matchesFilter({ connected: true }, { connectedOnly: false, withinMs: 30_000 }, NOW)).toBe(false);
  });
});
