// Client commands resolve SecretRefs in the local config the way the gateway does.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { join, resolve } from "node:path";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { makeHome } from "../fixtures/spawn.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const MAIN = join(resolve(import.meta.dir, "../.."), "src/main.ts");
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.stop());

test("`openclaw health` with gateway.auth.token as an env SecretRef connects with the resolved token", async () => {
  const home = makeHome({ gateway: { mode: "local", port: gw.port, auth: { token: { source: "env", id: "MY_GATEWAY_TOKEN" } } } });
  const proc = Bun.spawn([process.execPath, MAIN, "health", "--json"], {
    env: { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1", MY_GATEWAY_TOKEN: TEST_TOKEN },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect(err).toBe("");
  expect(code).toBe(0);
  expect(JSON.parse(out).ok).toBe(true);
});
