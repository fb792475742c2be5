import { describe, expect, test } from "bun:test";
import { applyMergePatch, unconfirmedArrayRemovals } from "../../src/config/merge-patch.ts";
import { REDACTED, restoreRedacted } from "../../src/config/redact.ts";

describe("applyMergePatch (RFC 7386)", () => {
  test("the RFC's examples", () => {
    const cases: Array<[unknown, unknown, unknown]> = [
      [{ a: "b" }, { a: "c" }, { a: "c" }],
      [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
      [{ a: "b" }, { a: null }, {}],
      [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
      [{ a: ["b"] }, { a: "c" }, { a: "c" }],
      [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
      [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
      [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
      [["a", "b"], ["c", "d"], ["c", "d"]],
      [{ a: "b" }, ["c"], ["c"]],
      [{ a: "foo" }, null, null],
      [{ a: "foo" }, "bar", "bar"],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: "b", c: null }, { a: "b" }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [target, patch, result] of cases) expect(applyMergePatch(target, patch)).toEqual(result);
  });

  test("inputs are not modified, and a __proto__ key stays a plain key", () => {
    const target = { a: { b: 1 } };
    const patch = JSON.parse('{"a":{"c":2},"__proto__":{"polluted":true}}');
    const out = applyMergePatch(target, patch) as Record<string, unknown>;
    expect(target).toEqual({ a: { b: 1 } });
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("unconfirmedArrayRemovals", () => {
  const base = { gateway: { tools: { deny: ["exec", "shell"] } }, agents: { list: [{ id: "a", tools: { allow: ["x", "y"] } }, { id: "b" }] } };

  test("adding entries or replacing a scalar list with a superset needs no confirmation", () => {
    expect(unconfirmedArrayRemovals(base, { gateway: { tools: { deny: ["exec", "shell", "web"] } } })).toEqual([]);
  });

  test("dropping an entry is reported until its path is named in replacePaths", () => {
    const patch = { gateway: { tools: { deny: ["exec"] } } };
    expect(unconfirmedArrayRemovals(base, patch)).toEqual(["gateway.tools.deny"]);
    expect(unconfirmedArrayRemovals(base, patch, ["gateway.tools.deny"])).toEqual([]);
    expect(unconfirmedArrayRemovals(base, patch, ["gateway"])).toEqual([]);
    expect(unconfirmedArrayRemovals(base, patch, ["gateway.tools.allow"])).toEqual(["gateway.tools.deny"]);
  });

  test("deleting the whole list with null is explicit and allowed", () => {
    expect(unconfirmedArrayRemovals(base, { gateway: { tools: { deny: null } } })).toEqual([]);
  });

  test("id-keyed lists: editing an entry is not a removal, dropping one is, and nested lists are checked", () => {
    const edited = { agents: { list: [{ id: "b", name: "B" }, { id: "a", tools: { allow: ["x", "y", "z"] } }] } };
    expect(unconfirmedArrayRemovals(base, edited)).toEqual([]);
    expect(unconfirmedArrayRemovals(base, { agents: { list: [{ id: "a", tools: { allow: ["x", "y"] } }] } })).toEqual(["agents.list"]);
    const nested = { agents: { list: [{ id: "a", tools: { allow: ["x"] } }, { id: "b" }] } };
    expect(unconfirmedArrayRemovals(base, nested)).toEqual(["agents.list[0].tools.allow"]);
    expect(unconfirmedArrayRemovals(base, nested, ["agents.list"])).toEqual([]);
    expect(unconfirmedArrayRemovals(base, nested, ["agents.list.tools.allow"])).toEqual([]);
  });
});

describe("restoreRedacted", () => {
  const original = { gateway: { auth: { token: "${GW_TOKEN}" } }, models: { providers: { p: { apiKey: "sk-live-123", headers: { Authorization: "Bearer sk-live-123" } } } } };

  test("each marker gets the value written at the same path (a ${VAR} stays one)", () => {
    const next = { gateway: { auth: { token: REDACTED } }, models: { providers: { p: { apiKey: REDACTED, baseUrl: "http://x" } } } };
    const out = restoreRedacted(next, original);
    expect(out.unresolved).toEqual([]);
    expect(out.value).toEqual({ gateway: { auth: { token: "${GW_TOKEN}" } }, models: { providers: { p: { apiKey: "sk-live-123", baseUrl: "http://x" } } } });
  });

  test("a string the raw view masked inside is restored only when it is exactly the masked original", () => {
    const next = { models: { providers: { p: { headers: { Authorization: `Bearer ${REDACTED}` } } } } };
    expect(restoreRedacted(next, original, ["sk-live-123"]).value).toEqual({ models: { providers: { p: { headers: { Authorization: "Bearer sk-live-123" } } } } });
    const changed = { models: { providers: { p: { headers: { Authorization: `Token ${REDACTED}` } } } } };
    expect(restoreRedacted(changed, original, ["sk-live-123"]).unresolved).toEqual(["models.providers.p.headers.Authorization"]);
  });

  test("a marker with nothing stored at its path is reported, not written", () => {
    const out = restoreRedacted({ channels: { telegram: { botToken: REDACTED } }, list: [REDACTED] }, original);
    expect(out.unresolved).toEqual(["channels.telegram.botToken", "list.0"]);
  });
});
