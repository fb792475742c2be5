/**
 * Full-page screens shown instead of the app while the gateway will not let the page in: one per
 * refusal, each saying what happened and what to do about it.
 */
import { h, type Child } from "./dom.ts";
import type { RpcError } from "./gateway.ts";

function card(title: string, ...body: Child[]): HTMLElement {
  return h("main", { class: "screen" },
    h("section", { class: "screen-card", "aria-labelledby": "screen-title" },
      h("div", { class: "brand brand-lg" }, h("span", { class: "brand-mark", "aria-hidden": "true" }), "OpenClaw"),
      h("h1", { id: "screen-title" }, title),
      ...body,
    ),
  );
}

const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))} s`;

export function connectingScreen(detail?: string): HTMLElement {
  return card("Connecting to the gateway…", h("p", { class: "muted", role: "status" }, detail ?? "Opening a connection to this gateway."));
}

export function signInScreen(opts: { error?: string; mode?: "token" | "password"; onSubmit(secret: string): void }): HTMLElement {
  const input = h("input", {
    id: "secret", name: "secret", type: "password", autocomplete: "current-password", required: true, spellcheck: "false",
    "aria-describedby": opts.error ? "secret-error" : "secret-help", "aria-invalid": opts.error ? "true" : undefined,
  });
  const form = h("form", {
    class: "stack",
    onsubmit: (ev: SubmitEvent) => {
      ev.preventDefault();
      const value = input.value.trim();
      if (value) opts.onSubmit(value);
    },
  },
    h("label", { for: "secret" }, "Gateway secret"),
    input,
    opts.error ? h("p", { id: "secret-error", class: "error", role: "alert" }, opts.error) : null,
    h("p", { id: "secret-help", class: "muted small" },
      "The token or password of this gateway (gateway.auth). A token is kept for this tab only; a password is never stored. ",
      "On the gateway host, ", h("code", null, "openclaw dashboard"), " prints a link that signs you in."),
    h("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  const screen = card("Sign in", h("p", null, "This gateway expects its secret."), form);
  queueMicrotask(() => input.focus());
  return screen;
}

export function originScreen(error: RpcError, retryInMs: number | undefined, onRetry: () => void): HTMLElement {
  const missing = error.details?.reason === "origin missing or invalid";
  return card("Browser origin not allowed",
    h("p", null, missing
      ? "The gateway could not tell which page this connection comes from."
      : ["The gateway does not accept connections from pages served at ", h("code", null, location.origin), "."]),
    h("p", null, "Open the Control UI from the gateway host (", h("code", null, "openclaw dashboard"), "), or add this exact origin to ",
      h("code", null, "gateway.controlUi.allowedOrigins"), " — a full origin such as ", h("code", null, "http://localhost:5173"), ", not a pattern."),
    h("p", { class: "muted small", role: "status" }, retryInMs ? `Trying again in ${seconds(retryInMs)}.` : ""),
    h("button", { type: "button", onclick: onRetry }, "Try again now"),
  );
}

export function pairingScreen(error: RpcError, deviceId: string, onRetry: () => void): HTMLElement {
  const requestId = String(error.details?.requestId ?? "");
  const command = `openclaw devices approve ${requestId}`;
  return card("Waiting for approval",
    h("p", null, "This browser is new to the gateway. Someone who can approve devices has to let it in."),
    h("dl", { class: "facts" },
      h("dt", null, "Request"), h("dd", null, h("code", { id: "pairing-request" }, requestId || "(none)")),
      h("dt", null, "Device"), h("dd", null, h("code", { title: deviceId }, `${deviceId.slice(0, 16)}…`)),
    ),
    h("p", null, "On the gateway host run:"),
    h("pre", { class: "command" }, command),
    h("p", { class: "muted small", role: "status" }, "This page checks every few seconds and opens by itself once approved."),
    h("button", { type: "button", onclick: onRetry }, "Check now"),
  );
}

export function errorScreen(error: RpcError, retryInMs: number | undefined, actions: { retry(): void; resetIdentity(): void }): HTMLElement {
  const code = error.details?.code ?? error.code;
  const deviceProblem = code.startsWith("DEVICE_AUTH_");
  return card("The gateway refused this page",
    h("p", { class: "error", role: "alert" }, error.message),
    h("p", { class: "muted small" }, h("code", null, code)),
    deviceProblem ? h("p", null, "This browser's device key was not accepted. Check the clock of this computer, or make a new key.") : null,
    h("p", { class: "muted small", role: "status" }, retryInMs ? `Trying again in ${seconds(retryInMs)}.` : ""),
    h("div", { class: "row" },
      h("button", { type: "button", onclick: actions.retry }, "Try again"),
      deviceProblem ? h("button", { type: "button", onclick: actions.resetIdentity }, "Make a new device key") : null,
    ),
  );
}
