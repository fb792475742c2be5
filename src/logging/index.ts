export { LEVEL_IDS, parseLogLevel, type LogLevel } from "./levels.ts";
export { decodeProfileName, defaultLogFile, encodeProfileName, resolveLogDir } from "./paths.ts";
export { createLogger, type Fields, type Logger, type LoggerOptions } from "./logger.ts";
export { DEFAULT_REDACT_PATTERNS, createRedactor, maskValue } from "./redact.ts";
export { displaySubsystem, localIsoTime } from "./format.ts";
export { tailLogFile, type TailParams, type TailResult } from "./tail.ts";
