// bench/groups-ui.ts: the ui group (issue 12's Control UI goals). A gateway of its own, configured like
// the http group's (the upstream stub as the default agent's model), and headless Chromium driven by
// playwright-core, the browser the UI's tests use:
//
//   fresh      a new browser profile per load (no cache, no storage): the page makes its device key,
//              is paired silently (loopback) and signs in with #token=. Navigated once Chromium's
//              own set-up of the new window is over (measure/browser-idle.ts: about a second of
//              CPU in other processes that a person's fresh profile has behind it before they
//              type the address);
//   returning  reloads of one signed-in tab: assets cached, device paired, token in sessionStorage.
//
// Load = navigation start → the chat view's `openclaw:chat-ready` mark (its session list and history
// shown, the composer usable); the page's other marks (challenge, connect sent, hello) give the phases.
// Bytes = what the first fresh load fetched over HTTP until then (compressed, headers included), plus
// the WebSocket frames it received. Without a Chromium the group is skipped and says why.

import { existsSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { progress, type Run } from "./groups.ts";
import type { Pinning } from "./pin.ts";
import { waitForBrowserIdle } from "./measure/browser-idle.ts";
import { summarize } from "./measure/stats.ts";
import { fmt, type Metric } from "./report.ts";
import { isolatedEnv, launch, launchUpstream, stop, writeHttpGatewayConfig, type Sandbox, type Server, type Upstream } from "./servers.ts";

/** Issue 12's goals. */
const LOAD_GOAL_MS = 300;
const BYTES_GOAL_KIB = 100;
const MARKS = ["challenge", "connect-sent", "hello", "chat-ready"] as const;

const CANDIDATES = [process.env.OPENCLAW_BENCH_CHROMIUM, process.env.OPENCLAW_TEST_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

interface Load {
  marks: Record<string, number>;
}

interface Findings {
  chromium: string;
  fresh: Load[];
  /** Per fresh load: ms waited for the browser to go idle, and whether it did before the deadline. */
  settle: Array<{ waitedMs: number; idle: boolean }>;
  returning: Load[];
  httpBytes: number;
  wsBytes: number;
  requests: number;
}

export async function measureUi(run: Run, pinning: Pinning | undefined): Promise<void> {
  const { opts, box } = run;
  const chromium = CANDIDATES.find((p): p is string => !!p && existsSync(p));
  if (!chromium) {
    const reason = `no Chromium found (looked at ${CANDIDATES.filter(Boolean).join(", ")}; OPENCLAW_BENCH_CHROMIUM names another)`;
    progress(opts, `ui: skipped, ${reason}`);
    run.details.ui = { skipped: reason };
    return;
  }
  let pw: typeof import("playwright-core");
  try {
    pw = await import("playwright-core");
  } catch (err) {
    run.details.ui = { skipped: `playwright-core is not installed (${(err as Error).message}); run bun install` };
    return;
  }
  const dir = join(box.dir, "ui");
  // Not pinned: the browser is the client here, several processes wide; it and the gateway share
  // the machine as they would on an operator's laptop.
  const uBox: Sandbox = { ...box, dir, env: isolatedEnv(join(dir, "home")), prefix: "" };
  let upstream: Upstream | undefined;
  let gateway: Server | undefined;
  let browser: Browser | undefined;
  const n = opts.quick ? 5 : 15;
  try {
    progress(opts, "ui: starting the upstream stub and a gateway using it");
    upstream = await launchUpstream(uBox);
    writeHttpGatewayConfig(uBox.env.HOME!, box.token, upstream.url);
    gateway = await launch("gateway", opts.httpGatewayCmd, uBox);
    const base = gateway.url.replace(/^ws/, "http").replace(/\/$/, "");
    // From source the gateway builds the UI on its first request: not part of any page load.
    const shell = await fetch(`${base}/`);
    if (!shell.ok) throw new Error(`GET / answered ${shell.status}`);
    await shell.text();
    browser = await pw.chromium.launch({ executablePath: wrapper(chromium, dir, pinning), headless: true, args: ["--no-sandbox"] });
    const url = `${base}/#token=${box.token}`;
    progress(opts, `ui: ${n} loads with a fresh profile, ${n} reloads of a signed-in tab (${chromium}, headless)`);
    const found: Findings = { chromium, fresh: [], settle: [], returning: [], httpBytes: Number.NaN, wsBytes: Number.NaN, requests: 0 };
    const sys = await browser.newBrowserCDPSession();
    // One unmeasured load: the gateway's first handshake, its first session reads.
    await measureFresh(browser, sys, url, undefined);
    for (let i = 0; i < n; i++) {
      const { marks, settle } = await measureFresh(browser, sys, url, i === 0 ? found : undefined);
      found.fresh.push({ marks });
      found.settle.push(settle);
    }
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    await chatReady(page);
    for (let i = 0; i < n; i++) {
      await page.reload();
      found.returning.push({ marks: await chatReady(page) });
    }
    await context.close();
    pushMetrics(run, found);
  } catch (err) {
    run.problems.push(`ui: ${(err as Error).message}`);
  } finally {
    await browser?.close().catch(() => {});
    if (gateway) await stop(gateway.proc);
    if (upstream) await stop(upstream.proc);
  }
}

/**
 * The browser gets every CPU the bench may use: the bench pins itself to one, and a browser
 * squeezed onto it would measure the pinning.
 */
function wrapper(chromium: string, dir: string, pinning: Pinning | undefined): string {
  if (!pinning) return chromium;
  const path = join(dir, "chromium");
  writeFileSync(path, `#!/bin/sh\nexec taskset -c ${pinning.client},${pinning.servers} ${JSON.stringify(chromium)} "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

/** One load in a new profile; `bytes` (the first measured load) also gets what went over the wire. */
async function measureFresh(browser: Browser, sys: CDPSession, url: string, bytes: Findings | undefined): Promise<Load & { settle: { waitedMs: number; idle: boolean } }> {
  const context: BrowserContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    let http = 0;
    let ws = 0;
    let requests = 0;
    let counting = true;
    if (bytes) {
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      cdp.on("Network.loadingFinished", (e: { encodedDataLength: number }) => {
        if (counting) (http += e.encodedDataLength), requests++;
      });
      cdp.on("Network.webSocketFrameReceived", (e: { response: { payloadData: string } }) => {
        if (counting) ws += e.response.payloadData.length;
      });
    }
    const settle = await waitForBrowserIdle(sys);
    await page.goto(url);
    const marks = await chatReady(page);
    counting = false;
    if (bytes) Object.assign(bytes, { httpBytes: http, wsBytes: ws, requests });
    return { marks, settle };
  } finally {
    await context.close();
  }
}

/**
 * Waits for the chat view and returns the page's marks, ms since navigation. Asked through CDP
 * (Runtime.evaluate of a small promise), not page.waitForFunction: Playwright's helper script,
 * injected on a page's first evaluation, costs a fresh page 20-40 ms of main thread inside the load.
 */
async function chatReady(page: Page): Promise<Record<string, number>> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const expression = `new Promise((resolve) => {
      const until = Date.now() + 30000;
      const check = () => {
        if (performance.getEntriesByName("openclaw:chat-ready").length > 0 || Date.now() > until) {
          const out = {};
          for (const m of performance.getEntriesByType("mark")) if (m.name.startsWith("openclaw:")) out[m.name.slice(9)] = m.startTime;
          resolve(out);
        } else setTimeout(check, 5);
      };
      check();
    })`;
    const res = (await cdp.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true })) as { result: { value?: Record<string, number> } };
    const marks = res.result.value ?? {};
    if (marks["chat-ready"] === undefined) throw new Error("the chat view was not ready within 30 s");
    return marks;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

function phases(loads: Load[]) {
  return Object.fromEntries(MARKS.map((m) => [m, summarize(loads.map((l) => l.marks[m] ?? Number.NaN).filter(Number.isFinite))]));
}

function pushMetrics(run: Run, f: Findings): void {
  const fresh = phases(f.fresh);
  const returning = phases(f.returning);
  const p50s = (p: ReturnType<typeof phases>) => Object.fromEntries(MARKS.map((m) => [m, Math.round(p[m]!.p50)]));
  run.details.ui = {
    chromium: f.chromium,
    loads: { fresh: f.fresh.length, returning: f.returning.length },
    firstLoad: { httpBytes: f.httpBytes, httpRequests: f.requests, wsBytes: f.wsBytes },
    // How long each fresh load waited for Chromium's new-window work, and how many never saw it end.
    freshSettle: { p50WaitMs: Math.round(summarize(f.settle.map((s) => s.waitedMs)).p50), notIdle: f.settle.filter((s) => !s.idle).length },
    freshP50Ms: p50s(fresh),
    returningP50Ms: p50s(returning),
    freshP99Ms: fresh["chat-ready"]!.p99,
    returningP99Ms: returning["chat-ready"]!.p99,
  };
  const phaseNote = (p: ReturnType<typeof phases>) =>
    `hello at ${fmt(p.hello!.p50, "ms")}, p99 ${fmt(p["chat-ready"]!.p99, "ms")}`;
  const metrics: Metric[] = [
    {
      key: "uiFirstLoadKiB",
      label: "Control UI: bytes until the chat view is usable (HTTP, compressed)",
      unit: "KiB",
      gateway: f.httpBytes / 1024,
      bare: Number.NaN,
      noBare: true,
      goal: { text: `< ${BYTES_GOAL_KIB} KiB`, pass: (g) => g < BYTES_GOAL_KIB },
      note: { gateway: `${f.requests} requests, + ${(f.wsBytes / 1024).toFixed(1)} KiB of WebSocket frames` },
    },
    {
      key: "uiLoadFreshP50Ms",
      label: "Control UI: load → connected chat view p50, fresh profile",
      unit: "ms",
      gateway: fresh["chat-ready"]!.p50,
      bare: Number.NaN,
      noBare: true,
      goal: { text: `< ${LOAD_GOAL_MS} ms`, pass: (g) => g < LOAD_GOAL_MS },
      note: { gateway: `${f.fresh.length} loads, ${phaseNote(fresh)}; each after ${fmt(summarize(f.settle.map((x) => x.waitedMs)).p50, "ms")} (p50) waiting out Chromium's new-window work` },
    },
    {
      key: "uiLoadReturningP50Ms",
      label: "Control UI: load → connected chat view p50, returning tab",
      unit: "ms",
      gateway: returning["chat-ready"]!.p50,
      bare: Number.NaN,
      noBare: true,
      goal: { text: `< ${LOAD_GOAL_MS} ms`, pass: (g) => g < LOAD_GOAL_MS },
      note: { gateway: `${f.returning.length} reloads, ${phaseNote(returning)}` },
    },
  ];
  run.metrics.push(...metrics);
}
