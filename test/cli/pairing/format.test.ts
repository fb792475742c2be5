// What `openclaw pairing list|approve` print.
import { expect, test } from "bun:test";
import { approveLines, listLines, notificationLine, senderName } from "../../../src/cli/pairing/format.ts";

const NOW = Date.parse("2026-09-06T12:00:00Z");

test("list: a table of codes with who asked and when, then how to approve", () => {
  const lines = listLines({
    accounts: [{ channel: "telegram", accountId: "default" }],
    requests: [
      { requestId: "r1", code: "4ZS7YSCJ", channel: "telegram", accountId: "default", senderId: "424242", metadata: { username: "tess", firstName: "Tess" }, createdAt: "2026-09-06T11:55:00Z" },
      { requestId: "r2", code: "QQ2PX9AB", channel: "telegram", accountId: "work", senderId: "5151", metadata: null, createdAt: "2026-09-06T11:59:50Z" },
    ],
  }, NOW);
  expect(lines).toEqual([
    "Code      Channel   Account  Sender  Name          Asked",
    "4ZS7YSCJ  telegram  default  424242  Tess (@tess)  5m ago",
    "QQ2PX9AB  telegram  work     5151    -             just now",
    "",
    "Approve with: openclaw pairing approve telegram 4ZS7YSCJ (one code at a time)",
  ]);
  expect(listLines({ accounts: [], requests: [] }, NOW)).toEqual(["No pending pairing requests."]);
});

test("sender names from whatever the channel knew", () => {
  expect(senderName({ firstName: "Tess", lastName: "Ng" })).toBe("Tess Ng");
  expect(senderName({ username: "tess" })).toBe("@tess");
  expect(senderName(undefined)).toBe("-");
});

test("approve: the published first line, then the notification outcome when one was asked for", () => {
  expect(approveLines("telegram", { requestId: "r", senderId: "424242", notification: "not-requested" })).toEqual(["Approved telegram sender 424242."]);
  expect(approveLines("telegram", { requestId: "r", senderId: "424242", notification: "sent" })).toEqual([
    "Approved telegram sender 424242.", "Notified telegram:424242 that access was approved.",
  ]);
  expect(notificationLine("telegram", "1", "failed")).toContain("Could not notify");
});
