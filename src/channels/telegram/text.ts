/** Text preparation for sendMessage: HTML escaping and Telegram's hard length limit. */

/** Telegram rejects longer messages outright ("message is too long"); counted in UTF-16 units after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** Model replies are plain text: escaped, they survive parse_mode HTML verbatim. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Splits text into pieces of at most `limit` UTF-16 units. The router already chunks at
 * textChunkLimit; this only catches a chunk that is still too long for Telegram (a configured limit
 * above 4096). It prefers a newline, then a space, in the back half of the window, and never cuts
 * a surrogate pair.
 */
export function splitText(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    let cut = rest.lastIndexOf("\n", limit);
    if (cut < limit / 2) cut = rest.lastIndexOf(" ", limit);
    if (cut < limit / 2) cut = limit;
    const code = rest.charCodeAt(cut - 1);
    if (cut === limit && code >= 0xd800 && code <= 0xdbff) cut -= 1;
    out.push(rest.slice(0, cut));
    // The separator we cut at is not worth a message of its own.
    rest = rest[cut] === "\n" || rest[cut] === " " ? rest.slice(cut + 1) : rest.slice(cut);
  }
  if (rest.length > 0 || out.length === 0) out.push(rest);
  return out;
}
