/**
 * Boot: device key, credentials, one connection, and which screen to show for each connection
 * state. Everything the page does after sign-in lives in the shell and its views.
 */
import "../styles/app.css";
import { createIdentity, openIdentity, pickImpl, type DeviceKey } from "./device-key.ts";
import { fill } from "./dom.ts";
import { GatewayConnection, openEarly, type ConnectionState, type Credentials, type RpcError } from "./gateway.ts";
import { Router } from "./router.ts";
import { connectingScreen, errorScreen, originScreen, pairingScreen, signInScreen } from "./screens.ts";
import { Shell } from "./shell.ts";
import { credentialStore, identityStore, takeTokenFromUrl } from "./storage.ts";

const MISMATCH = new Set(["AUTH_TOKEN_MISMATCH", "AUTH_PASSWORD_MISMATCH"]);

async function deviceKey(): Promise<DeviceKey> {
  const impl = await pickImpl();
  let stored = identityStore.load();
  if (!stored) {
    stored = await createIdentity(impl);
    identityStore.save(stored);
  }
  return openIdentity(impl, stored);
}

async function boot(): Promise<void> {
  const root = document.getElementById("app")!;
  const data = document.documentElement.dataset;
  const base = data.openclawControlUiBasePath ?? "";
  const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${base}/`;
  // First of all, the socket, then the key (made, or opened, while the socket connects; connect
  // waits for it): the handshake, the challenge and the key's WebCrypto work then overlap the
  // rest of this set-up instead of following it.
  const socket = openEarly(wsUrl);
  const key = deviceKey();
  const store = credentialStore(wsUrl);
  const handed = takeTokenFromUrl();
  if (handed) store.setToken(handed);
  const router = new Router(base);
  /**
   * What the page shows. Until the first real screen, index.html's "Loading…" stays: the
   * "Connecting…" card comes only if connecting is slow, because laying it out (the first layout
   * with the stylesheet's fonts, ~30 ms in a fresh browser) would sit between the socket opening
   * and the challenge it waits for.
   */
  const show = (screen: HTMLElement) => {
    clearTimeout(slowStart);
    root.className = "";
    fill(root, screen);
  };
  const slowStart = setTimeout(() => show(connectingScreen()), 400);

  key.catch((err: unknown) => {
    gateway.stop();
    show(errorScreen({ code: "DEVICE_KEY", message: `Could not create this browser's device key: ${String(err)}` }, undefined, { retry: () => location.reload(), resetIdentity }));
  });
  let deviceId = "";
  void key.then((k) => {
    deviceId = k.deviceId;
    performance.mark("openclaw:device-key");
  }, () => {});

  /** A secret typed into the sign-in form: tried once, kept in memory (a token also in the tab's storage once accepted). */
  let typed: string | undefined;
  let shell: Shell | undefined;

  const credentials = (): Credentials => {
    if (typed) return { token: typed, password: typed };
    const token = store.token();
    if (token) return { token };
    const deviceToken = store.deviceToken();
    return deviceToken ? { deviceToken } : {};
  };

  const signOut = () => {
    typed = undefined;
    store.setToken(undefined);
    store.setDeviceToken(undefined);
    shell = undefined;
    gateway.reconnect();
  };

  const gateway: GatewayConnection = new GatewayConnection({
    url: wsUrl,
    key,
    socket,
    buildId: data.openclawControlUiBuildId ?? "dev",
    version: data.openclawVersion ?? "0",
    credentials,
    onRefused(error) {
      const code = error.details?.code ?? error.code;
      if (code === "AUTH_DEVICE_TOKEN_MISMATCH") {
        store.setDeviceToken(undefined);
        return "retry";
      }
      if (MISMATCH.has(code)) {
        const wasTyped = typed !== undefined;
        typed = undefined;
        store.setToken(undefined);
        // A stale stored secret (the gateway's changed) falls back to this browser's device token.
        if (!wasTyped && store.deviceToken()) return "retry";
      }
      return undefined;
    },
    onState: (state) => render(state),
  });

  function render(state: ConnectionState): void {
    if (state.kind === "connected") {
      const hello = state.hello;
      if (typed && hello.auth.method === "token") store.setToken(typed);
      if (hello.auth.deviceToken) store.setDeviceToken(hello.auth.deviceToken);
      // A password stays in memory only (for reconnects of this page); never in storage.
      if (typed && hello.auth.method !== "password") typed = undefined;
      if (shell) shell.connected(hello);
      else {
        shell = new Shell(gateway, router, hello, { signOut });
        show(shell.el);
        shell.show(router.current());
      }
      return;
    }
    if (state.kind === "connecting" || state.kind === "waiting") {
      const text = state.kind === "waiting" ? `Reconnecting… (${state.reason}; next try in ${Math.max(1, Math.round(state.retryInMs / 1000))} s)` : "Reconnecting…";
      if (shell) shell.setBanner(text);
      else if (state.kind === "waiting") show(connectingScreen(`The gateway is not answering; trying again in ${Math.max(1, Math.round(state.retryInMs / 1000))} s.`));
      return;
    }
    shell = undefined;
    show(refusedScreen(state.error, state.retryInMs));
  }

  function refusedScreen(error: RpcError, retryInMs?: number): HTMLElement {
    const code = error.details?.code ?? error.code;
    if (code === "CONTROL_UI_ORIGIN_NOT_ALLOWED") return originScreen(error, retryInMs, () => gateway.reconnect());
    if (code === "PAIRING_REQUIRED") return pairingScreen(error, deviceId, () => gateway.reconnect());
    if (code === "AUTH_TOKEN_MISSING" || code === "AUTH_PASSWORD_MISSING" || code === "DEVICE_IDENTITY_REQUIRED" || MISMATCH.has(code)) {
      return signInScreen({
        error: MISMATCH.has(code) ? "That secret was not accepted by the gateway." : undefined,
        onSubmit: (secret) => {
          typed = secret;
          show(connectingScreen("Signing in…"));
          gateway.reconnect();
        },
      });
    }
    return errorScreen(error, retryInMs, { retry: () => gateway.reconnect(), resetIdentity });
  }

  gateway.start();
}

function resetIdentity(): void {
  identityStore.clear();
  location.reload();
}

void boot();
