/**
 * `openclaw dashboard`: the Control UI's address on the configured gateway, with the gateway token
 * in the fragment (`#token=…`: never sent to the server, read and removed by the page). A password
 * is never put in a URL. `--open` hands the URL to the system's opener.
 */
import { defineCommand } from "citty";
import { jsonArg, rejectUnknownFlags } from "./args.ts";
import type { CliContext } from "./context.ts";
import { resolveCliTarget } from "./rpc.ts";
import { loadConfig } from "../config/load.ts";
import { normalizeBasePath } from "../http/control-ui/routes.ts";

const args = {
  ...jsonArg,
  open: { type: "boolean", description: "Open the URL in the default browser" },
} as const;

export interface DashboardUrls {
  url: string;
  httpUrl: string;
  wsUrl: string;
  port: number | undefined;
  basePath: string;
  tokenIncluded: boolean;
}

/** ws(s)://host:port → the page's http(s) URL under the base path, with `#token=` when there is a token. */
export function dashboardUrls(wsUrl: string, basePath: string, token: string | undefined): DashboardUrls {
  const ws = new URL(wsUrl);
  const scheme = ws.protocol === "wss:" ? "https:" : "http:";
  const base = normalizeBasePath(basePath);
  const httpUrl = `${scheme}//${ws.host}${base}/`;
  return {
    url: token ? `${httpUrl}#token=${encodeURIComponent(token)}` : httpUrl,
    httpUrl,
    wsUrl: `${ws.protocol}//${ws.host}${base}/`,
    port: ws.port ? Number(ws.port) : undefined,
    basePath: base,
    tokenIncluded: !!token,
  };
}

/** The command that opens a URL here, or undefined when this system has none on PATH. */
export function openerFor(platform: NodeJS.Platform, url: string, PATH: string | undefined): string[] | undefined {
  const found = (c: string) => Bun.which(c, { PATH: PATH ?? "" }) !== null;
  if (platform === "darwin") return found("open") ? ["open", url] : undefined;
  if (platform === "win32") return ["cmd", "/c", "start", '""', url];
  const opener = ["xdg-open", "gio", "sensible-browser"].find(found);
  return opener === "gio" ? ["gio", "open", url] : opener ? [opener, url] : undefined;
}

async function openUrl(url: string, PATH: string | undefined): Promise<{ opened: boolean; reason?: string }> {
  const cmd = openerFor(process.platform, url, PATH);
  if (!cmd) return { opened: false, reason: "no browser opener found (xdg-open, gio or sensible-browser)" };
  try {
    const p = Bun.spawn(cmd, { stdin: "ignore", stdout: "ignore", stderr: "ignore", env: { ...process.env, PATH: PATH ?? "" } });
    // The opener returns at once on every system; its exit code says whether it found a browser.
    const code = await Promise.race([p.exited, Bun.sleep(5000).then(() => 0)]);
    return code === 0 ? { opened: true } : { opened: false, reason: `${cmd[0]} exited with code ${code}` };
  } catch (err) {
    return { opened: false, reason: `${cmd[0]}: ${(err as Error).message}` };
  }
}

export function createDashboardCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "dashboard", description: "Print (and with --open, open) the Control UI URL of the configured gateway" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      const target = await resolveCliTarget(ctx, {});
      let basePath = "";
      // The base path is this machine's gateway setting: only meaningful for the local gateway.
      if (target.urlSource === "local loopback") {
        try {
          basePath = loadConfig(ctx.paths.configPath, ctx.env).config.gateway?.controlUi?.basePath ?? "";
        } catch {
          basePath = "";
        }
      }
      const urls = dashboardUrls(target.url, basePath, target.token);
      const opened = a.open ? await openUrl(urls.url, ctx.env.PATH) : undefined;
      if (a.json) {
        ctx.io.json({ ok: true, ...urls, ...(opened ? { opened: opened.opened, ...(opened.reason ? { openError: opened.reason } : {}) } : {}) });
        return;
      }
      ctx.io.out(urls.url);
      if (!urls.tokenIncluded) ctx.io.err(target.password ? "Sign in with the gateway password on the page." : "No gateway token configured: the page will ask for the secret.");
      if (opened?.opened) ctx.io.err("Opened in your browser.");
      else if (opened) ctx.io.err(`Could not open a browser: ${opened.reason}. Open the URL above yourself.`);
    },
  });
}
