import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { generatedSchemas } from "../../scripts/generated.ts";

describe("schema/ is what the code generates (run `bun run gen` after changing a schema)", () => {
  for (const [path, content] of Object.entries(generatedSchemas())) {
    test(path.split("/").slice(-2).join("/"), () => {
      expect(readFileSync(path, "utf8")).toBe(content);
    });
  }
});

describe("the protocol schema comes from the registry", () => {
  test("lists each implemented method with its scope and params", () => {
    const doc = JSON.parse(readFileSync(Object.keys(generatedSchemas())[0]!, "utf8"));
    expect(Object.keys(doc.methods)).toEqual(["agent", "agents.list", "approval.get", "approval.resolve", "channels.logout", "channels.pairing.approve", "channels.pairing.dismiss", "channels.pairing.list", "channels.start", "channels.status", "channels.stop", "chat.abort", "chat.history", "chat.send", "config.apply", "config.get", "config.patch", "config.schema", "config.schema.lookup", "cron.list", "cron.remove", "cron.run", "cron.status", "device.pair.approve", "device.pair.list", "device.pair.reject", "device.pair.remove", "device.token.revoke", "device.token.rotate", "exec.approval.get", "exec.approval.list", "exec.approval.request", "exec.approval.resolve", "exec.approval.waitDecision", "exec.approvals.get", "exec.approvals.set", "gateway.identity.get", "health", "logs.tail", "message.action", "node.describe", "node.event", "node.invoke", "node.invoke.result", "node.list", "node.pair.approve", "node.pair.list", "node.pair.reject", "node.pair.remove", "node.pair.request", "node.pair.verify", "node.pluginTools.update", "node.rename", "node.runnerInventory.update", "node.skills.update", "openclaw.approval.list", "plugin.approval.list", "poll", "secrets.reload", "send", "sessions.list", "sessions.subscribe", "sessions.unsubscribe", "status", "system-event", "system-presence", "usage.status", "web.login.start", "web.login.wait"]);
    expect(doc.methods["system-event"].scope).toBe("operator.admin");
    expect(doc.methods["system-event"].params.required).toEqual(["text"]);
    expect(doc.handshake.connectParams.additionalProperties).toBe(false);
  });
});
