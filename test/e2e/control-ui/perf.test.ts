// The Control UI's performance goals (issue 12) in a real browser: a 2,000-token reply streamed
// word by word renders completely (every state shown is a prefix of the next, the last is the whole
// reply), and the page's JS heap after 20 chat turns is back within 10% of where it started
// (garbage collected through CDP before each reading).
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import type { CDPSession, Page } from "playwright-core";
import { chatReady, openPage, skipReason, uiScene, TEST_TOKEN, watchReplies, type Watched } from "./helpers.ts";

setDefaultTimeout(120_000);

const TOKENS = 2000;

/** JSHeapUsedSize after a full collection. */
export async function heapAfterGc(cdp: CDPSession): Promise<number> {
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("HeapProfiler.collectGarbage");
  const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: Array<{ name: string; value: number }> };
  return metrics.find((m) => m.name === "JSHeapUsedSize")!.value;
}

async function send(page: Page, text: string): Promise<void> {
  const before = await page.locator(".msg-assistant").count();
  await page.fill("#chat-input", text);
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => {
    const all = (globalThis as any).document.querySelectorAll(".msg-assistant");
    return all.length > n && all[all.length - 1].getAttribute("data-state") === "done";
  }, before, { timeout: 60_000 });
}

describe.skipIf(!!skipReason)("Control UI performance", () => {
  const scene = uiScene();

  async function signedIn(): Promise<Watched> {
    const w = await openPage(scene.browser);
    await w.page.goto(`${scene.ui.base}/#token=${TEST_TOKEN}`);
    await chatReady(w.page);
    return w;
  }

  test(`a ${TOKENS}-token reply streams in without a lost delta and ends complete`, async () => {
    const w = await signedIn();
    const { page } = w;
    await page.click("#chat-new");
    await page.waitForSelector(".chat-empty");
    let deltas = 0;
    const cdp = await w.context.newCDPSession(page);
    await cdp.send("Network.enable");
    cdp.on("Network.webSocketFrameReceived", (e: { response: { payloadData: string } }) => {
      if (e.response.payloadData.startsWith('{"type":"event","event":"chat"') && e.response.payloadData.includes('"state":"delta"')) deltas++;
    });
    // Every distinct text the reply bubble shows while it streams.
    await watchReplies(page);
    const words = Array.from({ length: TOKENS - 1 }, (_, i) => `t${i}`).join(" ");
    const started = Date.now();
    await send(page, words);
    const elapsed = Date.now() - started;
    const expected = `echo: ${words}`;
    expect(await page.locator(".msg-assistant .text").last().textContent()).toBe(expected);
    const seen = (await page.evaluate("window.__seen")) as string[];
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.startsWith(seen[i - 1]!)).toBe(true);
    expect(seen.at(-1)).toBe(expected);
    // Intermediate states reached the page (each delta applied as it came, not once at the end).
    expect(seen.length).toBeGreaterThan(20);
    expect(deltas).toBeGreaterThanOrEqual(TOKENS - 1);
    console.log(`${TOKENS}-token streamed reply: ${deltas} delta events, ${seen.length} distinct states applied to the page, ${elapsed} ms send → done`);
    expect(w.errors).toEqual([]);
    await w.context.close();
  });

  test("the JS heap after 20 turns is back within 10% of its baseline", async () => {
    const w = await signedIn();
    const { page } = w;
    await page.click("#chat-new");
    await page.waitForSelector(".chat-empty");
    const cdp = await w.context.newCDPSession(page);
    await cdp.send("Performance.enable");
    // One turn first: code paths compiled and caches filled belong to the baseline, not to growth.
    await send(page, "warm up");
    const baseline = await heapAfterGc(cdp);
    for (let i = 0; i < 20; i++) await send(page, `turn ${i}: ${"some words to echo back ".repeat(8)}`);
    const after = await heapAfterGc(cdp);
    const growth = (after - baseline) / baseline;
    console.log(`JS heap: baseline ${(baseline / 1024).toFixed(0)} KB, after 20 turns ${(after / 1024).toFixed(0)} KB (${(growth * 100).toFixed(1)}%)`);
    expect(await page.locator(".msg-assistant[data-state=done]").count()).toBe(21);
    expect(growth).toBeLessThan(0.1);
    expect(w.errors).toEqual([]);
    await w.context.close();
  });
});
