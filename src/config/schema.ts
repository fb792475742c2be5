import { z } from "zod";
import { GatewaySchema } from "./sections/gateway.ts";
import { LoggingSchema } from "./sections/logging.ts";
import { CommandsSchema, MetaSchema } from "./sections/misc.ts";
import { ModelsSchema } from "./sections/models.ts";
import { AgentsSchema } from "./sections/agents.ts";
import { SecretsSchema } from "./sections/secrets.ts";
import { channelSchemas } from "./sections/channels.ts";
import { hooksSchemas } from "./sections/hooks.ts";
import { toolsSchemas } from "./sections/tools.ts";
import { pluginsSchemas } from "./sections/plugins.ts";
import { discoverySchemas } from "./sections/discovery.ts";

export { BindModeSchema, GatewaySchema } from "./sections/gateway.ts";
export { LogLevelSchema, LoggingSchema } from "./sections/logging.ts";

/**
 * Root sections, one entry per file under ./sections. New sections (models, agents, channels, …)
 * are added by defining them in their own file and listing them here; strictness stays per object.
 */
const sections = {
  meta: MetaSchema.optional(),
  gateway: GatewaySchema.optional(),
  logging: LoggingSchema.optional(),
  commands: CommandsSchema.optional(),
  models: ModelsSchema.optional(),
  agents: AgentsSchema.optional(),
  secrets: SecretsSchema.optional(),
  channels: z.lazy(() => channelSchemas().channels).optional(),
  session: z.lazy(() => channelSchemas().session).optional(),
  hooks: z.lazy(() => hooksSchemas().hooks).optional(),
  tools: z.lazy(() => toolsSchemas().tools).optional(),
  cron: z.lazy(() => toolsSchemas().cron).optional(),
  plugins: z.lazy(() => pluginsSchemas().plugins).optional(),
  discovery: z.lazy(() => discoverySchemas().discovery).optional(),
};

export const ConfigSchema = z
  .object({
    $schema: z.string().optional().describe("JSON Schema reference for editors; ignored by the gateway"),
    ...sections,
  })
  .strict()
  .describe("OpenClaw Gateway configuration (openclaw.json, JSON5)");

export type OpenClawConfig = z.infer<typeof ConfigSchema>;

export const CONFIG_SCHEMA_TITLE = "OpenClaw Gateway configuration";

/** JSON Schema for editors and docs; key order follows the zod definition so the output is stable. */
export function configJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(ConfigSchema, { target: "draft-2020-12" }) as Record<string, unknown>;
  return { $schema, title: CONFIG_SCHEMA_TITLE, ...rest };
}

/**
 * Key names whose string values are secrets. Anchored at the end so "botToken" or "OPENAI_API_KEY"
 * match while counters such as "maxTokens" do not.
 */
export const SECRET_KEY_PATTERN: RegExp =
  /(?:token|password|passwd|passphrase|secret|api[-_]?key|private[-_]?key|access[-_]?key|credentials?)$/i;
