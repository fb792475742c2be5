/** The gateway's shared secret as both doors see it, and the one way to compare a presented one. */
import { timingSafeEqual } from "node:crypto";

export interface AuthConfig {
  /** "trusted-proxy": an identity-aware proxy vouches for the user; `password` is then the local direct fallback. */
  mode: "none" | "token" | "password" | "trusted-proxy";
  token?: string;
  password?: string;
}

function digest(value: string): Buffer {
  return Buffer.from(new Bun.CryptoHasher("sha256").update(value).digest());
}

/** Compares secrets in constant time; hashing first makes unequal lengths take the same path. */
export function secretEquals(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
