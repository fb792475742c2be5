/**
 * HTML → readable text for web_fetch: a small forgiving tokenizer and an emitter that keeps what a
 * model needs to read a page (headings, paragraphs, lists, links, code, quotes, table rows) and
 * drops what it does not (scripts, styles, navigation, forms' chrome). Not a full HTML parser: it
 * tolerates unclosed and misnested tags, which is all real pages need from it.
 */
import { decodeEntities } from "./entities.ts";

export type ExtractMode = "markdown" | "text";

export interface Readable {
  title?: string;
  text: string;
}

/** Elements whose whole content is dropped. */
const SKIP = new Set(["script", "style", "noscript", "nav", "template", "svg", "iframe", "object", "canvas", "select", "button"]);
/** Elements whose content is raw text up to the matching close tag. */
const RAW_TEXT = new Set(["script", "style", "title", "textarea", "xmp"]);
const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]);
const BLOCK = new Set([
  "p", "div", "section", "article", "main", "header", "footer", "aside", "figure", "figcaption", "table", "thead", "tbody", "tfoot",
  "form", "fieldset", "dl", "address", "details", "summary", "center", "body", "html",
]);
const LINE = new Set(["tr", "dt", "dd", "caption"]);

type Kind = "plain" | "heading" | "link" | "li" | "list" | "quote" | "pre" | "code" | "strong" | "em" | "skip";

interface Frame {
  tag: string;
  kind: Kind;
  out: string;
  href?: string;
  ordered?: boolean;
  count?: number;
}

