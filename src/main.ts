#!/usr/bin/env bun
/**
 * Entry point of the `openclaw` binary. Only global flags and paths are handled here; the command
 * tree is imported lazily so that `gateway run` starts without loading any client command.
 */
import { ProfileError, resolvePaths } from "./config/paths.ts";
import { parseGlobalArgs } from "./cli/globals.ts";
import { VERSION } from "./version.ts";

async function flush(stream: NodeJS.WriteStream): Promise<void> {
  await new Promise<void>((resolve) => stream.write("", () => resolve()));
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseGlobalArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`error: ${parsed.message}\n`);
    return 2;
  }
  if (parsed.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  for (const w of parsed.warnings) process.stderr.write(`${w}\n`);
  const env = process.env;
  // citty and the colour checks read NO_COLOR, so the flag is turned into the env var they know.
  if (parsed.globals.noColor) env.NO_COLOR = "1";
  let paths;
  try {
    paths = resolvePaths({ env, profile: parsed.globals.profile, dev: parsed.globals.dev });
  } catch (err) {
    if (!(err instanceof ProfileError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  const { runCli } = await import("./cli/index.ts");
  // runCli resolves when the command is finished (for `gateway run`: when the gateway has stopped).
  return runCli({ env, paths, globals: parsed.globals }, parsed.rest);
}

const code = await main(process.argv.slice(2));
await Promise.all([flush(process.stdout), flush(process.stderr)]);
process.exit(code);
