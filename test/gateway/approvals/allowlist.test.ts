// Allowlist matching (spec §4.1): bare names cover commands run through PATH, path globs cover the
// resolved binary, argPattern narrows to arguments; and the entry allow-always leaves behind.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allowAlwaysEntry, entryMatches, findMatch, globToRegExp, resolveExecutable } from "../../../src/gateway/approvals/allowlist.ts";
import type { AllowlistEntry } from "../../../src/gateway/approvals/document.ts";

const HOME = "/home/op";
const match = (entry: AllowlistEntry, argv: string[], resolvedPath: string | null) => entryMatches(entry, { argv, resolvedPath, home: HOME });

describe("globToRegExp", () => {
  test("* and ? stay in a segment, ** crosses them, the rest is literal", () => {
    expect(globToRegExp("/usr/bin/*").test("/usr/bin/rg")).toBe(true);
    expect(globToRegExp("/usr/bin/*").test("/usr/bin/x/rg")).toBe(false);
    expect(globToRegExp("/opt/**/bin/rg").test("/opt/a/b/bin/rg")).toBe(true);
    expect(globToRegExp("/opt/**/bin/rg").test("/opt/bin/rg")).toBe(true);
    expect(globToRegExp("r?").test("rg")).toBe(true);
    expect(globToRegExp("r?").test("r/")).toBe(false);
    expect(globToRegExp("a.b+c").test("a.b+c")).toBe(true);
    expect(globToRegExp("a.b+c").test("axbbc")).toBe(false);
    expect(globToRegExp("(x)[y]").test("(x)[y]")).toBe(true);
  });
});

describe("bare command names", () => {
  const rg: AllowlistEntry = { pattern: "rg" };

  test("cover the command invoked through PATH, whatever directory it resolves to", () => {
    expect(match(rg, ["rg", "-n", "x"], "/opt/homebrew/bin/rg")).toBe(true);
    expect(match(rg, ["rg"], "/usr/bin/rg")).toBe(true);
    expect(match({ pattern: "r*" }, ["rg"], "/usr/bin/rg")).toBe(true);
  });

  test("never a path the caller typed, and never another name", () => {
    expect(match(rg, ["./rg"], "/work/rg")).toBe(false);
    expect(match(rg, ["/tmp/rg"], "/tmp/rg")).toBe(false);
    expect(match(rg, ["grep", "x"], "/usr/bin/grep")).toBe(false);
  });

  test("a name that does not resolve matches nothing", () => {
    expect(match({ pattern: "surely-not-a-command-xyz" }, ["surely-not-a-command-xyz"], null)).toBe(false);
  });

  test("resolves on PATH when the caller did not", () => {
    const ls = resolveExecutable("ls");
    expect(ls).toMatch(/\/ls$/);
    expect(match({ pattern: "ls" }, ["ls", "-la"], null)).toBe(true);
  });
});

describe("path globs", () => {
  test("match the resolved binary, ~ is the home directory", () => {
    expect(match({ pattern: "/usr/bin/*" }, ["rg"], "/usr/bin/rg")).toBe(true);
    expect(match({ pattern: "/usr/bin/*" }, ["rg"], "/usr/local/bin/rg")).toBe(false);
    expect(match({ pattern: "~/bin/**" }, ["tool"], "/home/op/bin/sub/tool")).toBe(true);
    expect(match({ pattern: "~/bin/**" }, ["tool"], "/home/other/bin/tool")).toBe(false);
    expect(match({ pattern: "/work/rg" }, ["./rg"], "/work/rg")).toBe(true);
  });

  test("also match where a symlinked binary really lives", () => {
    const dir = mkdtempSync(join(tmpdir(), "allow-"));
    writeFileSync(join(dir, "real-tool"), "#!/bin/sh\n");
    symlinkSync(join(dir, "real-tool"), join(dir, "link-tool"));
    expect(match({ pattern: `${dir}/real-*` }, ["link-tool"], join(dir, "link-tool"))).toBe(true);
    expect(match({ pattern: `${dir}/link-*` }, ["link-tool"], join(dir, "link-tool"))).toBe(true);
    expect(match({ pattern: `${dir}/other` }, ["link-tool"], join(dir, "link-tool"))).toBe(false);
  });
});

describe("argPattern", () => {
  test("is a regular expression over the arguments joined by spaces", () => {
    const e: AllowlistEntry = { pattern: "python3", argPattern: "^safe\\.py$" };
    expect(match(e, ["python3", "safe.py"], "/usr/bin/python3")).toBe(true);
    expect(match(e, ["python3", "other.py"], "/usr/bin/python3")).toBe(false);
    expect(match(e, ["python3", "safe.py", "--x"], "/usr/bin/python3")).toBe(false);
    expect(match({ pattern: "git", argPattern: "^status( |$)" }, ["git", "status", "-s"], "/usr/bin/git")).toBe(true);
  });

  test("one that does not compile covers nothing instead of throwing", () => {
    expect(match({ pattern: "ls", argPattern: "(" }, ["ls"], "/usr/bin/ls")).toBe(false);
  });

  test("a path-only entry still covers what an argPattern entry for the same binary misses", () => {
    const entries: AllowlistEntry[] = [{ pattern: "python3", argPattern: "^safe\\.py$" }, { pattern: "/usr/bin/python3" }];
    expect(findMatch(entries, { argv: ["python3", "other.py"], resolvedPath: "/usr/bin/python3", home: HOME })).toBe(entries[1]);
    expect(findMatch(entries.slice(0, 1), { argv: ["python3", "other.py"], resolvedPath: "/usr/bin/python3", home: HOME })).toBeUndefined();
  });
});

describe("allowAlwaysEntry", () => {
  test("binds the resolved binary and exactly these arguments (regex characters escaped)", () => {
    const e = allowAlwaysEntry(["grep", "-E", "a.b|c", "file (1).txt"], "/usr/bin/grep", "grep -E 'a.b|c' 'file (1).txt'", 1000, "id-1");
    expect(e).toEqual({
      id: "id-1", pattern: "/usr/bin/grep", argPattern: "^-E a\\.b\\|c file \\(1\\)\\.txt$", source: "allow-always",
      lastUsedAt: 1000, lastUsedCommand: "grep -E 'a.b|c' 'file (1).txt'", lastResolvedPath: "/usr/bin/grep",
    });
    expect(match(e, ["grep", "-E", "a.b|c", "file (1).txt"], "/usr/bin/grep")).toBe(true);
    expect(match(e, ["grep", "-E", "axb|c", "file (1).txt"], "/usr/bin/grep")).toBe(false);
    expect(match(e, ["grep", "-E", "a.b|c"], "/usr/bin/grep")).toBe(false);
  });

  test("without a resolved path the name is the pattern; no arguments means none allowed", () => {
    const e = allowAlwaysEntry(["uptime"], null, "uptime", 1, "id-2");
    expect(e).toMatchObject({ pattern: "uptime", argPattern: "^$" });
    expect(e.lastResolvedPath).toBeUndefined();
    expect(match(e, ["uptime"], "/usr/bin/uptime")).toBe(true);
    expect(match(e, ["uptime", "-p"], "/usr/bin/uptime")).toBe(false);
  });
});
