import { afterEach, expect, test } from "bun:test";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashConfigText } from "../../../src/config/load.ts";
import { watchConfigFile, type ConfigFileChange, type ConfigWatcher } from "../../../src/gateway/reload/watch.ts";
import { tempDir } from "../../config/helpers.ts";

const open: ConfigWatcher[] = [];
afterEach(() => {
  for (const w of open.splice(0)) w.close();
});

function setup(initial = '{ gateway: { mode: "local" } }') {
  const dir = tempDir("watch-");
  const file = join(dir, "openclaw.json");
  writeFileSync(file, initial);
  const changes: ConfigFileChange[] = [];
  const w = watchConfigFile(file, (c) => changes.push(c), { initialHash: hashConfigText(initial), debounceMs: 50 });
  open.push(w);
  return { dir, file, changes, w };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await Bun.sleep(5);
  }
}

test("an editor-style save (write temp, rename over) is seen, once, with the new hash", async () => {
  const { dir, file, changes } = setup();
  const text = '{ gateway: { mode: "local", port: 1234 } }';
  writeFileSync(join(dir, ".openclaw.json.tmp"), text);
  renameSync(join(dir, ".openclaw.json.tmp"), file);
  await until(() => changes.length > 0);
  await Bun.sleep(150);
  expect(changes).toHaveLength(1);
  expect(changes[0]!.hash).toBe(hashConfigText(text));
  expect(changes[0]!.firstEventAt).toBeLessThanOrEqual(performance.now());
});

test("a burst of writes is debounced into one change", async () => {
  const { file, changes } = setup();
  // Back to back: with a pause between writes, a busy machine could stretch one past the 50 ms debounce.
  for (let i = 0; i < 5; i++) writeFileSync(file, `{ gateway: { mode: "local", port: ${2000 + i} } }`);
  await until(() => changes.length > 0);
  await Bun.sleep(150);
  expect(changes).toHaveLength(1);
  expect(changes[0]!.hash).toBe(hashConfigText('{ gateway: { mode: "local", port: 2004 } }'));
});

test("identical rewrites and other files in the directory are ignored", async () => {
  const initial = '{ gateway: { mode: "local" } }';
  const { dir, file, changes } = setup(initial);
  writeFileSync(file, initial);
  writeFileSync(join(dir, "other.json"), "{}");
  await Bun.sleep(250);
  expect(changes).toEqual([]);
});

test("after close nothing is reported", async () => {
  const { file, changes, w } = setup();
  w.close();
  writeFileSync(file, '{ gateway: { mode: "local", port: 9 } }');
  await Bun.sleep(200);
  expect(changes).toEqual([]);
});
