/**
 * `openclaw [--dev | --profile NAME] setup [--force] [--reset [--yes]] [--json]`: a config the
 * gateway starts from (local mode, loopback, a generated token), the state dir and the workspace.
 * An existing config is left alone unless --force (which keeps the old one as `.bak`); --reset
 * first removes what the profile has accumulated, and refuses the main state dir without --yes.
 */
import { defineCommand } from "citty";
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { validateConfig } from "../config/load.ts";
import { writeFileAtomic } from "../config/write-file.ts";
import type { ResolvedPaths } from "../config/paths.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { generateGatewayToken, resolveGatewaySettings } from "../config/settings.ts";
import { probeGatewayLock } from "../gateway/lock.ts";
import { VERSION } from "../version.ts";
import { jsonArg, rejectUnknownFlags } from "./args.ts";
import type { CliContext } from "./context.ts";
import { CliError } from "./errors.ts";

const args = {
  force: { type: "boolean", description: "Overwrite an existing config (the old one is kept as <config>.bak)" },
  reset: {
    type: "boolean",
    description: "First remove this profile's config, credentials, sessions database, workspace and state-dir logs",
  },
  yes: { type: "boolean", description: "Allow --reset on a state dir that is not a dev or named profile's (e.g. ~/.openclaw)" },
  ...jsonArg,
} as const;

/** What `--json` prints in place of the token. */
export const REDACTED_TOKEN = "<redacted>";

export interface ResetTarget {
  what: string;
  path: string;
}

/** Everything `--reset` removes for these paths, existing or not. */
export function resetTargets(paths: ResolvedPaths): ResetTarget[] {
  const s = paths.stateDir;
  return [
    { what: "config", path: paths.configPath },
    { what: "config backup", path: `${paths.configPath}.bak` },
    { what: "config last-good copy", path: `${paths.configPath}.last-good` },
    { what: "credentials (service env file)", path: join(s, "gateway.env") },
    { what: "credentials (.env)", path: join(s, ".env") },
    { what: "credentials", path: join(s, "credentials") },
    { what: "sessions database", path: join(s, "state") },
    { what: "workspace", path: join(s, "workspace") },
    { what: "logs", path: join(s, "logs") },
  ];
}

/** Only a state dir chosen by `--dev` / `--profile NAME` is safe to wipe without asking. */
export function isProfileStateDir(paths: ResolvedPaths): boolean {
  return paths.configPathSource === "profile" && paths.profile !== null;
}


function ensurePrivateDir(dir: string): boolean {
  if (existsSync(dir)) return false;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return true;
}

/** The command that starts the gateway of these paths. */
function runHint(paths: ResolvedPaths): string {
  if (paths.isDev) return "openclaw --dev gateway run";
  if (isProfileStateDir(paths)) return `openclaw --profile ${paths.profile} gateway run`;
  return "openclaw gateway run";
}

/** The port `gateway run` will use with this config, as far as the environment tells. */
function portOf(env: Record<string, string | undefined>, config: OpenClawConfig, paths: ResolvedPaths): string | undefined {
  try {
    const s = resolveGatewaySettings({ flags: {}, env, config, paths, generateToken: () => "" });
    return s.portSource === "env" ? `${s.port} (OPENCLAW_GATEWAY_PORT)` : String(s.port);
  } catch {
    return undefined;
  }
}

export function newConfig(token: string): OpenClawConfig {
  return {
    meta: { lastTouchedVersion: VERSION, lastTouchedAt: new Date().toISOString() },
    gateway: { mode: "local", bind: "loopback", auth: { mode: "token", token } },
  };
}

export function createSetupCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "setup", description: "Create the config, state dir and workspace of the active profile (--dev: ~/.openclaw-dev)" },
    args,
    run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      const { io, paths } = ctx;
      const json = a.json === true;
      const label = paths.isDev ? "Dev config" : "Config";
      let removed: ResetTarget[] | undefined;

      if (a.reset) {
        if (!isProfileStateDir(paths) && !a.yes) {
          throw new CliError(
            `Refusing to --reset ${paths.stateDir}: it is not a dev or named profile's state dir. ` +
              "Use --dev or --profile <name>, or pass --yes to reset it anyway.",
            "reset_refused",
          );
        }
        const running = probeGatewayLock(paths.stateDir);
        if (running && !running.self) {
          throw new CliError(
            `A gateway is running on ${paths.stateDir} (pid ${running.owner?.pid ?? "unknown"}); stop it first (openclaw gateway stop).`,
            "gateway_running",
          );
        }
        const present = resetTargets(paths).filter((t) => existsSync(t.path));
        if (!json) {
          if (present.length === 0) io.out(`Nothing to reset under ${paths.stateDir}.`);
          else {
            io.out(`Resetting ${paths.isDev ? "the dev profile" : paths.profile ? `profile "${paths.profile}"` : "the default profile"} (${paths.stateDir}); removing:`);
            for (const t of present) io.out(`  - ${t.what}: ${t.path}`);
          }
        }
        for (const t of present) rmSync(t.path, { recursive: true, force: true });
        if (!json && present.length > 0) io.out(`Removed ${present.length} item(s).`);
        removed = present;
      }

      const exists = existsSync(paths.configPath);
      if (exists && !a.force) {
        if (json) {
          io.json({ ok: true, path: paths.configPath, created: false, stateDir: paths.stateDir, ...(removed ? { removed } : {}) });
        } else {
          io.out(`${label} ready: ${paths.configPath}`);
          io.out("It already exists and was left unchanged (pass --force to overwrite it; the old one is kept as .bak).");
        }
        return;
      }
      if (exists && statSync(paths.configPath).isDirectory()) throw new CliError(`${paths.configPath} is a directory`);

      const token = generateGatewayToken();
      const config = validateConfig(newConfig(token), paths.configPath);
      const createdState = ensurePrivateDir(paths.stateDir);
      const workspace = join(paths.stateDir, "workspace");
      ensurePrivateDir(workspace);
      let backup: string | undefined;
      if (exists) {
        backup = `${paths.configPath}.bak`;
        copyFileSync(paths.configPath, backup);
      }
      writeFileAtomic(paths.configPath, `${JSON.stringify(config, null, 2)}\n`, 0o600);
      const port = portOf(ctx.env, config, paths);

      if (json) {
        io.json({
          ok: true, path: paths.configPath, created: true, stateDir: paths.stateDir, token: REDACTED_TOKEN,
          ...(backup ? { backup } : {}), ...(removed ? { removed } : {}),
        });
        return;
      }
      io.out(`${label} ready: ${paths.configPath}`);
      if (backup) io.out(`  previous config: ${backup}`);
      io.out(`  state dir: ${paths.stateDir}${createdState ? " (created)" : ""}`);
      io.out(`  workspace: ${workspace}`);
      io.out(`  gateway: mode=local bind=loopback${port ? ` port=${port}` : ""}`);
      io.out(`  token: ${token}`);
      io.out("  (the token is stored in the config; clients need it to connect)");
      io.out(`Start it: ${runHint(paths)}`);
    },
  });
}
