// What of a model's reply reaches a chat.
import { expect, test } from "bun:test";
import { sanitizeReply } from "../../src/channels/sanitize.ts";

test("reply-target tags are removed and remembered", () => {
  expect(sanitizeReply("[[reply_to_current]] sure, 4")).toEqual({ text: "sure, 4", replyTo: "current" });
  expect(sanitizeReply("ok [[ reply_to: 1003 ]]")).toEqual({ text: "ok", replyTo: "1003" });
  expect(sanitizeReply("no tags here")).toEqual({ text: "no tags here" });
});

test("control, zero-width and bidi-override characters go; line breaks and tabs stay", () => {
  expect(sanitizeReply("a\u0000b\u200bc\u202ed\te\r\nf\u0007").text).toBe("abcd\te\nf");
  expect(sanitizeReply("one\n\n\n\n two  \n").text).toBe("one\n\n two");
});

test("a reply that is only tags or invisible characters is empty (nothing is sent)", () => {
  expect(sanitizeReply("[[reply_to_current]]\u200b \n").text).toBe("");
});
