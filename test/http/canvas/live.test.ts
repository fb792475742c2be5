// Live reload: the watcher runs only while a page listens, bursts collapse into one reload, and the event stream over HTTP.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CanvasHost } from "../../../src/http/canvas/host.ts";
import { DEBOUNCE_MS, ReloadHub } from "../../../src/http/canvas/live.ts";
import { SurfaceCapabilities } from "../../../src/http/canvas/surface.ts";
import { tempDir } from "../../fixtures/gateway.ts";
import { waitUntil } from "../../fixtures/wait.ts";
import { startCanvasServer, type CanvasServer } from "./helpers.ts";

const servers: CanvasServer[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  for (const s of servers.splice(0)) s.stop();
});

/** Reads an event stream into a list of `event:` names as they arrive. */
function collect(res: Response): { events: string[]; text: () => string; cancel: () => Promise<void> } {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  const events: string[] = [];
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const name = /^event: (.+)$/m.exec(frame)?.[1];
        if (name) events.push(name);
      }
    }
  })();
  return { events, text: () => buf, cancel: () => reader.cancel().catch(() => {}) };
}

test("the hub watches a root only while someone listens, and a burst of writes is one reload", async () => {
  const root = tempDir("canvas-live-");
  const hub = new ReloadHub();
  expect(hub.watching).toBe(0);
  let fired = 0;
  const off = hub.subscribe(root, () => fired++);
  cleanups.push(off);
  expect(hub.watching).toBe(1);
  const second = hub.subscribe(root, () => {});
  expect(hub.watching).toBe(1);

  mkdirSync(join(root, "deep", "er"), { recursive: true });
  for (let i = 0; i < 5; i++) writeFileSync(join(root, "deep", "er", `f${i}.html`), `v${i}`);
  await waitUntil(() => fired >= 1, "a reload after the writes", { timeoutMs: 5_000 });
  // Checking that no second reload follows the same burst needs a quiet spell longer than the debounce.
  await Bun.sleep(DEBOUNCE_MS * 4);
  expect(fired).toBe(1);

  writeFileSync(join(root, "deep", "er", "f0.html"), "changed");
  await waitUntil(() => fired >= 2, "a reload after a later write", { timeoutMs: 5_000 });

  second();
  expect(hub.watching).toBe(1);
  off();
  expect(hub.watching).toBe(0);
  writeFileSync(join(root, "after.html"), "x");
  await Bun.sleep(DEBOUNCE_MS * 3);
  expect(fired).toBe(2);
}, 20_000);

test("a page's event stream says hello, then reload after a file under the root changes", async () => {
  const s = startCanvasServer();
  servers.push(s);
  expect((await s.get("/__openclaw__/canvas/")).status).toBe(200);
  const res = await s.get("/__openclaw__/canvas/.live/events");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("text/event-stream");
  expect(res.headers.get("access-control-allow-origin")).toBe("*");
  const stream = collect(res);
  cleanups.push(() => void stream.cancel());
  await waitUntil(() => stream.events.includes("hello"), "the hello event", { timeoutMs: 5_000 });
  expect(stream.events).toEqual(["hello"]);

  writeFileSync(join(s.root, "index.html"), "<p>new</p>");
  await waitUntil(() => stream.events.includes("reload"), "a reload event", { timeoutMs: 5_000, detail: () => stream.events.join(",") });

  // Through a capability, without any header.
  const cap = s.caps.issue("conn-7");
  const viaCap = await s.get(`/__openclaw__/cap/${cap}/__openclaw__/canvas/.live/events`, { auth: false });
  expect(viaCap.status).toBe(200);
  const capStream = collect(viaCap);
  cleanups.push(() => void capStream.cancel());
  await waitUntil(() => capStream.events.includes("hello"), "hello through the capability", { timeoutMs: 5_000 });
  mkdirSync(join(s.root, "sub"));
  writeFileSync(join(s.root, "sub", "x.css"), "p{}");
  await waitUntil(() => capStream.events.includes("reload"), "a reload through the capability", { timeoutMs: 5_000 });

  // The stream is gated like the documents.
  expect((await s.get("/__openclaw__/canvas/.live/events", { auth: false })).status).toBe(401);
  const head = await s.get("/__openclaw__/canvas/.live/events", { method: "HEAD" });
  expect(head.status).toBe(200);
}, 20_000);

test("a client that goes away stops the watcher", async () => {
  const dir = tempDir("canvas-host-");
  const host = new CanvasHost({ stateDir: dir, home: dir, skippedByEnv: false, capabilities: new SurfaceCapabilities() });
  const abort = new AbortController();
  const req = new Request("http://127.0.0.1/__openclaw__/canvas/.live/events", { signal: abort.signal });
  const res = await host.handle(req, {}, { rest: "/.live/events", base: "", search: "", capability: false });
  expect(res.status).toBe(200);
  const stream = collect(res);
  await waitUntil(() => stream.events.includes("hello"), "hello", { timeoutMs: 5_000 });
  expect(host.hub.watching).toBe(1);
  abort.abort();
  await waitUntil(() => host.hub.watching === 0, "the watcher to stop after the abort", { timeoutMs: 5_000 });

  // A reader that cancels the body does the same.
  const res2 = await host.handle(new Request("http://127.0.0.1/x"), {}, { rest: "/.live/events", base: "", search: "", capability: false });
  const s2 = collect(res2);
  await waitUntil(() => s2.events.includes("hello"), "hello", { timeoutMs: 5_000 });
  expect(host.hub.watching).toBe(1);
  await s2.cancel();
  await waitUntil(() => host.hub.watching === 0, "the watcher to stop after a cancel", { timeoutMs: 5_000 });
}, 20_000);
