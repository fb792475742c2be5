/**
 * `discovery.*`: how the gateway makes itself findable. `mdns.mode` shapes the LAN Bonjour
 * advertisement (hot-applied); `wideArea.domain` turns on the unicast DNS-SD zone file.
 */
import { z } from "zod";

export const MDNS_MODES = ["off", "minimal", "full"] as const;
export type MdnsMode = (typeof MDNS_MODES)[number];

/** Built on first use (z.lazy in the root schema): a config without discovery never constructs it. */
function build() {
  const discovery = z
    .object({
      mdns: z
        .object({
          mode: z
            .enum(MDNS_MODES)
            .optional()
            .describe("LAN Bonjour advertisement: off, minimal (default: no cliPath/sshPort/tailnetDns in TXT) or full; hot-applied"),
        })
        .strict()
        .optional()
        .describe("Multicast DNS-SD (Bonjour) advertising of _openclaw-gw._tcp on the local network"),
      wideArea: z
        .object({
          domain: z
            .string()
            .trim()
            .min(1)
            .regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.?$/, "a DNS domain such as openclaw.internal")
            .optional()
            .describe("Unicast DNS-SD domain (e.g. openclaw.internal): the gateway writes <state>/dns/<domain>.db for a DNS server on the tailnet"),
        })
        .strict()
        .optional()
        .describe("Wide-area (unicast) DNS-SD publishing"),
    })
    .strict()
    .describe("Gateway discovery: Bonjour on the LAN and wide-area DNS-SD");
  return { discovery };
}

let built: ReturnType<typeof build> | undefined;
export function discoverySchemas(): ReturnType<typeof build> {
  return (built ??= build());
}
