import { z } from "zod";

export const LogLevelSchema = z
  .enum(["silent", "fatal", "error", "warn", "info", "debug", "trace"])
  .describe("Log level");

export const LoggingSchema = z
  .object({
    level: LogLevelSchema.optional().describe("Minimum level written to the log file (default info)"),
    consoleLevel: LogLevelSchema.optional().describe("Minimum level printed to the console (default info)"),
    file: z.string().optional().describe("Log file path; defaults to a dated file under the log directory"),
    maxFileBytes: z.int().positive().optional().describe("Rotate the log file once it exceeds this many bytes"),
    maxFiles: z.int().min(0).max(50).optional().describe("How many rotated log files to keep"),
    consoleStyle: z.enum(["pretty", "json"]).optional().describe("Console output format (default pretty)"),
    redactPatterns: z
      .array(z.string())
      .optional()
      .describe("Extra regular expressions whose matches are masked in logs"),
  })
  .strict()
  .describe("Logging");
