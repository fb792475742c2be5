/**
 * A shell command line split into the commands it runs, for allowlist checks. Only what can be
 * judged from the text is accepted: plain words and quotes, joined by `;`, `&&`, `||`, `|` or
 * newlines. Anything whose effect depends on run-time expansion or touches files on its own
 * (redirections, `$…` expansion, command substitution, backticks, subshells, background `&`,
 * leading `VAR=value` assignments) makes the whole line unanalysable, i.e. an allowlist miss.
 */

export type CommandAnalysis =
  | { ok: true; segments: string[][] }
  | { ok: false; reason: string };

const SPECIAL_AT_WORD_START = new Set(["(", ")", "{", "}", "#", "!"]);

export function analyzeCommand(line: string): CommandAnalysis {
  const segments: string[][] = [];
  let argv: string[] = [];
  let word = "";
  /** A word is open even when empty (`''`). */
  let inWord = false;
  let quotedArgv0 = false;
  const fail = (reason: string): CommandAnalysis => ({ ok: false, reason });
  const endWord = () => {
    if (!inWord) return;
    argv.push(word);
    word = "";
    inWord = false;
  };
  const endSegment = () => {
    endWord();
    if (argv.length > 0) segments.push(argv);
    argv = [];
    quotedArgv0 = false;
  };

  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    const next = line[i + 1];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return fail("unterminated quote");
      word += line.slice(i + 1, end);
      inWord = true;
      if (argv.length === 0) quotedArgv0 = true;
      i = end;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        const d = line[j]!;
        if (d === "$" || d === "`") return fail("expansion inside double quotes");
        if (d === "\\" && j + 1 < line.length && '"\\$`\n'.includes(line[j + 1]!)) {
          j++;
          if (line[j] !== "\n") word += line[j];
          continue;
        }
        word += d;
      }
      if (j >= line.length) return fail("unterminated quote");
      inWord = true;
      if (argv.length === 0) quotedArgv0 = true;
      i = j;
      continue;
    }
    if (c === "\\") {
      if (next === undefined) return fail("trailing backslash");
      if (next !== "\n") {
        word += next;
        inWord = true;
      }
      i++;
      continue;
    }
    if (c === " " || c === "\t") {
      endWord();
      continue;
    }
    if (c === "\n" || c === ";") {
      endSegment();
      continue;
    }
    if (c === "&") {
      if (next !== "&") return fail("background or redirection with &");
      endSegment();
      i++;
      continue;
    }
    if (c === "|") {
      if (next === "&") return fail("redirection with |&");
      endSegment();
      if (next === "|") i++;
      continue;
    }
    if (c === ">" || c === "<") return fail("redirection");
    if (c === "`") return fail("command substitution");
    if (c === "$") return fail(next === "(" ? "command substitution" : "variable expansion");
    if (!inWord && SPECIAL_AT_WORD_START.has(c)) return fail(`shell syntax ${c}`);
    if (argv.length === 0 && !quotedArgv0) {
      if (c === "=" && inWord) return fail("variable assignment");
      if (c === "*" || c === "?" || c === "[") return fail("glob in the command name");
    }
    word += c;
    inWord = true;
  }
  endSegment();
  if (segments.length === 0) return fail("empty command");
  return { ok: true, segments };
}
