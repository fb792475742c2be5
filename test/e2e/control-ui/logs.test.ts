// The Logs view in a real browser: a line the gateway logs after the page opened shows up by itself,
// the level checkboxes and the text filter hide and show it, Pause stops reading (and Resume
// catches up), Download saves the lines shown, and leaving the view stops the polling.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { chatReady, foreignRequests, launchBrowser, openPage, shot, skipReason, startUiGateway, TEST_TOKEN, type UiGateway, type Watched } from "./helpers.ts";

setDefaultTimeout(60_000);

describe.skipIf(!!skipReason)("Control UI logs", () => {
  let browser: Browser;
  let ui: UiGateway;
  let w: Watched;
  /** Every logs.tail request the page sent, in order. */
  const tails: number[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    ui = await startUiGateway();
    w = await openPage(browser);
    w.page.on("websocket", (ws) =>
      ws.on("framesent", (f) => {
        if (typeof f.payload === "string" && f.payload.includes('"method":"logs.tail"')) tails.push(Date.now());
      }),
    );
    await w.page.goto(`${ui.base}/#token=${TEST_TOKEN}`);
    await chatReady(w.page);
    await w.page.click("nav a[href='/logs']");
    await w.page.waitForSelector("#log-status[data-state=live]");
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  const row = (text: string) => w.page.locator(".log-row", { hasText: text });

  test("a line logged after the page opened appears, with its level and subsystem; the level filter hides and shows it", async () => {
    const { page } = w;
    const marker = `ui-log-marker-${crypto.randomUUID()}`;
    ui.gw.runtime.log.child("ui-test").warn(`${marker} something to look at`, { answer: 42 });
    await row(marker).waitFor({ timeout: 10_000 });
    expect(await row(marker).getAttribute("data-level")).toBe("warn");
    expect(await row(marker).locator(".log-sub").textContent()).toBe("ui-test");
    expect(await row(marker).locator(".log-sub").getAttribute("title")).toBe("gateway/ui-test");
    expect(await row(marker).locator(".log-fields").textContent()).toBe(" answer=42");
    // Following: the newest line is in view.
    expect(await page.evaluate(() => { const l = (globalThis as any).document.getElementById("log-list"); return l.scrollHeight - l.scrollTop - l.clientHeight; })).toBeLessThan(30);

    await page.locator("input[name=level][value=warn]").uncheck();
    expect(await row(marker).count()).toBe(0);
    await page.locator("input[name=level][value=warn]").check();
    expect(await row(marker).count()).toBe(1);

    // A debug line is shown; unticking debug hides it while the warn line stays.
    const quiet = `ui-log-debug-${crypto.randomUUID()}`;
    ui.gw.runtime.log.debug(quiet);
    await row(quiet).waitFor({ timeout: 10_000 });
    await page.locator("input[name=level][value=debug]").uncheck();
    expect(await row(quiet).count()).toBe(0);
    expect(await row(marker).count()).toBe(1);
    await page.locator("input[name=level][value=debug]").check();

    await page.fill("#log-filter", marker);
    expect(await page.locator(".log-row").count()).toBe(1);
    await page.fill("#log-filter", "");
    expect(await page.locator(".log-row").count()).toBeGreaterThan(1);
  });

  test("Pause stops reading; Resume reads what was logged meanwhile", async () => {
    const { page } = w;
    await page.click("#log-pause");
    await page.waitForSelector("#log-status[data-state=paused]");
    const before = tails.length;
    const marker = `ui-log-paused-${crypto.randomUUID()}`;
    ui.gw.runtime.log.info(marker);
    // Three poll intervals without a read (a negative check has to wait).
    await Bun.sleep(3000);
    expect(tails.length).toBe(before);
    expect(await row(marker).count()).toBe(0);
    await page.click("#log-pause");
    await row(marker).waitFor({ timeout: 5000 });
  });

  test("Download saves the lines shown as a .log file (a blob: link; the CSP lets it through)", async () => {
    const { page } = w;
    const marker = `ui-log-download-${crypto.randomUUID()}`;
    ui.gw.runtime.log.info(marker);
    await row(marker).waitFor({ timeout: 10_000 });
    await page.fill("#log-filter", "ui-log-");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#log-download")]);
    expect(download.suggestedFilename()).toMatch(/^openclaw-.*\.log$/);
    const path = await download.path();
    const lines = readFileSync(path, "utf8").trim().split("\n");
    // The raw JSON lines of what the filter shows, nothing else.
    expect(lines.length).toBe(await page.locator(".log-row").count());
    expect(lines.some((l) => JSON.parse(l).message === marker)).toBe(true);
    expect(lines.every((l) => l.includes("ui-log-"))).toBe(true);
    await page.fill("#log-filter", "");
  });

  test("scrolling up stops following; leaving the view stops the polling", async () => {
    const { page } = w;
    for (let i = 0; i < 80; i++) ui.gw.runtime.log.info(`filler line ${i}`);
    await row("filler line 79").waitFor({ timeout: 10_000 });
    await page.evaluate(() => { (globalThis as any).document.getElementById("log-list").scrollTop = 0; });
    await page.waitForFunction(() => !(globalThis as any).document.getElementById("log-follow").checked);
    await page.evaluate(() => { const l = (globalThis as any).document.getElementById("log-list"); l.scrollTop = l.scrollHeight; });
    await page.waitForFunction(() => (globalThis as any).document.getElementById("log-follow").checked);

    await page.click("nav a[href='/chat']");
    await chatReady(page);
    const before = tails.length;
    await Bun.sleep(2500);
    expect(tails.length).toBe(before);
    expect(w.errors).toEqual([]);
    expect(foreignRequests(w, ui.base)).toEqual([]);
  });

  test("screenshots at 1440 and 360 px, light and dark", async () => {
    const log = ui.gw.runtime.log;
    log.child("channels/telegram").warn("getUpdates slow", { ms: 2140, accountId: "default" });
    log.child("agents").info("run finished", { sessionKey: "agent:main:main", ms: 812 });
    log.error("upstream model failed; retrying with the fallback", { provider: "stub", status: 502 });
    log.child("cron").info("job ran", { id: "daily-digest", next: "tomorrow 07:00" });
    for (const size of [{ name: "1440", width: 1440, height: 900 }, { name: "360", width: 360, height: 740 }]) {
      for (const dark of [false, true]) {
        const s = await openPage(browser, { width: size.width, height: size.height, dark });
        await s.page.goto(`${ui.base}/logs#token=${TEST_TOKEN}`);
        await s.page.locator(".log-row", { hasText: "daily-digest" }).waitFor({ timeout: 10_000 });
        expect(await s.page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth <= (globalThis as any).innerWidth)).toBe(true);
        await shot(s.page, `logs-${size.name}${dark ? "-dark" : ""}`);
        expect(s.errors).toEqual([]);
        await s.context.close();
      }
    }
  });
});
