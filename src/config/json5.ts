/**
 * JSON5 parsing with a usable error position.
 *
 * Bun.JSON5.parse throws a SyntaxError whose .line/.column describe the *calling JavaScript*,
 * not the offending spot in the input, so the position is recovered here by finding the longest
 * prefix of the text that Bun still considers an incomplete-but-valid document.
 */

export type Json5Result =
  | { ok: true; value: unknown }
  | { ok: false; message: string; line: number; column: number; offset: number };

// Errors Bun reports when a document is merely cut short rather than wrong.
const INCOMPLETE = /unterminated|end of input/i;
// Characters that may continue a number, keyword or identifier: cutting between two of them
// would invent an error (e.g. "tr" of "true") that the full text does not have.
const WORD = /[A-Za-z0-9_$.+\-]/;

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function errorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^JSON5 Parse error:\s*/, "");
}

function isViablePrefix(prefix: string, allowKeyAtEnd = true): boolean {
  try {
    Bun.JSON5.parse(prefix);
    return true;
  } catch (err) {
    const message = errorMessage(err);
    if (INCOMPLETE.test(message)) return true;
    // A prefix ending in an object key reports a missing ':'; it is only incomplete if a ':' right there would help.
    return allowKeyAtEnd && message.startsWith("Expected ':'") && isViablePrefix(`${prefix}:`, false);
  }
}

function isCutPoint(text: string, i: number): boolean {
  if (i === 0 || i === text.length) return true;
  const prev = text[i - 1]!;
  const next = text[i]!;
  if (prev === "\\") return false;
  if (prev === "/" && (next === "/" || next === "*")) return false;
  return !(WORD.test(prev) && WORD.test(next));
}

/** Offset of the first character Bun rejects (best effort; assumes viability is monotone in prefix length). */
export function locateJson5Error(text: string): number {
  const cuts: number[] = [];
  for (let i = 0; i <= text.length; i++) if (isCutPoint(text, i)) cuts.push(i);
  // Invariant: cuts[lo] is viable (the empty prefix always is); cuts[hi] is not, or hi is past the end.
  let lo = 0;
  let hi = cuts.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (isViablePrefix(text.slice(0, cuts[mid]))) lo = mid;
    else hi = mid;
  }
  let offset = cuts[lo]!;
  while (offset < text.length && /\s/.test(text[offset]!)) offset++;
  return offset;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export function parseJson5(raw: string): Json5Result {
  const text = stripBom(raw);
  try {
    return { ok: true, value: Bun.JSON5.parse(text) };
  } catch (err) {
    const offset = locateJson5Error(text);
    return { ok: false, message: errorMessage(err), offset, ...lineColumn(text, offset) };
  }
}
