/**
 * `--node` to exactly one node, in the published CLI's order so the same words pick the same node:
 * exact id, then IP, then display name, then an id prefix. A miss or a tie is an error that names
 * the candidates, never a guess.
 */
import { CliError, UsageError } from "../errors.ts";
import type { NodeEntry } from "./types.ts";

/** Shorter prefixes of a 64-hex id collide too easily to act on. */
export const MIN_ID_PREFIX = 6;

/** Case, spacing and punctuation do not count: "work laptop" finds "Work-Laptop". */
export function nameKey(name: string): string {
  return name.normalize("NFC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "");
}

const label = (n: NodeEntry) => n.displayName || n.remoteIp || n.nodeId;

function candidate(n: NodeEntry): string {
  return `${label(n)} [node=${n.nodeId}${n.clientId ? `, client=${n.clientId}` : ""}]`;
}

/** The trimmed query; an empty one is a usage error before any request is made. */
export function nodeQuery(query: string): string {
  const q = query.trim();
  if (!q) throw new UsageError(`--node needs a value: an id, IP, display name or id prefix (${MIN_ID_PREFIX}+ characters)`);
  return q;
}

export function resolveNode(nodes: readonly NodeEntry[], query: string): NodeEntry {
  const q = nodeQuery(query);
  const key = nameKey(q);
  const prefix = q.toLowerCase();
  const tiers: Array<(n: NodeEntry) => boolean> = [
    (n) => n.nodeId === q,
    (n) => n.remoteIp === q,
    (n) => key !== "" && typeof n.displayName === "string" && nameKey(n.displayName) === key,
    (n) => q.length >= MIN_ID_PREFIX && n.nodeId.toLowerCase().startsWith(prefix),
  ];
  for (const matches of tiers) {
    const hits = nodes.filter(matches);
    if (hits.length === 0) continue;
    // A node that is here now beats an old record under the same name (a reinstall has a new key).
    const live = hits.filter((n) => n.connected === true);
    const pool = live.length > 0 ? live : hits;
    if (pool.length === 1) return pool[0]!;
    throw new CliError(`ambiguous node: ${q} (matches: ${pool.map(candidate).join(", ")}); pass the exact id`);
  }
  const known = nodes.map(label).join(", ");
  throw new CliError(`unknown node: ${q}${known ? ` (known: ${known})` : ""}`);
}
