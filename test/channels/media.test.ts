// What kind of media a URL is, and which URLs a send accepts.
import { expect, test } from "bun:test";
import { checkMediaUrl, mediaKind } from "../../src/channels/media.ts";

test.each([
  [{ url: "https://x.test/a/cat.JPG" }, "image"],
  [{ url: "https://x.test/party.gif" }, "animation"],
  [{ url: "https://x.test/clip.mp4?sig=1" }, "video"],
  [{ url: "https://x.test/song.mp3" }, "audio"],
  [{ url: "https://x.test/note.ogg", asVoice: true }, "voice"],
  [{ url: "https://x.test/report.pdf" }, "document"],
  [{ url: "https://x.test/no-extension" }, "document"],
  [{ url: "https://x.test/file", contentType: "image/png" }, "image"],
  [{ url: "https://x.test/photo.png", contentType: "application/pdf" }, "document"],
  [{ url: "https://x.test/photo.png", forceDocument: true }, "document"],
])("%j → %s", (input, kind) => {
  expect(mediaKind(input)).toBe(kind as never);
});

test("only http(s) URLs are sent", () => {
  expect(checkMediaUrl("https://x.test/a b.png")).toBe("https://x.test/a%20b.png");
  expect(() => checkMediaUrl("file:///etc/passwd")).toThrow("mediaUrl must be an http(s) URL: file:///etc/passwd");
  expect(() => checkMediaUrl("not a url")).toThrow("mediaUrl is not a URL: not a url");
});
