// Property/fuzz tests of the HTTP door: every route of the OpenAPI document (so new routes are
// covered as soon as they are registered), with generated bodies, headers, query strings, methods
// and path parameters. Seeded and bounded; see test/fixtures/fuzz.ts for FUZZ_SEED and FUZZ_SCALE.
import { describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { openApiDocument } from "../../src/http/app.ts";
import {
  anyValue, assertPrototypesClean, clip, DANGEROUS_KEYS, edgeString, fromSchema, fuzz, leaksInternals, mutate, render,
  runs, schemaMismatch, schemaWords, watchProcessErrors, type JsonSchema, type Rng,
} from "../fixtures/fuzz.ts";
import { OPEN_CONFIG, parseSse, testApp, TOKEN, type TestAppOptions } from "./helpers.ts";
import { QUERY_TOKEN_MESSAGE } from "../../src/http/hooks/routes.ts";

type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, JsonSchema> } };
type Operation = {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
};

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

/** The operations of the document, with a matcher for the paths the router serves for each. */
function operationsOf(doc: Doc) {
  return Object.entries(doc.paths).flatMap(([template, ops]) => {
    // A trailing {param} takes the rest of the path: /v1/models/{id} also serves raw slashes and "".
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\/\{[^}]+\}$/, "/.*").replace(/\{[^}]+\}/g, "[^/]+")}$`);
    return Object.entries(ops).map(([method, op]) => ({ template, method: method.toUpperCase(), op, pattern }));
  });
}

const resolverOf = (doc: Doc) => (ref: string) => doc.components.schemas[ref.replace("#/components/schemas/", "")];

/** Percent-encodes the UTF-8 of any string (a lone surrogate becomes U+FFFD, as a client would send it). */
const pct = (text: string) =>
  Array.from(new TextEncoder().encode(text), (b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");

const latin1 = (text: string) => Buffer.from(text, "utf8").toString("latin1").replace(/[\r\n\0]/g, "");

/** A header value as a raw client could send it: any bytes but CR, LF and NUL, read as latin1. */
function headerValue(rng: Rng, words: readonly string[]): string {
  return latin1(edgeString(rng, { words, maxLongString: 4000 }));
}

/**
 * Values that get requests past validation (agents that exist, messages with a user turn, known
 * tools), carrying adversarial text so the handlers, the agent turn and the SSE writer see it too.
 */
function goodHints(rng: Rng): Record<string, readonly unknown[]> {
  const texts = Array.from({ length: 12 }, () => edgeString(rng, { maxLongString: 20_000 })).filter((t) => t.trim() !== "");
  return {
    model: ["openclaw", "openclaw/default", "openclaw/main", "openclaw/research", "openclaw:main", "agent:main"],
    messages: [
      [{ role: "user", content: "hi" }],
      [{ role: "system", content: "be brief" }, { role: "user", content: [{ type: "text", text: "hi" }] }],
      ...texts.map((t) => [{ role: "user", content: t }]),
      ...texts.map((t) => [{ role: "developer", content: t }, { role: "assistant", content: t }, { role: "tool", tool_call_id: t, content: t }]),
    ],
    input: ["hi", ["a", "b"], ...texts, ...texts.map((t) => [{ type: "message", role: "user", content: [{ type: "input_text", text: t }] }])],
    instructions: texts,
    user: texts,
    tool: ["sessions_list", "agents_list", "session_status"],
    name: ["sessions_list", "agents_list", "session_status"],
    args: [{}, { limit: 2 }],
    stream: [true, false],
    encoding_format: ["float", "base64"],
    dimensions: [4],
  };
}

/** The same plus values each route must refuse or handle at an edge. */
const BODY_HINTS: Record<string, readonly unknown[]> = {
  model: ["openclaw", "openclaw/default", "openclaw/main", "openclaw/research", "openclaw:main", "agent:main", "openclaw/nobody", "gpt-4o", ""],
  messages: [
    [{ role: "user", content: "hi" }],
    [{ role: "system", content: "be brief" }, { role: "user", content: [{ type: "text", text: "hi" }] }],
    [{ role: "user", content: "q" }, { role: "assistant", content: "a" }, { role: "tool", tool_call_id: "c1", content: "r" }],
    [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] }],
    [{ role: "user", content: [{ type: "image_url", image_url: "https://example.com/x.png" }] }],
    [{ role: "assistant", content: "only me" }],
    [],
  ],
  input: [
    "hi",
    ["a", "b"],
    [""],
    [{ type: "message", role: "user", content: "hi" }],
    [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }, { type: "input_file", source: { type: "base64", media_type: "text/plain", data: "aGk=", filename: "a\"b" } }] }],
    [{ type: "function_call_output", call_id: "c1", output: "42" }],
    [{ type: "message", role: "assistant", content: "x", phase: "final_answer" }, { type: "message", role: "user", content: "y" }],
  ],
  tool: ["sessions_list", "agents_list", "sessions_history", "session_status", "exec", "nope"],
  name: ["sessions_list", "sessions_history", "session_status", "agents_list", " "],
  args: [{}, { limit: 2 }, { sessionKey: "main" }, { sessionKey: "agent:main:main", limit: 500 }, { agentId: "main" }, { agentId: 5 }, { limit: 1.5 }],
  stream: [true, false, null],
  tools: [[{ type: "function", name: "f" }], [{ type: "function", function: { name: "f", parameters: { type: "object" } } }], []],
  tool_choice: ["auto", "none", "required", { type: "function", name: "f" }, { type: "function", function: { name: "f" } }],
  encoding_format: ["float", "base64", "hex"],
  dimensions: [1, 4, 0, -1, 1.5],
};

interface Variant {
  name: string;
  opts: TestAppOptions;
  /** Statuses this variant answers by design beyond the documented 4xx (draining gives 503). */
  allow5xx?: number[];
}

const WITH_SMALL_BODIES: OpenClawConfig = { ...OPEN_CONFIG, gateway: { ...OPEN_CONFIG.gateway, http: { ...OPEN_CONFIG.gateway!.http, maxBodyBytes: 2048 } } };

/**
 * Hooks on, with the gateway token as the hook token so the generator's credentials reach the hook
 * handlers too (test/http/hooks/ pins that a distinct gateway token is refused), and two mappings:
 * an agent run at /hooks/openclaw and a wake for any other sub-path.
 */
const WITH_HOOKS: OpenClawConfig = {
  ...OPEN_CONFIG,
  hooks: {
    enabled: true,
    token: TOKEN,
    mappings: [{ match: { path: "openclaw" }, messageTemplate: "fuzzed: {{message}} {{input}}" }, { action: "wake", textTemplate: "fuzzed {{text}}" }],
  },
};

const VARIANTS: Variant[] = [
  { name: "token auth, every endpoint on", opts: { config: WITH_HOOKS } },
  { name: "auth none (x-openclaw-scopes honoured)", opts: { auth: { mode: "none" } } },
  { name: "OpenAI endpoints off", opts: { config: { gateway: { mode: "local" } } } },
  { name: "a 2 KiB body limit", opts: { config: WITH_SMALL_BODIES } },
  { name: "draining", opts: { draining: true }, allow5xx: [503] },
];

/** Operations this harness cannot make succeed, and why (they are still fuzzed for their refusals). */
const HARNESS_CANNOT_SERVE: Record<string, string> = {
  "GET /metrics": "testApp() gives the app no metrics registry (deps.metrics), so /metrics answers 404",
};

interface HttpCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  ip: string;
}

/** The bodies of every 4xx the door gives (src/http/errors.ts), by content type. */
/** Hook routes answer plain text before their handler and `{ok:false,error:"<string>"}` after it (http.md §8). */
const isHookPath = (path: string) => path === "/hooks" || path.startsWith("/hooks/") || path.startsWith("/hooks?");

function isDocumentedErrorBody(status: number, type: string, body: string, path: string): string | undefined {
  if (body === "") return status === 417 || status === 405 || status === 404 ? undefined : "empty error body";
  if (isHookPath(path)) {
    if (type.startsWith("text/plain")) {
      return ["Not Found", "Method Not Allowed", "Bad Request", "Unauthorized", "Too Many Requests", QUERY_TOKEN_MESSAGE].includes(body) ? undefined : `unexpected text body ${clip(body, 100)}`;
    }
    try {
      const json = JSON.parse(body);
      if (json?.ok === false && typeof json.error === "string") return undefined;
    } catch {
      return "JSON content-type but the body is not JSON";
    }
  }
  if (type.startsWith("text/plain")) {
    return ["Not Found", "Method Not Allowed", "Bad Request"].includes(body) ? undefined : `unexpected text body ${clip(body, 100)}`;
  }
  if (!type.startsWith("application/json")) return `unexpected content-type ${type}`;
  let json: any;
  try {
    json = JSON.parse(body);
  } catch {
    return "JSON content-type but the body is not JSON";
  }
  const openAi = json?.error && typeof json.error.message === "string" && typeof json.error.type === "string";
  if (!openAi) return "not an {error:{message,type}} body";
  if (json.ok !== undefined && json.ok !== false) return "gateway error body with ok !== false";
  return undefined;
}

/** Answered by the request pipeline before routing (http.md §0), whatever the route documents. */
function pipelineAnswer(c: HttpCase, status: number, body: string): boolean {
  const h = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const head = c.method === "HEAD"; // no body to look at
  if (status === 417) return h.expect !== undefined && h.expect.trim().toLowerCase() !== "100-continue" && body === "";
  if (status === 400 && (head || body === "Bad Request")) return h.upgrade !== undefined;
  if (status === 403 && (head || body.includes('"proxy_attribution_required"'))) {
    if (Object.keys(h).some((k) => k.startsWith("x-forwarded-") || k === "forwarded" || k === "x-real-ip")) return true;
  }
  // A browser's cross-site request refused before the route (Origin / Sec-Fetch-Site checks).
  if (status === 403 && (h.origin !== undefined || h["sec-fetch-site"] !== undefined)) return true;
  // A hook token in the query string is refused before the method check.
  if (status === 400 && isHookPath(c.path) && new URL(c.path, "http://x").searchParams.has("token")) return head || body === QUERY_TOKEN_MESSAGE;
  return false;
}

/**
 * A documented run failure (http.md §5.5): the agent ran and its outcome maps to 502/503/504, e.g.
 * tool_choice "required" that the model did not honour. An unexpected exception in the turn maps
 * to a bare 500 "internal error" instead, which is never accepted here.
 */
function runFailure(c: HttpCase, status: number, body: string): boolean {
  if (![502, 503, 504].includes(status) || c.method !== "POST" || !/^\/v1\/(chat\/completions|responses)(\?|$)/.test(c.path)) return false;
  let message: unknown;
  try {
    message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
  } catch {
    return false;
  }
  return typeof message === "string" && message !== "internal error";
}

async function readBody(res: Response): Promise<string> {
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("response body did not end within 5 s")), 5000)));
  try {
    return await Promise.race([res.text(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("fuzz: HTTP routes", () => {
  for (const variant of VARIANTS) {
    test(`${variant.name}: every route answers bad input with a documented 4xx, never a 5xx or a stack trace`, async () => {
      await fuzz(`http-${variant.name}`, async (rng, note) => {
        const { app, agents, errors } = testApp(variant.opts);
        const doc = openApiDocument(app) as Doc;
        const ops = operationsOf(doc);
        const resolve = resolverOf(doc);
        const words = [...schemaWords(doc), "openclaw/main", TOKEN, "operator.read", "operator.write", "operator.admin"];
        const processErrors = watchProcessErrors();
        const GOOD_HINTS = goodHints(rng);

        type Op = (typeof ops)[number];
        /** A request for `clean` the way a well-behaved client would send it; otherwise anything. */
        const makeCase = (clean?: Op): HttpCase => {
          if (clean) {
            const schema = clean.op.requestBody?.content?.["application/json"]?.schema;
            return {
              method: clean.method,
              path: clean.template.replace(/\{[^}]+\}/g, () => rng.pick(["openclaw", "openclaw%2Fdefault", "openclaw/main"])),
              headers: { authorization: `Bearer ${TOKEN}` },
              body: schema ? render(fromSchema(rng, schema, { words, wrong: 0, resolve, hints: GOOD_HINTS, optional: 0.2, hinted: 0.9 })) : undefined,
              ip: "127.0.0.1",
            };
          }
          const target = rng.chance(0.9) ? rng.pick(ops) : undefined;
          let path = target ? target.template : rng.pick(["/", "/v1", "/v1/chat", "/sessions/x/kill", "/openapi.json", "/tools", "/V1/MODELS", "/hooks/x", `/${pct(edgeString(rng))}`]);
          path = path.replace(/\{[^}]+\}/g, () => rng.oneOf<string>([
            [3, () => rng.pick(["openclaw", "openclaw%2Fdefault", "openclaw/main", "openclaw%2Fresearch", "openclaw%2Fnobody", "agent:main", ""])],
            [2, () => pct(edgeString(rng, { words, maxLongString: 3000 }))],
            [1, () => rng.pick(["%", "%E0%A4%A", "%ZZ", "a/b/c", "..", "%2e%2e", "%00", "%C0%AF", "%F0%9F%98%80"])],
          ]));
          if (rng.chance(0.05)) path += rng.pick(["/", "//", "/extra", "%20", ";x"]);
          if (rng.chance(0.3)) {
            const pairs = Array.from({ length: rng.range(1, 4) }, () => `${pct(rng.pick([...DANGEROUS_KEYS, "model", "token", "stream", "x"]))}=${pct(edgeString(rng, { words, maxLongString: 2000 }))}`);
            path += `?${pairs.join("&")}`;
          }
          const method = target && rng.chance(0.85) ? target.method : rng.pick(METHODS);

          const headers: Record<string, string> = {};
          const auth = rng.oneOf<string | undefined>([
            [10, () => `Bearer ${TOKEN}`],
            [1, () => `bearer    ${TOKEN}   `],
            [1, () => "Bearer wrong-token"],
            [1, () => undefined],
            [0.5, () => "Basic dXNlcjpwYXNz"],
            [1, () => headerValue(rng, words)],
          ]);
          if (auth !== undefined) headers.authorization = auth;
          const maybe = (p: number, name: string, value: () => string) => rng.chance(p) && (headers[name] = value());
          maybe(0.3, "x-openclaw-scopes", () => rng.chance(0.7) ? Array.from({ length: rng.range(0, 3) }, () => rng.pick(["operator.read", "operator.write", "operator.admin", "operator.talk", ""])).join(rng.pick([",", " , ", ",,"])) : headerValue(rng, words));
          maybe(0.15, "x-openclaw-agent-id", () => rng.pick(["main", "research", "nobody", "MAIN", headerValue(rng, words)]));
          maybe(0.05, "x-openclaw-agent", () => rng.pick(["main", headerValue(rng, words)]));
          maybe(0.15, "x-openclaw-session-key", () => rng.pick(["s1", "agent:main:s1", "agent:nobody:x", "subagent:x", "agent:main:cron:x", headerValue(rng, words)]));
          maybe(0.1, "x-openclaw-model", () => rng.pick(["stub/echo", "other/model", " ", headerValue(rng, words)]));
          maybe(0.1, "x-openclaw-message-channel", () => headerValue(rng, words));
          maybe(0.3, "content-type", () => rng.pick(["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", headerValue(rng, words)]));
          maybe(0.03, "expect", () => rng.pick(["100-continue", "200-ok", headerValue(rng, words)]));
          maybe(0.03, "upgrade", () => rng.pick(["h2c", "websocket2"]));
          maybe(0.03, rng.pick(["x-forwarded-for", "x-forwarded-proto", "forwarded", "x-real-ip"]), () => rng.pick(["203.0.113.5", "127.0.0.1", headerValue(rng, words)]));
          maybe(0.05, "origin", () => rng.pick(["http://evil.example", "null", "http://127.0.0.1", headerValue(rng, words)]));
          maybe(0.05, "sec-fetch-site", () => rng.pick(["cross-site", "same-origin", "none", headerValue(rng, words)]));
          maybe(0.05, latin1(rng.pick(["x-", "accept", "x-openclaw-"]) + rng.int(100)), () => headerValue(rng, words));

          let body: string | Uint8Array | undefined;
          if (method !== "GET" && method !== "HEAD" && rng.chance(0.95)) {
            const schema = target?.op.requestBody?.content?.["application/json"]?.schema;
            const opts = { words, wrong: 0.06, resolve, hints: BODY_HINTS };
            const wellFormed = () => fromSchema(rng, schema ?? {}, { ...opts, wrong: 0, hints: GOOD_HINTS });
            // The fields that matter and few others: most of these get past validation into the handler.
            const minimal = () => fromSchema(rng, schema ?? {}, { ...opts, wrong: 0, hints: GOOD_HINTS, optional: 0.08, hinted: 0.9 });
            body = rng.oneOf<string | Uint8Array>([
              [4, () => render(fromSchema(rng, schema ?? {}, opts))],
              [1, () => render(wellFormed())],
              [2, () => render(mutate(rng, wellFormed(), { words }))],
              [3, () => render(minimal())],
              [2, () => render(mutate(rng, minimal(), { words }))],
              [1, () => render(anyValue(rng, { words }))],
              [1, () => rng.pick(["", " ", "{", "{\"model\":", "null", "[]", "\"str\"", "1e999", "{'a':1}", "\u0000", "{\"a\":1}{\"b\":2}"])],
              [0.5, () => Uint8Array.from({ length: rng.range(1, 300) }, () => rng.int(256))],
              [0.3, () => `{"model":"openclaw","input":"${"x".repeat(rng.range(1000, 40_000))}"}`],
            ]);
            if (typeof body === "string" && body.length > 300_000) body = body.slice(0, 300_000);
          }
          maybe(0.02, "content-length", () => rng.pick(["99999999999", "-1", "abc", "0"]));
          const ip = rng.chance(0.8) ? `198.51.${rng.int(256)}.${rng.int(256)}` : rng.pick(["127.0.0.1", "::1", "203.0.113.9"]);
          return { method, path, headers, body, ip };
        };

        /** Sends one case and checks every property; returns the status (undefined if no client could send it). */
        const check = async (c: HttpCase, i: number | string): Promise<number | undefined> => {
          const shown = `${c.method} ${c.path} headers=${JSON.stringify(c.headers)} body=${typeof c.body === "string" ? c.body : c.body ? `bytes ${Buffer.from(c.body).toString("hex")}` : "-"}`;
          note(`#${i} ${clip(shown, 700)}`);
          let req: Request;
          try {
            req = new Request(`http://localhost${c.path}`, { method: c.method, headers: c.headers, body: c.body });
          } catch {
            return undefined; // Not a request a client could send (the URL or a header is refused before it leaves).
          }
          const turns = agents.turns.length;
          const embeds = agents.embedCalls.length;
          const res = await app.request(req, undefined, { server: { requestIP: () => ({ address: c.ip }) } });
          const body = c.method === "HEAD" ? "" : await readBody(res);
          const type = res.headers.get("content-type") ?? "";
          const fail = (why: string) => {
            throw new Error(`${why}\ncase #${i}: ${clip(shown, 1500)}\n→ ${res.status} ${type} ${clip(body, 800)}`);
          };

          if (errors.length) fail(`the app's onError saw: ${String((errors[0] as Error)?.stack ?? errors[0])}`);
          if (res.status >= 500 && !variant.allow5xx?.includes(res.status) && !runFailure(c, res.status, body)) fail(`a ${res.status}`);
          const leak = leaksInternals(body);
          if (leak) fail(`the body leaks internals: ${leak}`);
          assertPrototypesClean();

          const documented = ops.find((o) => o.pattern.test(c.path.split("?")[0]!) && (o.method === c.method || (c.method === "HEAD" && o.method === "GET")));
          const onPath = ops.filter((o) => o.pattern.test(c.path.split("?")[0]!));
          if (res.status >= 400 && res.status < 500) {
            const why = c.method === "HEAD" ? undefined : isDocumentedErrorBody(res.status, type, body, c.path);
            if (why) fail(why);
            if (agents.turns.length !== turns || agents.embedCalls.length !== embeds) fail("a refused request started an agent turn or an embedding");
          }
          if (pipelineAnswer(c, res.status, body)) return res.status;
          if (c.path.split("?")[0] === "/openapi.json") {
            // The document itself: GET (and HEAD) only, never part of its own paths.
            if ((c.method === "GET" || c.method === "HEAD") !== (res.status === 200)) fail("/openapi.json answers GET and HEAD only");
            return res.status;
          }
          if (!documented) {
            if (onPath.length === 0) {
              // Or the Control UI's app shell: what an unknown GET/HEAD that accepts HTML gets.
              const shell = (c.method === "GET" || c.method === "HEAD") && res.status === 200 && type.startsWith("text/html");
              if (!shell && (res.status !== 404 || body !== (c.method === "HEAD" ? "" : "Not Found"))) fail("an unknown path must be a plain 404 Not Found or the Control UI");
            } else if (res.status === 404 && onPath.some((o) => o.op.responses["404"]) && body === (c.method === "HEAD" ? "" : "Not Found")) {
              // A switched-off endpoint is unknown whatever the method.
            } else if (res.status !== 405 || !res.headers.get("allow")) {
              fail(`a method the path does not have must be 405 with Allow (documented: ${onPath.map((o) => o.method).join(", ")})`);
            }
            return res.status;
          }
          if (c.method === "HEAD" && res.status === 405) return res.status;
          // The run routes document 500 as "Run failed (also 502/503/504 and provider statuses)".
          const responses = documented.op.responses;
          const response = responses[String(res.status)] ?? responses[`${String(res.status)[0]}XX`] ?? (res.status > 500 ? responses["500"] : undefined) ?? responses.default;
          if (!response) fail(`status ${res.status} is not documented for ${documented.method} ${documented.template}`);
          if (c.method === "HEAD" || body === "") return res.status;
          const contentTypes = Object.keys(response!.content ?? {});
          const media = contentTypes.find((t) => type.split(";")[0]!.trim() === t.split(";")[0]!.trim());
          if (!media) fail(`content-type ${type} is not documented for ${res.status} (documented: ${contentTypes.join(", ") || "none"})`);
          if (media === "application/json") {
            const miss = schemaMismatch(JSON.parse(body), response!.content![media]!.schema, resolve);
            if (miss) fail(`the body does not match the documented schema: ${miss}`);
          } else if (media === "text/event-stream") {
            const frames = parseSse(body);
            if (frames.at(-1)?.data !== "[DONE]") fail("an event stream that does not end with [DONE]");
            for (const f of frames.slice(0, -1)) JSON.parse(f.data);
          }
          return res.status;
        };

        // Coverage first: each operation with well-formed requests until one is accepted, so a
        // generator that cannot reach a handler (a new route that needs hints) fails here.
        if (variant.name.startsWith("token")) {
          for (const op of ops) {
            if (HARNESS_CANNOT_SERVE[`${op.method} ${op.template}`]) continue;
            let status: number | undefined;
            for (let t = 0; t < 200 && !(status && status < 300); t++) status = await check(makeCase(op), `${op.method} ${op.template} (well-formed #${t})`);
            if (!status || status >= 300) throw new Error(`no well-formed request for ${op.method} ${op.template} was accepted in 200 tries (last status ${status})`);
          }
        }
        const withBody = ops.filter((o) => o.op.requestBody);
        // Then anything; one case in six is well-formed (adversarial text inside), to keep reaching the handlers.
        for (let i = 0; i < runs(variant.name.startsWith("token") ? 450 : 140); i++) await check(makeCase(rng.chance(1 / 6) ? rng.pick(rng.chance(0.7) ? withBody : ops) : undefined), i);
        expect(processErrors.stop()).toEqual([]);
      });
    }, 30_000);
  }
});

