// `openclaw agent --to <channel:target> --deliver`: the send request that delivers a reply.
import { expect, test } from "bun:test";
import { deliveryParams, parseDeliveryTarget } from "../../../src/cli/agent.ts";

test("--to: a channel prefix becomes the channel; anything else stays a target", () => {
  expect(parseDeliveryTarget("telegram:424242")).toEqual({ channel: "telegram", to: "424242" });
  expect(parseDeliveryTarget("TG:@chat")).toEqual({ channel: "telegram", to: "@chat" });
  expect(parseDeliveryTarget("whatsapp:+15551234567")).toEqual({ channel: "whatsapp", to: "+15551234567" });
  expect(parseDeliveryTarget("-100123:topic:42")).toEqual({ to: "-100123:topic:42" });
  expect(parseDeliveryTarget("424242")).toEqual({ to: "424242" });
});

test("the idempotency key is the run's, so delivering the same run twice sends once", () => {
  const a = deliveryParams("run-1", "telegram:424242", "hi");
  expect(a).toEqual({ to: "424242", message: "hi", channel: "telegram", idempotencyKey: "agent-deliver:run-1" });
  expect(deliveryParams("run-1", "telegram:424242", "hi").idempotencyKey).toBe(a.idempotencyKey as string);
  expect(deliveryParams("run-2", "424242", "hi")).toEqual({ to: "424242", message: "hi", idempotencyKey: "agent-deliver:run-2" });
});
