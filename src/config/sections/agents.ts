import { z } from "zod";
import { toolsSchemas } from "./tools.ts";

/** "provider/model", or { primary, fallbacks }. */
export const AgentModelSchema = z.union([
  z.string().min(3).describe('"provider/model"'),
  z
    .object({
      primary: z.string().min(3).describe('"provider/model"'),
      fallbacks: z.array(z.string().min(3)).optional().describe("Tried in order when the primary fails"),
    })
    .strict(),
]);

export const MemorySearchSchema = z
  .object({
    provider: z.string().describe("models.providers id used for embeddings"),
    model: z.string().describe("Embedding model id"),
  })
  .strict()
  .describe("Embedding backend for memory search and /v1/embeddings");

const agentFields = {
  model: AgentModelSchema.optional().describe("Model the agent runs on"),
  systemPrompt: z.string().optional().describe("System prompt for every turn"),
  timeoutSeconds: z.number().positive().optional().describe("Deadline of one agent turn (default 600)"),
  memorySearch: MemorySearchSchema.optional(),
  workspace: z.string().optional().describe("Workspace directory of the agent: cwd of file tools and exec (default <state>/workspace)"),
  skipBootstrap: z.boolean().optional().describe("Do not seed the workspace files on the first run"),
  tools: z.lazy(() => toolsSchemas().agentTools).optional(),
};

export const AgentDefaultsSchema = z.object(agentFields).strict().describe("Settings every agent inherits");

export const AgentEntrySchema = z
  .object({ ...agentFields, name: z.string().optional().describe("Display name"), default: z.boolean().optional().describe("Mark as the default agent") })
  .strict();

export const AgentsSchema = z
  .object({
    defaults: AgentDefaultsSchema.optional(),
    entries: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/), AgentEntrySchema)
      .optional()
      .describe('Agents by id; a default agent "main" exists when none is configured'),
  })
  .strict()
  .describe("Agents");
