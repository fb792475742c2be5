/**
 * RFC 7386 JSON merge patch for config edits, plus the guard that keeps a patch from silently
 * dropping list entries: an array in a patch replaces the old one whole, so a client that sends a
 * shortened copy (a stale or truncated view) would delete entries it never meant to touch. Such a
 * removal must be confirmed by naming the array's path in `replacePaths`.
 */

type Json = unknown;

function isPlainObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function setOwn(target: Record<string, Json>, key: string, value: Json): void {
  // defineProperty: a "__proto__" key from client input stays a plain key.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `target` with `patch` merged in (null deletes, objects merge, anything else replaces). Inputs are not modified. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = {};
  if (isPlainObject(target)) for (const [k, v] of Object.entries(target)) setOwn(out, k, structuredClone(v));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setOwn(out, key, applyMergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

const idOf = (v: Json): string | undefined => (isPlainObject(v) && typeof v.id === "string" ? v.id : undefined);

/** Dotted paths as config issues print them; list positions as `[i]`. */
function join(path: string, key: string | number): string {
  return typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** Segments of a dotted path, with `[i]` positions dropped: `agents.list[0].tools` → agents, list, tools. */
function segments(path: string): string[] {
  return path.replace(/\[[^\]]*\]/g, "").split(".").filter(Boolean);
}

/** Whether `path` is one of `confirmed` or lies inside one of them (list positions ignored). */
function isConfirmed(path: string, confirmed: readonly string[]): boolean {
  const p = segments(path);
  return confirmed.some((c) => {
    const s = segments(c);
    return s.length > 0 && s.length <= p.length && s.every((seg, i) => seg === p[i]);
  });
}

/**
 * The arrays a patch would shrink: an old entry with no equal one in the new array. Entries that
 * carry an `id` are matched by id instead, so editing an entry is not a removal, and arrays inside
 * a matched entry are checked in turn.
 */
function arrayRemovals(before: Json, after: Json, path: string, out: string[]): void {
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of Object.keys(before)) if (Object.hasOwn(after, key)) arrayRemovals(before[key], after[key], join(path, key), out);
    return;
  }
  if (!Array.isArray(before) || !Array.isArray(after)) return;
  const keyed = before.length > 0 && before.every((e) => idOf(e) !== undefined);
  if (keyed) {
    const byId = new Map(after.map((e) => [idOf(e), e] as const));
    if (before.some((e) => !byId.has(idOf(e)))) return void out.push(path);
    before.forEach((e, i) => arrayRemovals(e, byId.get(idOf(e)), join(path, i), out));
    return;
  }
  if (before.some((e) => !after.some((n) => deepEqual(e, n)))) out.push(path);
}

/**
 * Paths of arrays that `patch` would shrink in `base` without a matching entry in `replacePaths`
 * (an entry covers its own path and everything under it). Empty when the patch may go ahead.
 */
export function unconfirmedArrayRemovals(base: Json, patch: Json, replacePaths: readonly string[] = []): string[] {
  const out: string[] = [];
  arrayRemovals(base, applyMergePatch(base, patch), "", out);
  return out.filter((p) => !isConfirmed(p, replacePaths));
}
