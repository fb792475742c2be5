/** Which node a `nodes` or `exec host=node` call means when it names one, or when it does not. */
import type { NodeToolService } from "./types.ts";

export type NodePick = { nodeId: string } | { none: true } | { several: string[] };

const label = (n: Record<string, unknown>) => `${String(n.displayName ?? n.nodeId)} (${String(n.nodeId).slice(0, 12)})`;

/** A named node (id, name or id prefix; the service says when that is unknown or ambiguous), else the only connected node that serves `command`. */
export function pickNode(nodes: NodeToolService, query: string | undefined, command: string): NodePick {
  if (query) return { nodeId: nodes.resolve(query) };
  const able = nodes.list().filter((n) => n.connected === true && Array.isArray(n.commands) && n.commands.includes(command));
  if (able.length === 1) return { nodeId: String(able[0]!.nodeId) };
  if (able.length === 0) return { none: true };
  return { several: able.map(label) };
}
