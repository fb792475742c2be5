// Signing in to the Control UI in a real browser: #token= (kept in sessionStorage, gone from the
// address bar), a wrong secret, a page on an origin the gateway refuses, a device waiting for
// approval, and the reconnect after a gateway restart.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import { startTestGateway } from "../../fixtures/gateway.ts";
import { RawClient } from "../../fixtures/ws-client.ts";
import { chatReady, foreignRequests, launchBrowser, openPage, skipReason, startUiGateway, TEST_TOKEN, type UiGateway } from "./helpers.ts";

// A browser, a gateway and a model stub per test: room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

describe.skipIf(!!skipReason)("Control UI sign-in", () => {
  let browser: Browser;
  let ui: UiGateway;

  beforeAll(async () => {
    browser = await launchBrowser();
    ui = await startUiGateway();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  test("#token= signs in: the token leaves the address bar at once, stays in sessionStorage only, and the chat view connects", async () => {
    const w = await openPage(browser);
    await w.page.goto(`${ui.base}/#token=${TEST_TOKEN}`);
    const ms = await chatReady(w.page);
    expect(w.page.url()).toBe(`${ui.base}/chat/main/main`);
    expect(await w.page.locator(".conn").textContent()).toContain("Connected");
    const storage = await w.page.evaluate(() => ({ local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }), keys: Object.keys(localStorage) }));
    expect(storage.session).toContain(TEST_TOKEN);
    expect(storage.local).not.toContain(TEST_TOKEN);
    expect(storage.keys).toEqual(["openclaw-device-identity-v1"]);
    // The history entry holds no token either: going back does not bring it back.
    expect(await w.page.evaluate("location.hash")).toBe("");
    // A reload signs in again from sessionStorage.
    await w.page.reload();
    await chatReady(w.page);
    expect(foreignRequests(w, ui.base)).toEqual([]);
    expect(w.errors).toEqual([]);
    console.log(`sign-in with #token= to a usable chat view: ${Math.round(ms)} ms`);
    await w.context.close();
  });

  test("a wrong secret shows the sign-in form with the error; the right one then gets in", async () => {
    const w = await openPage(browser);
    await w.page.goto(`${ui.base}/chat#token=not-the-token`);
    await w.page.waitForSelector("#secret-error");
    expect(await w.page.locator("#secret-error").textContent()).toContain("not accepted");
    expect(w.page.url()).toBe(`${ui.base}/chat`);
    expect(await w.page.evaluate(() => JSON.stringify({ ...sessionStorage }))).not.toContain("not-the-token");
    await w.page.fill("#secret", "still-wrong");
    await w.page.keyboard.press("Enter");
    await w.page.waitForSelector("#secret-error");
    await w.page.fill("#secret", TEST_TOKEN);
    await w.page.click("button[type=submit]");
    await chatReady(w.page);
    expect(await w.page.evaluate(() => JSON.stringify({ ...sessionStorage }))).toContain(TEST_TOKEN);
    expect(w.errors.filter((e) => !e.includes("WebSocket"))).toEqual([]);
    await w.context.close();
  });

  test("with no secret at all the page asks for one", async () => {
    const w = await openPage(browser);
    await w.page.goto(`${ui.base}/`);
    await w.page.waitForSelector("#secret");
    expect(await w.page.locator("h1").textContent()).toBe("Sign in");
    expect(await w.page.locator("#secret-error").count()).toBe(0);
    await w.context.close();
  });

  test("a page on an origin the gateway does not serve gets the origin screen (and uses the pure-JS key: no secure context)", async () => {
    const w = await openPage(browser);
    const page = `http://foo.test:${ui.gw.port}`;
    await w.page.goto(`${page}/#token=${TEST_TOKEN}`);
    await w.page.waitForSelector("text=Browser origin not allowed");
    expect(await w.page.locator(".screen-card").textContent()).toContain("gateway.controlUi.allowedOrigins");
    expect(await w.page.evaluate("window.isSecureContext")).toBe(false);
    expect(w.requests.some((u) => /\/assets\/device-key-pure-[a-z0-9]+\.js$/.test(u))).toBe(true);
    expect(w.requests.every((u) => new URL(u).hostname === "foo.test")).toBe(true);
    await w.context.close();
  });
});

describe.skipIf(!!skipReason)("Control UI pairing and restarts", () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  test("a device waiting for approval sees its request id and the command; it gets in once approved", async () => {
    const ui = await startUiGateway({ gateway: { mode: "local", nodes: { pairing: { autoApproveLocal: false } } } });
    try {
      const w = await openPage(browser);
      await w.page.goto(`${ui.base}/#token=${TEST_TOKEN}`);
      await w.page.waitForSelector("#pairing-request");
      const requestId = (await w.page.locator("#pairing-request").textContent())!;
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await w.page.locator("pre.command").textContent()).toBe(`openclaw devices approve ${requestId}`);
      const admin = await RawClient.connect(ui.gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
      expect((await admin.request("device.pair.approve", { requestId })).ok).toBe(true);
      admin.close();
      await chatReady(w.page, 20_000);
      await w.context.close();
    } finally {
      await ui.stop();
    }
  });

  test("a gateway restart shows the reconnecting banner; the page comes back by itself", async () => {
    const ui = await startUiGateway();
    let second: Awaited<ReturnType<typeof startTestGateway>> | undefined;
    try {
      const w = await openPage(browser);
      await w.page.goto(`${ui.base}/#token=${TEST_TOKEN}`);
      await chatReady(w.page);
      await ui.gw.stop({ reason: "restart", restartExpectedMs: 500 });
      await w.page.waitForSelector(".banner:not([hidden])");
      expect(await w.page.locator(".banner").textContent()).toContain("Reconnecting");
      second = await startTestGateway({ dir: ui.gw.dir, port: ui.gw.port, config: ui.gw.runtime.config });
      await w.page.waitForSelector(".banner[hidden]", { state: "attached", timeout: 20_000 });
      expect(await w.page.locator(".conn").textContent()).toContain("Connected");
      expect(await w.page.locator("#chat-input").isVisible()).toBe(true);
      await w.context.close();
    } finally {
      await second?.stop();
      ui.stub.stop();
    }
  });
});
