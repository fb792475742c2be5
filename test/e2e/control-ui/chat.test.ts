// The chat view in a real browser against the echo model stub: a streamed reply shown as it
// arrives, a tool call shown compactly, a slow reply stopped, history after a reload, and what the
// first load costs (bytes on the wire until the chat view is usable, and how long it takes).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import { chatReady, foreignRequests, launchBrowser, openPage, skipReason, startUiGateway, TEST_TOKEN, watchReplies, type UiGateway, type Watched } from "./helpers.ts";

setDefaultTimeout(60_000);

describe.skipIf(!!skipReason)("Control UI chat", () => {
  let browser: Browser;
  let ui: UiGateway;
  let w: Watched;

  beforeAll(async () => {
    browser = await launchBrowser();
    ui = await startUiGateway();
    w = await openPage(browser);
    await w.page.goto(`${ui.base}/#token=${TEST_TOKEN}`);
    await chatReady(w.page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  test("a message streams back word by word and ends as the full reply", async () => {
    const { page } = w;
    await watchReplies(page);
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    await page.fill("#chat-input", words);
    await page.keyboard.press("Enter");
    await page.waitForSelector(".msg-assistant[data-state=done]");
    const last = page.locator(".msg-assistant .text").last();
    expect(await last.textContent()).toBe(`echo: ${words}`);
    const seen = (await page.evaluate("window.__seen")) as string[];
    // Shown while streaming: several growing prefixes of the reply before the whole of it.
    expect(seen.length).toBeGreaterThan(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.startsWith(seen[i - 1]!)).toBe(true);
    expect(seen.at(-1)).toBe(`echo: ${words}`);
    expect(await page.locator(".msg-user .text").last().textContent()).toBe(words);
    // The session list shows the new preview.
    await page.waitForSelector(`.sessions a[aria-current=page] .s-preview:has-text("echo: word0")`);
  });

  test("a tool call is one compact line that opens to its arguments and result", async () => {
    const { page } = w;
    await page.fill("#chat-input", "list my sessions [tool:sessions_list]");
    await page.keyboard.press("Enter");
    const row = page.locator(".tool").last();
    await row.waitFor();
    await page.waitForSelector(".msg-assistant[data-state=done]:last-of-type, .msg-assistant:last-of-type[data-state=done]");
    // A function, not a string: the page's CSP refuses eval (a string would be evaluated).
    await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll(".tool")].at(-1)?.getAttribute("data-status") === "done");
    expect(await row.locator(".tool-name").textContent()).toBe("sessions_list");
    await row.locator("summary").click();
    expect(await row.locator(".tool-result").textContent()).toContain("sessions");
    expect(await page.locator(".msg-assistant .text").last().textContent()).toContain("tool result:");
  });

  test("Stop aborts a slow reply: the bubble says so and the composer is ready again", async () => {
    const { page } = w;
    await page.fill("#chat-input", "take your time [slow:15000]");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#chat-stop:visible");
    const started = Date.now();
    await page.click("#chat-stop");
    await page.waitForSelector(".msg-assistant[data-state=aborted]");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await page.locator(".msg-assistant[data-state=aborted] .note").textContent()).toBe("Stopped.");
    expect(await page.locator("#chat-send").isVisible()).toBe(true);
    expect(await page.locator("#chat-stop").isVisible()).toBe(false);
  });

  test("a new session starts empty; the history of the first comes back after a reload", async () => {
    const { page } = w;
    await page.click("#chat-new");
    await page.waitForURL(/\/chat\/main\/ui-[0-9a-f]{8}$/);
    await page.waitForSelector(".chat-empty");
    await page.goBack();
    await page.waitForURL(`${ui.base}/chat/main/main`);
    await page.reload();
    await chatReady(page);
    await page.waitForSelector(".msg-user");
    expect(await page.locator(".msg-user .text").first().textContent()).toStartWith("word0 word1");
    expect(w.errors).toEqual([]);
    expect(foreignRequests(w, ui.base)).toEqual([]);
  });

  test("first load until the chat view is usable: under 100 KB on the wire; load-to-chat timed (5 fresh profiles, 5 reloads)", async () => {
    const times: number[] = [];
    let httpBytes = 0;
    let wsBytes = 0;
    for (let i = 0; i < 5; i++) {
      const fresh = await openPage(browser);
      const cdp = await fresh.context.newCDPSession(fresh.page);
      await cdp.send("Network.enable");
      let http = 0;
      let ws = 0;
      let counting = true;
      cdp.on("Network.loadingFinished", (e: { encodedDataLength: number }) => {
        if (counting) http += e.encodedDataLength;
      });
      cdp.on("Network.webSocketFrameReceived", (e: { response: { payloadData: string } }) => {
        if (counting) ws += e.response.payloadData.length;
      });
      await fresh.page.goto(`${ui.base}/#token=${TEST_TOKEN}`);
      times.push(await chatReady(fresh.page));
      counting = false;
      if (i === 0) {
        httpBytes = http;
        wsBytes = ws;
      }
      await fresh.context.close();
    }
    // A returning browser: assets cached, device paired, token in the tab's sessionStorage.
    const warm: number[] = [];
    const again = await openPage(browser);
    await again.page.goto(`${ui.base}/#token=${TEST_TOKEN}`);
    await chatReady(again.page);
    for (let i = 0; i < 5; i++) {
      await again.page.reload();
      warm.push(await chatReady(again.page));
    }
    await again.context.close();
    const p50 = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[2]!);
    console.log(`control UI first load to a usable chat view: ${httpBytes} bytes over HTTP (compressed, headers included) + ${wsBytes} bytes of WebSocket frames`);
    console.log(`load to connected chat view (loopback): fresh profile p50 ${p50(times)} ms (new device paired on the way), returning p50 ${p50(warm)} ms`);
    expect(httpBytes).toBeGreaterThan(1000);
    expect(httpBytes).toBeLessThan(100 * 1024);
  });
});
