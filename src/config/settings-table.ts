/**
 * The one table of every setting with its flag, env var and config key, rendered into README/docs.
 * Keep in step with paths.ts and settings.ts (the test suite checks the defaults it can).
 */
export interface SettingRow {
  setting: string;
  flag?: string;
  env?: string;
  config?: string;
  default: string;
  description: string;
}

const ROWS: readonly SettingRow[] = [
  {
    setting: "home",
    env: "OPENCLAW_HOME",
    default: "$HOME, else %USERPROFILE%, else the OS home directory",
    description: "Base directory that ~ and the default state dir are resolved against",
  },
  {
    setting: "profile",
    flag: "--profile <name>",
    env: "OPENCLAW_PROFILE",
    default: "(none)",
    description:
      "Named instance. The flag moves state to ~/.openclaw-<name>; the env var only changes log names and the port fallback",
  },
  {
    setting: "dev",
    flag: "--dev",
    default: "off",
    description: "Shorthand for --profile dev: state in ~/.openclaw-dev, port 19001",
  },
  {
    setting: "stateDir",
    env: "OPENCLAW_STATE_DIR",
    default: "~/.openclaw",
    description: "Directory for state, logs and the default config file (ignored with --profile/--dev)",
  },
  {
    setting: "configPath",
    env: "OPENCLAW_CONFIG_PATH",
    default: "<stateDir>/openclaw.json",
    description: "Exact config file to read (ignored with --profile/--dev)",
  },
  {
    setting: "gateway.mode",
    flag: "--allow-unconfigured",
    config: "gateway.mode",
    default: "(unset: start is blocked)",
    description: 'The gateway starts only with gateway.mode="local", unless --allow-unconfigured is passed',
  },
  {
    setting: "port",
    flag: "--port <port>",
    env: "OPENCLAW_GATEWAY_PORT",
    config: "gateway.port",
    default: "18789 (19001 with --dev; hashed 20000-59999 for a named profile)",
    description: "TCP port for WebSocket and HTTP",
  },
  {
    setting: "bind",
    flag: "--bind <mode>",
    config: "gateway.bind",
    default: "loopback",
    description: "Interfaces to listen on: loopback, lan, auto, custom, tailnet",
  },
  {
    setting: "customBindHost",
    config: "gateway.customBindHost",
    default: "(none)",
    description: "IPv4 address used when bind=custom",
  },
  {
    setting: "auth.mode",
    flag: "--auth <mode>",
    config: "gateway.auth.mode",
    default: "password if a password is set, else token",
    description: "Client authentication: none, token, password",
  },
  {
    setting: "auth.token",
    flag: "--token <token>",
    env: "OPENCLAW_GATEWAY_TOKEN",
    config: "gateway.auth.token",
    default: "(generated per start when missing)",
    description: "Shared token for auth mode token",
  },
  {
    setting: "auth.password",
    flag: "--password <password>",
    env: "OPENCLAW_GATEWAY_PASSWORD",
    config: "gateway.auth.password",
    default: "(none; required for auth mode password)",
    description: "Shared password for auth mode password",
  },
  {
    setting: "handshakeTimeout",
    env: "OPENCLAW_HANDSHAKE_TIMEOUT_MS",
    default: "15000",
    description: "Close a WebSocket that has not completed connect within this many milliseconds",
  },
  {
    setting: "logging.level",
    flag: "--log-level <level> (global)",
    config: "logging.level / logging.consoleLevel",
    default: "info",
    description: "File and console log levels: silent, fatal, error, warn, info, debug, trace (--verbose: console debug)",
  },
  {
    setting: "logDir",
    env: "OPENCLAW_LOG_DIR",
    default: "/tmp/openclaw",
    description: "Directory of the dated file logs (logging.file wins over it)",
  },
  {
    setting: "wsLog",
    flag: "--ws-log auto|compact|full (gateway run)",
    default: "auto",
    description: "How WebSocket traffic is shown on the console (auto: failures and slow calls; all with --verbose)",
  },
  {
    setting: "rawStream",
    flag: "--raw-stream, --raw-stream-path <file> (gateway run)",
    env: "OPENCLAW_RAW_STREAM, OPENCLAW_RAW_STREAM_PATH",
    default: "off; <stateDir>/logs/raw-stream.jsonl",
    description: "Append every raw model stream event of agent turns to a JSONL file",
  },
  {
    setting: "multiGateway",
    env: "OPENCLAW_ALLOW_MULTI_GATEWAY",
    default: "off",
    description: "Skip the state-dir lock that refuses a second gateway on the same state dir",
  },
  {
    setting: "envFile",
    env: "OPENCLAW_ENV_FILE",
    default: "(unset; set by launchd/Windows service definitions)",
    description: "KEY=VALUE file loaded by gateway run before start-up (the service's 0600 gateway.env)",
  },
  {
    setting: "reload.mode",
    config: "gateway.reload.mode",
    default: "hybrid",
    description: "off | hot | restart | hybrid: how config file edits are applied while running",
  },
  {
    setting: "commands.restart",
    config: "commands.restart",
    default: "true",
    description: "Allow in-process restarts on SIGUSR1/SIGUSR2",
  },
  {
    setting: "logging.file",
    config: "logging.file",
    default: "/tmp/openclaw/openclaw[-<profile>]-YYYY-MM-DD.log",
    description: "JSON-lines file log, read by logs.tail and `openclaw logs`",
  },
];

export function describeSettingsTable(): SettingRow[] {
  return ROWS.map((row) => ({ ...row }));
}
