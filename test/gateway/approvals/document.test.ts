// The policy math of spec §4.1: the host document can only make exec stricter, field by field,
// with an agent's own entry before "*" before the defaults; and what an uploaded document must be.
import { describe, expect, test } from "bun:test";
import {
  allowlistFor, combinePolicy, hostPolicy, InvalidDocumentError, normalizeDocument, resolvedDefaults, type ApprovalsDocument,
} from "../../../src/gateway/approvals/document.ts";
import type { ExecAsk, ExecSecurity } from "../../../src/agents/tools/types.ts";

const SEC: ExecSecurity[] = ["deny", "allowlist", "full"];
const ASK: ExecAsk[] = ["off", "on-miss", "always"];

describe("combinePolicy", () => {
  test("security is the lower of the two, ask the more insistent, for every pair", () => {
    for (const [ri, rs] of SEC.entries()) {
      for (const [hi, hs] of SEC.entries()) {
        for (const [ai, ra] of ASK.entries()) {
          for (const [bi, ha] of ASK.entries()) {
            const p = combinePolicy({ security: rs, ask: ra }, { security: hs, ask: ha, askFallback: "full" });
            expect(p.security).toBe(SEC[Math.min(ri, hi)]!);
            expect(p.ask).toBe(ASK[Math.max(ai, bi)]!);
          }
        }
      }
    }
  });

  test("askFallback never exceeds the host's own security", () => {
    expect(combinePolicy({ security: "full", ask: "off" }, { security: "allowlist", ask: "off", askFallback: "full" }).askFallback).toBe("allowlist");
    expect(combinePolicy({ security: "full", ask: "off" }, { security: "full", ask: "off", askFallback: "full" }).askFallback).toBe("full");
    expect(combinePolicy({ security: "full", ask: "off" }, { security: "full", ask: "off", askFallback: "deny" }).askFallback).toBe("deny");
    expect(combinePolicy({ security: "full", ask: "off" }, { security: "deny", ask: "off", askFallback: "full" }).askFallback).toBe("deny");
  });

  test("requested ask mode on an open host asks; requested full on a strict host is strict", () => {
    const open = hostPolicy({ version: 1 }, "main");
    expect(combinePolicy({ security: "allowlist", ask: "on-miss" }, open)).toEqual({ security: "allowlist", ask: "on-miss", askFallback: "deny" });
    const strict = hostPolicy({ version: 1, defaults: { security: "deny" } }, "main");
    expect(combinePolicy({ security: "full", ask: "off" }, strict)).toEqual({ security: "deny", ask: "off", askFallback: "deny" });
  });
});

describe("hostPolicy and resolvedDefaults", () => {
  test("an empty document resolves to full/off/deny", () => {
    expect(resolvedDefaults({ version: 1 })).toEqual({ security: "full", ask: "off", askFallback: "deny", autoAllowSkills: false });
    expect(hostPolicy({ version: 1, defaults: {}, agents: {} }, "main")).toEqual({ security: "full", ask: "off", askFallback: "deny", autoAllowSkills: false });
  });

  test("each field comes from the agent, else \"*\", else the defaults", () => {
    const doc: ApprovalsDocument = {
      version: 1,
      defaults: { security: "allowlist", ask: "on-miss", askFallback: "allowlist" },
      agents: { "*": { ask: "always" }, work: { security: "deny" } },
    };
    expect(hostPolicy(doc, "work")).toEqual({ security: "deny", ask: "always", askFallback: "allowlist", autoAllowSkills: false });
    expect(hostPolicy(doc, "main")).toEqual({ security: "allowlist", ask: "always", askFallback: "allowlist", autoAllowSkills: false });
  });

  test("an agent's allowlist is its own entries, then the \"*\" ones", () => {
    const doc: ApprovalsDocument = { version: 1, agents: { "*": { allowlist: [{ pattern: "ls" }] }, main: { allowlist: [{ pattern: "rg" }] } } };
    expect(allowlistFor(doc, "main").map((e) => e.pattern)).toEqual(["rg", "ls"]);
    expect(allowlistFor(doc, "other").map((e) => e.pattern)).toEqual(["ls"]);
  });
});

describe("normalizeDocument", () => {
  let n = 0;
  const ids = () => `id-${++n}`;

  test("entries get ids, existing ids stay, legacy keys and null usage fields go", () => {
    const doc = normalizeDocument(
      {
        version: 1,
        socket: { path: "/x", token: "t" },
        agents: { main: { allowlist: [{ pattern: "rg", commandText: "rg x", lastUsedAt: null, lastUsedCommand: null }, { id: "keep", pattern: "/usr/bin/*" }] } },
      },
      ids,
    );
    expect(doc).toEqual({ version: 1, agents: { main: { allowlist: [{ id: "id-1", pattern: "rg" }, { id: "keep", pattern: "/usr/bin/*" }] } } });
  });

  test("bad documents are refused with the place that is wrong", () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ version: 2 }, /at \/version/],
      [{ version: 1, defaults: { ask: "sometimes" } }, /at \/defaults\/ask: must be equal to one of the allowed values/],
      [{ version: 1, agents: { main: { allowlist: [{ pattern: "  " }] } } }, /at \/agents\/main\/allowlist\/0\/pattern/],
      [{ version: 1, agents: { main: { allowlist: [{ pattern: "ls", argPattern: "[" }] } } }, /agents\.main\.allowlist\[0\]\.argPattern is not a valid regular expression/],
      ["not an object", /invalid exec approvals file/],
    ];
    for (const [input, message] of bad) {
      expect(() => normalizeDocument(input, ids)).toThrow(InvalidDocumentError);
      expect(() => normalizeDocument(input, ids)).toThrow(message);
    }
  });
});
