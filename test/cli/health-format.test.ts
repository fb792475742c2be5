import { expect, test } from "bun:test";
import { formatHealth } from "../../src/cli/health.ts";

test("runbook lines from a health payload", () => {
  const lines = formatHealth({
    ok: true, durationMs: 6.4, heartbeatSeconds: 1800, defaultAgentId: "main",
    agents: [{ agentId: "main", isDefault: true }, { agentId: "ops", isDefault: false }],
    sessions: { path: "/s/main", count: 3, recent: [] },
    connections: { total: 2, operators: 1, nodes: 1 },
    eventLoop: { degraded: false, delayMaxMs: 27.2, delayP99Ms: 26.6, utilization: 0.016, cpuCoreRatio: 0.007 },
  });
  expect(lines).toEqual([
    "Gateway event loop: ok max=27ms p99=27ms util=0.016 cpu=0.007",
    "Gateway probe duration: 6ms",
    "Agents: main (default), ops",
    "Heartbeat interval: 30m (main)",
    "Session store (main): /s/main (3 entries)",
    "Connections: 2 (operators 1, nodes 1)",
  ]);
});

test("a minimal payload still prints something useful", () => {
  expect(formatHealth({ ok: true, ts: 1, durationMs: 0 })).toEqual(["Gateway probe duration: 0ms"]);
  expect(formatHealth({ eventLoop: { degraded: true, delayMaxMs: 900, delayP99Ms: 400 } })[0]).toBe(
    "Gateway event loop: degraded max=900ms p99=400ms",
  );
});
