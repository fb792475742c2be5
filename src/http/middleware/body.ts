/**
 * Reads a JSON request body under a byte limit. The limit is enforced twice: on Content-Length
 * before reading, and on the bytes actually received, since chunked bodies declare no length.
 * Content-Type is deliberately not checked: the published gateway accepts JSON sent as text/plain.
 */

export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

export type BodyResult = { ok: true; value: unknown } | { ok: false; reason: "too_large" } | { ok: false; reason: "bad_json"; message: string };

async function readLimited(req: Request, limit: number): Promise<Uint8Array | undefined> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return undefined;
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export async function readJsonBody(req: Request, limit: number): Promise<BodyResult> {
  const bytes = await readLimited(req, limit);
  if (!bytes) return { ok: false, reason: "too_large" };
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reason: "bad_json", message: (err as Error).message };
  }
}
