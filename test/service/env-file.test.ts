// The secrets file: what we write, systemd's EnvironmentFile= and a POSIX shell all read the same.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyEnvFile, EnvFileError, formatEnvFile, parseEnvFile } from "../../src/service/env-file.ts";
import { tempDir } from "../fixtures/gateway.ts";

const NASTY = {
  PLAIN: "abc-DEF_123.xyz",
  SPACES: "a b  c",
  QUOTES: `say "hi" it's`,
  DOLLAR: "$HOME and ${PATH}",
  BACKTICK: "`id`",
  BACKSLASH: "C:\\path\\to",
  HASH: "#not-a-comment",
  EMPTY: "",
  UNICODE: "ключ 🔑",
};

describe("format/parse", () => {
  test("round trip of awkward values", () => {
    expect(parseEnvFile(formatEnvFile(NASTY))).toEqual(NASTY);
  });

  test("bare values stay bare, others are double-quoted with \\ \" $ ` escaped", () => {
    const text = formatEnvFile({ A: "x/y:z", B: 'a "b" $c `d` \\e' }, []);
    expect(text).toBe('A=x/y:z\nB="a \\"b\\" \\$c \\`d\\` \\\\e"\n');
  });

  test("comments, blank lines, single quotes, CRLF, later keys win", () => {
    expect(parseEnvFile("# c\n; c\n\nA=1\r\nB='x \"y\"'\nA=2\n  C = spaced  \n")).toEqual({ A: "2", B: 'x "y"', C: "spaced" });
  });

  test("malformed lines name the file and line", () => {
    expect(() => parseEnvFile("A=1\nnot a pair\n", "f.env")).toThrow(new EnvFileError("f.env:2: expected KEY=VALUE"));
    expect(() => parseEnvFile('A="open\n', "f.env")).toThrow("f.env:1: unterminated double-quoted value");
    expect(() => formatEnvFile({ A: "two\nlines" })).toThrow(EnvFileError);
  });

  test("a POSIX shell sourcing the file sees the same values", () => {
    const file = join(tempDir("envfile-"), "gateway.env");
    writeFileSync(file, formatEnvFile(NASTY));
    for (const [key, value] of Object.entries(NASTY)) {
      const r = Bun.spawnSync(["sh", "-c", `set -a; . "$1"; printf '%s' "$${key}"`, "sh", file], { env: { PATH: process.env.PATH! } });
      expect(r.stdout.toString()).toBe(value);
    }
  }, 60_000); // a shell process per value
});

describe("applyEnvFile (gateway run with OPENCLAW_ENV_FILE)", () => {
  test("values override the inherited environment, like EnvironmentFile= over Environment=", () => {
    const file = join(tempDir("envfile-"), "gateway.env");
    writeFileSync(file, formatEnvFile({ OPENCLAW_GATEWAY_TOKEN: "from-file", EXTRA: "x y" }));
    const env: Record<string, string | undefined> = { OPENCLAW_ENV_FILE: file, OPENCLAW_GATEWAY_TOKEN: "inherited" };
    expect(applyEnvFile(env)).toEqual({ path: file, keys: ["OPENCLAW_GATEWAY_TOKEN", "EXTRA"] });
    expect(env.OPENCLAW_GATEWAY_TOKEN).toBe("from-file");
    expect(env.EXTRA).toBe("x y");
  });

  test("unset: nothing; missing file: a warning; malformed file: throws", () => {
    expect(applyEnvFile({})).toEqual({ keys: [] });
    const missing = join(tempDir("envfile-"), "nope.env");
    expect(applyEnvFile({ OPENCLAW_ENV_FILE: missing }).warning).toBe(`OPENCLAW_ENV_FILE: ${missing} not found; continuing without it`);
    const bad = join(tempDir("envfile-"), "bad.env");
    writeFileSync(bad, "garbage\n");
    expect(() => applyEnvFile({ OPENCLAW_ENV_FILE: bad })).toThrow(`${bad}:1: expected KEY=VALUE`);
  });
});
