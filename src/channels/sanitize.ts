/**
 * What of a model's reply may go to a chat. Reply-target tags (`[[reply_to_current]]`,
 * `[[reply_to:<id>]]`) steer where the reply goes and are not for the person to read; control
 * characters (other than line breaks and tabs) and zero-width marks can break a chat client's
 * rendering or hide text. A reply that is nothing after that is not sent at all.
 */

const REPLY_TAG = /\[\[\s*reply_to(?:_current|\s*:\s*[^\]\s]+)\s*\]\][ \t]*/gi;
// C0/C1 controls except \t \n \r, plus zero-width and bidi-override characters.
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

export interface SanitizedReply {
  text: string;
  /** `[[reply_to:<id>]]` → that id; `[[reply_to_current]]` → "current". */
  replyTo?: string;
}

export function sanitizeReply(raw: string): SanitizedReply {
  let replyTo: string | undefined;
  const text = raw
    .replace(REPLY_TAG, (tag) => {
      const m = /reply_to\s*:\s*([^\]\s]+)/i.exec(tag);
      replyTo ??= m ? m[1]! : "current";
      return "";
    })
    .replace(INVISIBLE, "")
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return replyTo ? { text, replyTo } : { text };
}
