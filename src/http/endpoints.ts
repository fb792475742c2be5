/** Endpoint switches, read per request from the live config so edits hot-apply. */
import type { OpenClawConfig } from "../config/schema.ts";
import { DEFAULT_MAX_BODY_BYTES } from "./middleware/body.ts";

export const chatCompletionsEnabled = (config: OpenClawConfig): boolean =>
  config.gateway?.http?.endpoints?.chatCompletions?.enabled === true;

export const responsesEnabled = (config: OpenClawConfig): boolean => config.gateway?.http?.endpoints?.responses?.enabled === true;

/** /v1/models and /v1/embeddings exist as soon as either OpenAI surface is on. */
export const openAiSurfaceEnabled = (config: OpenClawConfig): boolean => chatCompletionsEnabled(config) || responsesEnabled(config);

export const maxBodyBytes = (config: OpenClawConfig): number => config.gateway?.http?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

export const EMBEDDINGS_MAX_BODY_BYTES = 5 * 1024 * 1024;
export const TOOLS_MAX_BODY_BYTES = 2 * 1024 * 1024;
