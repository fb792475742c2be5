// The one backoff formula: steps, the cap, and both ways of jittering.
import { expect, test } from "bun:test";
import { backoffDelay } from "../src/backoff.ts";

const p = { initialMs: 1_000, maxMs: 10_000, factor: 2, jitter: 0.2 };

test("spread: the capped step, anywhere within ±jitter", () => {
  expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, p, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  expect(backoffDelay(1, p, () => 0)).toBe(800);
  expect(backoffDelay(5, p, () => 1)).toBe(12000);
});

test("add: up to +jitter on the step, capped afterwards", () => {
  expect(backoffDelay(1, p, () => 0, "add")).toBe(1000);
  expect(backoffDelay(1, p, () => 1, "add")).toBe(1200);
  expect(backoffDelay(5, p, () => 1, "add")).toBe(10000);
});
