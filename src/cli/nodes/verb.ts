/** What every `nodes` verb shares: its flags and the citty boilerplate around its body. */
import { defineCommand, type ArgsDef, type ParsedArgs } from "citty";
import { jsonArg, rejectUnknownFlags, timeoutArg, urlArgs } from "../args.ts";

export const common = { ...jsonArg, ...urlArgs, ...timeoutArg(10_000) } as const;

export const nodeArg = {
  node: { type: "string", required: true, description: "Node id, IP, display name, or id prefix (6+ characters)", valueHint: "idOrNameOrIp" },
} as const satisfies ArgsDef;

/** One verb: unknown flags refused (a typo must not run with defaults), then `body`. */
export function verb<A extends ArgsDef>(name: string, description: string, args: A, body: (a: ParsedArgs<A>) => Promise<void>) {
  return defineCommand({
    meta: { name, description },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      await body(a);
    },
  });
}
