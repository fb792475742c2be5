export * from "./frames.ts";
export * from "./errors.ts";
export * from "./scopes.ts";
export * from "./connect.ts";
export * from "./events.ts";
export * from "./methods/types.ts";
export type { Health } from "./methods/system.ts";
export type { LogsTailResult } from "./methods/logs.ts";
export { approvalsDocumentSchema, allowlistEntrySchema, ASK_LEVELS, SECURITY_LEVELS } from "./methods/approvals.ts";
import * as system from "./methods/system.ts";
import * as config from "./methods/config.ts";
import * as logs from "./methods/logs.ts";
import * as agentM from "./methods/agent.ts";
import * as chat from "./methods/chat.ts";
import * as secrets from "./methods/secrets.ts";
import * as device from "./methods/device.ts";
import * as node from "./methods/node.ts";
import * as nodeHost from "./methods/node-host.ts";
import * as channels from "./methods/channels.ts";
import * as approvals from "./methods/approvals.ts";
import * as cron from "./methods/cron.ts";
import * as usage from "./methods/usage.ts";
import type { MethodSpec } from "./methods/types.ts";

/** Every method the protocol declares, one entry each; the gateway implements them by name. */
export const METHOD_SPECS = {
  health: system.health,
  status: system.status,
  "system-presence": system.systemPresence,
  "system-event": system.systemEvent,
  "config.get": config.configGet,
  "config.schema": config.configSchema,
  "config.schema.lookup": config.configSchemaLookup,
  "config.patch": config.configPatch,
  "config.apply": config.configApply,
  "logs.tail": logs.logsTail,
  "agents.list": agentM.agentsList,
  agent: agentM.agent,
  "chat.send": chat.chatSend,
  "chat.abort": chat.chatAbort,
  "chat.history": chat.chatHistory,
  "sessions.list": chat.sessionsList,
  "sessions.subscribe": chat.sessionsSubscribe,
  "sessions.unsubscribe": chat.sessionsUnsubscribe,
  "secrets.reload": secrets.secretsReload,
  "device.pair.list": device.devicePairList,
  "device.pair.approve": device.devicePairApprove,
  "device.pair.reject": device.devicePairReject,
  "device.pair.remove": device.devicePairRemove,
  "device.token.rotate": device.deviceTokenRotate,
  "device.token.revoke": device.deviceTokenRevoke,
  "node.list": node.nodeList,
  "node.describe": node.nodeDescribe,
  "node.pair.list": node.nodePairList,
  "node.pair.approve": node.nodePairApprove,
  "node.pair.reject": node.nodePairReject,
  "node.pair.remove": node.nodePairRemove,
  "node.pair.verify": node.nodePairVerify,
  "node.rename": node.nodeRename,
  "node.invoke": node.nodeInvoke,
  "node.invoke.result": node.nodeInvokeResult,
  "gateway.identity.get": node.gatewayIdentityGet,
  "node.event": nodeHost.nodeEvent,
  "node.runnerInventory.update": nodeHost.nodeRunnerInventoryUpdate,
  "node.skills.update": nodeHost.nodeSkillsUpdate,
  "node.pluginTools.update": nodeHost.nodePluginToolsUpdate,
  "node.pair.request": nodeHost.nodePairRequest,
  send: channels.send,
  poll: channels.poll,
  "message.action": channels.messageAction,
  "channels.status": channels.channelsStatus,
  "channels.start": channels.channelsStart,
  "channels.stop": channels.channelsStop,
  "channels.pairing.list": channels.channelsPairingList,
  "channels.pairing.approve": channels.channelsPairingApprove,
  "channels.pairing.dismiss": channels.channelsPairingDismiss,
  "channels.logout": channels.channelsLogout,
  "web.login.start": channels.webLoginStart,
  "web.login.wait": channels.webLoginWait,
  "exec.approval.request": approvals.execApprovalRequest,
  "exec.approval.resolve": approvals.execApprovalResolve,
  "exec.approval.get": approvals.execApprovalGet,
  "exec.approval.list": approvals.execApprovalList,
  "exec.approval.waitDecision": approvals.execApprovalWaitDecision,
  "exec.approvals.get": approvals.execApprovalsGet,
  "exec.approvals.set": approvals.execApprovalsSet,
  "approval.get": approvals.approvalGet,
  "approval.resolve": approvals.approvalResolve,
  "plugin.approval.list": approvals.pluginApprovalList,
  "openclaw.approval.list": approvals.openclawApprovalList,
  "cron.list": cron.cronList,
  "cron.status": cron.cronStatus,
  "cron.remove": cron.cronRemove,
  "cron.run": cron.cronRun,
  "usage.status": usage.usageStatus,
} as const satisfies Record<string, MethodSpec>;
export type MethodName = keyof typeof METHOD_SPECS;

/**
 * Scopes of methods the published gateway knows but we have not implemented yet; they still
 * drive authorization so a caller gets "missing scope" before "unknown method", as the real CLI expects.
 * No prototype: the key is a client's method name, and "constructor" or "__proto__" must find nothing.
 */
export const KNOWN_METHOD_SCOPES: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  "last-heartbeat": "operator.read",
  "models.list": "operator.read",
  "agent.wait": "operator.write",
  wake: "operator.write",
});
export { system as systemMethods, config as configMethods, logs as logsMethods, agentM as agentMethods, chat as chatMethods, secrets as secretsMethods, device as deviceMethods, node as nodeMethods, nodeHost as nodeHostMethods, channels as channelMethods, approvals as approvalMethods, cron as cronMethods, usage as usageMethods };
