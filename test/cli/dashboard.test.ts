// openclaw dashboard: the Control UI URL of the configured gateway, the token in the fragment only,
// the base path, --json, and --open without a usable opener.
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dashboardUrls, openerFor } from "../../src/cli/dashboard.ts";
import { tempDir } from "../fixtures/gateway.ts";
import { run } from "./helpers.ts";

function home(config: object): Record<string, string> {
  const dir = tempDir("dash-");
  mkdirSync(join(dir, ".openclaw"), { recursive: true });
  writeFileSync(join(dir, ".openclaw", "openclaw.json"), JSON.stringify(config));
  return { HOME: dir, OPENCLAW_HOME: dir };
}

describe("dashboardUrls", () => {
  test("ws → http, wss → https, the base path, the token URL-encoded in the fragment", () => {
    expect(dashboardUrls("ws://127.0.0.1:18789", "", "s3cret")).toEqual({
      url: "http://127.0.0.1:18789/#token=s3cret", httpUrl: "http://127.0.0.1:18789/", wsUrl: "ws://127.0.0.1:18789/",
      port: 18789, basePath: "", tokenIncluded: true,
    });
    const remote = dashboardUrls("wss://gw.example.ts.net", "/openclaw/", "a b/c#d");
    expect(remote.url).toBe("https://gw.example.ts.net/openclaw/#token=a%20b%2Fc%23d");
    expect(remote.wsUrl).toBe("wss://gw.example.ts.net/openclaw/");
    expect(dashboardUrls("ws://[::1]:5000", "", undefined)).toMatchObject({ url: "http://[::1]:5000/", tokenIncluded: false });
  });

  test("an opener per system; none on a PATH without one", () => {
    expect(openerFor("win32", "http://x/", "")).toEqual(["cmd", "/c", "start", '""', "http://x/"]);
    expect(openerFor("linux", "http://x/", tempDir("nopath-"))).toBeUndefined();
    const bin = tempDir("opener-");
    writeFileSync(join(bin, "xdg-open"), "#!/bin/sh\n", { mode: 0o755 });
    expect(openerFor("linux", "http://x/", bin)).toEqual(["xdg-open", "http://x/"]);
  });
});

describe("openclaw dashboard", () => {
  test("prints the local gateway's URL with the configured port, token and base path", async () => {
    const env = home({ gateway: { mode: "local", port: 18811, auth: { token: "tok-0123456789" }, controlUi: { basePath: "/ui/" } } });
    const r = await run(["dashboard"], env);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("http://127.0.0.1:18811/ui/#token=tok-0123456789");
    const j = await run(["dashboard", "--json"], env);
    expect(JSON.parse(j.stdout)).toEqual({
      ok: true, url: "http://127.0.0.1:18811/ui/#token=tok-0123456789", httpUrl: "http://127.0.0.1:18811/ui/", wsUrl: "ws://127.0.0.1:18811/ui/",
      port: 18811, basePath: "/ui", tokenIncluded: true,
    });
  });

  test("OPENCLAW_GATEWAY_TOKEN is used; a password is never put in the URL", async () => {
    const withEnv = await run(["dashboard"], { ...home({ gateway: { mode: "local" } }), OPENCLAW_GATEWAY_TOKEN: "env-token-123456" });
    expect(withEnv.stdout.trim()).toBe("http://127.0.0.1:18789/#token=env-token-123456");
    const pw = await run(["dashboard", "--json"], home({ gateway: { mode: "local", auth: { mode: "password", password: "pw-0123456789" } } }));
    const out = JSON.parse(pw.stdout);
    expect(out).toMatchObject({ url: "http://127.0.0.1:18789/", tokenIncluded: false });
    expect(pw.stdout).not.toContain("pw-0123456789");
  });

  test("--open without an opener still prints the URL and says why nothing opened", async () => {
    const env = { ...home({ gateway: { mode: "local", auth: { token: "tok-0123456789" } } }), PATH: tempDir("nopath-") };
    const r = await run(["dashboard", "--open", "--json"], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ url: "http://127.0.0.1:18789/#token=tok-0123456789", opened: false, openError: expect.stringContaining("no browser opener found") });
    const human = await run(["dashboard", "--open"], env);
    expect(human.stdout.trim()).toBe("http://127.0.0.1:18789/#token=tok-0123456789");
    expect(human.stderr).toContain("Could not open a browser");
  });
});
