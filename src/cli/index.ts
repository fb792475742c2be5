/**
 * The command tree and the one place that turns outcomes into exit codes: 0 ok, 1 expected
 * failure (message, no stack), 2 usage error.
 */
import { defineCommand, renderUsage, runCommand, type CommandDef } from "citty";
import { VERSION } from "../version.ts";
import { createIO, type CliContext, type CliIO, type GlobalContext } from "./context.ts";
import { CliError, ExitError, stripAnsi, UsageError } from "./errors.ts";

/** Every subcommand is imported only when it runs, so `gateway run` pays for nothing else. */
export function createCli(ctx: CliContext): CommandDef {
  return defineCommand({
    meta: { name: "openclaw", version: VERSION, description: "OpenClaw Gateway and its client commands" },
    subCommands: {
      gateway: () => import("./gateway/index.ts").then((m) => m.createGatewayCommand(ctx)),
      health: () => import("./health.ts").then((m) => m.createHealthCommand(ctx)),
      logs: () => import("./logs/index.ts").then((m) => m.createLogsCommand(ctx)),
      agent: () => import("./agent.ts").then((m) => m.createAgentCommand(ctx)),
      doctor: () => import("./doctor.ts").then((m) => m.createDoctorCommand(ctx)),
      secrets: () => import("./secrets.ts").then((m) => m.createSecretsCommand(ctx)),
      devices: () => import("./devices/index.ts").then((m) => m.createDevicesCommand(ctx)),
      nodes: () => import("./nodes/index.ts").then((m) => m.createNodesCommand(ctx)),
      node: () => import("./node/index.ts").then((m) => m.createNodeCommand(ctx)),
      setup: () => import("./setup.ts").then((m) => m.createSetupCommand(ctx)),
      channels: () => import("./channels/index.ts").then((m) => m.createChannelsCommand(ctx)),
      message: () => import("./message/index.ts").then((m) => m.createMessageCommand(ctx)),
      pairing: () => import("./pairing/index.ts").then((m) => m.createPairingCommand(ctx)),
      cron: () => import("./cron.ts").then((m) => m.createCronCommand(ctx)),
      approvals: () => import("./approvals/index.ts").then((m) => m.createApprovalsCommand(ctx)),
      "exec-approvals": () => import("./approvals/index.ts").then((m) => m.createApprovalsCommand(ctx, "exec-approvals")),
      dashboard: () => import("./dashboard.ts").then((m) => m.createDashboardCommand(ctx)),
      status: () => import("./status/index.ts").then((m) => m.createStatusCommand(ctx)),
    },
  }) as CommandDef;
}

type Resolvable<T> = T | Promise<T> | (() => T | Promise<T>);

async function resolve<T>(value: Resolvable<T>): Promise<T> {
  return typeof value === "function" ? (value as () => T | Promise<T>)() : value;
}

function commandWords(argv: readonly string[]): string[] {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).filter((a) => !a.startsWith("-"));
}

export function helpRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/** The deepest command named on the line, with its parent (for the usage title). */
async function commandFor(root: CommandDef, argv: readonly string[]): Promise<[CommandDef, CommandDef | undefined]> {
  let cmd = root;
  let parent: CommandDef | undefined;
  for (const word of commandWords(argv)) {
    const subs = cmd.subCommands ? await resolve(cmd.subCommands) : undefined;
    const next = subs?.[word];
    if (!next) break;
    parent = cmd;
    cmd = await resolve(next);
  }
  return [cmd, parent];
}

function isCittyUsageError(err: unknown): err is Error {
  return err instanceof Error && err.name === "CLIError";
}

function report(err: unknown, io: CliIO, json: boolean, debug: boolean): number {
  if (err instanceof ExitError) return err.exitCode;
  let type = "cli_error";
  let exitCode = 1;
  let message = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError || isCittyUsageError(err)) {
    type = "usage_error";
    exitCode = 2;
    message = stripAnsi(message);
  } else if (err instanceof CliError) {
    type = err.type;
    exitCode = err.exitCode;
  }
  if (json) {
    io.json({ ok: false, error: { type, message } });
  } else {
    io.err(`Error: ${message}`);
    if (exitCode === 2) io.err("Run openclaw --help for usage.");
  }
  // Unexpected failures keep their stack for whoever asked to debug; expected ones never show it.
  if (debug && type === "cli_error" && err instanceof Error && err.stack) io.err(err.stack);
  return exitCode;
}

/** Runs one command line and returns the exit code; never exits the process itself. */
export async function runCli(global: GlobalContext, argv: string[], io: CliIO = createIO(global)): Promise<number> {
  const ctx: CliContext = { ...global, io };
  const root = createCli(ctx);
  const json = argv.includes("--json");
  try {
    if (argv.length === 0 || helpRequested(argv)) {
      const usage = await renderUsage(...(await commandFor(root, argv)));
      io.out(io.color ? usage : stripAnsi(usage));
      return 0;
    }
    await runCommand(root, { rawArgs: argv });
    return 0;
  } catch (err) {
    return report(err, io, json, (global.env.OPENCLAW_DEBUG ?? "") !== "");
  }
}
