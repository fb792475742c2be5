// Baileys inside a compiled executable: build.ts compiles a small entry (fixtures/baileys-entry.ts)
// with the release options (minify, bytecode, esm); the executable loads Baileys through the
// adapter's lazy import (only then does its memory grow), reports the version, and opens a real
// Baileys login socket against a local WebSocket server, which receives the noise handshake's
// first frame ("WA" 6 3 …). Also, in source form: importing the adapter loads no package.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "../../fixtures/gateway.ts";
import pkg from "../../../package.json" with { type: "json" };

const ROOT = resolve(import.meta.dir, "../../..");
const ENTRY = join(import.meta.dir, "fixtures", "baileys-entry.ts");
let outdir = "";
let exe = "";

beforeAll(() => {
  outdir = tempDir("wa-binary-");
  exe = join(outdir, process.platform === "win32" ? "openclaw.exe" : "openclaw");
});
afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function lines(out: string): Array<Record<string, any>> {
  return out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
}

test("the compiled executable loads Baileys lazily and drives a real socket through the handshake's first frame", async () => {
  const build = Bun.spawnSync([process.execPath, "build.ts", "--single", "--entry", ENTRY, "--outdir", outdir], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(`build failed:\n${build.stderr.toString()}\n${build.stdout.toString()}`);

  const frames: Uint8Array[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req, s) => (s.upgrade(req) ? undefined : new Response("websocket only", { status: 400 })),
    websocket: {
      message(ws, data) {
        frames.push(typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data));
        ws.close(1000, "not WhatsApp"); // we cannot answer the handshake (WhatsApp's keys); closing must end the login cleanly
      },
    },
  });
  try {
    const run = Bun.spawn([exe, "connect", `ws://127.0.0.1:${server.port}/ws/chat`, tempDir("wa-binary-state-")], {
      cwd: outdir, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" },
    });
    const timer = setTimeout(() => run.kill(), 60_000);
    const [out, err, code] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
    clearTimeout(timer);
    if (code !== 0) throw new Error(`executable exited ${code}\n${err}\n${out}`);
    const [start, support, login] = lines(out);

    expect(support).toMatchObject({ step: "support", ok: true, version: pkg.dependencies["@whiskeysockets/baileys"] });
    expect(support!.message).toBe(`WhatsApp support: loaded (baileys ${pkg.dependencies["@whiskeysockets/baileys"]})`);
    // Loading Baileys costs tens of MiB; had it been loaded at start-up the growth would be ~0.
    expect(support!.rssMiB - start!.rssMiB).toBeGreaterThan(10);

    expect(frames.length).toBe(1);
    expect([...frames[0]!.slice(0, 4)]).toEqual([0x57, 0x41, 6, 3]); // "WA", the noise protocol header Baileys sends first
    expect(login).toMatchObject({ step: "login" });
    expect(login!.message).toStartWith("Failed to get QR: WhatsApp login failed:");
  } finally {
    server.stop(true);
  }
}, 180_000); // compiles an executable

test("importing the adapter and resolving accounts load no package (Baileys, qrcode) in source form either", () => {
  const script = `
    const m = await import(${JSON.stringify(join(ROOT, "src/channels/whatsapp/index.ts"))});
    const a = m.createWhatsAppAdapter({ stateDir: ${JSON.stringify(tempDir("wa-lazy-"))} });
    a.resolveAccounts({ accounts: { work: {} } }, {}, ${JSON.stringify(tempDir("wa-lazy-"))});
    a.outbound.normalizeTarget("+15551234567");
    const loaded = () => Object.keys(require.cache).filter((k) => k.includes("/node_modules/"));
    const before = loaded();
    await m.whatsAppSupport();
    console.log(JSON.stringify({ before, after: loaded().length }));
  `;
  const r = Bun.spawnSync([process.execPath, "-e", script], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  const { before, after } = JSON.parse(r.stdout.toString()) as { before: string[]; after: number };
  expect(before).toEqual([]);
  expect(after).toBeGreaterThan(50); // the check itself works: Baileys pulls in many modules
}, 60_000);