// ---------------------------------------------------------------------------------------------
// What the fuzzing found, pinned so every seed keeps checking it

describe("fuzz findings (HTTP)", () => {
  test("the probes answer any method but GET and HEAD with 405 Allow: GET, HEAD (http.md §2)", async () => {
    const { request } = testApp();
    for (const path of ["/healthz", "/health", "/readyz", "/ready"]) {
      for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
        const res = await request(path, { method });
        expect(res.status).toBe(405);
        expect(res.headers.get("allow")).toBe("GET, HEAD");
        expect(await res.text()).toBe("Method Not Allowed");
      }
      expect((await request(path, { method: "HEAD" })).status).toBe(200);
    }
  }, 15_000);

  test("the OpenAPI document describes the error bodies these routes really send", async () => {
    const { app, request, post } = testApp();
    const doc = openApiDocument(app) as Doc;
    const resolve = resolverOf(doc);
    const unknownModel = await request("/v1/models/openclaw%2Fnobody");
    expect(unknownModel.status).toBe(404);
    const modelSchema = doc.paths["/v1/models/{id}"]!.get!.responses["404"]!.content!["application/json"]!.schema;
    expect(schemaMismatch(await unknownModel.json(), modelSchema, resolve)).toBeUndefined();
    const badJson = await post("/tools/invoke", "{");
    expect(badJson.status).toBe(400);
    const toolSchema = doc.paths["/tools/invoke"]!.post!.responses["400"]!.content!["application/json"]!.schema;
    expect(schemaMismatch(await badJson.json(), toolSchema, resolve)).toBeUndefined();
  }, 15_000);
});
