// Escaping per format, and reading installed definitions back.
import { describe, expect, test } from "bun:test";
import {
  cmdArg, cmdSetLine, parseSystemdExec, splitCmdLine, systemdEnvironmentLine, systemdExecArg, windowsArg, xmlEscape, xmlUnescape,
} from "../../src/service/render.ts";
import { renderText } from "../../src/service/templates.ts";

describe("systemd", () => {
  test("ExecStart words: quoting, % and $ doubled, and parsed back", () => {
    const argv = ["/opt/My Apps/openclaw", "gateway", "run", "--port", "18789", "100%", "$HOME", 'say "x"', "back\\slash"];
    const line = argv.map(systemdExecArg).join(" ");
    expect(line).toBe('"/opt/My Apps/openclaw" gateway run --port 18789 100%% $$HOME "say \\"x\\"" "back\\\\slash"');
    expect(parseSystemdExec(line)).toEqual(argv);
  });

  test("Environment= lines quote the whole assignment when needed", () => {
    expect(systemdEnvironmentLine("A", "plain")).toBe("Environment=A=plain");
    expect(systemdEnvironmentLine("A", "two words 50%")).toBe('Environment="A=two words 50%%"');
  });

  test("CR/LF are refused", () => {
    expect(() => systemdExecArg("a\nb")).toThrow("Systemd unit values cannot contain CR, LF or NUL characters.");
  });
});

describe("XML and Windows", () => {
  test("xml escape round trip", () => {
    const s = `a & b < c > "d" 'e'`;
    expect(xmlEscape(s)).toBe("a &amp; b &lt; c &gt; &quot;d&quot; &apos;e&apos;");
    expect(xmlUnescape(xmlEscape(s))).toBe(s);
  });

  test("cmd.exe: set lines double %, args with specials are quoted and split back", () => {
    expect(cmdSetLine("K", "100% sure")).toBe('set "K=100%% sure"');
    expect(() => cmdSetLine("K", 'a"b')).toThrow();
    const args = ["C:\\Program Files\\openclaw.exe", "gateway", "a&b", "50%"];
    expect(splitCmdLine(args.map(cmdArg).join(" "))).toEqual(args);
  });

  test("CommandLineToArgvW quoting", () => {
    expect(windowsArg("C:\\x\\gateway.cmd")).toBe("C:\\x\\gateway.cmd");
    expect(windowsArg("C:\\My Dir\\gateway.cmd")).toBe('"C:\\My Dir\\gateway.cmd"');
    expect(windowsArg('a "q" b\\')).toBe('"a \\"q\\" b\\\\"');
  });
});

describe("templates", () => {
  test("placeholders: inline, whole-line multi-line with indent, empty whole-line removed, CRLF kept", () => {
    expect(renderText("a={{x}}\n  {{lines}}\n{{none}}\nend\n", { x: "1", lines: "p\nq", none: "" })).toBe("a=1\n  p\n  q\nend\n");
    expect(renderText("@echo off\r\n{{env}}\r\nrun\r\n", { env: "set A=1\nset B=2" })).toBe("@echo off\r\nset A=1\r\nset B=2\r\nrun\r\n");
  });

  test("a missing value is an error, never an empty string", () => {
    expect(() => renderText("{{nope}}", {}, "t")).toThrow("t: no value for {{nope}}");
  });
});
