// Splitting a command line for allowlist checks: what is understood, and what makes it a miss.
import { expect, test } from "bun:test";
import { analyzeCommand } from "../../../../src/agents/tools/exec/analyze.ts";

test.each([
  ["ls -la", [["ls", "-la"]]],
  ["echo a; echo b", [["echo", "a"], ["echo", "b"]]],
  ["a && b || c | d", [["a"], ["b"], ["c"], ["d"]]],
  ["echo one\necho two", [["echo", "one"], ["echo", "two"]]],
  [`echo 'a b' "c d" e\\ f`, [["echo", "a b", "c d", "e f"]]],
  [`echo "say \\"hi\\"" ''`, [["echo", 'say "hi"', ""]]],
  ["grep -r foo . | head -n 5;", [["grep", "-r", "foo", "."], ["head", "-n", "5"]]],
  ["echo a=b *.txt", [["echo", "a=b", "*.txt"]]],
  ["echo x \\\n  y", [["echo", "x", "y"]]],
])("%j → %j", (line, segments) => {
  expect(analyzeCommand(line)).toEqual({ ok: true, segments });
});

test.each([
  ["echo hi > f", "redirection"],
  ["cat < f", "redirection"],
  ["echo $(id)", "command substitution"],
  ["echo `id`", "command substitution"],
  ["echo $HOME", "variable expansion"],
  ['echo "$HOME"', "expansion inside double quotes"],
  ["sleep 1 &", "background or redirection with &"],
  ["ls |& cat", "redirection with |&"],
  ["(cd /; ls)", "shell syntax ("],
  ["{ ls; }", "shell syntax {"],
  ["FOO=1 env", "variable assignment"],
  ["*/bin/x", "glob in the command name"],
  ["echo 'open", "unterminated quote"],
  ["  ;  ", "empty command"],
  ["# just a comment", "shell syntax #"],
])("%j is not analysable (%s)", (line, reason) => {
  expect(analyzeCommand(line)).toEqual({ ok: false, reason });
});
