// The screenshots of the operator views (sessions, presence, nodes, channels) against the scene of
// ops-fixtures.ts: how each view is brought to a state worth showing, and a shot of the whole view
// (these views scroll inside the page, so the viewport is grown to the content, up to a limit).
import { expect } from "bun:test";
import type { Page } from "playwright-core";
import { waitUntil } from "../../fixtures/wait.ts";
import { shot } from "./helpers.ts";
import type { OpsScene } from "./ops-fixtures.ts";

export interface OpsShot {
  id: string;
  /** Waits for (and sets up) what the shot should show. */
  ready(page: Page, scene: OpsScene): Promise<void>;
}

export const OPS_SHOTS: OpsShot[] = [
  {
    id: "sessions",
    ready: async (page) => {
      await page.waitForSelector(`#sessions-table tr[data-key="agent:main:groceries"]`);
      await page.locator(`#sessions-table tr[data-key="agent:main:main"] button`, { hasText: "Peek" }).click();
      await page.waitForSelector("#sessions-peek .msg-assistant");
    },
  },
  {
    id: "presence",
    ready: async (page) => {
      await page.waitForSelector("#presence-table tr[data-current]");
      await page.waitForSelector("#presence-table td[data-label=Mode]:has-text('node')");
    },
  },
  {
    id: "nodes",
    ready: async (page) => {
      await page.waitForSelector("#pending-table tr:has-text('Travel laptop')");
      await page.waitForSelector("#nodes-table tr:has-text('build box')");
      await page.selectOption("#invoke-command", "system.which");
      await page.fill("#invoke-params", '{ "bins": ["sh", "git"] }');
      await page.click("#invoke-run");
      await page.waitForSelector("#invoke-result[data-state=ok]");
      await page.waitForSelector("#devices-table");
    },
  },
  {
    id: "channels",
    ready: async (page, scene) => {
      await page.waitForSelector("#senders-table tr:has-text('Sam Rivera')");
      await page.click("#channels-probe");
      await page.waitForSelector("#channel-telegram [data-probe=ok]");
      const sockets = scene.whatsapp.sockets.length;
      await page.click("tr[data-key='whatsapp/default'] button[data-action=link]");
      // The first page to link opens the login (a fake socket shows a QR); later ones get the same QR back.
      if (sockets === 0) {
        const sock = await waitUntil(() => scene.whatsapp.sockets[0], "the WhatsApp login socket");
        sock.qr("2@openclaw-control-ui-screenshot");
      }
      await page.waitForSelector("#wa-qr:not([hidden])");
      await page.waitForFunction(() => ((globalThis as any).document.querySelector("#wa-qr")?.naturalWidth ?? 0) > 0);
    },
  },
];

/** The view's whole content in one shot: the viewport grows to it (at most `maxHeight`), then goes back. */
export async function shotView(page: Page, name: string, size: { width: number; height: number }, maxHeight = 2000): Promise<void> {
  const needed = await page.evaluate(() => {
    const d = (globalThis as any).document;
    const host = d.querySelector(".view-host");
    return Math.ceil(host.getBoundingClientRect().top + host.scrollHeight);
  });
  const height = Math.min(Math.max(size.height, needed), maxHeight);
  await page.setViewportSize({ width: size.width, height });
  await page.evaluate(() => (globalThis as any).document.querySelector(".view-host").scrollTo(0, 0));
  // No hover highlight left over from the last click.
  await page.mouse.move(size.width - 1, size.height - 1);
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth <= (globalThis as any).innerWidth)).toBe(true);
  await shot(page, name);
  await page.setViewportSize(size);
}
