// Key paths in the Config view's editor text: JSON and JSON5 (comments, bare and single-quoted
// keys, trailing commas), list positions, text that does not parse, and what an issue selects.
import { describe, expect, test } from "bun:test";
import { lineAt, locatePath, offsetOf, pathAt, scanPaths } from "../../src/ui/app/views/config-text.ts";

const JSON5_TEXT = `// my gateway
{
  gateway: {
    mode: "local", /* inline */ port: 18789,
    'auth': { token: "\${GW_TOKEN}" },
  },
  agents: { list: [ { id: "main", model: "stub/echo" }, { id: "b\\"x" }, ], },
  "logging": { level: "info" }, // trailing
}
`;

describe("scanPaths", () => {
  test("every key and list item of a JSON5 document, comments and quotes skipped", () => {
    expect(scanPaths(JSON5_TEXT).map((s) => s.path)).toEqual([
      "gateway", "gateway.mode", "gateway.port", "gateway.auth", "gateway.auth.token",
      "agents", "agents.list", "agents.list.0", "agents.list.0.id", "agents.list.0.model", "agents.list.1", "agents.list.1.id",
      "logging", "logging.level",
    ]);
  });

  test("spans run from the key to the end of the value", () => {
    const port = scanPaths(JSON5_TEXT).find((s) => s.path === "gateway.port")!;
    expect(JSON5_TEXT.slice(port.start, port.end)).toBe("port: 18789");
    const auth = scanPaths(JSON5_TEXT).find((s) => s.path === "gateway.auth")!;
    expect(JSON5_TEXT.slice(auth.start, auth.end)).toBe(`'auth': { token: "\${GW_TOKEN}" }`);
  });

  test("plain JSON as config.get returns it", () => {
    const text = JSON.stringify({ a: { b: [1, { c: true }] }, d: null }, null, 2);
    expect(scanPaths(text).map((s) => s.path)).toEqual(["a", "a.b", "a.b.0", "a.b.1", "a.b.1.c", "d"]);
  });

  test("text cut off in the middle still maps what came before", () => {
    const text = `{ gateway: { mode: "local", port: `;
    expect(scanPaths(text).map((s) => s.path)).toEqual(["gateway", "gateway.mode"]);
    expect(pathAt(text, text.length)).toBe("gateway");
  });
});

describe("pathAt", () => {
  test("the innermost key around the cursor", () => {
    expect(pathAt(JSON5_TEXT, JSON5_TEXT.indexOf("18789") + 2)).toBe("gateway.port");
    expect(pathAt(JSON5_TEXT, JSON5_TEXT.indexOf("port"))).toBe("gateway.port");
    expect(pathAt(JSON5_TEXT, JSON5_TEXT.indexOf("stub/echo"))).toBe("agents.list.0.model");
    expect(pathAt(JSON5_TEXT, JSON5_TEXT.indexOf("{ id: \"main\""))).toBe("agents.list.0");
    expect(pathAt(JSON5_TEXT, 3)).toBe("");
  });
});

describe("locatePath", () => {
  test("an issue's path selects its entry; a missing key falls back to its parent", () => {
    const hit = locatePath(JSON5_TEXT, "logging.level")!;
    expect(hit.exact).toBe(true);
    expect(JSON5_TEXT.slice(hit.start, hit.end)).toBe(`level: "info"`);
    const missing = locatePath(JSON5_TEXT, "gateway.bind")!;
    expect(missing.exact).toBe(false);
    expect(missing.path).toBe("gateway");
    expect(locatePath(JSON5_TEXT, "nope.deeper")).toBeUndefined();
  });
});

describe("lines", () => {
  test("lineAt and offsetOf agree on 1-based line:column", () => {
    const text = "ab\ncde\nf";
    expect(offsetOf(text, 2, 2)).toBe(4);
    expect(text[offsetOf(text, 2, 2)]).toBe("d");
    expect(lineAt(text, 4)).toEqual([3, 6]);
    expect(offsetOf(text, 9, 1)).toBe(text.length);
  });
});
