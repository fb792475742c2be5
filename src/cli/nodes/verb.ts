/** The flags every `nodes` verb shares. */
import type { ArgsDef } from "citty";
import { jsonArg, timeoutArg, urlArgs } from "../args.ts";

export const common = { ...jsonArg, ...urlArgs, ...timeoutArg(10_000) } as const;

export const nodeArg = {
  node: { type: "string", required: true, description: "Node id, IP, display name, or id prefix (6+ characters)", valueHint: "idOrNameOrIp" },
} as const satisfies ArgsDef;
