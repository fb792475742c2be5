import { configMethods } from "../../protocol/index.ts";
import { collectSecrets, redactConfig, redactText } from "../../config/redact.ts";
import { implement } from "./registry.ts";

export const configGetMethod = implement(configMethods.configGet, (_params, { gw }) => {
  const loaded = gw.loaded;
  const secrets = collectSecrets(loaded.parsed).concat(collectSecrets(loaded.config));
  const redacted = redactConfig(loaded.config);
  return {
    path: loaded.path,
    exists: loaded.exists,
    raw: loaded.raw === null ? null : redactText(loaded.raw, secrets),
    parsed: redactConfig(loaded.parsed),
    resolved: redacted,
    config: redacted,
    valid: true,
    hash: loaded.hash,
    issues: [],
    warnings: loaded.warnings,
    includedPaths: [],
  };
});
