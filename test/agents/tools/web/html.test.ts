import { describe, expect, test } from "bun:test";
import { decodeEntities } from "../../../../src/agents/tools/web/entities.ts";
import { htmlToReadable } from "../../../../src/agents/tools/web/html.ts";

const PAGE = `<!DOCTYPE html><html><head><title>My &amp; Page</title><style>body{color:red}</style>
<script>document.write("<p>injected</p>")</script></head>
<body><nav><a href="/home">Home</a></nav>
<h1>Hello   <em>world</em></h1>
<p>See the <a href="/docs?a=1&amp;b=2">docs   here</a> and <strong>bold</strong> text.<br>Next line</p>
<p>Second<p>Third
<ul><li>one<li>two<ul><li>nested</li></ul></li><li>three</li></ul>
<ol start="3"><li>c</li><li>d</li></ol>
<blockquote><p>Q1</p><p>Q2</p></blockquote>
<pre><code>if (x &lt; 2) {
  y();
}</code></pre>
<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>
<noscript>enable js</noscript><p>Inline <code>x()</code>, <a href="javascript:alert(1)">js</a>, <a href="#top">top</a></p>
</body></html>`;

describe("htmlToReadable", () => {
  test("markdown keeps structure and drops chrome", () => {
    const r = htmlToReadable(PAGE, { mode: "markdown", baseUrl: "https://example.com/a/b" });
    expect(r.title).toBe("My & Page");
    expect(r.text).toBe(
      [
        "# Hello _world_",
        "",
        "See the [docs here](https://example.com/docs?a=1&b=2) and **bold** text.",
        "Next line",
        "",
        "Second",
        "",
        "Third",
        "",
        "- one",
        "- two",
        "  - nested",
        "- three",
        "",
        "3. c",
        "4. d",
        "",
        "> Q1",
        ">",
        "> Q2",
        "",
        "```",
        "if (x < 2) {",
        "  y();",
        "}",
        "```",
        "",
        "A | B",
        "1 | 2",
        "",
        "Inline `x()`, js, top",
      ].join("\n"),
    );
  });

  test("text mode has no markdown syntax", () => {
    const r = htmlToReadable(PAGE, { mode: "text", baseUrl: "https://example.com/" });
    expect(r.text).toContain("Hello world\n\nSee the docs here and bold text.\nNext line");
    expect(r.text).not.toContain("#");
    expect(r.text).not.toContain("](");
    expect(r.text).not.toContain("```");
    expect(r.text).toContain("if (x < 2) {\n  y();\n}");
  });

  test("script, style, nav and noscript content never appears", () => {
    const text = htmlToReadable(PAGE, { mode: "markdown" }).text;
    for (const s of ["injected", "color:red", "Home", "enable js"]) expect(text).not.toContain(s);
  });

  test("broken markup degrades gracefully", () => {
    expect(htmlToReadable("<p>a <b>bold <i>both</b> after</p><div>x", { mode: "markdown" }).text).toBe("a **bold _both_** after\n\nx");
    expect(htmlToReadable("1 < 2 and <notatag", { mode: "text" }).text).toBe("1 < 2 and <notatag");
    expect(htmlToReadable("<script>never closed", { mode: "text" }).text).toBe("");
    expect(htmlToReadable("", { mode: "markdown" })).toEqual({ text: "" });
  });

  test("relative links resolve against the page URL", () => {
    expect(htmlToReadable('<a href="../x">X</a>', { mode: "markdown", baseUrl: "https://h.test/a/b/c" }).text).toBe("[X](https://h.test/a/x)");
  });
});

describe("decodeEntities", () => {
  test("named, decimal and hex references", () => {
    expect(decodeEntities("&lt;a&gt; &amp;amp; &quot;&#39;&#x27; &copy;&nbsp;&hellip; &#128512; &unknown; &#0;")).toBe("<a> &amp; \"'' © … 😀 &unknown; \ufffd");
  });
});
