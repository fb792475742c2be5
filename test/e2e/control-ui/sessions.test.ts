// The Sessions view in a real browser: a session made by a chat turn in the page is listed with its
// count and preview, peeked at and opened in Chat; a run started elsewhere shows as running without
// a reload and is stopped from the table; the agent filter narrows the list.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import { startTestGateway, type TestGateway } from "../../fixtures/gateway.ts";
import { startOpenAIStub, type OpenAIStub } from "../../fixtures/openai-stub.ts";
import { RawClient } from "../../fixtures/ws-client.ts";
import { chatReady, foreignRequests, launchBrowser, openPage, skipReason, stubConfig, TEST_TOKEN, type Watched } from "./helpers.ts";

setDefaultTimeout(60_000);

describe.skipIf(!!skipReason)("Control UI sessions", () => {
  let browser: Browser;
  let stub: OpenAIStub;
  let gw: TestGateway;
  let base: string;
  let w: Watched;

  beforeAll(async () => {
    browser = await launchBrowser();
    stub = await startOpenAIStub();
    const config = stubConfig(stub);
    config.agents!.entries = { main: { default: true }, ops: { name: "Ops" } };
    gw = await startTestGateway({ config });
    base = `http://127.0.0.1:${gw.port}`;
    w = await openPage(browser);
    await w.page.goto(`${base}/#token=${TEST_TOKEN}`);
    await chatReady(w.page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    stub?.stop();
  });

  test("a session made by a chat turn is listed (count, preview, idle), peeked at, and opened in Chat", async () => {
    const { page } = w;
    await page.fill("#chat-input", "hello from the sessions test");
    await page.keyboard.press("Enter");
    await page.waitForSelector(".msg-assistant[data-state=done]");
    await page.click("nav a[href='/sessions']");
    const row = page.locator(`#sessions-table tr[data-key="agent:main:main"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator("td[data-label=Agent]").textContent()).toBe("main");
    expect(await row.locator("td[data-label=Messages]").textContent()).toBe("2");
    expect(await row.locator("td[data-label=Status]").textContent()).toBe("idle");
    expect(await row.locator("td[data-label='Last message']").textContent()).toBe("echo: hello from the sessions test");

    await row.locator("button", { hasText: "Peek" }).click();
    await page.waitForSelector("#sessions-peek .msg-assistant");
    expect(await page.locator("#sessions-peek .msg-user .text").textContent()).toBe("hello from the sessions test");

    await row.locator("a.session-key").click();
    await page.waitForURL(`${base}/chat/main/main`);
    await page.waitForSelector(".msg-user");
    expect(await page.locator(".msg-user .text").last().textContent()).toBe("hello from the sessions test");
  });

  test("a run started elsewhere shows as running without a reload; Stop aborts it", async () => {
    const { page } = w;
    await page.click("nav a[href='/sessions']");
    await page.waitForSelector("#sessions-table");
    const other = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.write", "operator.read"] });
    try {
      const sent = await other.request("chat.send", { sessionKey: "agent:ops:slow", message: "take your time [slow:20000]", idempotencyKey: crypto.randomUUID() });
      expect(sent.ok).toBe(true);
      const row = page.locator(`#sessions-table tr[data-key="agent:ops:slow"]`);
      await row.locator("td[data-label=Status]", { hasText: "running" }).waitFor({ timeout: 15_000 });
      const started = Date.now();
      await row.locator("button[data-action=abort]").click();
      const ended = await other.waitFor((f) => f.event === "chat" && f.payload.sessionKey === "agent:ops:slow" && f.payload.state !== "delta", 15_000);
      expect(ended.payload.state).toBe("aborted");
      expect(Date.now() - started).toBeLessThan(10_000);
      await page.waitForSelector("#sessions-alert:has-text('Stopped the run in agent:ops:slow.')");
      await row.locator("td[data-label=Status]", { hasText: "idle" }).waitFor({ timeout: 15_000 });
      expect(await row.locator("button[data-action=abort]").count()).toBe(0);
    } finally {
      other.close();
    }
  });

  test("the agent filter lists one agent's sessions and is kept in the address", async () => {
    const { page } = w;
    await page.waitForSelector(`#sessions-table tr[data-key="agent:main:main"]`);
    await page.selectOption("#sessions-agent", "ops");
    await page.waitForURL(`${base}/sessions?agent=ops`);
    await page.waitForSelector(`#sessions-table tr[data-key="agent:main:main"]`, { state: "detached" });
    expect(await page.locator("#sessions-table tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-key")))).toEqual(["agent:ops:slow"]);
    await page.reload();
    await page.waitForSelector(`#sessions-table tr[data-key="agent:ops:slow"]`);
    expect(await page.locator("#sessions-agent").inputValue()).toBe("ops");
    expect(await page.locator("#sessions-table tbody tr").count()).toBe(1);
    expect(w.errors).toEqual([]);
    expect(foreignRequests(w, base)).toEqual([]);
  });
});
