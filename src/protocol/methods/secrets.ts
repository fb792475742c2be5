import { z } from "zod";
import { lazyMethod } from "./types.ts";

export const secretsReload = lazyMethod({
  name: "secrets.reload",
  description:
    "Resolve the running config's SecretRefs again (env, files, commands) and swap the snapshot; writes no config. " +
    "Clients that authenticated with a rotated-out gateway secret are closed with 4001",
  scope: "operator.admin",
  lenientParams: true,
}, () => ({
  params: z.strictObject({}),
  result: z.strictObject({
    ok: z.literal(true),
    warningCount: z.int().min(0).describe("References that did not resolve on keys the gateway can run without"),
  }),
}));
