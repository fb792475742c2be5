// The Nodes view in a real browser, on a gateway that pairs no device silently: a device asking to
// pair appears without a reload and is approved from the page; a refusal shows the gateway's error;
// our node host is approved from the page (its device, then its command surface) and a command is
// invoked on it, with bad JSON caught at the field first.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import type { NodeHost } from "../../../src/nodes/host/host.ts";
import { newTestDevice } from "../../fixtures/device.ts";
import { RawClient } from "../../fixtures/ws-client.ts";
import { foreignRequests, launchBrowser, openPage, skipReason, startUiGateway, TEST_TOKEN, type UiGateway, type Watched } from "./helpers.ts";
import { askToPair, NO_SILENT_PAIRING, signInApproved, startNodeHost } from "./ops-fixtures.ts";

setDefaultTimeout(60_000);

describe.skipIf(!!skipReason)("Control UI nodes and devices", () => {
  let browser: Browser;
  let ui: UiGateway;
  let w: Watched;
  let admin: RawClient;
  const hosts: NodeHost[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    ui = await startUiGateway(NO_SILENT_PAIRING);
    admin = await RawClient.connect(ui.gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
    w = await openPage(browser);
    await signInApproved(w.page, ui.base, admin);
    await w.page.click("nav a[href='/nodes']");
    await w.page.waitForSelector("#pending:has-text('No pending requests.')");
  }, 60_000);

  afterAll(async () => {
    for (const h of hosts) h.stop();
    await Promise.all(hosts.map((h) => h.done));
    admin?.close();
    await browser?.close();
    await ui?.stop();
  });

  test("a pending device appears without a reload and is approved from the page", async () => {
    const { page } = w;
    const dev = newTestDevice();
    const requestId = await askToPair(ui.gw.url, dev, "Travel laptop");
    const row = page.locator(`#pending-table tr[data-key="${requestId}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator("td[data-label=Request]").textContent()).toContain("Travel laptop");
    expect(await row.locator("td[data-label='Asks for']").textContent()).toContain("operator.read");
    await row.locator("button[data-action=approve]").click();
    await page.waitForSelector("#pairing-alert:has-text('Approved device Travel laptop.')");
    await row.waitFor({ state: "detached", timeout: 15_000 });
    const list = (await admin.request("device.pair.list", {})).payload;
    expect(list.pending.find((p: { requestId: string }) => p.requestId === requestId)).toBeUndefined();
    expect(list.paired.find((d: { deviceId: string }) => d.deviceId === dev.id)).toMatchObject({ displayName: "Travel laptop", roles: ["operator"], scopes: ["operator.read"] });
    // The paired list on the page has it too.
    await page.waitForSelector(`#devices-table tr[data-key="${dev.id}"]`);
  });

  test("a refused decision shows the gateway's error; Reject drops a request", async () => {
    const { page } = w;
    // A request that goes away behind the page's back (no event): approving it is refused.
    const gone = await askToPair(ui.gw.url, newTestDevice(), "Old phone");
    const goneRow = page.locator(`#pending-table tr[data-key="${gone}"]`);
    await goneRow.waitFor({ timeout: 15_000 });
    expect(ui.gw.runtime.pairing.reject(gone)).toBeDefined();
    await goneRow.locator("button[data-action=approve]").click();
    await page.waitForSelector(`#pairing-alert:has-text('Could not approve Old phone: unknown requestId: ${gone}')`);
    await goneRow.waitFor({ state: "detached", timeout: 15_000 });

    const dev = newTestDevice();
    const requestId = await askToPair(ui.gw.url, dev, "Stranger");
    const row = page.locator(`#pending-table tr[data-key="${requestId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.locator("button[data-action=reject]").click();
    await page.waitForSelector("#pairing-alert:has-text('Rejected device Stranger.')");
    const list = (await admin.request("device.pair.list", {})).payload;
    expect(list.paired.some((d: { deviceId: string }) => d.deviceId === dev.id)).toBe(false);
    expect(list.pending.some((p: { requestId: string }) => p.requestId === requestId)).toBe(false);
  });

  test("our node host is approved from the page (device, then commands), then a command is invoked on it (bad JSON caught first)", async () => {
    const { page } = w;
    const node = startNodeHost(ui.gw.url, "build box");
    hosts.push(node.host);
    // First the device: a node role is an admin's decision, which this page has.
    const device = page.locator("#pending-table tr", { hasText: "build box" });
    await device.waitFor({ timeout: 20_000 });
    expect(await device.locator("td[data-label=Request]").textContent()).toContain("device");
    expect(await device.locator("td[data-label='Asks for']").textContent()).toContain("role node");
    await device.locator("button[data-action=approve]").click();
    await page.waitForSelector("#pairing-alert:has-text('Approved device build box.')");
    // Then, once it has connected, the commands it declares.
    const request = page.locator("#pending-table tr", { hasText: "node commands" });
    await request.waitFor({ timeout: 20_000 });
    expect(await request.locator("td[data-label=Request]").textContent()).toContain("build box");
    expect(await request.locator("td[data-label='Asks for']").textContent()).toContain("system.which");
    await request.locator("button[data-action=approve]").click();
    await page.waitForSelector("#pairing-alert:has-text('Approved the commands of build box.')");

    const nodeRow = page.locator(`#nodes-table tr[data-key="${node.nodeId}"]`);
    await nodeRow.locator("td[data-label=Commands]", { hasText: "system.which" }).waitFor({ timeout: 20_000 });
    expect(await nodeRow.locator("td[data-label=State]").textContent()).toBe("connected");
    await nodeRow.locator("button", { hasText: "Invoke…" }).click();
    expect(await page.locator("#invoke-node").inputValue()).toBe(node.nodeId);
    await page.selectOption("#invoke-command", "system.which");

    // Not JSON: said at the field, and nothing is sent.
    await page.fill("#invoke-params", '{"bins": ["sh",]}');
    await page.waitForSelector("#invoke-params-error:not([hidden])");
    expect(await page.locator("#invoke-params-error").textContent()).toStartWith("Not valid JSON:");
    expect(await page.locator("#invoke-params").getAttribute("aria-invalid")).toBe("true");
    await page.click("#invoke-run");
    expect(await page.locator("#invoke-result").isHidden()).toBe(true);

    await page.fill("#invoke-params", '{"bins": ["sh", "no-such-binary-xyz"]}');
    expect(await page.locator("#invoke-params-error").isHidden()).toBe(true);
    await page.fill("#invoke-timeout", "10000");
    await page.click("#invoke-run");
    await page.waitForSelector("#invoke-result[data-state=ok]", { timeout: 20_000 });
    const text = (await page.locator("#invoke-result").textContent())!;
    const payload = JSON.parse(text.slice(text.indexOf("\n") + 1));
    expect(payload).toEqual({ bins: { sh: Bun.which("sh") } });

    // Params the node refuses: its error is shown.
    await page.fill("#invoke-params", '{"bins": "sh"}');
    await page.click("#invoke-run");
    await page.waitForSelector("#invoke-result[data-state=error]", { timeout: 20_000 });
    const refused = (await page.locator("#invoke-result").textContent())!;
    expect(refused).toStartWith("error ·");
    expect(refused).toContain("INVALID_REQUEST: bins required (UNAVAILABLE)");
    expect(refused).toContain('"nodeCommandDispatched": true');
    expect(w.errors).toEqual([]);
    expect(foreignRequests(w, ui.base)).toEqual([]);
  });
});
