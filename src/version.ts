// Replaced at compile time by build.ts (`define`), so the binary reports the version it was built as.
declare const OPENCLAW_BUILD_VERSION: string | undefined;
declare const OPENCLAW_BUILD_ID: string | undefined;

import pkg from "../package.json" with { type: "json" };

/** Our releases follow the OpenClaw protocol line they are wire-compatible with. */
export const VERSION: string =
  typeof OPENCLAW_BUILD_VERSION === "string" ? OPENCLAW_BUILD_VERSION : pkg.version;
export const BUILD_ID: string = typeof OPENCLAW_BUILD_ID === "string" ? OPENCLAW_BUILD_ID : `${VERSION}-dev`;
export const PROTOCOL_VERSION = 4;
/** Probe and node clients may still speak protocol 3. */
export const MIN_PROBE_PROTOCOL = 3;
