import { defineCommand } from "citty";
import { GatewayTransportError } from "../../client/errors.ts";
import { jsonArg, parseIntArg, rejectUnknownFlags, timeoutArg, urlArgs } from "../args.ts";
import type { CliContext, CliIO } from "../context.ts";
import { ExitError } from "../errors.ts";
import { callGateway, CLI_READER, describeError, errorJson, isGatewayError, resolveCliTarget } from "../rpc.ts";
import { followLogs, type TailPage } from "./follow.ts";
import { formatLogEntry, logJsonRecord, parseLogLine, TRUNCATED_NOTICE } from "./format.ts";

const args = {
  follow: { type: "boolean", alias: "f", description: "Keep polling for new lines" },
  limit: { type: "string", description: "Most lines per read (1-5000)", default: "200" },
  "max-bytes": { type: "string", description: "Most bytes per read (1-1000000)", default: "250000" },
  interval: { type: "string", description: "Poll interval with --follow, in ms", default: "1000" },
  ...jsonArg,
  plain: { type: "boolean", description: "Plain text lines, no colour" },
  color: { type: "boolean", description: "Colour output on a terminal", default: true },
  utc: { type: "boolean", description: "Show times in UTC" },
  "local-time": { type: "boolean", description: "Show times in local time (default)" },
  ...urlArgs,
  ...timeoutArg(30_000),
} as const;

interface PrintOptions {
  json: boolean;
  utc: boolean;
  color: boolean;
}

/** Prints pages as they come; a header whenever the file changes (first page, rotation to a new day). */
export function createLogPrinter(io: CliIO, opts: PrintOptions) {
  let lastFile: string | null = null;
  const notice = (message: string, toStdout = false) => {
    if (opts.json) io.out(JSON.stringify({ type: "notice", message }));
    else if (toStdout) io.out(message);
    else io.err(message);
  };
  return {
    notice,
    page(page: TailPage): void {
      if (page.file !== lastFile) {
        lastFile = page.file;
        if (opts.json) {
          io.out(JSON.stringify({ type: "meta", file: page.file, sourceKind: "file", cursor: page.cursor, size: page.size }));
        } else {
          io.out(`Log file: ${page.file}`);
        }
      }
      for (const raw of page.lines) {
        if (opts.json) {
          io.out(JSON.stringify(logJsonRecord(raw, opts)));
        } else {
          const entry = parseLogLine(raw, opts);
          io.out(entry ? formatLogEntry(entry, opts) : raw);
        }
      }
      if (page.truncated) notice(TRUNCATED_NOTICE, true);
    },
  };
}

function reportFailure(io: CliIO, err: unknown, json: boolean, where: string): void {
  if (json) {
    const { error } = errorJson(err) as { error: Record<string, unknown> };
    io.err(JSON.stringify({ ...error, type: "error", errorType: error.type }));
  } else if (err instanceof GatewayTransportError) {
    io.err(`Gateway not reachable: ${err.message} (${where})`);
  } else {
    io.err(`Logs failed: ${describeError(err)}`);
  }
}

export function createLogsCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "logs", description: "Show the gateway's file log (logs.tail)" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      const limit = parseIntArg(a.limit, "limit", 1, 5000);
      const maxBytes = parseIntArg(a["max-bytes"], "max-bytes", 1, 1_000_000);
      const intervalMs = parseIntArg(a.interval, "interval", 1);
      const timeoutMs = parseIntArg(a.timeout, "timeout", 1);
      const target = await resolveCliTarget(ctx, { url: a.url, token: a.token, password: a.password });
      const json = a.json === true;
      const printer = createLogPrinter(ctx.io, {
        json,
        utc: a.utc === true,
        color: !a.plain && a.color !== false && ctx.io.color,
      });
      const poll = (cursor: number | undefined) =>
        callGateway<TailPage>(target, {
          identity: CLI_READER,
          method: "logs.tail",
          params: cursor === undefined ? { limit, maxBytes } : { limit, maxBytes, cursor },
          timeoutMs,
        });
      const where = `${target.url}, ${target.urlSource}`;

      if (!a.follow) {
        try {
          printer.page(await poll(undefined));
        } catch (err) {
          if (!isGatewayError(err)) throw err;
          reportFailure(ctx.io, err, json, where);
          throw new ExitError(1);
        }
        return;
      }

      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.on("SIGINT", onSigint);
      try {
        await followLogs({ poll, intervalMs, signal: abort.signal, onPage: printer.page, onNotice: (m) => printer.notice(m) });
      } catch (err) {
        if (!isGatewayError(err)) throw err;
        reportFailure(ctx.io, err, json, where);
        throw new ExitError(1);
      } finally {
        process.off("SIGINT", onSigint);
      }
    },
  });
}
