import type { RequestFrame } from "../../protocol/index.ts";
import {
  DetailCodes, ErrorCodes, GatewayError, KNOWN_METHOD_SCOPES, RequestFrameSchema, formatIssues, scopeSatisfied,
  toErrorShape,
} from "../../protocol/index.ts";
import type { MethodRegistry, RegisteredMethod } from "../methods/registry.ts";
import type { GatewayRuntime } from "../runtime.ts";
import type { ConnState, GatewaySocket } from "./conn.ts";
import { errorFrame, okFrame } from "./conn.ts";
import { wsTrafficLogFor, type WsTrafficLog } from "./ws-log.ts";

/** Role and scope checks run before the method lookup, as in the published gateway. */
export function authorize(conn: ConnState, method: string, registered: RegisteredMethod | undefined): void {
  const scope = registered?.spec.scope ?? KNOWN_METHOD_SCOPES[method] ?? "operator.admin";
  if (scope === "always") return;
  const role = conn.role ?? "operator";
  if (scope === "node" ? role !== "node" : role !== "operator") {
    throw new GatewayError(ErrorCodes.INVALID_REQUEST, `unauthorized role: ${role}`);
  }
  if (role === "node") return;
  if (!scopeSatisfied(conn.scopes ?? [], scope)) {
    throw new GatewayError(ErrorCodes.FORBIDDEN, `missing scope: ${scope}`, {
      details: { code: DetailCodes.MISSING_SCOPE, missingScope: scope, requiredScopes: [scope] },
    });
  }
}

function paramsOf(req: RequestFrame, lenient: boolean | undefined): unknown {
  const p = req.params;
  if (p === undefined) return {};
  if (lenient && (p === null || typeof p !== "object" || Array.isArray(p))) return {};
  return p;
}

/** Handles one frame from an authenticated socket. Bad input gets an error res, never a crash. */
export function handleFrame(
  ws: GatewaySocket, text: string, gw: GatewayRuntime, methods: MethodRegistry, wsl: WsTrafficLog = wsTrafficLogFor(gw),
): void {
  const started = performance.now();
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    wsl.parseError(ws.data, Buffer.byteLength(text));
    return; // Not JSON after hello: ignored, as clients expect.
  }
  const parsed = RequestFrameSchema.safeParse(frame);
  if (!parsed.success) {
    const raw = frame as { id?: unknown; method?: unknown } | null;
    const id = raw && typeof raw.id === "string" && raw.id ? raw.id : "invalid";
    const error = new GatewayError(ErrorCodes.INVALID_REQUEST, `invalid request frame: ${formatIssues(parsed.error.issues)}`);
    gw.bus.send(ws, errorFrame(id, error.toShape()));
    const method = raw && typeof raw.method === "string" ? raw.method : "(invalid frame)";
    wsl.response(ws.data, method, id, started, error);
    gw.metrics.request("(invalid frame)", error.code, (performance.now() - started) / 1000);
    return;
  }
  dispatch(ws, parsed.data, gw, methods, wsl, started);
}

function dispatch(ws: GatewaySocket, req: RequestFrame, gw: GatewayRuntime, methods: MethodRegistry, wsl: WsTrafficLog, started: number): void {
  if (wsl.full) wsl.request(ws.data, req.method, req.id);
  const registered = methods.get(req.method);
  const label = registered ? req.method : "(unknown)";
  let result: unknown;
  try {
    if (req.method === "connect") {
      throw new GatewayError(ErrorCodes.INVALID_REQUEST, "connect is only valid as the first request");
    }
    authorize(ws.data, req.method, registered);
    if (!registered) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `unknown method: ${req.method}`);
    const params = registered.spec.params.safeParse(paramsOf(req, registered.spec.lenientParams));
    if (!params.success) {
      throw new GatewayError(ErrorCodes.INVALID_REQUEST, `invalid ${req.method} params: ${formatIssues(params.error.issues)}`);
    }
    const accept = (payload: unknown) => gw.bus.send(ws, okFrame(req.id, payload));
    result = registered.handler(params.data, { gw, conn: ws.data, accept });
  } catch (err) {
    respondError(ws, req, err, gw, wsl, started, label);
    return;
  }
  if (result instanceof Promise) {
    result.then(
      (value) => respond(ws, req, value, gw, wsl, started, label),
      (err) => respondError(ws, req, err, gw, wsl, started, label),
    );
  } else {
    respond(ws, req, result, gw, wsl, started, label);
  }
}

function respond(ws: GatewaySocket, req: RequestFrame, value: unknown, gw: GatewayRuntime, wsl: WsTrafficLog, started: number, label: string): void {
  gw.bus.send(ws, okFrame(req.id, value));
  wsl.response(ws.data, req.method, req.id, started);
  gw.metrics.request(label, "ok", (performance.now() - started) / 1000);
}

/** `label`: the method name for metrics, "(unknown)" unless registered (clients never pick label values). */
function respondError(ws: GatewaySocket, req: RequestFrame, err: unknown, gw: GatewayRuntime, wsl: WsTrafficLog, started: number, label: string): void {
  const shape = toErrorShape(err);
  if (!(err instanceof GatewayError)) gw.log.error(`method ${req.method} failed`, { error: String((err as Error)?.stack ?? err) });
  const payload = err instanceof GatewayError ? err.extra.payload : undefined;
  gw.bus.send(ws, errorFrame(req.id, shape, payload));
  wsl.response(ws.data, req.method, req.id, started, shape);
  gw.metrics.request(label, shape.code, (performance.now() - started) / 1000);
}
