/**
 * Key paths in config text as the editor holds it (JSON5: comments, unquoted keys, single quotes,
 * trailing commas), without parsing it into values: which span belongs to a dotted path (to select
 * the line a validation issue names) and which path the cursor is in (to explain that key). It
 * tolerates text that does not parse; a half-typed file still maps as far as it goes. No DOM here.
 */

export interface PathSpan {
  /** Dotted path: object keys and list positions ("agents.list.0.model"), "" for the document. */
  path: string;
  /** Where the entry starts: its key, or the value itself for a list item. */
  start: number;
  /** The end of its value (exclusive); the text length while it is still open. */
  end: number;
}

interface Frame {
  kind: "obj" | "arr";
  path: string[];
  span: PathSpan;
  expectKey: boolean;
  key?: string;
  keyStart: number;
  index: number;
}

const join = (parts: string[]) => parts.join(".");
const DELIM = /[\s,:[\]{}/"']/;

/** Every key and list item in the text, in document order. */
export function scanPaths(text: string): PathSpan[] {
  const spans: PathSpan[] = [];
  const stack: Frame[] = [];
  let rootSeen = false;
  let i = 0;

  /** The path and start of a value beginning at `at` in the current container (undefined: not a place for a value). */
  const slot = (at: number): { path: string[]; start: number } | undefined => {
    const top = stack.at(-1);
    if (!top) return rootSeen ? undefined : { path: [], start: at };
    if (top.kind === "arr") return { path: [...top.path, String(top.index)], start: at };
    if (top.key === undefined || top.expectKey) return undefined;
    return { path: [...top.path, top.key], start: top.keyStart };
  };
  const scalar = (from: number, to: number) => {
    const s = slot(from);
    if (s && s.path.length) spans.push({ path: join(s.path), start: s.start, end: to });
    if (!stack.length) rootSeen = true;
    const top = stack.at(-1);
    if (top?.kind === "obj") top.key = undefined;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "/") {
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? text.length : nl + 1;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close === -1 ? text.length : close + 2;
      continue;
    }
    const top = stack.at(-1);
    if (c === "{" || c === "[") {
      const s = slot(i);
      const path = s?.path ?? [...(top?.path ?? []), "?"];
      const span = { path: join(path), start: s?.start ?? i, end: text.length };
      if (path.length) spans.push(span);
      stack.push({ kind: c === "{" ? "obj" : "arr", path, span, expectKey: c === "{", keyStart: i, index: 0 });
      i++;
      continue;
    }
    if (c === "}" || c === "]") {
      const closed = stack.pop();
      if (closed) closed.span.end = i + 1;
      if (!stack.length) rootSeen = true;
      const parent = stack.at(-1);
      if (parent?.kind === "obj") parent.key = undefined;
      i++;
      continue;
    }
    if (c === ",") {
      if (top?.kind === "obj") top.expectKey = true;
      else if (top?.kind === "arr") top.index++;
      i++;
      continue;
    }
    if (c === ":") {
      if (top?.kind === "obj") top.expectKey = false;
      i++;
      continue;
    }
    // A string or a bare word (unquoted key, number, true/false/null): a key where one is expected.
    const start = i;
    let word: string;
    if (c === '"' || c === "'") {
      i++;
      let out = "";
      while (i < text.length && text[i] !== c && text[i] !== "\n") {
        if (text[i] === "\\") i++;
        out += text[i] ?? "";
        i++;
      }
      i++;
      word = out;
    } else {
      while (i < text.length && !DELIM.test(text[i]!)) i++;
      if (i === start) i++;
      word = text.slice(start, i);
    }
    if (top?.kind === "obj" && top.expectKey) {
      top.key = word;
      top.keyStart = start;
      top.expectKey = false;
    } else {
      scalar(start, i);
    }
  }
  return spans;
}

/**
 * The span to select for an issue's path: the entry itself, else its nearest parent in the text (a
 * required key that is missing points at the object that should hold it). Undefined when not even
 * the first segment is there.
 */
export function locatePath(text: string, path: string): (PathSpan & { exact: boolean }) | undefined {
  const spans = scanPaths(text);
  const parts = path.split(".");
  for (let n = parts.length; n > 0; n--) {
    const want = parts.slice(0, n).join(".");
    const hit = spans.find((s) => s.path === want);
    if (hit) return { ...hit, exact: n === parts.length };
  }
  return undefined;
}

/** The innermost path whose entry holds `offset` ("" outside every key). */
export function pathAt(text: string, offset: number): string {
  let best: PathSpan | undefined;
  for (const s of scanPaths(text)) {
    if (s.start <= offset && offset <= s.end && (!best || s.start >= best.start)) best = s;
  }
  return best?.path ?? "";
}

/** [start, end) of the line holding `offset`. */
export function lineAt(text: string, offset: number): [number, number] {
  const start = text.lastIndexOf("\n", Math.max(0, offset - 1)) + 1;
  const nl = text.indexOf("\n", offset);
  return [start, nl === -1 ? text.length : nl];
}

/** The offset of 1-based line:column, clamped to the text. */
export function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", at);
    if (nl === -1) return text.length;
    at = nl + 1;
  }
  return Math.min(text.length, at + Math.max(0, column - 1));
}
