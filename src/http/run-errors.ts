/**
 * One mapping from a failed agent run to an HTTP status and OpenAI error, shared by chat
 * completions (status + body), the Responses API (status + a failed Response object) and both
 * streams (body only, status already sent). Provider messages are passed through only where the
 * published gateway does so; everything unexpected becomes a bare "internal error".
 */
import { ProviderError, type ToolCall, type ToolChoice } from "../agents/providers/types.ts";
import { StorageError } from "../agents/sessions.ts";
import { AgentError } from "../agents/types.ts";

export interface RunFailure {
  status: number;
  message: string;
  type: string;
  code?: string;
}

const INTERNAL: RunFailure = { status: 500, message: "internal error", type: "api_error" };

/** The session store cannot be read or written: 503, with the reason (never a file path). */
export function storageFailure(message: string): RunFailure {
  return { status: 503, message, type: "service_unavailable", code: "storage_unavailable" };
}

function fromProvider(err: ProviderError): RunFailure {
  const withCode = (f: RunFailure): RunFailure => (err.code ? { ...f, code: err.code } : f);
  switch (err.kind) {
    case "rate_limit":
      return withCode({ status: 429, message: err.message, type: "rate_limit_error" });
    case "overloaded":
      return withCode({ status: 503, message: "upstream provider overloaded", type: "api_error" });
    case "timeout":
      return withCode({ status: 504, message: "upstream provider timeout", type: "api_error" });
    case "auth":
      return withCode({ status: 401, message: err.message, type: "authentication_error" });
    case "permission":
      return withCode({ status: 403, message: err.message, type: "permission_error" });
    case "not_found":
      return withCode({ status: 404, message: err.message, type: "invalid_request_error" });
    case "bad_request":
      return withCode({ status: 400, message: err.message, type: "invalid_request_error" });
    case "aborted":
      return { status: 499, message: "request aborted", type: "api_error" };
    case "upstream":
    case "unreachable":
      return withCode({ status: 502, message: "upstream provider error", type: "api_error" });
  }
}

export function runFailure(err: unknown): RunFailure {
  if (err instanceof ProviderError) return fromProvider(err);
  if (err instanceof StorageError) return storageFailure(err.publicMessage);
  if (!(err instanceof AgentError)) return INTERNAL;
  switch (err.kind) {
    case "provider":
      return err.providerError ? fromProvider(err.providerError) : { status: 502, message: "upstream provider error", type: "api_error" };
    case "timeout":
      return { status: 504, message: "upstream provider timeout", type: "api_error" };
    case "unknown_model":
      return { status: 404, message: err.message, type: "invalid_request_error" };
    case "unknown_agent":
    case "invalid":
      return { status: 400, message: err.message, type: "invalid_request_error" };
    case "conflict":
      return { status: 409, message: err.message, type: "invalid_request_error" };
    // 499 (client closed request): only reachable when the caller has already gone, or a
    // chat.abort from another client cut the run short.
    case "aborted":
      return { status: 499, message: "request aborted", type: "api_error" };
    case "storage":
      return storageFailure(err.message);
    case "not_configured":
      return INTERNAL;
  }
}

export function failureBody(f: RunFailure): { error: { message: string; type: string; code?: string } } {
  return { error: f.code ? { message: f.message, type: f.type, code: f.code } : { message: f.message, type: f.type } };
}

/** A required or pinned tool_choice the run did not honour fails the request, like the published gateway. */
export function unsatisfiedToolChoice(choice: ToolChoice | undefined, calls: readonly ToolCall[]): RunFailure | undefined {
  if (choice === undefined || choice === "auto" || choice === "none") return undefined;
  const satisfied = choice === "required" ? calls.length > 0 : calls.some((call) => call.name === choice.name);
  if (satisfied) return undefined;
  return { status: 502, message: "tool_choice=required was not satisfied by the agent response", type: "api_error" };
}
