/**
 * The scopes `gateway call` asks for: the least the method needs, matching what the published
 * CLI requests (protocol.md §5.3). This is the client's own table on purpose: it must not change
 * when the server learns new methods, and methods it cannot classify ask for everything.
 */
const READ = new Set([
  "health", "status", "system-presence", "last-heartbeat", "channels.status", "sessions.list", "config.get",
  "node.list", "logs.tail", "agents.list", "chat.history",
]);
const PAIRING = new Set(["node.pair.list", "node.pair.approve", "node.pair.reject", "node.pair.remove"]);
const WRITE = new Set(["send", "agent", "node.invoke", "chat.send", "wake"]);
const ADMIN = new Set(["system-event", "secrets.reload", "chat.abort", "set-heartbeats", "update.status"]);

export const ALL_CALL_SCOPES = [
  "operator.admin", "operator.read", "operator.write", "operator.approvals", "operator.questions",
  "operator.pairing", "operator.talk.secrets",
] as const;

export function scopesForMethod(method: string): string[] {
  if (READ.has(method)) return ["operator.read"];
  if (PAIRING.has(method)) return ["operator.pairing"];
  if (WRITE.has(method)) return ["operator.write"];
  if (ADMIN.has(method)) return ["operator.admin"];
  return [...ALL_CALL_SCOPES];
}
