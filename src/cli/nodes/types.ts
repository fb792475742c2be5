/**
 * What the node.* methods answer, as far as the CLI reads it. Everything else a gateway adds is
 * passed through untouched to --json, so these stay loose (optional fields, an index signature).
 */

export type ApprovalState = "pending-approval" | "pending-reapproval" | "approved" | "unapproved";

export interface HostStats {
  cpuCount: number;
  loadAverage?: number[];
  memoryTotalBytes: number;
  memoryFreeBytes: number;
  diskTotalBytes?: number;
  diskAvailableBytes?: number;
  updatedAtMs: number;
}

/** One node.list entry (node.describe answers the same plus `ts`). */
export interface NodeEntry {
  nodeId: string;
  displayName?: string;
  platform?: string;
  version?: string;
  clientId?: string;
  clientMode?: string;
  deviceFamily?: string;
  caps?: string[];
  commands?: string[];
  pathEnv?: string;
  remoteIp?: string;
  hostStats?: HostStats;
  approvalState?: ApprovalState;
  pendingRequestId?: string;
  pendingDeclaredCaps?: string[];
  pendingDeclaredCommands?: string[];
  connectedAtMs?: number;
  lastConnectedAtMs?: number;
  paired?: boolean;
  connected?: boolean;
  [key: string]: unknown;
}

export interface NodeList {
  ts: number;
  nodes: NodeEntry[];
  [key: string]: unknown;
}

/** A command surface waiting for approval (node.pair.list `pending`). */
export interface PendingNode {
  requestId: string;
  nodeId: string;
  displayName?: string;
  remoteIp?: string;
  commands?: string[];
  requiredApproveScopes?: string[];
  ts?: number;
  [key: string]: unknown;
}

/** A node with an approved surface (node.pair.list `paired`). */
export interface PairedNode {
  nodeId: string;
  displayName?: string;
  createdAtMs?: number;
  [key: string]: unknown;
}

export interface PairList {
  pending: PendingNode[];
  paired: PairedNode[];
}
