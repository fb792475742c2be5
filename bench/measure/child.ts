// bench/measure/child.ts: a helper process of the bench (flood client, health probe) spoken to in
// JSON lines: commands go to its stdin, `{"event": …}` messages come back on its stdout.

import type { Subprocess } from "bun";

export interface Child {
  proc: Subprocess<"pipe", "pipe", "pipe">;
  /** The next message with this event (rejects after timeoutMs, or when the child exits first). */
  next(event: string, timeoutMs: number): Promise<any>;
  send(line: string): void;
  /** Waits (bounded) for the child to exit, then kills it if it has not. */
  end(waitMs?: number): Promise<void>;
}

export function spawnChild(argv: string[], env?: Record<string, string | undefined>): Child {
  const proc = Bun.spawn(argv, { stdin: "pipe", stdout: "pipe", stderr: "pipe", env: env ?? process.env });
  const waiting = new Map<string, (msg: any) => void>();
  const reader = (async () => {
    const decoder = new TextDecoder();
    let buf = "";
    for await (const chunk of proc.stdout) {
      buf += decoder.decode(chunk, { stream: true });
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let msg: any;
        try {
          msg = JSON.parse(line);
        } catch {
          continue; // not a message of ours
        }
        waiting.get(msg?.event)?.(msg);
        waiting.delete(msg?.event);
      }
    }
  })();
  const name = argv[1] ?? argv[0];
  return {
    proc,
    next: (event, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no "${event}" within ${timeoutMs} ms`)), timeoutMs);
        waiting.set(event, (msg) => {
          clearTimeout(timer);
          resolve(msg);
        });
        void proc.exited.then(async () => {
          await reader;
          if (!waiting.has(event)) return;
          clearTimeout(timer);
          const stderr = await new Response(proc.stderr).text().catch(() => "");
          reject(new Error(`${name} exited ${proc.exitCode} before "${event}": ${stderr.trim().slice(0, 300)}`));
        });
      }),
    send: (line) => {
      try {
        proc.stdin.write(`${line}\n`);
        proc.stdin.flush();
      } catch {
        // already gone
      }
    },
    end: async (waitMs = 5_000) => {
      await Promise.race([proc.exited, Bun.sleep(waitMs)]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}
