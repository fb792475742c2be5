/**
 * `channels.logout` for Telegram, as the published gateway does it: the account stops, and its
 * token leaves the config file (a bot token is the whole login). A token from TELEGRAM_BOT_TOKEN
 * cannot be removed from here: the answer says so (`envToken`), and the account stays stopped
 * until `channels start`. The file is rewritten as plain JSON, so its comments do not survive.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { parseJson5 } from "../../config/json5.ts";
import { writeFileAtomic } from "../../config/write-file.ts";

export interface TokenRemoval {
  /** Whether a botToken/tokenFile key was removed from the file. */
  cleared: boolean;
}

/** Removes the account's botToken and tokenFile from the config file; throws when the file cannot be read as JSON5. */
export function removeTelegramToken(configPath: string, accountId: string): TokenRemoval {
  if (!existsSync(configPath)) return { cleared: false };
  const parsed = parseJson5(readFileSync(configPath, "utf8"));
  if (!parsed.ok) throw new Error("config invalid; fix it before logging out");
  const root = parsed.value as Record<string, any>;
  const telegram = root?.channels?.telegram as Record<string, any> | undefined;
  if (!telegram) return { cleared: false };
  const section: Record<string, unknown> | undefined = accountId === "default" ? telegram : telegram.accounts?.[accountId];
  if (!section) return { cleared: false };
  let cleared = false;
  for (const key of ["botToken", "tokenFile"]) {
    if (key in section) {
      delete section[key];
      cleared = true;
    }
  }
  if (cleared) writeFileAtomic(configPath, `${JSON.stringify(root, null, 2)}\n`, statSync(configPath).mode & 0o777);
  return { cleared };
}
