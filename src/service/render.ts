/**
 * Escaping for each definition format, in both directions where drift detection needs to read a
 * definition back. Only this module knows the quoting rules of systemd, plists and cmd.exe.
 */
import { ServiceError } from "./identity.ts";

function noNewlines(value: string, what: string): string {
  if (/[\r\n\0]/.test(value)) throw new ServiceError(`${what} values cannot contain CR, LF or NUL characters.`);
  return value;
}

// ------------------------------------------------------------------ systemd

/** `%` is a specifier in every unit value. */
export function systemdValue(value: string): string {
  return noNewlines(value, "Systemd unit").replaceAll("%", "%%");
}

function systemdQuote(text: string): string {
  return /[\s"'\\]/.test(text) || text === "" ? `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"` : text;
}

/** One ExecStart word: quoted when needed, `%` and `$` (variable expansion) doubled. */
export function systemdExecArg(arg: string): string {
  return systemdQuote(systemdValue(arg).replaceAll("$", "$$$$"));
}

export function systemdEnvironmentLine(key: string, value: string): string {
  return `Environment=${systemdQuote(systemdValue(`${key}=${value}`))}`;
}

/** Splits a unit value into words the way systemd does (quotes, backslash escapes). */
export function splitSystemdWords(value: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && /\s/.test(value[i]!)) i++;
    if (i >= value.length) break;
    let word = "";
    while (i < value.length && !/\s/.test(value[i]!)) {
      const c = value[i]!;
      if (c === '"' || c === "'") {
        let j = i + 1;
        for (; j < value.length && value[j] !== c; j++) {
          if (value[j] === "\\" && j + 1 < value.length) j++;
          word += value[j];
        }
        i = j + 1;
      } else if (c === "\\" && i + 1 < value.length) {
        word += value[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

/** ExecStart words with specifier and variable escapes undone. */
export function parseSystemdExec(value: string): string[] {
  return splitSystemdWords(value).map((w) => w.replaceAll("%%", "%").replaceAll("$$", "$"));
}

// ------------------------------------------------------------------ plist / task XML

export function xmlEscape(value: string): string {
  return noNewlines(value, "XML").replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`);
}

export function xmlUnescape(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (named[e]) return named[e];
    return String.fromCodePoint(e.startsWith("#x") ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

// ------------------------------------------------------------------ cmd.exe

/** A `set "KEY=value"` line; `%` must be doubled in a batch file and `"` cannot be expressed. */
export function cmdSetLine(key: string, value: string): string {
  noNewlines(value, "Task script");
  if (value.includes('"')) throw new ServiceError(`Task script values cannot contain '"' (${key}).`);
  return `set "${key}=${value.replaceAll("%", "%%")}"`;
}

export function cmdArg(arg: string): string {
  noNewlines(arg, "Task script");
  if (arg.includes('"')) throw new ServiceError(`Task script arguments cannot contain '"'.`);
  const escaped = arg.replaceAll("%", "%%");
  return arg === "" || /[\s&|<>^(),;=!%]/.test(arg) ? `"${escaped}"` : escaped;
}

/** Windows command-line quoting of one argument (CommandLineToArgvW rules). */
export function windowsArg(arg: string): string {
  if (arg !== "" && !/[\s"]/.test(arg)) return arg;
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, "$1$1")}"`;
}

/** Words of a cmd.exe line written by cmdArg (quotes delimit, `%%` is `%`). */
export function splitCmdLine(line: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push((m[1] ?? m[2]!).replaceAll("%%", "%"));
  return words;
}
