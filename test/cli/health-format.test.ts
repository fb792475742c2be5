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

test("per-agent heartbeat and store, and why the loop is degraded", () => {
  const lines = formatHealth({
    durationMs: 1, defaultAgentId: "main", heartbeatSeconds: 0,
    agents: [
      { agentId: "main", isDefault: true, heartbeat: { everyMs: null }, sessions: { path: "/s/a", count: 4 } },
      { agentId: "ops", isDefault: false, heartbeat: { everyMs: 1_800_000 }, sessions: { path: "/s/b", count: 1 } },
    ],
    sessions: { path: "/s/all", count: 5 },
    eventLoop: { degraded: true, degradedSinceMs: 120_000, reasons: ["event_loop_delay"], delayMaxMs: 900, delayP99Ms: 400, utilization: 0.5, cpuCoreRatio: 0.9 },
  });
  expect(lines).toEqual([
    "Gateway event loop: degraded for 2m reasons=event_loop_delay max=900ms p99=400ms util=0.5 cpu=0.9",
    "Gateway probe duration: 1ms",
    "Agents: main (default), ops",
    "Heartbeat interval: disabled (main)",
    "Session store (main): /s/a (4 entries)",
  ]);
});
