import { agentMethod, agentsListMethod } from "./agent.ts";
import { chatAbortMethod, chatHistoryMethod, chatSendMethod, sessionsListMethod, sessionsSubscribeMethod, sessionsUnsubscribeMethod } from "./chat.ts";
import {
  channelSendMethod, channelsPairingApproveMethod, channelsPairingDismissMethod, channelsPairingListMethod, channelsStartMethod,
  channelsStatusMethod, channelsStopMethod, messageActionMethod, pollMethod,
} from "./channels.ts";
import { configApplyMethod, configGetMethod, configPatchMethod, configSchemaLookupMethod, configSchemaMethod } from "./config.ts";
import { channelsLogoutMethod, webLoginStartMethod, webLoginWaitMethod } from "./web-login.ts";
import {
  devicePairApproveMethod, devicePairListMethod, devicePairRejectMethod, devicePairRemoveMethod, deviceTokenRevokeMethod,
  deviceTokenRotateMethod,
} from "./device.ts";
import { logsTailMethod } from "./logs.ts";
import { MethodRegistry } from "./registry.ts";
import {
  approvalGetMethod, approvalResolveMethod, execApprovalGetMethod, execApprovalListMethod, execApprovalRequestMethod,
  execApprovalResolveMethod, execApprovalsGetMethod, execApprovalsSetMethod, execApprovalWaitDecisionMethod,
  openclawApprovalListMethod, pluginApprovalListMethod,
} from "./approvals.ts";
import { cronListMethod, cronRemoveMethod, cronRunMethod, cronStatusMethod } from "./cron.ts";
import {
  nodeEventMethod, nodePairRequestMethod, nodePluginToolsUpdateMethod, nodeRunnerInventoryUpdateMethod, nodeSkillsUpdateMethod,
} from "./node-host.ts";
import {
  nodeDescribeMethod, nodeListMethod, nodePairApproveMethod, nodePairListMethod, nodePairRejectMethod, nodePairRemoveMethod,
  nodePairVerifyMethod, nodeRenameMethod, nodeInvokeMethod, nodeInvokeResultMethod, gatewayIdentityGetMethod,
} from "./node.ts";
import { secretsReloadMethod } from "./secrets.ts";
import type { RegisteredMethod } from "./registry.ts";
import { healthMethod, statusMethod, systemEventMethod, systemPresenceMethod } from "./system.ts";
import { usageStatusMethod } from "./usage.ts";

/** The one list of implemented methods: hello-ok, dispatch and the generated schema derive from it. */
export const GATEWAY_METHODS: readonly RegisteredMethod[] = [
  healthMethod,
  statusMethod,
  systemPresenceMethod,
  systemEventMethod,
  configGetMethod,
  configSchemaMethod,
  configSchemaLookupMethod,
  configPatchMethod,
  configApplyMethod,
  logsTailMethod,
  agentsListMethod,
  agentMethod,
  chatSendMethod,
  chatAbortMethod,
  chatHistoryMethod,
  sessionsListMethod,
  sessionsSubscribeMethod,
  sessionsUnsubscribeMethod,
  secretsReloadMethod,
  devicePairListMethod,
  devicePairApproveMethod,
  devicePairRejectMethod,
  devicePairRemoveMethod,
  deviceTokenRotateMethod,
  deviceTokenRevokeMethod,
  nodeListMethod,
  nodeDescribeMethod,
  nodePairListMethod,
  nodePairApproveMethod,
  nodePairRejectMethod,
  nodePairRemoveMethod,
  nodePairVerifyMethod,
  nodeRenameMethod,
  nodeInvokeMethod,
  nodeInvokeResultMethod,
  gatewayIdentityGetMethod,
  nodeEventMethod,
  nodeRunnerInventoryUpdateMethod,
  nodeSkillsUpdateMethod,
  nodePluginToolsUpdateMethod,
  nodePairRequestMethod,
  channelSendMethod,
  pollMethod,
  messageActionMethod,
  channelsStatusMethod,
  channelsStartMethod,
  channelsStopMethod,
  channelsPairingListMethod,
  channelsPairingApproveMethod,
  channelsPairingDismissMethod,
  channelsLogoutMethod,
  webLoginStartMethod,
  webLoginWaitMethod,
  execApprovalRequestMethod,
  execApprovalResolveMethod,
  execApprovalGetMethod,
  execApprovalListMethod,
  execApprovalWaitDecisionMethod,
  execApprovalsGetMethod,
  execApprovalsSetMethod,
  approvalGetMethod,
  approvalResolveMethod,
  pluginApprovalListMethod,
  openclawApprovalListMethod,
  cronListMethod,
  cronStatusMethod,
  cronRemoveMethod,
  cronRunMethod,
  usageStatusMethod,
];

export function createMethodRegistry(): MethodRegistry {
  return new MethodRegistry(GATEWAY_METHODS);
}
