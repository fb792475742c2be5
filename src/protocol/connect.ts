import { z } from "zod";
import { StateVersionSchema } from "./frames.ts";
import { RoleSchema } from "./scopes.ts";

export const CLIENT_IDS = [
  "webchat-ui", "openclaw-control-ui", "openclaw-browser-copilot", "openclaw-tui", "webchat", "cli",
  "gateway-client", "openclaw-macos", "openclaw-linux", "openclaw-ios", "openclaw-watchos", "openclaw-android",
  "node-host", "openclaw-worker", "test", "fingerprint", "openclaw-probe",
] as const;
export const CLIENT_MODES = ["webchat", "cli", "ui", "backend", "node", "worker", "probe", "test"] as const;
export type ClientMode = (typeof CLIENT_MODES)[number];
/** One-shot modes: they get no presence entry. */
export const EPHEMERAL_MODES: ReadonlySet<string> = new Set(["cli", "backend", "probe"]);

/** The `deviceFamily` a client or the gateway reports for this OS. */
export function deviceFamilyOf(platform: string = process.platform): string {
  switch (platform) {
    case "darwin": return "Mac";
    case "win32": return "Windows";
    case "linux": return "Linux";
    default: return platform;
  }
}

export const ConnectChallengeSchema = z
  .strictObject({ nonce: z.string().min(1), ts: z.number(), capabilities: z.array(z.string()).optional() })
  .describe("Payload of the connect.challenge event, sent first on every socket");

export const ClientInfoSchema = z.strictObject({
  id: z.enum(CLIENT_IDS),
  version: z.string(),
  platform: z.string(),
  mode: z.enum(CLIENT_MODES),
  displayName: z.string().optional(),
  buildId: z.string().min(1).max(96).optional(),
  deviceFamily: z.string().optional(),
  modelIdentifier: z.string().optional(),
  timeZone: z.string().min(1).max(64).optional(),
  instanceId: z.string().optional(),
});
export type ClientInfo = z.infer<typeof ClientInfoSchema>;

export const ConnectParamsSchema = z
  .strictObject({
    minProtocol: z.int().min(1),
    maxProtocol: z.int().min(1),
    client: ClientInfoSchema,
    caps: z.array(z.string()).optional(),
    commands: z.array(z.string()).optional(),
    computerUse: z.unknown().optional(),
    workerRuns: z.unknown().optional(),
    permissions: z.record(z.string(), z.boolean()).optional(),
    pathEnv: z.string().optional(),
    role: RoleSchema.optional(),
    scopes: z.array(z.string()).optional(),
    modelCatalog: z.unknown().optional(),
    device: z
      .strictObject({
        id: z.string(),
        publicKey: z.string(),
        signature: z.string(),
        signedAt: z.number(),
        nonce: z.string(),
      })
      .optional(),
    auth: z
      .strictObject({
        token: z.string().optional(),
        bootstrapToken: z.string().optional(),
        deviceToken: z.string().optional(),
        password: z.string().optional(),
        approvalRuntimeToken: z.string().optional(),
        agentRuntimeIdentityToken: z.string().optional(),
      })
      .optional(),
    locale: z.string().optional(),
    userAgent: z.string().optional(),
  })
  .describe("Params of the mandatory first request, connect");
export type ConnectParams = z.infer<typeof ConnectParamsSchema>;

export const PresenceEntrySchema = z
  .object({
    host: z.string().optional(),
    clientId: z.string().optional(),
    ip: z.string().optional(),
    version: z.string().optional(),
    platform: z.string().optional(),
    deviceFamily: z.string().optional(),
    modelIdentifier: z.string().optional(),
    mode: z.string().optional(),
    lastInputSeconds: z.number().optional(),
    reason: z.string().optional(),
    tags: z.array(z.string()).optional(),
    text: z.string().optional(),
    ts: z.number(),
    deviceId: z.string().optional(),
    roles: z.array(z.string()).optional(),
    scopes: z.array(z.string()).optional(),
    instanceId: z.string().optional(),
  })
  .describe("One presence entry: the gateway itself, a connected client, or a system-event beacon");
export type PresenceEntry = z.infer<typeof PresenceEntrySchema>;

export const PolicySchema = z.object({
  maxPayload: z.int(),
  maxBufferedBytes: z.int(),
  tickIntervalMs: z.int(),
});
export type Policy = z.infer<typeof PolicySchema>;

export const HelloOkSchema = z
  .object({
    type: z.literal("hello-ok"),
    protocol: z.int(),
    server: z.object({ version: z.string(), connId: z.string(), buildId: z.string().optional(), bootId: z.string().optional() }),
    features: z.object({ methods: z.array(z.string()), events: z.array(z.string()), capabilities: z.array(z.string()).optional() }),
    snapshot: z.object({
      presence: z.array(PresenceEntrySchema),
      health: z.unknown(),
      stateVersion: StateVersionSchema,
      uptimeMs: z.int(),
    }),
    canvasHostUrl: z.string().optional().describe("Deprecated (nodes only): the same URL as pluginSurfaceUrls.canvas, for node apps that read the old field"),
    pluginSurfaceUrls: z
      .record(z.string(), z.string())
      .optional()
      .describe("Capability URLs by surface: canvas stands for the gateway root while this connection is open (documents under <url>/__openclaw__/canvas/)"),
    auth: z.object({
      role: RoleSchema, scopes: z.array(z.string()), method: z.string().optional(),
      deviceToken: z.string().optional().describe("This device's token for its role, when minted in this handshake or presented"),
      issuedAtMs: z.number().optional(),
    }),
    policy: PolicySchema,
  })
  .describe("Payload of the successful connect response");
export type HelloOk = z.infer<typeof HelloOkSchema>;