const TOKEN = /<!--[\s\S]*?(?:-->|$)|<![^>]*>?|<\?[^>]*>?|<\/([a-zA-Z][\w:-]*)[^>]*>|<([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|[^<]+|</g;
const ATTR = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;

function attributes(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of source.matchAll(ATTR)) attrs[m[1]!.toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? "");
  return attrs;
}

function kindOf(tag: string): Kind {
  if (SKIP.has(tag)) return "skip";
  if (/^h[1-6]$/.test(tag)) return "heading";
  switch (tag) {
    case "a": return "link";
    case "li": return "li";
    case "ul": case "ol": case "menu": return "list";
    case "blockquote": return "quote";
    case "pre": return "pre";
    case "code": case "kbd": case "samp": case "tt": return "code";
    case "strong": case "b": return "strong";
    case "em": case "i": return "em";
    default: return "plain";
  }
}

class Emitter {
  private stack: Frame[] = [{ tag: "#root", kind: "plain", out: "" }];
  private skipDepth = 0;
  private preDepth = 0;

  constructor(private readonly mode: ExtractMode, private readonly baseUrl?: string) {}

  private get top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  text(s: string): void {
    if (this.skipDepth > 0) return;
    const f = this.top;
    if (this.preDepth > 0) {
      f.out += s;
      return;
    }
    let t = s.replace(/\s+/g, " ");
    if (t.startsWith(" ") && (f.out === "" || /\s$/.test(f.out))) t = t.slice(1);
    f.out += t;
  }

  /** Ends the current paragraph: at most one blank line between blocks. */
  block(): void {
    this.breakTo(2);
  }

  line(): void {
    this.breakTo(1);
  }

  private breakTo(n: number): void {
    if (this.skipDepth > 0) return;
    const f = this.top;
    f.out = f.out.replace(/[ \t]+$/, "");
    if (f.out === "") return;
    const have = /\n*$/.exec(f.out)![0].length;
    if (have < n) f.out += "\n".repeat(n - have);
  }

  open(tag: string, attrSource: string): void {
    if (tag === "li") this.closeOpenItem();
    if (tag === "a" && this.stack.some((f) => f.tag === "a")) this.close("a");
    if (tag === "br") return this.skipDepth > 0 ? undefined : void (this.top.out += "\n");
    if (tag === "hr") {
      this.block();
      if (this.mode === "markdown" && this.skipDepth === 0) this.top.out += "---";
      return this.block();
    }
    if (tag === "img") {
      const alt = attributes(attrSource).alt;
      if (alt && this.stack.some((f) => f.kind === "link")) this.text(alt);
      return;
    }
    if (tag === "td" || tag === "th") {
      const out = this.top.out;
      if (out !== "" && !out.endsWith("\n")) this.text(" | ");
    }
    if (VOID.has(tag)) return;
    if (BLOCK.has(tag)) this.block();
    else if (LINE.has(tag)) this.line();
    const kind = kindOf(tag);
    const frame: Frame = { tag, kind, out: "" };
    if (kind === "link") frame.href = attributes(attrSource).href;
    if (kind === "list") {
      frame.ordered = tag === "ol";
      frame.count = Number(attributes(attrSource).start) || 1;
      this.stack.some((f) => f.kind === "li") ? this.line() : this.block();
    }
    if (kind === "skip") this.skipDepth++;
    if (kind === "pre") this.preDepth++;
    if (kind === "heading" || kind === "quote" || kind === "pre") this.block();
    this.stack.push(frame);
  }

  /** `<li>a<li>b`: a new item ends the previous one of the same list. */
  private closeOpenItem(): void {
    for (let i = this.stack.length - 1; i > 0; i--) {
      const f = this.stack[i]!;
      if (f.kind === "list") return;
      if (f.kind === "li") return this.close("li");
    }
  }

  close(tag: string): void {
    const at = this.stack.findLastIndex((f) => f.tag === tag);
    if (at <= 0) return;
    while (this.stack.length > at) this.finish(this.stack.pop()!);
  }

  end(): string {
    while (this.stack.length > 1) this.finish(this.stack.pop()!);
    return normalize(this.stack[0]!.out);
  }

  private finish(f: Frame): void {
    if (f.kind === "skip") this.skipDepth--;
    if (f.kind === "pre") this.preDepth--;
    if (this.skipDepth > 0 || f.kind === "skip") return;
    const md = this.mode === "markdown";
    const inner = f.kind === "pre" ? f.out.replace(/^\n+|\s+$/g, "") : f.out.trim();
    switch (f.kind) {
      case "plain":
        this.append(f.out);
        if (BLOCK.has(f.tag)) this.block();
        else if (LINE.has(f.tag)) this.line();
        return;
      case "heading":
        if (!inner) return;
        this.block();
        this.append(`${md ? `${"#".repeat(Number(f.tag[1]))} ` : ""}${inner.replace(/\s*\n\s*/g, " ")}`);
        return this.block();
      case "link": {
        const url = md ? this.linkTarget(f.href) : undefined;
        return this.append(url && inner ? `[${inner.replace(/\s*\n\s*/g, " ")}](${url})` : f.out);
      }
      case "li": {
        const parent = this.stack.findLast((s) => s.kind === "list");
        const marker = parent?.ordered ? `${parent.count!++}. ` : "- ";
        const body = inner.replace(/\n{2,}/g, "\n").replace(/\n/g, `\n${" ".repeat(marker.length)}`);
        this.line();
        this.append(marker + body);
        return this.line();
      }
      case "list":
        this.append(f.out);
        return this.stack.some((s) => s.kind === "li") ? this.line() : this.block();
      case "quote":
        if (!inner) return;
        this.block();
        this.append(md ? inner.split("\n").map((l) => (l ? `> ${l}` : ">")).join("\n") : inner);
        return this.block();
      case "pre":
        if (!inner) return;
        this.block();
        this.append(md ? `\`\`\`\n${inner}\n\`\`\`` : inner);
        return this.block();
      case "code":
        if (this.preDepth > 0 || !md || !inner) return this.append(f.out);
        return this.append(`\`${inner}\``);
      case "strong":
      case "em": {
        if (!md || !inner) return this.append(f.out);
        const mark = f.kind === "strong" ? "**" : "_";
        const lead = /^\s/.test(f.out) ? " " : "";
        const trail = /\s$/.test(f.out) ? " " : "";
        return this.append(`${lead}${mark}${inner}${mark}${trail}`);
      }
    }
  }

  /** Appends already-rendered text to the enclosing frame, without a doubled space at the seam. */
  private append(s: string): void {
    const f = this.top;
    f.out += f.out === "" || /\s$/.test(f.out) ? s.replace(/^ +/, "") : s;
  }

  private linkTarget(href: string | undefined): string | undefined {
    if (!href || href.startsWith("#")) return undefined;
    try {
      const url = new URL(href, this.baseUrl);
      if (url.protocol === "javascript:" || url.protocol === "data:") return undefined;
      return url.href;
    } catch {
      return undefined;
    }
  }
}

/** Trailing blanks off, no more than one empty line in a row (code blocks included: readability wins). */
function normalize(s: string): string {
  return s
    .split("\n")
    .map((l) => l.replace(/\s+$/, ""))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export function htmlToReadable(html: string, opts: { mode: ExtractMode; baseUrl?: string }): Readable {
  const em = new Emitter(opts.mode, opts.baseUrl);
  let title: string | undefined;
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(html))) {
    const [token, closeName, openName, attrs] = m;
    if (openName) {
      const tag = openName.toLowerCase();
      if (RAW_TEXT.has(tag) && !token.endsWith("/>")) {
        const end = html.toLowerCase().indexOf(`</${tag}`, TOKEN.lastIndex);
        const body = html.slice(TOKEN.lastIndex, end < 0 ? html.length : end);
        TOKEN.lastIndex = end < 0 ? html.length : html.indexOf(">", end) + 1 || html.length;
        if (tag === "title") title ??= decodeEntities(body).replace(/\s+/g, " ").trim() || undefined;
        else if (tag === "textarea" || tag === "xmp") em.text(decodeEntities(body));
        continue;
      }
      em.open(tag, attrs ?? "");
      if (token.endsWith("/>") && !VOID.has(tag)) em.close(tag);
    } else if (closeName) {
      em.close(closeName.toLowerCase());
    } else if (!token.startsWith("<!") && !token.startsWith("<?")) {
      em.text(decodeEntities(token));
    }
  }
  const text = em.end();
  return title ? { title, text } : { text };
}
