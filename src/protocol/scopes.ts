import { z } from "zod";

export const OPERATOR_SCOPES = [
  "operator.read",
  "operator.write",
  "operator.admin",
  "operator.approvals",
  "operator.questions",
  "operator.pairing",
  "operator.talk",
  "operator.talk.secrets",
] as const;
export type OperatorScope = (typeof OPERATOR_SCOPES)[number];
export const RoleSchema = z.enum(["operator", "node"]);
export type Role = z.infer<typeof RoleSchema>;

/** Which granted scopes satisfy a required one: admin satisfies all, write satisfies read and talk. */
const IMPLIED_BY: Readonly<Record<string, readonly string[]>> = Object.assign(Object.create(null) as Record<string, readonly string[]>, {
  "operator.read": ["operator.write", "operator.admin"],
  "operator.talk": ["operator.write", "operator.admin"],
  "operator.sessions.read": ["operator.read", "operator.write", "operator.admin"],
});

export function scopeSatisfied(granted: readonly string[], required: string): boolean {
  if (granted.includes(required) || granted.includes("operator.admin")) return true;
  return (IMPLIED_BY[required] ?? []).some((s) => granted.includes(s));
}
