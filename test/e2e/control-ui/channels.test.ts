// The Channels view in a real browser against a gateway with a scripted Telegram channel and
// WhatsApp behind fake Baileys sockets: each account's state, a probe, stop and start, a stranger's
// pairing request approved from the page, and WhatsApp linked by QR (shown as an image, then the
// scan, then the outcome).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import { waitUntil } from "../../fixtures/wait.ts";
import { RawClient } from "../../fixtures/ws-client.ts";
import { foreignRequests, launchBrowser, openPage, skipReason, TEST_TOKEN, type Watched } from "./helpers.ts";
import { signInApproved, startChannelGateway, strangerWrites, type ChannelGateway } from "./ops-fixtures.ts";

setDefaultTimeout(60_000);

const ME = { id: "15557654321:9@s.whatsapp.net" };

describe.skipIf(!!skipReason)("Control UI channels", () => {
  let browser: Browser;
  let ch: ChannelGateway;
  let admin: RawClient;
  let w: Watched;

  beforeAll(async () => {
    browser = await launchBrowser();
    ch = await startChannelGateway();
    admin = await RawClient.connect(ch.gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
    w = await openPage(browser);
    await signInApproved(w.page, ch.base, admin);
    await w.page.click("nav a[href='/channels']");
    await w.page.waitForSelector("#channel-telegram");
  }, 60_000);

  afterAll(async () => {
    admin?.close();
    await browser?.close();
    await ch?.stop();
  });

  const account = (channel: string, id: string) => w.page.locator(`tr[data-key="${channel}/${id}"]`);

  test("each account's state, then a probe that asks each Telegram account's service", async () => {
    const tg = account("telegram", "default");
    expect(await tg.locator("td[data-label=State]").textContent()).toBe("configuredrunningconnected");
    expect(await tg.locator("td[data-label=Mode]").textContent()).toBe("fake");
    expect(await tg.locator("td[data-label=Probe]").textContent()).toBe("not probed");
    expect(await account("telegram", "alerts").locator("td[data-label=State]").textContent()).toBe("configuredrunningconnected");
    // WhatsApp is configured in the file but not linked: nothing runs, and the page offers the link.
    const wa = account("whatsapp", "default");
    expect(await wa.locator("td[data-label=State]").textContent()).toContain("not linked");
    expect(await wa.locator("button[data-action=link]").textContent()).toBe("Link device");
    expect(await w.page.locator("#channels-issues").textContent()).toContain("WhatsApp · default: Not configured");

    const before = ch.probes();
    await w.page.click("#channels-probe");
    await tg.locator("td[data-label=Probe] [data-probe=ok]").waitFor({ timeout: 20_000 });
    expect(await tg.locator("td[data-label=Probe]").textContent()).toContain("ok37 ms");
    expect(await account("telegram", "alerts").locator("td[data-label=Probe]").textContent()).toContain("ok");
    expect(ch.probes() - before).toBe(2);
    expect(await w.page.locator("#channels-summary").textContent()).toMatch(/^Probed 2 accounts in \d+ ms\.$/);
  });

  test("Stop stops an account (and it stays stopped); Start runs it again", async () => {
    const alerts = account("telegram", "alerts");
    await alerts.locator("button[data-action=stop]").click();
    await w.page.waitForSelector("#channels-alert:has-text('Stopped Telegram · alerts; it stays stopped until you start it.')");
    await alerts.locator("td[data-label=State]", { hasText: "stopped" }).waitFor({ timeout: 15_000 });
    expect(ch.telegram.runs.has("alerts")).toBe(false);
    await alerts.locator("button[data-action=start]").click();
    await w.page.waitForSelector("#channels-alert:has-text('Starting Telegram · alerts.')");
    await waitUntil(() => ch.telegram.runs.has("alerts"), "alerts to run again");
    await alerts.locator("td[data-label=State]", { hasText: "running" }).waitFor({ timeout: 15_000 });
  });

  test("a stranger's pairing request is approved from the page (and told so)", async () => {
    const requestId = await strangerWrites(ch.telegram, admin, "5151", "Sam Rivera");
    // No event for sender requests: the view's Refresh (or its periodic read) picks it up.
    await w.page.click("#senders button:has-text('Refresh')");
    const row = w.page.locator(`#senders-table tr[data-key="${requestId}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator("td[data-label=Sender]").textContent()).toBe("Sam Rivera@sam · 5151");
    await row.locator("button[data-action=approve]").click();
    await w.page.waitForSelector("#senders-alert:has-text('Approved 5151 on Telegram and told them.')");
    await row.waitFor({ state: "detached", timeout: 15_000 });
    expect((await admin.request("channels.pairing.list", {})).payload.requests).toEqual([]);
    expect(ch.telegram.sent.some((s) => s.to === "5151" && s.text?.includes("access approved"))).toBe(true);
  });

  test("WhatsApp: Link device shows the QR as an image, a scan links it, and the account starts", async () => {
    await account("whatsapp", "default").locator("button[data-action=link]").click();
    const sock = await waitUntil(() => ch.whatsapp.sockets[0], "the login socket");
    sock.qr("2@qr-text-from-whatsapp");
    await w.page.waitForSelector("#wa-qr:not([hidden])", { timeout: 20_000 });
    const src = (await w.page.locator("#wa-qr").getAttribute("src"))!;
    expect(src).toStartWith("data:image/png;base64,");
    expect(await w.page.locator("#wa-qr").evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(100);
    expect(await w.page.locator("#wa-message").textContent()).toBe("Scan this QR in WhatsApp → Linked Devices.");

    // WhatsApp rotates the code: the page shows the new one and goes on waiting.
    sock.qr("2@a-second-qr-text");
    await w.page.waitForFunction((old) => (globalThis as any).document.querySelector("#wa-qr")?.getAttribute("src") !== old, src, { timeout: 20_000 });
    expect(await w.page.locator("#wa-message").textContent()).toBe("QR refreshed. Scan the new QR in WhatsApp → Linked Devices.");

    sock.credsUpdate({ me: ME, registered: true });
    sock.open(ME);
    await w.page.waitForSelector("#wa-link[data-state=linked]", { timeout: 20_000 });
    expect(await w.page.locator("#wa-message").textContent()).toBe("✅ Linked! WhatsApp is ready.");
    expect(await w.page.locator("#wa-qr").isHidden()).toBe(true);
    const wa = account("whatsapp", "default");
    await wa.locator("td[data-label=State]", { hasText: "running" }).waitFor({ timeout: 20_000 });
    expect(await wa.locator("td[data-label=State]").textContent()).toContain("linked");
    expect(await wa.locator("button[data-action=link]").textContent()).toBe("Relink");
    expect(w.errors).toEqual([]);
    expect(foreignRequests(w, ch.base)).toEqual([]);
  });
});
