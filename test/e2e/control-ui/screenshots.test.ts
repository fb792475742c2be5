// Screenshots of each screen and view at 1440 px and 360 px, light and dark, with a short
// conversation (including a tool call) so the chat view shows what it does. Written to docs/ui with
// UPDATE_SCREENSHOTS=1 (the committed set), else to a temp dir; each view must also render without
// console errors and without horizontal scrolling at 360 px.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { chatReady, launchBrowser, openPage, shot, SHOT_DIR, skipReason, startUiGateway, TEST_TOKEN, type UiGateway } from "./helpers.ts";
import { signInApproved, startOpsScene, type OpsScene } from "./ops-fixtures.ts";
import { OPS_SHOTS, shotView } from "./ops-shots.ts";

setDefaultTimeout(120_000);

const SIZES = [
  { name: "1440", width: 1440, height: 900 },
  { name: "360", width: 360, height: 740 },
] as const;

async function noHorizontalScroll(page: Page): Promise<void> {
  expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
}

describe.skipIf(!!skipReason)("Control UI screenshots", () => {
  let browser: Browser;
  let ui: UiGateway;

  beforeAll(async () => {
    browser = await launchBrowser();
    ui = await startUiGateway();
    // A conversation to show: a plain turn and one with a tool call, in the main session.
    const seed = await openPage(browser);
    await seed.page.goto(`${ui.base}/#token=${TEST_TOKEN}`);
    await chatReady(seed.page);
    for (const text of ["What can you do for me today?", "Which sessions do I have? [tool:sessions_list]"]) {
      await seed.page.fill("#chat-input", text);
      await seed.page.keyboard.press("Enter");
      await seed.page.waitForSelector("#chat-send:visible");
    }
    await seed.context.close();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    console.log(`control UI screenshots in ${SHOT_DIR}`);
  });

  for (const size of SIZES) {
    for (const dark of [false, true]) {
      const suffix = `${size.name}${dark ? "-dark" : ""}`;
      test(`sign-in, chat and debug at ${size.width} px${dark ? ", dark" : ""}`, async () => {
        const w = await openPage(browser, { width: size.width, height: size.height, dark });
        await w.page.goto(`${ui.base}/`);
        await w.page.waitForSelector("#secret");
        await noHorizontalScroll(w.page);
        await shot(w.page, `signin-${suffix}`);

        await w.page.fill("#secret", TEST_TOKEN);
        await w.page.keyboard.press("Enter");
        await chatReady(w.page);
        await w.page.waitForSelector(".msg-assistant .tool");
        await w.page.locator(".tool summary").last().click();
        await w.page.locator("#chat-input").blur();
        await noHorizontalScroll(w.page);
        await shot(w.page, `chat-${suffix}`);

        await w.page.click("nav a[href='/debug']");
        // A function, not a string: the page's CSP refuses eval (a string would be evaluated).
        await w.page.waitForFunction(() => (globalThis as any).document.querySelector("#debug-status")?.textContent?.includes("runtimeVersion"));
        await w.page.selectOption("#rpc-method", "agents.list");
        await w.page.click("#rpc-call");
        await w.page.waitForSelector("#rpc-result[data-state=ok]");
        await noHorizontalScroll(w.page);
        await shot(w.page, `debug-${suffix}`);
        expect(w.errors).toEqual([]);
        await w.context.close();
      });
    }
  }

  test("the pairing and origin screens", async () => {
    const pairing = await startUiGateway({ gateway: { mode: "local", nodes: { pairing: { autoApproveLocal: false } } } });
    try {
      const w = await openPage(browser, { width: 1440, height: 900 });
      await w.page.goto(`${pairing.base}/#token=${TEST_TOKEN}`);
      await w.page.waitForSelector("#pairing-request");
      await shot(w.page, "pairing-1440");
      await w.page.goto(`http://foo.test:${ui.gw.port}/#token=${TEST_TOKEN}`);
      await w.page.waitForSelector("text=Browser origin not allowed");
      await shot(w.page, "origin-1440");
      await w.context.close();
    } finally {
      await pairing.stop();
    }
  });
});

describe.skipIf(!!skipReason)("Control UI screenshots: sessions, presence, nodes, channels", () => {
  let browser: Browser;
  let scene: OpsScene;

  beforeAll(async () => {
    browser = await launchBrowser();
    scene = await startOpsScene();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await scene?.stop();
  });

  for (const size of SIZES) {
    for (const dark of [false, true]) {
      const suffix = `${size.name}${dark ? "-dark" : ""}`;
      test(`sessions, presence, nodes and channels at ${size.width} px${dark ? ", dark" : ""}`, async () => {
        const w = await openPage(browser, { width: size.width, height: size.height, dark });
        await signInApproved(w.page, scene.base, scene.admin);
        for (const view of OPS_SHOTS) {
          await w.page.click(`nav a[href='/${view.id}']`);
          await view.ready(w.page, scene);
          await shotView(w.page, `${view.id}-${suffix}`, size);
        }
        expect(w.errors).toEqual([]);
        await w.context.close();
      });
    }
  }
});
