/**
 * Every metric the gateway exports, declared once: `/metrics`, the README's table and the tests
 * all read this table. Label values are bounded by construction (method names from the registry,
 * error codes from the protocol, provider ids from the config), never copied from client input.
 */
import type { MetricDeclaration } from "./registry.ts";

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const PROVIDER_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

function declare<const T extends Record<string, Omit<MetricDeclaration, "labels"> & { labels?: readonly string[] }>>(t: T) {
  const out = {} as { [K in keyof T]: MetricDeclaration & { type: T[K]["type"] } };
  for (const [key, d] of Object.entries(t)) (out as Record<string, MetricDeclaration>)[key] = { ...d, labels: d.labels ?? [] };
  return out;
}

export const METRICS = declare({
  connections: {
    name: "openclaw_ws_connections", type: "gauge", labels: ["role", "phase"],
    help: "WebSocket connections open now, by role (operator, node; none while pending) and phase (pending: not yet connected; ready).",
  },
  handshakes: {
    name: "openclaw_ws_handshakes_total", type: "counter", labels: ["result", "code"],
    help: "Finished connect handshakes: result ok, or error with the detail or error code (or timeout, too_large, invalid_frame, closed, memory_pressure).",
  },
  upgradesRefused: {
    name: "openclaw_ws_upgrades_refused_total", type: "counter", labels: ["reason"],
    help: "WebSocket upgrades refused before any socket state: rate_limited (429), budget_address or budget_total (503).",
  },
  requests: {
    name: "openclaw_ws_requests_total", type: "counter", labels: ["method", "code"],
    help: "Requests answered on the WebSocket, by method (unregistered names count as (unknown)) and outcome (ok or the error code).",
  },
  requestDuration: {
    name: "openclaw_ws_request_duration_seconds", type: "histogram", labels: ["method"], buckets: LATENCY_BUCKETS,
    help: "Time from a request frame's arrival to its response (agent runs: to the final response).",
  },
  eventsSent: {
    name: "openclaw_ws_events_sent_total", type: "counter", labels: ["event"],
    help: "Event frames written to sockets (a broadcast counts once per receiving socket).",
  },
  slowConsumers: {
    name: "openclaw_ws_slow_consumers_dropped_total", type: "counter",
    help: "Sockets closed (1008) because their unsent output passed policy.maxBufferedBytes.",
  },
  httpRequests: {
    name: "openclaw_http_requests_total", type: "counter", labels: ["route", "status"],
    help: "HTTP requests answered, by matched route (or (unmatched)) and status code.",
  },
  agentRuns: {
    name: "openclaw_agent_runs_total", type: "counter", labels: ["outcome"],
    help: "Agent turns finished, by outcome: ok, replayed (idempotent repeat), or the error kind (provider, timeout, aborted, storage, …).",
  },
  agentRunDuration: {
    name: "openclaw_agent_run_duration_seconds", type: "histogram", buckets: PROVIDER_BUCKETS,
    help: "Wall time of agent turns that ran (replays excluded).",
  },
  providerLatency: {
    name: "openclaw_provider_request_duration_seconds", type: "histogram", labels: ["provider", "outcome"], buckets: PROVIDER_BUCKETS,
    help: "Model provider streams from request to the last event, by provider id and outcome (ok or the error kind).",
  },
  providerFirstByte: {
    name: "openclaw_provider_first_event_seconds", type: "histogram", labels: ["provider"], buckets: PROVIDER_BUCKETS,
    help: "Model provider streams from request to their first event.",
  },
  rss: {
    name: "process_resident_memory_bytes", type: "gauge",
    help: "Resident set size of the gateway process.",
  },
  heap: {
    name: "openclaw_js_heap_used_bytes", type: "gauge",
    help: "JavaScript heap in use.",
  },
  eventLoopLag: {
    name: "openclaw_event_loop_lag_seconds", type: "gauge", labels: ["quantile"],
    help: "Event-loop delay over the last minute: quantile 0.99 and 1 (max).",
  },
  uptime: {
    name: "openclaw_uptime_seconds", type: "gauge",
    help: "Seconds since this gateway (boot) started.",
  },
  build: {
    name: "openclaw_build_info", type: "gauge", labels: ["version"],
    help: "Always 1; the version label says which build is running.",
  },
});

export type MetricKey = keyof typeof METRICS;
