/**
 * The views, in nav order. Adding one: write views/<id>.ts exporting `mount` (see types.ts and
 * src/ui/README.md) and add an entry here; a lazily imported view is its own chunk and costs the
 * first load nothing. Chat is imported eagerly: it is the first screen.
 */
import * as chat from "./chat.ts";
import { approvalsBadge } from "./approvals-badge.ts";
import type { ViewSpec } from "./types.ts";

export const VIEWS: readonly ViewSpec[] = [
  {
    id: "chat",
    title: "Chat",
    summary: "Talk to an agent and follow its replies as they stream",
    methods: ["agents.list", "sessions.list", "chat.send", "chat.history", "chat.abort"],
    load: async () => chat,
  },
  {
    id: "sessions",
    title: "Sessions",
    summary: "Every session, running or idle; open one in chat or stop its run",
    methods: ["sessions.list", "chat.history", "chat.abort"],
    load: () => import("./sessions.ts"),
  },
  {
    id: "presence",
    title: "Presence",
    summary: "Who is connected: the gateway, operators and nodes, live",
    methods: ["system-presence"],
    load: () => import("./presence.ts"),
  },
  {
    id: "nodes",
    title: "Nodes",
    summary: "Pending device and node requests, nodes and their commands, paired devices",
    methods: ["node.list"],
    load: () => import("./nodes.ts"),
  },
  {
    id: "channels",
    title: "Channels",
    summary: "Channel accounts: state, probe, start/stop, WhatsApp linking, sender requests",
    methods: ["channels.status"],
    load: () => import("./channels.ts"),
  },
  {
    id: "approvals",
    title: "Approvals",
    summary: "Commands agents are waiting to run: allow once, allow always or deny",
    methods: ["exec.approval.list", "exec.approval.resolve"],
    load: () => import("./approvals.ts"),
    badge: approvalsBadge,
  },
  {
    id: "logs",
    title: "Logs",
    summary: "The gateway's log as it is written, filtered by level and text",
    methods: ["logs.tail"],
    load: () => import("./logs.ts"),
  },
  {
    id: "config",
    title: "Config",
    summary: "Read the config file, edit it and apply it, with every problem shown at its key",
    methods: ["config.get"],
    load: () => import("./config.ts"),
  },
  {
    id: "debug",
    title: "Debug",
    summary: "Health, status, live events and any method by hand",
    methods: ["health", "status"],
    load: () => import("./debug.ts"),
  },
];

export const DEFAULT_VIEW = "chat";
