// The Approvals view in a real browser: a gateway whose exec tool asks (tools.exec.mode "ask"), an
// agent turn from another client running `exec` through the echo stub's scripted tool call. The
// page is an approval client by its client id: the prompt appears in the view (and as a count in
// the nav, whatever view is open), Allow once lets the command run and the turn completes, Deny
// refuses it, and a prompt answered by another client leaves the page by itself.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import { scriptDirective } from "../../fixtures/model-script.ts";
import { RawClient, type Frame } from "../../fixtures/ws-client.ts";
import { chatReady, foreignRequests, launchBrowser, openPage, shot, skipReason, startUiGateway, TEST_TOKEN, type UiGateway, type Watched } from "./helpers.ts";

setDefaultTimeout(60_000);

describe.skipIf(!!skipReason)("Control UI approvals", () => {
  let browser: Browser;
  let ui: UiGateway;
  let w: Watched;
  let runner: RawClient;
  let n = 0;

  beforeAll(async () => {
    browser = await launchBrowser();
    ui = await startUiGateway({ tools: { exec: { mode: "ask" } } });
    runner = await RawClient.connect(ui.gw.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
    w = await openPage(browser);
    await w.page.goto(`${ui.base}/#token=${TEST_TOKEN}`);
    await chatReady(w.page);
  }, 60_000);

  afterAll(async () => {
    runner?.close();
    await browser?.close();
    await ui?.stop();
  });

  /** Starts an agent turn that runs `command` with exec, then says "done"; resolves with its final res. */
  async function execTurn(command: string): Promise<{ done: Promise<Frame> }> {
    const key = `ui-approvals-${++n}`;
    const steps = [{ calls: [{ name: "exec", args: { command } }] }, { text: "done" }];
    const first = await runner.request("agent", { message: `run it ${scriptDirective(steps)}`, idempotencyKey: key, sessionKey: key });
    expect(first.payload?.status).toBe("accepted");
    // Wrapped: an async function returning a bare promise would wait for it.
    return { done: runner.waitFor((f) => f.type === "res" && f.id === first.id && f.payload?.status !== "accepted", 30_000) };
  }

  async function toolResult(): Promise<string> {
    const reqs = await ui.stub.requests();
    const body = reqs.filter((r) => r.path === "/v1/chat/completions").at(-1)!.body;
    return body.messages.filter((m: any) => m.role === "tool").at(-1)?.content ?? "";
  }

  test("a prompt shows as a count in the nav from any view; Allow once runs the command and the turn completes", async () => {
    const { page } = w;
    const { done } = await execTurn("echo allowed-from-the-page");
    // The chat view is open: the nav counts the prompt.
    await page.waitForSelector("nav a[data-view=approvals] .nav-badge:has-text('1')", { timeout: 15_000 });
    await page.click("nav a[data-view=approvals]");
    const card = page.locator(".approval", { hasText: "echo allowed-from-the-page" });
    await card.waitFor({ timeout: 10_000 });
    expect(await card.locator(".approval-host").textContent()).toBe("On the gateway host");
    expect(await card.locator(".facts").textContent()).toContain("main");
    expect(await card.locator(".countdown").textContent()).toMatch(/^expires in \d+:\d\d$/);
    // Only the decisions the request offers (ask on-miss: all three).
    expect(await card.locator("button").allTextContents()).toEqual(["Allow once", "Allow always", "Deny"]);

    await card.locator("button[data-decision=allow-once]").click();
    const final = await done;
    expect(final.ok).toBe(true);
    expect(await toolResult()).toContain("allowed-from-the-page");
    await page.waitForSelector("#approvals-decided li[data-decision=allow-once]");
    expect(await page.locator("#approvals-decided li").first().textContent()).toContain("echo allowed-from-the-page");
    expect(await card.count()).toBe(0);
    await page.waitForSelector("nav a[data-view=approvals] .nav-badge", { state: "detached" });
    expect(await page.locator("#approvals-empty").isVisible()).toBe(true);
  });

  test("Deny refuses the command; the turn goes on with the refusal", async () => {
    const { page } = w;
    const { done } = await execTurn("echo never-runs");
    const card = page.locator(".approval", { hasText: "echo never-runs" });
    await card.waitFor({ timeout: 10_000 });
    await card.locator("button[data-decision=deny]").click();
    expect((await done).ok).toBe(true);
    expect(await toolResult()).toMatch(/^Exec denied .*user-denied/);
    await page.waitForSelector("#approvals-decided li[data-decision=deny]");
  });

  test("a prompt answered by another client leaves the page by itself", async () => {
    const { page } = w;
    const other = await RawClient.connect(ui.gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"], extra: { caps: ["approvals"] } });
    try {
      const turn = execTurn("echo decided-elsewhere");
      const req = await other.waitFor((f) => f.event === "exec.approval.requested", 15_000);
      await page.locator(".approval", { hasText: "echo decided-elsewhere" }).waitFor({ timeout: 10_000 });
      expect((await other.request("exec.approval.resolve", { id: req.payload.id, decision: "allow-once" })).ok).toBe(true);
      await page.locator(".approval", { hasText: "echo decided-elsewhere" }).waitFor({ state: "detached", timeout: 10_000 });
      expect(await (await turn).done).toMatchObject({ ok: true });
    } finally {
      other.close();
    }
  });

  test("screenshots with a prompt waiting, at 1440 and 360 px, light and dark", async () => {
    const { done } = await execTurn("git status --short && npm test -- --watch=false");
    await w.page.locator(".approval", { hasText: "git status" }).waitFor({ timeout: 10_000 });
    for (const size of [{ name: "1440", width: 1440, height: 900 }, { name: "360", width: 360, height: 740 }]) {
      for (const dark of [false, true]) {
        const s = await openPage(browser, { width: size.width, height: size.height, dark });
        await s.page.goto(`${ui.base}/approvals#token=${TEST_TOKEN}`);
        await s.page.locator(".approval", { hasText: "git status" }).waitFor({ timeout: 10_000 });
        await s.page.waitForSelector("nav a[data-view=approvals] .nav-badge");
        expect(await s.page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth <= (globalThis as any).innerWidth)).toBe(true);
        await shot(s.page, `approvals-${size.name}${dark ? "-dark" : ""}`);
        expect(s.errors).toEqual([]);
        await s.context.close();
      }
    }
    await w.page.locator(".approval", { hasText: "git status" }).locator("button[data-decision=deny]").click();
    expect((await done).ok).toBe(true);
    expect(w.errors).toEqual([]);
    expect(foreignRequests(w, ui.base)).toEqual([]);
  });
});
