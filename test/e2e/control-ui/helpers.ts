// Browser tests of the Control UI: Debian's Chromium driven by playwright-core, headless, against a
// gateway in this process whose model is the OpenAI-compatible echo stub. When no browser can be
// found the tests are skipped and the reason printed (.ci/run installs chromium).
import { afterAll, beforeAll } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { startTestGateway, tempDir, TEST_TOKEN, type TestGateway, type TestGatewayOptions } from "../../fixtures/gateway.ts";
import { startOpenAIStub, type OpenAIStub } from "../../fixtures/openai-stub.ts";

export { TEST_TOKEN };

const CANDIDATES = [process.env.OPENCLAW_TEST_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

/** The browser binary, or undefined (then `skipReason` says why). */
export const CHROMIUM = CANDIDATES.find((p): p is string => !!p && existsSync(p));

export const skipReason = CHROMIUM ? undefined : `no Chromium found (looked at ${CANDIDATES.filter(Boolean).join(", ")}); install the chromium package`;
if (skipReason) console.warn(`control UI browser tests skipped: ${skipReason}`);

/** One headless browser; foo.test resolves to this machine (a page on a name the gateway does not serve). */
export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM!,
    headless: true,
    args: ["--no-sandbox", "--host-resolver-rules=MAP foo.test 127.0.0.1"],
  });
}

export function stubConfig(stub: OpenAIStub, extra: Partial<OpenClawConfig> = {}): OpenClawConfig {
  return {
    gateway: { mode: "local" },
    models: { providers: { stub: { baseUrl: stub.baseUrl, apiKey: "sk-stub", api: "openai-completions", timeoutSeconds: 20, maxRetries: 0, models: [{ id: "echo", name: "Echo" }] } } },
    agents: { defaults: { model: { primary: "stub/echo" }, workspace: join(tempDir("ui-ws-"), "workspace") } },
    ...extra,
  };
}

export interface UiGateway {
  gw: TestGateway;
  stub: OpenAIStub;
  /** http://127.0.0.1:<port> */
  base: string;
  stop(): Promise<void>;
}

export async function startUiGateway(extra: Partial<OpenClawConfig> = {}, opts: TestGatewayOptions = {}): Promise<UiGateway> {
  const stub = await startOpenAIStub();
  const gw = await startTestGateway({ config: stubConfig(stub, extra), ...opts });
  return {
    gw, stub, base: `http://127.0.0.1:${gw.port}`,
    stop: async () => {
      await gw.stop();
      stub.stop();
    },
  };
}

/**
 * A browser and a UI gateway shared by one describe block: started in its beforeAll, stopped in its
 * afterAll. Read them as `scene.browser` / `scene.ui` inside the tests.
 */
export function uiScene(extra: Partial<OpenClawConfig> = {}): { browser: Browser; ui: UiGateway } {
  const scene = {} as { browser: Browser; ui: UiGateway };
  beforeAll(async () => {
    scene.browser = await launchBrowser();
    scene.ui = await startUiGateway(extra);
  }, 60_000);
  afterAll(async () => {
    await scene.browser?.close();
    await scene.ui?.stop();
  });
  return scene;
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** Every URL the page requested (HTTP and WebSocket). */
  requests: string[];
}

/** A fresh profile (no storage, no cache) with one page, watched for errors and requests. */
export async function openPage(browser: Browser, opts: { width?: number; height?: number; dark?: boolean } = {}): Promise<Watched> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1440, height: opts.height ?? 900 },
    colorScheme: opts.dark ? "dark" : "light",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => requests.push(r.url()));
  page.on("websocket", (ws) => requests.push(ws.url()));
  return { context, page, errors, requests };
}

/**
 * Waits until the chat view has loaded its session (the page marks it), then returns ms since
 * navigation. Asked through CDP, not page.waitForFunction: Playwright's helper script, injected into
 * a page on its first evaluation, costs a fresh page 20-40 ms of main thread, which would land
 * inside the very load being timed.
 */
export async function chatReady(page: Page, timeoutMs = 15_000): Promise<number> {
  return pageMark(page, "openclaw:chat-ready", timeoutMs);
}

/** ms since navigation of the page's performance mark `name`, waiting up to `timeoutMs` for it. */
export async function pageMark(page: Page, name: string, timeoutMs = 15_000): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const expression = `new Promise((resolve) => {
      const until = Date.now() + ${timeoutMs};
      const check = () => {
        const m = performance.getEntriesByName(${JSON.stringify(name)})[0];
        if (m) resolve(m.startTime);
        else if (Date.now() > until) resolve(null);
        else setTimeout(check, 5);
      };
      check();
    })`;
    const res = (await cdp.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true })) as { result: { value?: number | null } };
    const at = res.result.value;
    if (typeof at !== "number") throw new Error(`${name} did not happen within ${timeoutMs} ms`);
    return at;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Hosts other than the gateway's that the page asked for (must stay empty). */
export function foreignRequests(w: Watched, origin: string): string[] {
  const host = new URL(origin).host;
  return w.requests.filter((u) => new URL(u).host !== host);
}

/** docs/ui when UPDATE_SCREENSHOTS=1 (to commit), else a temp dir: the shots are taken either way. */
export const SHOT_DIR = process.env.UPDATE_SCREENSHOTS === "1" ? resolve(import.meta.dir, "../../../docs/ui") : tempDir("ui-shots-");
mkdirSync(SHOT_DIR, { recursive: true });

export async function shot(page: Page, name: string): Promise<string> {
  const path = join(SHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Records in window.__seen every distinct text the newest assistant bubble shows, from now on. */
export async function watchReplies(page: Page): Promise<void> {
  // A string: it runs in the page (DOM types are not this program's).
  await page.evaluate(`(() => {
    const seen = [];
    window.__seen = seen;
    new MutationObserver(() => {
      const text = [...document.querySelectorAll(".msg-assistant .text")].at(-1)?.textContent ?? "";
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.querySelector(".messages"), { subtree: true, childList: true, characterData: true });
  })()`);
}
