/**
 * What the page keeps in the browser. localStorage: only the device key (not a credential on its
 * own: the gateway still wants a secret or a device token with it). sessionStorage, gone with the
 * tab: the shared token and the device token the gateway issues. A password is never stored.
 * Keys are per gateway (its WebSocket URL), as the published UI does.
 */
import { parseIdentity, type StoredIdentity } from "./device-key.ts";

const IDENTITY_KEY = "openclaw-device-identity-v1";
const tokenKey = (wsUrl: string) => `openclaw.control.token.v1:${wsUrl}`;
const deviceTokenKey = (wsUrl: string) => `openclaw.control.device-token.v1:${wsUrl}`;

/** Storage can throw (disabled, quota, privacy modes): the page then just remembers nothing. */
function get(store: () => Storage, key: string): string | null {
  try {
    return store().getItem(key);
  } catch {
    return null;
  }
}

function put(store: () => Storage, key: string, value: string | undefined): void {
  try {
    if (value === undefined) store().removeItem(key);
    else store().setItem(key, value);
  } catch {
    // nothing to do: the value lives for this page only
  }
}

const local = () => localStorage;
const session = () => sessionStorage;

export const identityStore = {
  load: (): StoredIdentity | undefined => parseIdentity(get(local, IDENTITY_KEY)),
  save: (id: StoredIdentity) => put(local, IDENTITY_KEY, JSON.stringify(id)),
  clear: () => put(local, IDENTITY_KEY, undefined),
};

export function credentialStore(wsUrl: string) {
  return {
    token: () => get(session, tokenKey(wsUrl)) ?? undefined,
    setToken: (t: string | undefined) => put(session, tokenKey(wsUrl), t),
    deviceToken: () => get(session, deviceTokenKey(wsUrl)) ?? undefined,
    setDeviceToken: (t: string | undefined) => put(session, deviceTokenKey(wsUrl), t),
  };
}
export type CredentialStore = ReturnType<typeof credentialStore>;

/**
 * A `#token=…` (or legacy `?token=…`) handed over in the address: returned once, and removed from
 * the address bar and the history entry at once so it is not left in history or screenshots.
 */
export function takeTokenFromUrl(): string | undefined {
  const url = new URL(location.href);
  const hash = new URLSearchParams(url.hash.replace(/^#/, ""));
  const token = hash.get("token") ?? url.searchParams.get("token") ?? undefined;
  if (!hash.has("token") && !url.searchParams.has("token")) return undefined;
  hash.delete("token");
  url.searchParams.delete("token");
  const rest = hash.toString();
  history.replaceState(history.state, "", `${url.pathname}${url.search}${rest ? `#${rest}` : ""}`);
  return token?.trim() || undefined;
}
