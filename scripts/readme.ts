import { describeSettingsTable } from "../src/config/settings.ts";
import { GATEWAY_METHODS } from "../src/gateway/methods/index.ts";
import { METRICS } from "../src/metrics/catalog.ts";

const cell = (s: string | undefined) => (s ? s.replaceAll("|", "\\|") : "");
const code = (s: string | undefined) => (s ? "`" + s + "`" : "");

function settingsTable(): string {
  const rows = describeSettingsTable().map(
    (r) => `| ${cell(r.setting)} | ${cell(code(r.flag))} | ${cell(code(r.env))} | ${cell(code(r.config))} | ${cell(r.default)} | ${cell(r.description)} |`,
  );
  return ["| setting | flag | env | config key | default | meaning |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

function methodsTable(): string {
  const rows = GATEWAY_METHODS.map((m) => `| \`${m.spec.name}\` | ${m.spec.scope === "always" ? "any (always allowed)" : "`" + m.spec.scope + "`"} | ${cell(m.spec.description)} |`);
  return ["| method | scope | what it does |", "|---|---|---|", ...rows].join("\n");
}

function metricsTable(): string {
  const rows = Object.values(METRICS).map((m) => `| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => "`" + l + "`").join(", ")} | ${cell(m.help)} |`);
  return ["| metric | type | labels | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/** Replaces the generated blocks between `<!-- name:start -->` and `<!-- name:end -->`. */
export function renderReadme(readme: string): string {
  const blocks: Record<string, string> = { settings: settingsTable(), methods: methodsTable(), metrics: metricsTable() };
  let out = readme;
  for (const [name, body] of Object.entries(blocks)) {
    const re = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`);
    out = out.replace(re, `$1\n${body}\n$2`);
  }
  return out;
}
