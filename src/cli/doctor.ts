import { defineCommand } from "citty";
import { jsonArg, rejectUnknownFlags } from "./args.ts";
import type { CliContext } from "./context.ts";
import { ExitError } from "./errors.ts";
import { formatArgv } from "../service/exec.ts";
import { auditService, EXTERNAL_POLICY_NOTE, repairPolicy, repairService, type DoctorFinding, type RepairPolicy } from "../service/doctor.ts";
import { ServiceError, serviceContextFor } from "../service/identity.ts";
import { serviceInfo, type ServiceInfoJson } from "../service/report.ts";

const args = {
  fix: { type: "boolean", description: "Repair what can be repaired (rewrites the service definition like gateway install --force)" },
  ...jsonArg,
} as const;

/** The stable `doctor --json` document. */
export interface DoctorJson {
  /** No error or warning finding is left (after --fix). */
  ok: boolean;
  policy: RepairPolicy;
  service: (ServiceInfoJson & { installed: boolean }) | null;
  findings: DoctorFinding[];
  fix: { attempted: boolean; ok: boolean | null; commands: string[][]; message?: string; error?: string };
  notes: string[];
}

const problem = (f: DoctorFinding) => f.severity !== "info" && f.fixed !== true;

async function diagnose(ctx: CliContext, fix: boolean): Promise<DoctorJson> {
  const policy = repairPolicy(ctx.env);
  const doc: DoctorJson = { ok: true, policy, service: null, findings: [], fix: { attempted: false, ok: null, commands: [] }, notes: [] };
  let sc;
  try {
    sc = serviceContextFor(ctx);
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    doc.notes.push(err.message);
    return doc;
  }
  const audit = await auditService(sc);
  doc.service = { ...serviceInfo(sc, audit.manager), installed: audit.definition !== undefined };
  doc.findings = audit.findings;
  const fixable = audit.findings.filter((f) => f.fixable);
  if (policy === "external") doc.notes.push(EXTERNAL_POLICY_NOTE);
  if (fix && fixable.length > 0 && policy === "auto") {
    const outcome = await repairService(sc, audit);
    doc.fix = {
      attempted: true, ok: outcome.ok, commands: outcome.commands, message: outcome.message,
      ...(outcome.error ? { error: outcome.error } : {}),
    };
    if (outcome.ok) {
      const after = new Set((await auditService(sc)).findings.map((f) => f.code));
      for (const f of fixable) f.fixed = !after.has(f.code);
    }
  }
  doc.ok = !doc.findings.some(problem);
  return doc;
}

/** `openclaw doctor`: service drift between the installed service and the current config/binary. */
export function createDoctorCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "doctor", description: "Check the gateway service for drift (port, binary, version, definition, secrets) and repair it with --fix" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      let doc: DoctorJson;
      try {
        doc = await diagnose(ctx, !!a.fix);
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        doc = { ok: false, policy: repairPolicy(ctx.env), service: null, findings: [], fix: { attempted: false, ok: null, commands: [] }, notes: [err.message, ...err.hints] };
      }
      if (a.json) ctx.io.json(doc);
      else print(ctx, doc, !!a.fix);
      if (!doc.ok) throw new ExitError(1);
    },
  });
}

function print(ctx: CliContext, doc: DoctorJson, fix: boolean): void {
  const out = (l: string) => ctx.io.out(l);
  const s = doc.service;
  if (s) out(`Gateway service: ${s.manager === "systemd" ? `systemd ${s.scope} unit` : s.label} ${s.name} (${s.definitionPath})`);
  for (const f of doc.findings) {
    const state = f.fixed === true ? " [fixed]" : f.fixed === false ? " [not fixed]" : "";
    out(`- ${f.severity}: ${f.code}: ${f.message}${state}`);
    if (f.detail) out(`  ${f.detail}`);
  }
  if (doc.fix.attempted) {
    if (doc.fix.ok) out(`Repaired: rewrote the service definition (${doc.fix.commands.map(formatArgv).join("; ")}).`);
    else ctx.io.err(`Repair failed: ${doc.fix.error ?? doc.fix.message ?? "unknown error"}`);
  } else if (!fix && doc.findings.some((f) => f.fixable) && doc.policy === "auto") {
    out("Repair with: openclaw doctor --fix (or openclaw gateway install --force)");
  }
  for (const n of doc.notes) out(n);
  out(doc.ok ? "No service problems found." : "Service problems remain.");
}
