// The approvals CLI's rendering and parsing, without a gateway: pending entries, durations,
// escaping of terminal control characters, the document view, uploaded-document parsing.
import { describe, expect, test } from "bun:test";
import { parseDocumentText } from "../../../src/cli/approvals/document.ts";
import { documentLines, pendingEntry, pendingLines, shortDuration, visible } from "../../../src/cli/approvals/format.ts";
import { CliError } from "../../../src/cli/errors.ts";

describe("pending entries", () => {
  test("exec entries summarise the command; plugin ones their title and description; junk is skipped", () => {
    const base = { id: "a1", createdAtMs: 1, expiresAtMs: 2 };
    expect(pendingEntry({ ...base, request: { command: "ls", agentId: "main", sessionKey: "agent:main:main" } }, "exec")).toEqual({
      id: "a1", kind: "exec", agentId: "main", sessionKey: "agent:main:main", createdAtMs: 1, expiresAtMs: 2, summary: "ls",
    });
    expect(pendingEntry({ ...base, request: { title: "Install", description: "a plugin", agentId: null } }, "plugin")?.summary).toBe("Install: a plugin");
    expect(pendingEntry({ ...base, request: {} }, "plugin")?.summary).toBe("(no summary)");
    expect(pendingEntry({ id: "", createdAtMs: 1, expiresAtMs: 2, request: {} }, "exec")).toBeNull();
    expect(pendingEntry({ id: "x", createdAtMs: Number.NaN, expiresAtMs: 2, request: {} }, "exec")).toBeNull();
  });

  test("the table shortens long commands and lists them in full below", () => {
    const long = `echo ${"x".repeat(200)}`;
    const lines = pendingLines([{ id: "a1", kind: "exec", agentId: null, sessionKey: null, createdAtMs: 0, expiresAtMs: 120_000, summary: long }], 60_000);
    expect(lines[0]).toBe("Pending approvals (1)");
    expect(lines[2]).toMatch(/^a1\s+exec\s+-\s+1m ago\s+1m\s+echo x+\.\.\.$/);
    expect(lines[2]!.length).toBeLessThan(160);
    expect(lines).toContain(`a1: ${long}`);
    expect(pendingLines([], 0)).toEqual(["No pending approvals."]);
  });

  test("durations and escaping", () => {
    expect([0, 45_000, 90_000, 3_600_000 * 5, 3_600_000 * 72].map(shortDuration)).toEqual(["0s", "45s", "2m", "5h", "3d"]);
    expect(visible("rm -rf /\u001b[2J\u202Eevil")).toBe("rm -rf /\\u{1B}[2J\\u{202E}evil");
  });
});

describe("the document", () => {
  test("defaults, per-agent policy and allowlist rows", () => {
    const lines = documentLines({
      path: "/s/exec-approvals.sqlite", exists: true, hash: "h".repeat(64),
      file: { version: 1, agents: { main: { security: "allowlist", allowlist: [{ pattern: "rg" }, { pattern: "/usr/bin/git", argPattern: "^status$", source: "allow-always", lastUsedAt: 0 }] } } },
      resolvedDefaults: { security: "full", ask: "off", askFallback: "deny", autoAllowSkills: false },
    });
    expect(lines.slice(0, 3)).toEqual([
      "Exec approvals (gateway): /s/exec-approvals.sqlite", `Hash: ${"h".repeat(64)}`, "Defaults: security=full ask=off askFallback=deny autoAllowSkills=false",
    ]);
    expect(lines.some((l) => /^main\s+allowlist\s+-\s+-\s+-$/.test(l))).toBe(true);
    expect(lines.some((l) => /^main\s+rg\s+\(any\)\s+-\s+-$/.test(l))).toBe(true);
    expect(lines.some((l) => /^main\s+\/usr\/bin\/git\s+\^status\$\s+allow-always\s+1970-01-01T00:00:00.000Z$/.test(l))).toBe(true);
  });

  test("uploads are JSON5 objects; version is set to 1", () => {
    expect(parseDocumentText("// c\n{ defaults: { ask: 'always', }, }", "f")).toEqual({ version: 1, defaults: { ask: "always" } });
    expect(() => parseDocumentText("[1]", "f")).toThrow(new CliError("f: the exec approvals document must be a JSON object"));
    expect(() => parseDocumentText("{\n  a: ,\n}", "f")).toThrow(/^f: not valid JSON5 at line 2, column/);
  });
});
