// The Presence view in a real browser: the page finds itself (its own client id, mode, instance and
// scopes), and a client connecting or leaving appears and disappears without a reload.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { RawClient } from "../../fixtures/ws-client.ts";
import { chatReady, foreignRequests, openPage, skipReason, uiScene, TEST_TOKEN } from "./helpers.ts";

setDefaultTimeout(60_000);

describe.skipIf(!!skipReason)("Control UI presence", () => {
  const scene = uiScene();

  test("the page's own client is listed as this page; another client comes and goes live", async () => {
    const w = await openPage(scene.browser);
    await w.page.goto(`${scene.ui.base}/#token=${TEST_TOKEN}`);
    await chatReady(w.page);
    await w.page.click("nav a[href='/presence']");
    const mine = w.page.locator("#presence-table tr[data-current]");
    await mine.waitFor({ timeout: 15_000 });
    expect(await mine.locator("td[data-label=Client]").textContent()).toBe("openclaw-control-uithis page");
    expect(await mine.locator("td[data-label=Mode]").textContent()).toBe("webchat");
    expect(await mine.locator("td[data-label=IP]").textContent()).toBe("127.0.0.1");
    expect(await mine.locator("td[data-label=Roles]").textContent()).toBe("operator");
    expect(await mine.locator("td[data-label=Scopes]").textContent()).toContain("pairing");
    // Its instance is the one the page connected with (the key of the row).
    const instance = await mine.getAttribute("data-key");
    expect(instance).toMatch(/^[0-9a-f-]{36}$/);
    const reader = await RawClient.connect(scene.ui.gw.url, { token: TEST_TOKEN });
    const listed = (await reader.request("system-presence", {})).payload as Array<{ instanceId?: string; clientId?: string }>;
    reader.close();
    expect(listed.find((e) => e.instanceId === instance)?.clientId).toBe("openclaw-control-ui");
    // The gateway's own entry comes first.
    expect(await w.page.locator("#presence-table tbody tr").first().locator("td[data-label=Mode]").textContent()).toBe("gateway");

    // (A "cli" client would not do: one-shot modes get no presence entry.)
    const instanceId = crypto.randomUUID();
    const other = await RawClient.connect(scene.ui.gw.url, { token: TEST_TOKEN, clientId: "openclaw-tui", mode: "ui", instanceId });
    const row = w.page.locator(`#presence-table tr[data-key="${instanceId}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator("td[data-label=Client]").textContent()).toBe("openclaw-tui");
    expect(await row.locator("td[data-label=Version]").textContent()).toBe("test");
    other.close();
    await row.waitFor({ state: "detached", timeout: 15_000 });
    expect(w.errors).toEqual([]);
    expect(foreignRequests(w, scene.ui.base)).toEqual([]);
    await w.context.close();
  });
});
