// A writer process is SIGKILLed mid-loop; every append it acknowledged must be on disk afterwards.
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { SessionStore } from "../../src/agents/sessions.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const WRITER = join(import.meta.dir, "../fixtures/sessions-writer.ts");
const KEY = "agent:main:main";

/** The child's stdout as lines, with a way to wait until a predicate holds or the stream ends. */
class Lines {
  readonly lines: string[] = [];
  ended = false;
  #partial = "";
  #wake: (() => void) | null = null;
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      const dec = new TextDecoder();
      for await (const chunk of stream) {
        const parts = (this.#partial + dec.decode(chunk, { stream: true })).split("\n");
        this.#partial = parts.pop()!;
        this.lines.push(...parts);
        this.#wake?.();
      }
      this.ended = true; // a trailing partial line was cut by the kill: not an ack
      this.#wake?.();
    })();
  }

  async until(pred: (lines: string[]) => boolean): Promise<void> {
    while (!pred(this.lines)) {
      if (this.ended) throw new Error(`child output ended first:\n${this.lines.join("\n")}`);
      await new Promise<void>((r) => (this.#wake = r));
    }
  }
}

const children: Bun.Subprocess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.kill("SIGKILL");
    await c.exited;
  }
});

function spawnWriter(path: string, tag: string) {
  const proc = Bun.spawn([process.execPath, WRITER, path, tag], {
    cwd: process.env.OPENCLAW_TEST_TMP,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, NO_COLOR: "1" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  children.push(proc);
  return { proc, out: new Lines(proc.stdout), err: new Response(proc.stderr).text() };
}

const ackedSeqs = (lines: string[]) => lines.flatMap((l) => (/^acked (\d+)$/.exec(l) ? [Number(l.slice(6))] : []));

describe("SIGKILL mid-turn", () => {
  test("every acknowledged message survives, seq stays gapless, the file is intact and writable, the run is interrupted", async () => {
    const dir = mkdtempSync(join(process.env.OPENCLAW_TEST_TMP ?? "/tmp", "sessions-kill-"));
    const path = join(dir, "state", "sessions.sqlite");
    let expectedTotal = 0; // messages on disk after the previous round, including our own probe append

    // Three rounds on one file: each writer is killed at a different point, and each round starts from the last one's recovery.
    for (const [round, killAfter] of [[1, 25], [2, 60], [3, 7]] as const) {
      const tag = `w${round}`;
      const { proc, out, err } = spawnWriter(path, tag);
      await out.until((l) => ackedSeqs(l).length >= killAfter).catch(async (e) => {
        throw new Error(`${(e as Error).message}\nstderr:\n${await err}`);
      });
      proc.kill("SIGKILL");
      await proc.exited;
      await out.done; // acks written before the kill landed in the pipe: they count too
      expect(proc.signalCode).toBe("SIGKILL");
      expect(out.lines).not.toContain("finished");

      const acked = ackedSeqs(out.lines);
      expect(acked.length).toBeGreaterThanOrEqual(killAfter);
      expect(acked[0]).toBe(expectedTotal + 2);
      const lastAcked = acked.at(-1)!;

      const store = SessionStore.open(path);
      try {
        expect(store.interruptedAtOpen).toEqual([`run-${tag}`]);
        expect(store.getRun(`run-${tag}`)).toMatchObject({ status: "interrupted", idempotencyKey: `idem-${tag}` });
        expect(store.getRunByIdempotencyKey(`idem-${tag}`)!.finishedAt).toBeNumber();
        expect(store.getRun(`done-${tag}`)).toMatchObject({ status: "ok", result: { tag } });

        const h = store.history(KEY);
        const seqs = h.messages.map((m) => m.seq);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1)); // gapless from 1
        expect(h.total).toBe(seqs.length);
        expect(store.getSession(KEY)!.messageCount).toBe(seqs.length);
        // Everything acked is there; at most the one batch committed between the last ack and the kill is extra.
        for (const s of acked) expect(seqs).toContain(s);
        expect([lastAcked, lastAcked + 2]).toContain(seqs.length);

        // Batches are atomic: this round's messages come in whole (user, assistant) pairs with their tool calls.
        const mine = h.messages.slice(expectedTotal);
        expect(mine.length % 2).toBe(0);
        for (let j = 0; j < mine.length; j += 2) {
          const [q, a] = [mine[j]!, mine[j + 1]!];
          const i = j / 2;
          expect(q).toMatchObject({ role: "user", runId: `run-${tag}`, meta: { tag, i } });
          expect(q.content.startsWith(`${tag}:${i} `)).toBe(true);
          expect(a).toMatchObject({ role: "assistant", toolCalls: [{ id: `call-${tag}-${i}`, name: "noop", arguments: `{"i":${i}}` }] });
        }

        // And the reopened store takes new writes.
        const [probe] = store.append(KEY, "main", [{ role: "system", content: `after ${tag}` }]);
        expect(probe!.seq).toBe(seqs.length + 1);
        expectedTotal = probe!.seq;
      } finally {
        store.close();
      }

      const raw = new Database(path, { readonly: true });
      try {
        expect(raw.query("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
        expect(raw.query("PRAGMA foreign_key_check").all()).toEqual([]);
        expect((raw.query("SELECT COUNT(*) AS n FROM messages").get() as { n: number }).n).toBe(expectedTotal);
      } finally {
        raw.close();
      }
    }
  });
});
