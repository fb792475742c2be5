// bench/node-client.ts: a bench node: its own Ed25519 device key, a signed connect as role node (as
// `openclaw node run` sends it: client node-host/node, the gateway token in auth.token), and an
// answer to every node.invoke.request at once. Also `call`, one request on a session and its answer,
// for the set-up the nodes group does as an operator (node.pair.list / node.pair.approve).

import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { deviceIdOf, devicePayload } from "../src/nodes/identity.ts";
import type { ConnectParams } from "../src/protocol/index.ts";
import { errorOf, readRes } from "./measure/rpc.ts";
import { handshakeWith, parseFrame, type Challenge, type Session } from "./measure/session.ts";
import { countError, type ErrorCounts } from "./measure/stats.ts";

/** A node's identity: an Ed25519 key and its id (hex SHA-256 of the raw public key). */
export interface BenchDevice {
  id: string;
  /** Raw public key, unpadded base64url. */
  publicKey: string;
  privateKey: KeyObject;
}

export function newDevice(): BenchDevice {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(12);
  return { id: deviceIdOf(raw), publicKey: Buffer.from(raw).toString("base64url"), privateKey };
}

/** The command every bench node declares and answers. */
export const BENCH_COMMAND = "system.which";
/** What a bench node answers, as the real node host would for `system.which {bins:["ls"]}`. */
const ANSWER_JSON = JSON.stringify(JSON.stringify({ bins: { ls: "/usr/bin/ls" } }));

/** The connect params of a node host, signed over the socket's challenge (v3, signedAt = challenge ts). */
export function signedNodeConnect(device: BenchDevice, token: string, commands: readonly string[], challenge: Challenge): ConnectParams {
  const params: ConnectParams = {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "node-host", version: "bench", platform: "linux", deviceFamily: "Linux", mode: "node", displayName: `bench ${device.id.slice(0, 8)}` },
    role: "node",
    scopes: [],
    caps: ["system"],
    commands: [...commands],
    auth: { token },
  } as ConnectParams;
  const signedAt = Number.isFinite(challenge.ts) ? challenge.ts : Date.now();
  const proof = { id: device.id, signedAt, nonce: challenge.nonce };
  const signature = sign(null, Buffer.from(devicePayload("v3", params, proof), "utf8"), device.privateKey).toString("base64url");
  return { ...params, device: { ...proof, publicKey: device.publicKey, signature } };
}

/** A connected bench node: how many requests it answered and what went wrong with its results. */
export interface BenchNode {
  device: BenchDevice;
  session: Session;
  answered: number;
  errors: ErrorCounts;
}

const INVOKE_HEAD = '{"type":"event","event":"node.invoke.request"';

/** Connects `device` as a node declaring `commands`; with `answer`, it answers every invoke request at once. */
export async function connectNode(
  url: string,
  token: string,
  device: BenchDevice,
  opts: { commands?: readonly string[]; answer?: boolean; timeoutMs?: number } = {},
): Promise<BenchNode> {
  const commands = opts.commands ?? [BENCH_COMMAND];
  const session = await handshakeWith(url, (challenge) => signedNodeConnect(device, token, commands, challenge), opts.timeoutMs);
  const node: BenchNode = { device, session, answered: 0, errors: {} };
  if (!opts.answer) return node;
  const nodeIdJson = JSON.stringify(device.id);
  let seq = 0;
  session.onFrame = (text) => {
    if (text.startsWith(INVOKE_HEAD)) {
      const id = parseFrame(text)?.payload?.id;
      if (typeof id !== "string") return;
      seq++;
      session.ws.send(
        `{"type":"req","id":"${seq}","method":"node.invoke.result","params":{"id":${JSON.stringify(id)},"nodeId":${nodeIdJson},"ok":true,"payloadJSON":${ANSWER_JSON}}}`,
      );
      node.answered++;
      return;
    }
    const res = readRes(text);
    if (res && !res.ok) countError(node.errors, `node.invoke.result: ${errorOf(text)}`);
  };
  return node;
}

/**
 * One request on a session and its answer (the payload; throws on an error answer or after
 * timeoutMs). Takes over the session's onFrame while it waits, so use it on set-up sessions only.
 */
export function call(session: Session, method: string, params: unknown = {}, timeoutMs = 10_000): Promise<any> {
  const id = `call-${crypto.randomUUID()}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${method}: no answer within ${timeoutMs} ms`)), timeoutMs);
    session.onFrame = (text) => {
      const frame = parseFrame(text);
      if (frame?.type !== "res" || frame.id !== id) return;
      clearTimeout(timer);
      session.onFrame = undefined;
      if (frame.ok === true) resolve(frame.payload);
      else reject(new Error(`${method}: ${frame.error?.code ?? "error"} ${frame.error?.message ?? ""}`.trim()));
    };
    session.ws.send(JSON.stringify({ type: "req", id, method, params }));
  });
}

/** Approves the pending command surface of `nodeId` (gate 2), as an operator with pairing + admin scopes. */
export async function approveSurface(admin: Session, nodeId: string): Promise<void> {
  const list = await call(admin, "node.pair.list");
  const pending = (list?.pending ?? []).find((p: { nodeId?: string }) => p.nodeId === nodeId);
  if (!pending) throw new Error(`node.pair.list: no pending surface for node ${nodeId.slice(0, 12)}…`);
  await call(admin, "node.pair.approve", { requestId: pending.requestId });
}
