/** `openclaw devices list|approve|reject|remove|rotate|revoke`: device pairing on a running gateway. */
import { defineCommand } from "citty";
import { jsonArg, timeoutArg, urlArgs, verb } from "../args.ts";
import type { CliContext } from "../context.ts";
import { ExitError, UsageError } from "../errors.ts";
import { ADMIN, deviceCall, PAIRING } from "./call.ts";
import { printDeviceList, type DeviceList } from "./format.ts";

const common = { ...jsonArg, ...urlArgs, ...timeoutArg(10_000) } as const;

function listCommand(ctx: CliContext) {
  return verb("list", "Pending pairing requests and paired devices", common, async (a) => {
    const list = await deviceCall<DeviceList>(ctx, a, "device.pair.list", {}, [PAIRING]);
    if (a.json) ctx.io.json(list);
    else printDeviceList(ctx, list);
  });
}

const requestArgs = { ...common, requestId: { type: "positional", required: false, description: "The pending request's id" } } as const;

function approveCommand(ctx: CliContext) {
  return verb("approve", "Approve a pending device (a node needs operator.admin; the CLI asks for it)", requestArgs, async (a) => {
    if (!a.requestId) {
      // No id: show what could be approved, and fail so scripts notice.
      const list = await deviceCall<DeviceList>(ctx, a, "device.pair.list", {}, [PAIRING]);
      if (a.json) ctx.io.json({ ok: false, error: { type: "usage", message: "missing <requestId>" }, pending: list.pending });
      else {
        printDeviceList(ctx, { pending: list.pending, paired: [] });
        ctx.io.err("Pass the requestId to approve: openclaw devices approve <requestId>");
      }
      throw new ExitError(1);
    }
    const res = await deviceCall<{ requestId: string; device: { deviceId: string } }>(ctx, a, "device.pair.approve", { requestId: a.requestId }, [PAIRING, ADMIN]);
    if (a.json) ctx.io.json(res);
    else ctx.io.out(`Approved ${res.device.deviceId} (${res.requestId})`);
  });
}

function rejectCommand(ctx: CliContext) {
  return verb("reject", "Reject a pending device", requestArgs, async (a) => {
    if (!a.requestId) throw new UsageError("Missing <requestId>: openclaw devices reject <requestId>");
    const res = await deviceCall<{ requestId: string; deviceId: string }>(ctx, a, "device.pair.reject", { requestId: a.requestId }, [PAIRING]);
    if (a.json) ctx.io.json(res);
    else ctx.io.out(`Rejected ${res.requestId}`);
  });
}

const removeArgs = { ...common, deviceId: { type: "positional", required: false, description: "The paired device's id" }, device: { type: "string", description: "Same as the positional device id" } } as const;

function removeCommand(ctx: CliContext) {
  return verb("remove", "Forget a paired device (its connections are closed)", removeArgs, async (a) => {
    const deviceId = a.deviceId ?? a.device;
    if (!deviceId) throw new UsageError("Missing <deviceId>: openclaw devices remove <deviceId>");
    const res = await deviceCall<{ deviceId: string }>(ctx, a, "device.pair.remove", { deviceId }, [PAIRING]);
    if (a.json) ctx.io.json(res);
    else ctx.io.out(`Removed ${res.deviceId}`);
  });
}

const tokenArgs = { ...common, device: { type: "string", description: "The device id", required: true }, role: { type: "string", description: "The role whose token it is (e.g. node)", required: true } } as const;

function tokenCommand(ctx: CliContext, name: "rotate" | "revoke") {
  const description = name === "rotate"
    ? "Retire a device's token for a role; the device receives the new one when it next connects"
    : "Revoke a device's token and approval for a role; it must be paired again for it";
  return verb(name, description, tokenArgs, async (a) => {
    ctx.io.json(await deviceCall(ctx, a, `device.token.${name}`, { deviceId: a.device, role: a.role }, [ADMIN]));
  });
}

export function createDevicesCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "devices", description: "Pair and manage devices (node hosts, apps, browsers) on a running gateway" },
    subCommands: {
      list: () => listCommand(ctx),
      approve: () => approveCommand(ctx),
      reject: () => rejectCommand(ctx),
      remove: () => removeCommand(ctx),
      rotate: () => tokenCommand(ctx, "rotate"),
      revoke: () => tokenCommand(ctx, "revoke"),
    },
  });
}
