import { describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { LEVEL_IDS, parseLogLevel } from "../../src/logging/levels.ts";
import {
  decodeProfileName,
  defaultLogFile,
  encodeProfileName,
  logFileName,
  resolveLogDir,
} from "../../src/logging/paths.ts";
import { tempDir } from "./helpers.ts";

describe("levels", () => {
  test("ids follow tslog numbering", () => {
    expect(LEVEL_IDS).toEqual({ trace: 1, debug: 2, info: 3, warn: 4, error: 5, fatal: 6 });
  });

  test("parseLogLevel accepts known names case-insensitively and rejects the rest", () => {
    expect(parseLogLevel("debug")).toBe("debug");
    expect(parseLogLevel(" WARN ")).toBe("warn");
    expect(parseLogLevel("silent")).toBe("silent");
    expect(parseLogLevel("verbose")).toBeUndefined();
    expect(parseLogLevel("")).toBeUndefined();
    expect(parseLogLevel(undefined)).toBeUndefined();
    expect(parseLogLevel("toString")).toBeUndefined();
  });
});

describe("profile escaping", () => {
  test("plain lowercase names are kept", () => {
    expect(encodeProfileName("dev")).toBe("dev");
    expect(encodeProfileName("my-work2")).toBe("my-work2");
  });

  test("matches the observed Work_1 example", () => {
    expect(encodeProfileName("Work_1")).toBe("-1work-01");
  });

  test("round-trips awkward names", () => {
    for (const name of ["Work_1", "work-1", "a--b", "A-B_c", "x/y z", "naïve", "dev", "emoji🙂", "-", "-1x"]) {
      const enc = encodeProfileName(name);
      expect(enc).toMatch(/^[a-z0-9-]+$/);
      expect(decodeProfileName(enc)).toBe(name);
    }
  });

  test("escaped forms never collide", () => {
    const names = ["Work_1", "-1work-01", "work-1", "work--1", "a_b", "a-0b", "A", "-1a"];
    const encoded = new Set(names.map(encodeProfileName));
    expect(encoded.size).toBe(names.length);
  });
});

describe("defaultLogFile", () => {
  const now = new Date(2026, 10, 21, 23, 59, 0);

  test("uses the local date and profile", () => {
    expect(logFileName(null, now)).toBe("openclaw-2026-11-21.log");
    expect(defaultLogFile({ profile: null, now, dir: "/x" })).toBe("/x/openclaw-2026-11-21.log");
    expect(defaultLogFile({ profile: "dev", now, dir: "/x" })).toBe("/x/openclaw-dev-2026-11-21.log");
    expect(defaultLogFile({ profile: "Work_1", now, dir: "/x" })).toBe("/x/openclaw--1work-01-2026-11-21.log");
  });

  test("creates a private preferred directory when it is safe", () => {
    const root = join(tempDir(), "openclaw");
    const file = defaultLogFile({ profile: null, now, root, tmpdir: tempDir() });
    expect(file).toBe(join(root, "openclaw-2026-11-21.log"));
    expect(statSync(root).mode & 0o777).toBe(0o700);
  });

  test("falls back to tmpdir/openclaw-<uid> when the preferred dir is not ours", () => {
    const root = join(tempDir(), "openclaw");
    const tmp = tempDir();
    const uid = (process.getuid?.() ?? 0) + 4242;
    const dir = resolveLogDir({ root, tmpdir: tmp, uid });
    expect(dir).toBe(join(tmp, `openclaw-${uid}`));
    expect(existsSync(dir)).toBe(true);
  });

  test("falls back when the preferred path is a file", async () => {
    const base = tempDir();
    const root = join(base, "openclaw");
    await Bun.write(root, "not a dir");
    const dir = resolveLogDir({ root, tmpdir: base });
    expect(dir).toBe(join(base, `openclaw-${process.getuid?.() ?? "user"}`));
  });
});
