// The Config view in a real browser against a gateway booted from a config file on disk (as
// `gateway run` does, with its file watcher): the file shown with its secret redacted, an edit that
// does not validate refused with every issue listed at its key (the file untouched), an issue
// selecting its line, a valid edit applied with the changed keys and the restart verdict shown, a
// file changed by someone else refused as stale with a reload offered, and the key help panel.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import type { Booted } from "../../../src/gateway/boot.ts";
import type { ReloadOutcome } from "../../../src/gateway/reload/index.ts";
import { bootFromFile, type FileGateway } from "../../fixtures/file-gateway.ts";
import { waitUntil } from "../../fixtures/wait.ts";
import { foreignRequests, launchBrowser, openPage, shot, skipReason, type Watched } from "./helpers.ts";

setDefaultTimeout(60_000);

const TOKEN = "config-ui-token-0123456789";
const SECRET = "sk-config-ui-secret-value";
const INITIAL = `// written by hand
{
  gateway: { mode: "local", auth: { token: "${TOKEN}" } },
  logging: { level: "info" },
  models: { providers: { stub: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "${SECRET}", models: [{ id: "m", name: "M" }] } } },
}
`;

describe.skipIf(!!skipReason)("Control UI config", () => {
  let browser: Browser;
  let booted: Booted;
  let gw: FileGateway;
  let file: string;
  let base: string;
  let w: Watched;
  let outcomes: ReloadOutcome[] = [];
  let restarts: string[] = [];

  beforeAll(async () => {
    gw = await bootFromFile(INITIAL, { prefix: "cfg-ui-" });
    ({ booted, file, outcomes, restarts } = gw);
    base = `http://127.0.0.1:${booted.gateway.port}`;
    browser = await launchBrowser();
    w = await openPage(browser);
    await w.page.goto(`${base}/config#token=${TOKEN}`);
    await editorHolds(w.page, "written by hand");
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  const editorHolds = (page: Page, text: string) =>
    page.waitForFunction((t) => ((globalThis as any).document.getElementById("config-editor")?.value ?? "").includes(t), text, { timeout: 15_000 });
  const editorText = (page: Page) => page.locator("#config-editor").inputValue();

  test("the file is shown as written, comments kept and the secret redacted", async () => {
    const text = await editorText(w.page);
    expect(text).toContain("// written by hand");
    expect(text).toContain("__OPENCLAW_REDACTED__");
    expect(text).not.toContain(SECRET);
    expect(await w.page.locator(".config-path").textContent()).toBe(file);
    expect(await w.page.locator("#config-state").textContent()).toBe("As on disk");
  });

  test("an edit that does not validate: every issue listed at its key, the file untouched; an issue selects its line", async () => {
    const { page } = w;
    const text = (await editorText(page))
      .replace('level: "info"', 'level: "loud"')
      .replace('mode: "local",', 'mode: "local", port: "eighty", bogus: true,');
    await page.fill("#config-editor", text);
    expect(await page.locator("#config-state").textContent()).toBe("Edited, not applied");
    await page.click("#config-apply");
    await page.waitForSelector("#config-result[data-tone=error]");
    const paths = await page.locator("#config-issues .issue code").allTextContents();
    expect(paths.sort()).toEqual(["gateway", "gateway.port", "logging.level"]);
    expect(await page.locator("#config-result").textContent()).toContain("3 problems");
    expect(readFileSync(file, "utf8")).toBe(INITIAL);

    await page.locator("#config-issues .issue", { hasText: "logging.level" }).click();
    const selected = await page.evaluate(() => {
      const el = (globalThis as any).document.getElementById("config-editor");
      return el.value.slice(el.selectionStart, el.selectionEnd);
    });
    expect(selected).toContain('level: "loud"');
    // The help panel follows the selection: the key's description from the schema.
    await page.waitForFunction(() => (globalThis as any).document.getElementById("config-help-path")?.textContent === "logging.level");
    expect(await page.locator("#config-help-text").textContent()).toContain("Minimum level");
  });

  test("a text that does not parse points at its line", async () => {
    const { page } = w;
    await page.fill("#config-editor", '{\n  gateway: { mode: "local" },\n  logging: { level: "info" \n}\n');
    await page.click("#config-apply");
    await page.waitForSelector("#config-result[data-tone=error]");
    expect(await page.locator("#config-issues .issue code").first().textContent()).toMatch(/^line \d+, column \d+$/);
    expect(readFileSync(file, "utf8")).toBe(INITIAL);
  });

  test("a valid edit is applied: the changed keys and the restart verdict are shown, and the new file is loaded", async () => {
    const { page } = w;
    await page.click("#config-reload");
    await editorHolds(page, "written by hand");
    const text = (await editorText(page)).replace('level: "info"', 'level: "debug"');
    await page.fill("#config-editor", text);
    await page.click("#config-apply");
    await page.waitForSelector("#config-result[data-tone=ok]");
    expect(await page.locator("#config-changed li").allTextContents()).toEqual(["logging.level"]);
    expect(await page.locator("#config-result").textContent()).toContain("Applied without a restart");
    const onDisk = JSON.parse(readFileSync(file, "utf8"));
    expect(onDisk.logging.level).toBe("debug");
    // The secret went back as it was stored, not as the marker.
    expect(onDisk.models.providers.stub.apiKey).toBe(SECRET);
    await editorHolds(page, "lastTouchedVersion");
    expect(await page.locator("#config-issues .issue").count()).toBe(0);
    await waitUntil(() => outcomes.length > 0, "the reloader to apply the edit");

    // A key the gateway can only take with a restart says so.
    const next = (await editorText(page)).replace('"level": "debug"', '"level": "debug",\n    "maxFiles": 3');
    await page.fill("#config-editor", next);
    await page.click("#config-apply");
    await page.waitForFunction(() => (globalThis as any).document.getElementById("config-result")?.textContent?.includes("maxFiles"));
    expect(await page.locator("#config-result").textContent()).toContain("The gateway restarts to apply them");
    await waitUntil(() => restarts.length > 0, "the reloader to ask for a restart");
  });

  test("a file changed by someone else: the apply is refused as stale and a reload is offered", async () => {
    const { page } = w;
    await editorHolds(page, '"maxFiles": 3');
    const mine = (await editorText(page)).replace('"maxFiles": 3', '"maxFiles": 4');
    await page.fill("#config-editor", mine);
    const theirs = readFileSync(file, "utf8").replace('"maxFiles": 3', '"maxFiles": 7');
    writeFileSync(file, theirs);
    await page.click("#config-apply");
    await page.waitForSelector("#config-stale-reload");
    expect(await page.locator("#config-result").textContent()).toContain("changed since you loaded it");
    expect(readFileSync(file, "utf8")).toBe(theirs);
    await page.click("#config-stale-reload");
    await editorHolds(page, '"maxFiles": 7');
    expect(await page.locator("#config-state").textContent()).toBe("As on disk");
    expect(w.errors).toEqual([]);
    expect(foreignRequests(w, base)).toEqual([]);
  });

  for (const size of [{ name: "1440", width: 1440, height: 900 }, { name: "360", width: 360, height: 740 }]) {
    for (const dark of [false, true]) {
      test(`screenshot at ${size.width} px${dark ? ", dark" : ""}: a refused edit with its problems listed`, async () => {
        const s = await openPage(browser, { width: size.width, height: size.height, dark });
        await s.page.goto(`${base}/config#token=${TOKEN}`);
        await editorHolds(s.page, "gateway");
        const text = (await editorText(s.page)).replace('"level": "debug"', '"level": "loud"').replace('"mode": "local"', '"mode": "local",\n    "port": "eighty"');
        await s.page.fill("#config-editor", text);
        await s.page.click("#config-apply");
        await s.page.waitForSelector("#config-issues .issue");
        await s.page.locator("#config-issues .issue", { hasText: "logging.level" }).click();
        await s.page.waitForSelector("#config-help-text");
        expect(await s.page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth <= (globalThis as any).innerWidth)).toBe(true);
        await shot(s.page, `config-${size.name}${dark ? "-dark" : ""}`);
        expect(s.errors).toEqual([]);
        await s.context.close();
      });
    }
  }
});
