// patches/zod@*.patch keeps zod's locales to English: the other ~50 cost about 1 MB of idle RSS
// (measured with `bun run bench --only rss`). A zod upgrade that drops the patch fails here.
import { expect, test } from "bun:test";
import { z } from "zod";
import pkg from "../../package.json";

test("zod loads only its English locale, and its messages are unchanged", async () => {
  const locales = await import("zod/v4/locales");
  expect(Object.keys(locales).filter((k) => k !== "default")).toEqual(["en"]);
  expect(Object.keys(z.locales)).toEqual(["en"]);
  const r = z.object({ port: z.int() }).safeParse({ port: "x" });
  expect(r.success).toBe(false);
  expect(r.error!.issues[0]!.message).toBe("Invalid input: expected number, received string");
});

test("the patch is registered for the installed zod version", async () => {
  const zodPkg = await import("zod/package.json");
  expect(Object.keys(pkg.patchedDependencies)).toEqual([`zod@${zodPkg.version}`]);
});
