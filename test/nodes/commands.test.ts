// The node command policy: the linux node host's declaration filtered as the published gateway
// does (13 of 21 let through), opt-ins, deny, approver scopes and node.invoke's scope and refusals.
import { describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { allowlistRefusal, filterDeclared, invokeNeverAllowed, invokeScope, platformKey, requiredApproveScopes } from "../../src/nodes/commands.ts";

const NONE: OpenClawConfig = {};
/** What the published linux node host declares on connect (spec nodes §2). */
const LINUX_DECLARED = [
  "browser.proxy", "browser.proxy.upload.v1", "desktop.stream", "dir.fetch", "dir.list", "file.create", "file.fetch", "file.stat",
  "file.write", "fs.listDir", "mcp.tools.call.v1", "ollama.chat", "ollama.models", "system.execApprovals.get",
  "system.execApprovals.set", "system.run", "system.run.prepare", "system.which", "terminal.upload", "workspace.memory", "workspace.skills",
];

describe("filterDeclared", () => {
  test("the linux node host: 13 commands let through, the 8 file/dir/workspace ones withheld", () => {
    const { allowed, withheld } = filterDeclared("linux", LINUX_DECLARED, NONE);
    expect(allowed).toHaveLength(13);
    expect(withheld).toEqual(["dir.fetch", "dir.list", "file.create", "file.fetch", "file.stat", "file.write", "workspace.memory", "workspace.skills"]);
    expect(allowed).toContain("system.run");
    expect(allowed).toContain("ollama.models");
  });

  test("allow adds and opts in to dangerous commands; deny removes even defaults", () => {
    const config: OpenClawConfig = { gateway: { nodes: { commands: { allow: ["file.stat", "camera.snap"], deny: ["system.run"] } } } };
    const { allowed } = filterDeclared("Linux x86_64", ["file.stat", "camera.snap", "system.run", "system.which", "sms.send"], config);
    expect(allowed).toEqual(["camera.snap", "file.stat", "system.which"]);
  });
});

describe("allowlistRefusal", () => {
  test("the published messages", () => {
    expect(allowlistRefusal("linux", "file.stat", NONE)).toEqual({ message: 'node command not allowed: "file.stat" is not in the allowlist for platform "linux"', reason: "command not allowlisted" });
    expect(allowlistRefusal("linux", "camera.snap", NONE)?.message).toBe('node command not allowed: "camera.snap" requires explicit gateway.nodes.commands.allow opt-in');
    expect(allowlistRefusal("linux", "sms.send", NONE)?.message).toContain("requires explicit gateway.nodes.commands.allow opt-in");
    expect(allowlistRefusal("linux", "system.which", NONE)).toBeUndefined();
  });
  test("platform strings are reduced to their first word, lowercased", () => {
    expect(platformKey(" Darwin 24.1 ")).toBe("darwin");
    expect(platformKey(undefined)).toBe("");
  });
});

test("approver scopes: pairing; + write with commands; + admin for the system/browser/fs ones", () => {
  expect(requiredApproveScopes([])).toEqual(["operator.pairing"]);
  expect(requiredApproveScopes(["ollama.chat"])).toEqual(["operator.pairing", "operator.write"]);
  expect(requiredApproveScopes(["ollama.chat", "system.which"])).toEqual(["operator.pairing", "operator.admin"]);
});

test("node.invoke: write for system.run, admin for browser/fs/terminal, never execApprovals or worker controls", () => {
  expect(invokeScope("system.run")).toBe("operator.write");
  expect(invokeScope("fs.listDir")).toBe("operator.admin");
  expect(invokeNeverAllowed("system.execApprovals.get")).toBe("node.invoke does not allow system.execApprovals.*; use exec.approvals.node.*");
  expect(invokeNeverAllowed("worker.stop")).toBeDefined();
  expect(invokeNeverAllowed("agent.cli.claude.run.v1")).toBeDefined();
  expect(invokeNeverAllowed("system.which")).toBeUndefined();
});
