// bench/measure/hello.ts: handshake latency, new WebSocket -> hello-ok.

import { closeSession, handshake } from "./session.ts";
import { countError, summarize, type ErrorCounts, type Summary } from "./stats.ts";

export interface HelloResult extends Summary {
  ok: number;
  fail: number;
  errors: ErrorCounts;
}

/** n sequential handshakes (each closed before the next); latency = new WebSocket -> hello-ok, in ms. */
export async function hello(url: string, token: string, n: number, maxSeconds = 60): Promise<HelloResult> {
  const latencies: number[] = [];
  const errors: ErrorCounts = {};
  let fail = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  for (let i = 0; i < n && performance.now() < deadline; i++) {
    try {
      const s = await handshake(url, token);
      latencies.push(s.helloAt - s.startedAt);
      await closeSession(s);
    } catch (err) {
      fail++;
      countError(errors, (err as Error).message);
    }
  }
  return { ...summarize(latencies), ok: latencies.length, fail, errors };
}
