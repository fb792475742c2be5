import { z } from "zod";
import { defineMethod } from "./types.ts";

export const secretsReload = defineMethod({
  name: "secrets.reload",
  description:
    "Resolve the running config's SecretRefs again (env, files, commands) and swap the snapshot; writes no config. " +
    "Clients that authenticated with a rotated-out gateway secret are closed with 4001",
  params: z.strictObject({}),
  result: z.strictObject({
    ok: z.literal(true),
    warningCount: z.int().min(0).describe("References that did not resolve on keys the gateway can run without"),
  }),
  scope: "operator.admin",
  lenientParams: true,
});
