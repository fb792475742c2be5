// The compiled binary (`bun run build --single`) behaves like `bun src/main.ts`: version, a gateway
// that answers over the protocol, a clean SIGTERM, and service files that name the binary itself.
import { beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { join, resolve } from "node:path";
import { VERSION } from "../../src/version.ts";
import { tempDir } from "../fixtures/gateway.ts";
import { makeHome } from "../fixtures/spawn.ts";
import { RawClient } from "../fixtures/ws-client.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const ROOT = resolve(import.meta.dir, "../..");
let bin: string;

beforeAll(async () => {
  const out = tempDir("bin-");
  const build = Bun.spawn(["bun", join(ROOT, "build.ts"), "--single", "--outdir", out], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if ((await build.exited) !== 0) throw new Error(`build failed:\n${await new Response(build.stderr).text()}`);
  bin = join(out, "openclaw");
}, 180_000); // compiles the whole gateway

function run(args: string[], home: string) {
  return Bun.spawn([bin, ...args], {
    cwd: home,
    env: { PATH: process.env.PATH!, HOME: home, NO_COLOR: "1", OPENCLAW_LOG_DIR: join(home, "logs") },
    stdout: "pipe",
    stderr: "pipe",
  });
}

/** The ws:// URL of the gateway's "Gateway ready" line, read from its stdout as it comes. */
async function readyUrl(p: ReturnType<typeof run>): Promise<string> {
  const reader = p.stdout.getReader();
  let out = "";
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) throw new Error(`binary exited before ready: ${out}${await new Response(p.stderr).text()}`);
      out += new TextDecoder().decode(r.value);
      const url = /Gateway ready: (ws:\/\/\S+)/.exec(out)?.[1];
      if (url) return url;
    }
  } finally {
    reader.releaseLock();
  }
}

test("--version prints the baked-in version", async () => {
  const p = run(["--version"], makeHome());
  expect((await new Response(p.stdout).text()).trim()).toBe(VERSION);
  expect(await p.exited).toBe(0);
});

test("gateway run answers health and stops cleanly on SIGTERM", async () => {
  const home = makeHome({ gateway: { mode: "local" } });
  const p = run(["gateway", "run", "--port", "0", "--token", "bin-token-0123456789"], home);
  const url = await readyUrl(p);
  const c = await RawClient.connect(url, { token: "bin-token-0123456789" });
  expect((await c.request("health")).payload.ok).toBe(true);
  p.kill("SIGTERM");
  expect(await p.exited).toBe(0);
  expect((await c.waitClose()).code).toBe(1012);
});

test("the binary serves the Control UI embedded in it (no src/ui next to it)", async () => {
  const home = makeHome({ gateway: { mode: "local" } });
  const p = run(["gateway", "run", "--port", "0", "--token", "bin-token-0123456789"], home);
  try {
    const base = (await readyUrl(p)).replace(/^ws:/, "http:").replace(/\/$/, "");
    const page = await fetch(`${base}/chat`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBe(3);
    for (const a of assets) {
      const res = await fetch(`${base}${a}`, { headers: { "accept-encoding": "br" }, decompress: false } as RequestInit);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      if (!a.endsWith(".svg")) expect(res.headers.get("content-encoding")).toBe("br");
    }
  } finally {
    p.kill("SIGTERM");
    await p.exited;
  }
});

test("install --dry-run writes a unit whose ExecStart is the binary itself", async () => {
  const home = makeHome({ gateway: { mode: "local", auth: { token: "t0ken-in-config-123456" } } });
  const p = Bun.spawn([bin, "gateway", "install", "--dry-run"], {
    cwd: home,
    env: { PATH: process.env.PATH!, HOME: home, NO_COLOR: "1", OPENCLAW_SERVICE_PLATFORM: "linux", USER: "tester" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = await new Response(p.stdout).text();
  expect(await p.exited).toBe(0);
  expect(out).toMatch(new RegExp(`^ExecStart=${bin.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} gateway run --port 18789$`, "m"));
  expect(out).not.toContain("t0ken-in-config-123456");
});
