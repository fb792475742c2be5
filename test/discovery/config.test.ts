import { expect, test } from "bun:test";
import { ConfigSchema } from "../../src/config/schema.ts";
import { classifyPath } from "../../src/gateway/reload/plan.ts";

test("discovery.mdns.mode and the bonjour plugin switch hot-apply; wideArea needs a restart", () => {
  expect(classifyPath("discovery.mdns.mode")).toBe("hot");
  expect(classifyPath("plugins.entries.bonjour.enabled")).toBe("hot");
  expect(classifyPath("discovery.wideArea.domain")).toBe("restart");
});

test("discovery config: modes and a domain are accepted, anything else is refused at its key", () => {
  expect(ConfigSchema.safeParse({ discovery: { mdns: { mode: "full" }, wideArea: { domain: "openclaw.internal" } } }).success).toBe(true);
  const bad = ConfigSchema.safeParse({ discovery: { mdns: { mode: "loud" } } });
  expect(bad.success).toBe(false);
  expect(bad.error!.issues[0]!.path).toEqual(["discovery", "mdns", "mode"]);
  expect(ConfigSchema.safeParse({ discovery: { wideArea: { domain: "not a domain" } } }).success).toBe(false);
  expect(ConfigSchema.safeParse({ discovery: { mdnz: {} } }).success).toBe(false);
});
