// bench/bare.ts: the "bare" anchor for `bun run bench`. The least a Bun WebSocket server can do
// while speaking the gateway's protocol-4 framing, so the gateway's figures can be read as ratios.
//
//   bun bench/bare.ts [--port 18852] [--host 127.0.0.1] [--token T]
//
// - on open: a connect.challenge event
// - `connect` req: token check (when --token is set), then a minimal hello-ok
// - any other req after connect: {"ok":true,"payload":{}}; before connect: close 1008
// Prints `listening ws://<host>:<port>` once bound.

interface SocketState {
  connected: boolean;
}

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const args = Bun.argv.slice(2);
const port = Number(flag(args, "--port") ?? process.env.PORT ?? 18852);
const hostname = flag(args, "--host") ?? "127.0.0.1";
const token = flag(args, "--token") ?? "";

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`bare: bad --port ${port}`);
  process.exit(2);
}

/** Frames are built by hand: the id is the only variable part, and JSON.stringify keeps it safe. */
function res(id: string, body: string): string {
  return `{"type":"res","id":${JSON.stringify(id)},${body}}`;
}

const server = Bun.serve<SocketState>({
  hostname,
  port,
  fetch(req, srv) {
    if (srv.upgrade(req, { data: { connected: false } })) return undefined;
    return new Response("bare bench server: WebSocket only\n", { status: 426 });
  },
  websocket: {
    perMessageDeflate: false,
    open(ws) {
      ws.send(
        `{"type":"event","event":"connect.challenge","payload":{"nonce":"${crypto.randomUUID()}","ts":${Date.now()}}}`,
      );
    },
    message(ws, message) {
      let frame: { type?: unknown; id?: unknown; method?: unknown; params?: { auth?: { token?: unknown } } };
      try {
        frame = JSON.parse(typeof message === "string" ? message : message.toString("utf8"));
      } catch {
        ws.close(1008, "invalid json");
        return;
      }
      if (frame === null || typeof frame !== "object" || frame.type !== "req" || typeof frame.id !== "string") return;
      if (frame.method === "connect") {
        if (token !== "" && frame.params?.auth?.token !== token) {
          ws.send(res(frame.id, '"ok":false,"error":{"code":"UNAUTHORIZED","message":"token mismatch"}'));
          ws.close(1008, "unauthorized");
          return;
        }
        ws.data.connected = true;
        ws.send(res(frame.id, '"ok":true,"payload":{"type":"hello-ok","protocol":4}'));
        return;
      }
      if (!ws.data.connected) {
        ws.close(1008, "connect first");
        return;
      }
      ws.send(res(frame.id, '"ok":true,"payload":{}'));
    },
  },
});

console.log(`listening ws://${server.hostname}:${server.port}`);

