/** Argument readers that fail with a message the caller can act on. */
import { ToolInputError } from "./types.ts";

export function optionalString(args: Record<string, unknown>, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new ToolInputError(`${key} must be a string`);
  return v.trim() || undefined;
}

export function requiredString(args: Record<string, unknown>, key: string): string {
  const v = optionalString(args, key);
  if (v === undefined) throw new ToolInputError(`${key} required`);
  return v;
}

/** A whole number within [min, max]; larger requests are capped, not refused. */
export function optionalInt(args: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new ToolInputError(`${key} must be an integer >= ${min}`);
  return Math.min(v, max);
}
