// bench/measure/browser-idle.ts: waits until Chromium has finished setting up a new window.
//
// A new browser context and its first page make Chromium do a second or so of its own work
// (traced on the bench machine: a "WebUI Top Renderer" process preparing the window's browser
// UI, ~1.1 s of CPU, plus the browser process's ~0.3 s), none of it for the page. A person with a
// fresh profile has that done before typing the address; a page navigated at once shares the CPU
// with it, and on a 2-core machine that doubled the fresh-profile load time. So the ui group's
// fresh loads start once the browser's processes are idle, read from CDP's SystemInfo (CPU time
// per process, browser-wide).

import type { CDPSession } from "playwright-core";

interface ProcessInfo {
  type: string;
  id: number;
  /** Seconds of CPU since the process started (10 ms steps on Linux). */
  cpuTime: number;
}

export interface IdleWait {
  /** How long the wait took, ms. */
  waitedMs: number;
  /** False when the browser was still busy at the deadline (the load then starts anyway). */
  idle: boolean;
}

/** Busy when all processes together used more than this in one window (one 10 ms tick is noise). */
const BUSY_CPU_MS = 10;
const WINDOW_MS = 50;
/** Consecutive quiet windows that count as idle. */
const QUIET_WINDOWS = 2;

async function cpuMs(cdp: CDPSession): Promise<number> {
  const res = (await cdp.send("SystemInfo.getProcessInfo")) as { processInfo: ProcessInfo[] };
  return res.processInfo.reduce((sum, p) => sum + p.cpuTime, 0) * 1000;
}

/** `cdp`: a browser-level session (browser.newBrowserCDPSession()). */
export async function waitForBrowserIdle(cdp: CDPSession, deadlineMs = 5000): Promise<IdleWait> {
  const start = performance.now();
  let last = await cpuMs(cdp);
  let quiet = 0;
  while (performance.now() - start < deadlineMs) {
    await Bun.sleep(WINDOW_MS);
    const now = await cpuMs(cdp);
    quiet = now - last <= BUSY_CPU_MS ? quiet + 1 : 0;
    last = now;
    if (quiet >= QUIET_WINDOWS) return { waitedMs: performance.now() - start, idle: true };
  }
  return { waitedMs: performance.now() - start, idle: false };
}
