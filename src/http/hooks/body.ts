/**
 * A hook body: JSON (the Content-Type is not checked), at most 256 KiB, all of it within 30 s.
 * An empty body is `{}`. Failures carry the status and the string of the hook error body.
 */

export const HOOK_MAX_BODY_BYTES = 256 * 1024;

export type HookBody = { ok: true; value: unknown } | { ok: false; status: 400 | 408 | 413; error: string };

const TOO_LARGE: HookBody = { ok: false, status: 413, error: "payload too large" };
const TIMED_OUT: HookBody = { ok: false, status: 408, error: "request body timeout" };

async function readBytes(req: Request, limit: number, timeoutMs: number): Promise<Uint8Array | HookBody> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return TOO_LARGE;
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  let timer: Timer | undefined;
  const deadline = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), deadline]);
      if (next === "timeout") {
        reader.cancel().catch(() => {});
        return TIMED_OUT;
      }
      if (next.done) break;
      total += next.value.byteLength;
      if (total > limit) {
        reader.cancel().catch(() => {});
        return TOO_LARGE;
      }
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks, total);
}

export async function readHookBody(req: Request, limit: number, timeoutMs: number): Promise<HookBody> {
  const bytes = await readBytes(req, limit, timeoutMs);
  if (!(bytes instanceof Uint8Array)) return bytes;
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, status: 400, error: (err as Error).message };
  }
}
