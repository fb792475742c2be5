/**
 * `hooks.*`: the HTTP hook endpoints (`POST <path>/wake`, `<path>/agent`, `<path>/<mapping>`) that let
 * an outside service wake an agent or hand it a task. Off by default; the cross-key rules below only
 * apply while `enabled` is true, as on the published gateway.
 */
import { z } from "zod";

export const DEFAULT_HOOKS_PATH = "/hooks";

/** `hooks.path` as served: a leading slash added, trailing slashes removed; "" when it names the root. */
export function normalizeHooksPath(raw: string | undefined): string {
  const trimmed = raw?.trim() || DEFAULT_HOOKS_PATH;
  const withSlash = trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
  return withSlash.replace(/\/+$/, "");
}

/** `{{ expr }}` anywhere in a string marks it as a template. */
export const hasHookTemplate = (s: string | undefined): boolean => s !== undefined && /\{\{\s*[^}]+\}\}/.test(s);

/** Prefixes as matched: trimmed, lower-cased, blanks dropped; undefined when none remain (no restriction). */
export function normalizeSessionKeyPrefixes(raw: readonly string[] | undefined): string[] | undefined {
  const set = new Set((raw ?? []).map((p) => p.trim().toLowerCase()).filter(Boolean));
  return set.size ? [...set] : undefined;
}

export const sessionKeyHasPrefix = (key: string, prefixes: readonly string[]): boolean => {
  const lower = key.trim().toLowerCase();
  return lower !== "" && prefixes.some((p) => lower.startsWith(p));
};

const BLOCKED_KEYS = new Set(["__proto__", "prototype", "constructor"]);

/** Built on first use (z.lazy in the root schema): a config without hooks never constructs it. */
function build() {
  const HookMappingSchema = z
    .object({
      id: z.string().optional().describe("Name of the mapping in logs (default mapping-<position>)"),
      match: z
        .object({
          path: z.string().optional().describe('Sub-path after hooks.path, slashes trimmed: "github" matches POST /hooks/github (default: any)'),
          source: z.string().optional().describe("Matches only when the payload's string field `source` equals this exactly"),
        })
        .strict()
        .optional()
        .describe("When the mapping applies (both must hold when given; omitted matches every hook path)"),
      action: z.enum(["agent", "wake"]).optional().describe('"agent" (default): an isolated agent turn; "wake": a system event in the main session'),
      wakeMode: z.enum(["now", "next-heartbeat"]).optional().describe('"now" (default) or "next-heartbeat"; the mode of a wake action'),
      name: z.string().optional().describe('Task name shown to the agent and in logs (template; default "Hook")'),
      agentId: z.string().optional().describe("Agent to run (an unknown id falls back to the default agent)"),
      sessionKey: z.string().optional().describe("Logical session key (static, or a template: needs allowRequestSessionKey and allowedSessionKeyPrefixes)"),
      sessionMode: z.enum(["isolated", "persistent"]).optional().describe('"isolated" (default): a fresh session per run; "persistent": reuse the key\'s session'),
      messageTemplate: z.string().optional().describe("Agent input, e.g. \"GitHub event {{action}} on {{repository.name}}\"; must render non-empty"),
      textTemplate: z.string().optional().describe("Wake text template; must render non-empty (use trusted notification text)"),
      forEach: z
        .string()
        .refine((k) => !/[.[\]]/.test(k) && !BLOCKED_KEYS.has(k.trim()), "must be a top-level payload key")
        .optional()
        .describe("Top-level payload array: one action per item (first 200), each seeing the array as [item]"),
      deliver: z.boolean().optional().describe("Announce the final reply (default true): to channel+to when both are set, else as a main-session event"),
      channel: z.string().optional().describe('Registered channel id, or "last" (default; no last-route resolver yet, so no direct delivery)'),
      to: z.string().optional().describe("Delivery target in that channel (template)"),
      model: z.string().optional().describe('"provider/model" for this turn (template)'),
      timeoutSeconds: z.int().positive().optional().describe("Turn timeout (default: the agent's)"),
      allowUnsafeExternalContent: z.boolean().optional().describe("Dangerous: hand the message to the agent without the untrusted-content wrapper"),
    })
    .strict();

  const HooksSchema = z
    .object({
      enabled: z.boolean().optional().describe("Serve the hook endpoints (default false; needs a non-empty token)"),
      token: z.string().optional().describe("Hook secret, sent as Authorization: Bearer or x-openclaw-token; use one distinct from the gateway token"),
      path: z.string().optional().describe('Base path of the endpoints (default "/hooks"; "/" is refused)'),
      allowedAgentIds: z.array(z.string()).optional().describe('Agents hooks may run (default: all; "*" allows all; [] denies all)'),
      defaultSessionKey: z.string().optional().describe("Logical session key of runs that name none (default: a fresh hook:<uuid>)"),
      allowRequestSessionKey: z.boolean().optional().describe("Accept sessionKey from request payloads and templated mapping keys (default false)"),
      allowedSessionKeyPrefixes: z
        .array(z.string())
        .optional()
        .describe('Case-insensitive prefixes every session key must start with (default: no restriction); must admit "hook:" without a defaultSessionKey'),
      mappings: z.array(HookMappingSchema).optional().describe("POST <path>/<name> → wake or agent actions; the first match wins"),
    })
    .strict()
    .superRefine((hooks, ctx) => {
      if (hooks.enabled !== true) return;
      const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
      if (!hooks.token?.trim()) issue(["token"], "hooks.enabled requires hooks.token");
      if (normalizeHooksPath(hooks.path) === "") issue(["path"], "hooks.path may not be '/'");
      const prefixes = normalizeSessionKeyPrefixes(hooks.allowedSessionKeyPrefixes);
      const defaultKey = hooks.defaultSessionKey?.trim();
      if (prefixes && defaultKey && !sessionKeyHasPrefix(defaultKey, prefixes)) {
        issue(["defaultSessionKey"], "hooks.defaultSessionKey must match hooks.allowedSessionKeyPrefixes");
      }
      if (prefixes && !defaultKey && !sessionKeyHasPrefix("hook:example", prefixes)) {
        issue(["allowedSessionKeyPrefixes"], "hooks.allowedSessionKeyPrefixes must include 'hook:' when hooks.defaultSessionKey is unset");
      }
      const templated = hooks.mappings?.findIndex((m) => hasHookTemplate(m.sessionKey)) ?? -1;
      if (templated >= 0 && !prefixes) {
        issue(["mappings", templated, "sessionKey"], "a templated mapping sessionKey needs hooks.allowedSessionKeyPrefixes");
      }
    })
    .describe("HTTP hooks: POST <path>/wake, <path>/agent and mapped paths, authenticated by hooks.token");
  return { hooks: HooksSchema, mapping: HookMappingSchema };
}

let built: ReturnType<typeof build> | undefined;
export function hooksSchemas(): ReturnType<typeof build> {
  return (built ??= build());
}

export type HooksConfig = z.infer<ReturnType<typeof build>["hooks"]>;
export type HookMappingConfig = z.infer<ReturnType<typeof build>["mapping"]>;
