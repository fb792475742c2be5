import { z } from "zod";

export const MetaSchema = z
  .object({
    lastTouchedVersion: z.string().optional().describe("Version that last wrote this file"),
    lastTouchedAt: z.string().optional().describe("ISO timestamp of the last write by OpenClaw"),
  })
  .strict()
  .describe("Bookkeeping written by OpenClaw; not meant to be edited");

export const CommandsSchema = z
  .object({
    restart: z.boolean().optional().describe("Allow manual restarts via SIGUSR1 and the restart command"),
  })
  .strict()
  .describe("Operator command permissions");
