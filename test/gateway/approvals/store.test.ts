// The approvals document on disk: one row with the JSON and its hash, compare-and-swap writes, a
// private file, and a reopened store that reads what the last one wrote.
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { join } from "node:path";
import { ApprovalsStoreError, ExecApprovalsHandle, ExecApprovalsStore, sha256Hex } from "../../../src/gateway/approvals/store.ts";
import { tempDir } from "../../fixtures/gateway.ts";

const pathIn = () => join(tempDir("approvals-store-"), "state", "exec-approvals.sqlite");

describe("ExecApprovalsStore", () => {
  test("a fresh store reads the empty document without writing; ensure writes it", () => {
    const store = ExecApprovalsStore.open(":memory:");
    const fresh = store.read();
    expect(fresh).toEqual({ path: ":memory:", exists: false, hash: sha256Hex(""), file: { version: 1, defaults: {}, agents: {} } });
    const ensured = store.ensure();
    expect(ensured.exists).toBe(true);
    expect(ensured.hash).toBe(sha256Hex(JSON.stringify(ensured.file, null, 2)));
    expect(store.ensure().hash).toBe(ensured.hash);
    store.close();
  });

  test("replace is compare-and-swap on the stored hash", () => {
    const store = ExecApprovalsStore.open(":memory:");
    const base = store.ensure();
    const next = store.replace({ version: 1, defaults: { security: "deny" } }, base.hash);
    expect(next?.file.defaults).toEqual({ security: "deny" });
    expect(store.replace({ version: 1 }, base.hash)).toBeNull();
    expect(store.read().file.defaults).toEqual({ security: "deny" });
    store.close();
  });

  test("the file is 0600, survives a reopen, and update is read-modify-write", () => {
    const path = pathIn();
    const handle = new ExecApprovalsHandle(path);
    handle.get().update((doc) => {
      doc.agents = { main: { allowlist: [{ id: "a", pattern: "ls" }] } };
    });
    const hash = handle.get().read().hash;
    handle.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = new ExecApprovalsHandle(path);
    expect(again.get().read()).toMatchObject({ exists: true, hash, file: { agents: { main: { allowlist: [{ id: "a", pattern: "ls" }] } } } });
    again.close();
  });

  test("an update that fails half-way leaves the stored document and its hash as they were", () => {
    const store = ExecApprovalsStore.open(":memory:");
    const before = store.update((doc) => (doc.defaults = { ask: "on-miss" }));
    expect(() =>
      store.update((doc) => {
        doc.defaults = { ask: "always" };
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(store.read()).toEqual(before);
    expect(store.read().file.defaults).toEqual({ ask: "on-miss" });
    store.close();
  });

  test("a row that is not a valid document is an error, not an open host", () => {
    const path = pathIn();
    ExecApprovalsStore.open(path).close();
    const db = new Database(path);
    db.run("INSERT INTO exec_approvals VALUES (1, '{\"version\":7}', 'h', 0)");
    db.close();
    const store = ExecApprovalsStore.open(path);
    expect(() => store.read()).toThrow(ApprovalsStoreError);
    store.close();
  });
});
