// Public API of the configuration module; other modules import from here.
export { expandHome, profilePort, ProfileError, resolveHome, resolvePaths, CONFIG_FILE_NAME } from "./paths.ts";
export type { PathOptions, ResolvedPaths } from "./paths.ts";
export {
  BindModeSchema,
  CONFIG_SCHEMA_TITLE,
  ConfigSchema,
  configJsonSchema,
  GatewaySchema,
  LoggingSchema,
  LogLevelSchema,
  SECRET_KEY_PATTERN,
} from "./schema.ts";
export type { OpenClawConfig } from "./schema.ts";
export { hasUnresolvedPlaceholder, substituteEnv } from "./env-subst.ts";
export { formatIssuePath, ROOT_PATH } from "./issues.ts";
export type { ConfigIssue } from "./issues.ts";
export { lineColumn, parseJson5 } from "./json5.ts";
export type { Json5Result } from "./json5.ts";
export {
  ConfigError,
  DOCTOR_HINT,
  formatConfigError,
  hashConfigText,
  loadConfig,
  validateConfig,
} from "./load.ts";
export type { LoadedConfig } from "./load.ts";
export {
  DEFAULT_PORT,
  DEV_PORT,
  describeSettingsTable,
  detectContainer,
  EX_CONFIG,
  generateGatewayToken,
  isIPv4,
  isLoopbackHost,
  resolveBindHosts,
  resolveGatewaySettings,
  SettingsError,
} from "./settings.ts";
export type {
  AuthMode,
  BindMode,
  GatewayAuthSettings,
  GatewayFlags,
  GatewaySettings,
  SettingRow,
} from "./settings.ts";
export { checkStartupGuards, GUARD_MESSAGES, StartupGuardError } from "./guards.ts";
export { collectSecrets, REDACTED, redactConfig, redactText } from "./redact.ts";
