// The Control UI's request parsing: which Accept headers get the app shell, which encoding is
// sent, how basePath is normalised and validated.
import { describe, expect, test } from "bun:test";
import { ConfigSchema } from "../../../src/config/schema.ts";
import { acceptsHtml, pickEncoding } from "../../../src/http/control-ui/headers.ts";
import { normalizeBasePath } from "../../../src/http/control-ui/routes.ts";

describe("acceptsHtml", () => {
  const cases: Array<[string | undefined, boolean]> = [
    [undefined, true],
    ["", true],
    ["text/html", true],
    ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true],
    ["*/*", true],
    ["text/*", true],
    ["application/json", false],
    ["application/json, text/plain", false],
    ["text/html;q=0, */*", false],
    ["text/html; q=0.5", true],
    ["*/*;q=0", false],
  ];
  for (const [accept, expected] of cases) test(`${JSON.stringify(accept)} → ${expected}`, () => expect(acceptsHtml(accept)).toBe(expected));
});

describe("pickEncoding", () => {
  const both = { br: true, gzip: true };
  test("brotli first, then gzip, else identity", () => {
    expect(pickEncoding("gzip, deflate, br", both)).toBe("br");
    expect(pickEncoding("gzip", both)).toBe("gzip");
    expect(pickEncoding("br;q=0, gzip", both)).toBe("gzip");
    expect(pickEncoding("identity", both)).toBeUndefined();
    expect(pickEncoding(undefined, both)).toBeUndefined();
    expect(pickEncoding("*", both)).toBe("br");
    expect(pickEncoding("*, br;q=0", both)).toBe("gzip");
  });
  test("only what the file has", () => {
    expect(pickEncoding("br, gzip", { br: false, gzip: true })).toBe("gzip");
    expect(pickEncoding("br", { br: false, gzip: true })).toBeUndefined();
  });
});

describe("basePath", () => {
  test("normalised to '' or '/a/b' without a trailing slash", () => {
    expect(normalizeBasePath(undefined)).toBe("");
    expect(normalizeBasePath("")).toBe("");
    expect(normalizeBasePath("/")).toBe("");
    expect(normalizeBasePath("/openclaw/")).toBe("/openclaw");
    expect(normalizeBasePath("/a/b")).toBe("/a/b");
  });
  test("the config accepts paths and refuses anything that could escape or inject", () => {
    const parse = (basePath: string) => ConfigSchema.safeParse({ gateway: { controlUi: { basePath } } }).success;
    for (const ok of ["", "/", "/openclaw", "/openclaw/", "/a/b-c_d~e.f"]) expect(parse(ok)).toBe(true);
    for (const bad of ["openclaw", "/../x", "/a/..", "/a b", '/a"b', "/a?b", "/a#b", "//evil.example", "/a//b"]) expect(parse(bad)).toBe(false);
  });
});
