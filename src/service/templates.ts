/**
 * The service definition templates, embedded as text (a compiled binary carries them), and the one
 * renderer: `{{name}}` placeholders, every one required. A placeholder alone on its line is replaced
 * by the value's lines (in the template's own line ending) or, when the value is empty, removed.
 */
import gatewayCmd from "./templates/gateway.cmd" with { type: "text" };
import launchdPlist from "./templates/launchd.plist" with { type: "text" };
import schtasksXml from "./templates/schtasks.xml" with { type: "text" };
import startupItemCmd from "./templates/startup-item.cmd" with { type: "text" };
import systemdSystem from "./templates/systemd-system.service" with { type: "text" };
import systemdUser from "./templates/systemd-user.service" with { type: "text" };

export const TEMPLATES = {
  "systemd-user.service": systemdUser,
  "systemd-system.service": systemdSystem,
  "launchd.plist": launchdPlist,
  // bun-types declares *.xml as a parsed document; with type "text" it is the file's text.
  "schtasks.xml": schtasksXml as unknown as string,
  "gateway.cmd": gatewayCmd,
  "startup-item.cmd": startupItemCmd,
} as const;

export type TemplateName = keyof typeof TEMPLATES;

const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g;
const LINE_PLACEHOLDER = /^([ \t]*)\{\{([A-Za-z][A-Za-z0-9]*)\}\}(\r?)$/;

export function renderTemplate(name: TemplateName, vars: Record<string, string>): string {
  return renderText(TEMPLATES[name], vars, name);
}

export function renderText(template: string, vars: Record<string, string>, label = "template"): string {
  const value = (key: string): string => {
    const v = vars[key];
    if (v === undefined) throw new Error(`${label}: no value for {{${key}}}`);
    return v;
  };
  const out: string[] = [];
  for (const line of template.split("\n")) {
    const whole = LINE_PLACEHOLDER.exec(line);
    if (whole) {
      const [, indent, key, cr] = whole;
      const v = value(key!);
      if (v === "") continue;
      for (const part of v.split("\n")) out.push(`${indent}${part}${cr}`);
      continue;
    }
    out.push(line.replace(PLACEHOLDER, (_, key: string) => value(key)));
  }
  return out.join("\n");
}
