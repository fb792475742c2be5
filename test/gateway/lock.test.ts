import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  acquireGatewayLock, GatewayLockError, isAlive, LOCK_FILE_NAME, LOCK_INFO_FILE_NAME, multiGatewayAllowed,
  probeGatewayLock, readLockOwner, type GatewayLock,
} from "../../src/gateway/lock.ts";
import { tempDir } from "../fixtures/gateway.ts";

const HOLDER = join(import.meta.dir, "../fixtures/lock-holder.ts");
const held: GatewayLock[] = [];
const children: Bun.Subprocess[] = [];
afterEach(async () => {
  for (const l of held.splice(0)) l.release();
  for (const c of children.splice(0)) {
    c.kill("SIGKILL");
    await c.exited;
  }
});

function acquire(dir: string, opts?: Parameters<typeof acquireGatewayLock>[1]): GatewayLock {
  const l = acquireGatewayLock(dir, opts);
  held.push(l);
  return l;
}

/** A second process holding the lock, as another gateway would. */
async function holdElsewhere(dir: string, forMs?: number): Promise<Bun.Subprocess<"ignore", "pipe", "inherit">> {
  const proc = Bun.spawn([process.execPath, HOLDER, dir, ...(forMs ? [String(forMs)] : [])], { stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  children.push(proc);
  const reader = proc.stdout.getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toBe(`held ${proc.pid}\n`);
  reader.releaseLock();
  return proc;
}

describe("state-dir lock", () => {
  test("creates the state dir (0700), the lock (0600) and a sidecar naming this process", () => {
    const dir = join(tempDir("lock-"), "state");
    const lock = acquire(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, LOCK_FILE_NAME)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, LOCK_INFO_FILE_NAME)).mode & 0o777).toBe(0o600);
    lock.update({ port: 18789 });
    const info = JSON.parse(readFileSync(join(dir, LOCK_INFO_FILE_NAME), "utf8"));
    expect(info).toMatchObject({ pid: process.pid, stateDir: dir, port: 18789 });
    expect(Date.parse(info.startedAt)).toBeGreaterThan(0);
    expect(readLockOwner(dir)?.pid).toBe(process.pid);
  });

  test("the same process re-acquires (an in-process restart): same handle, until released", () => {
    const dir = tempDir("lock-");
    const a = acquire(dir);
    const b = acquire(dir);
    expect(b).toBe(a);
    expect(probeGatewayLock(dir)).toEqual({ self: true, owner: a.owner });
    a.release();
    expect(a.held).toBe(false);
    expect(existsSync(join(dir, LOCK_INFO_FILE_NAME))).toBe(false);
    a.release(); // idempotent
    const c = acquire(dir);
    expect(c).not.toBe(a);
    expect(c.held).toBe(true);
  });

  test("another process holding it: refused with its pid, the state dir and the lock path", async () => {
    const dir = tempDir("lock-");
    const other = await holdElsewhere(dir);
    let err: unknown;
    try {
      acquireGatewayLock(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayLockError);
    const e = err as GatewayLockError;
    expect(e.exitCode).toBe(78);
    expect(e.holder).toMatchObject({ pid: other.pid, port: 4242 });
    expect(e.message).toBe(
      `gateway already running (pid ${other.pid}) for state dir ${dir}; lock ${join(dir, LOCK_FILE_NAME)}. ` +
        "Stop it (openclaw gateway stop) or use another --profile.",
    );
    expect(probeGatewayLock(dir)).toEqual({ self: false, owner: expect.objectContaining({ pid: other.pid }) });
  }, 60_000);

  test("a SIGKILLed owner leaves no stale lock: the OS released it, the leftover sidecar is replaced", async () => {
    const dir = tempDir("lock-");
    const other = await holdElsewhere(dir);
    other.kill("SIGKILL");
    await other.exited;
    // The dead owner's sidecar is still there, but it names a dead pid and is never reported.
    expect(JSON.parse(readFileSync(join(dir, LOCK_INFO_FILE_NAME), "utf8")).pid).toBe(other.pid);
    expect(readLockOwner(dir)).toBeUndefined();
    expect(probeGatewayLock(dir)).toBeUndefined();
    const lock = acquire(dir);
    expect(lock.held).toBe(true);
    expect(readLockOwner(dir)?.pid).toBe(process.pid);
  }, 60_000);

  test("waitMs waits for an owner that is going away", async () => {
    const dir = tempDir("lock-");
    await holdElsewhere(dir, 200);
    expect(() => acquireGatewayLock(dir)).toThrow(GatewayLockError);
    const t0 = performance.now();
    // The wait blocks inside SQLite; the owner lets go on its own timer (200 ms). Got before the wait
    // runs out means it was the owner leaving that ended it; the wait is long so a slow machine has room.
    const lock = acquire(dir, { waitMs: 20_000 });
    expect(lock.held).toBe(true);
    expect(performance.now() - t0).toBeLessThan(20_000);
  }, 60_000);

  test("probe never creates anything", () => {
    const dir = join(tempDir("lock-"), "nope");
    expect(probeGatewayLock(dir)).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });

  test("an unreadable or foreign sidecar is not trusted", () => {
    const dir = tempDir("lock-");
    writeFileSync(join(dir, LOCK_INFO_FILE_NAME), "not json");
    expect(readLockOwner(dir)).toBeUndefined();
    writeFileSync(join(dir, LOCK_INFO_FILE_NAME), JSON.stringify({ pid: 2 ** 22 + 7, startedAt: "x", stateDir: dir }));
    expect(readLockOwner(dir)).toBeUndefined();
  });

  test("OPENCLAW_ALLOW_MULTI_GATEWAY and isAlive", () => {
    for (const v of ["1", "true", "YES", " on "]) expect(multiGatewayAllowed({ OPENCLAW_ALLOW_MULTI_GATEWAY: v })).toBe(true);
    for (const v of [undefined, "", "0", "false", "no"]) expect(multiGatewayAllowed({ OPENCLAW_ALLOW_MULTI_GATEWAY: v })).toBe(false);
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(0)).toBe(false);
    expect(isAlive(-1)).toBe(false);
  });
});
